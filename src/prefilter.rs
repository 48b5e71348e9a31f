//! The literal prefilter: decides from a file's bytes whether it can hold anything the rules consume.
//!
//! It must never lose a finding (the fixture suite runs with it on and off and must give identical results).
//! The extractors gate themselves on the same word groups (`Mentions`), so a file without the words cannot
//! yield a fact either way:
//!
//! - authorization requests (oauth-without-pkce, no-state-parameter): a `response_type` key, argument or query
//!   text, or one of the library methods that build an authorization URL (`AuthorizationUrl` covers
//!   openid-client's `buildAuthorizationUrl`, `authorization_url` covers authlib's `create_authorization_url`),
//!   or the passport-oauth2 module a strategy is imported from. Extraction compares these exactly, so they
//!   are matched exactly;
//! - pkce-plain-method: `"plain"` counts only in files that also mention a verifier, a challenge or PKCE
//!   (`analysis::method`), so those words stand for it: `plain` alone is in one JavaScript file in twenty
//!   (`text/plain`, plain objects) and would send them all to the parser. A file whose only PKCE word is
//!   `verifier` (a signature, schema or OAuth 1.0a verifier; no challenge, no code verifier) can hold a plain
//!   method only where it quotes `"plain"` or names a constant for it (`PLAIN`, `Method.Plain`): without
//!   one the file is not parsed for the method. Prose (`a plain object`, `plaintext`) and `"text/plain"`
//!   do not count: they sent the largest SDK and runtime sources to the parser;
//! - weak-verifier-entropy and pkce-session-leak: a verifier is a name containing `verifier`, the value sent as
//!   `code_verifier`, or the value hashed into a `code_challenge`, and only files that mention a challenge, a
//!   code verifier or PKCE are analysed.
//! - state-not-verified: a callback matters only where the code is exchanged, so the words are those of an
//!   exchange: `authorization_code` (the token request's grant type) and the library calls that redeem a code
//!   without checking state unless told to (the catalogue's exchanges, `crate::libraries::exchange_words`), or the openid-client module
//!   whose `callback` method does.
//! - authorization-code-reusable: a token endpoint compares the request's grant type with
//!   `authorization_code`, already an exchange word, so it needs no word of its own.
//! - challenge-compare-not-constant-time: a comparison with a stored challenge holds `challenge` (or
//!   `Challenge`), already a code-verifier word; the server analysis runs when either group is there.
//! - redirect-uri-not-validated, authorization-code-lifetime: an authorization endpoint sends the code to
//!   the request's `redirect_uri` (or the client's `redirectUri`); a function that stores a code names it
//!   (`authCode`, `auth_code`, `authorizationCode`).
//!
//! The PKCE words are matched in the three spellings code uses (`verifier`, `codeVerifier`, `CODE_VERIFIER`).
//! Matching case-sensitively lets the searcher use its SIMD prefilter: several times faster than an
//! ASCII-case-insensitive automaton on the hundreds of megabytes of a monorepo.

use std::sync::LazyLock;

use aho_corasick::{packed, AhoCorasick, MatchKind};

/// Which groups of words a file contains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// A `response_type` or a library's URL builder: requests can be extracted.
    pub request: bool,
    /// `response_type` itself: request containers, builders and query strings need it.
    pub response_type: bool,
    /// A challenge, a code verifier or PKCE, or a verifier beside `plain`: `"plain"` can be a PKCE
    /// method.
    pub pkce: bool,
    /// A challenge, a code verifier or PKCE: names with `verifier` can be code verifiers (`verifier` alone
    /// may be an OAuth 1.0a or signature verifier).
    pub code_verifier: bool,
    /// A code exchange (a token request or a library call that redeems a code): callbacks can be checked.
    pub exchange: bool,
    /// A redirect URI or an authorization code record: authorization endpoints can be recognised.
    pub authorize: bool,
    /// A `skillaudit-ignore` comment may be there: the file is parsed so that an unused one is reported.
    pub suppression: bool,
}

impl Mentions {
    /// Whether any rule can find something in the file.
    pub fn any(self) -> bool {
        self.request || self.pkce || self.exchange || self.authorize
    }

    /// Whether the file must be parsed: a rule can find something, or a suppression needs checking.
    pub fn needs_parse(self) -> bool {
        self.any() || self.suppression
    }
}

const REQUEST: u16 = 1;
const RESPONSE_TYPE: u16 = 2;
const PKCE: u16 = 4;
const CODE_VERIFIER: u16 = 8;
const SUPPRESSION: u16 = 16;
const EXCHANGE: u16 = 32;
/// Exchange calls whose names are common outside OAuth (`getToken` in every tokenizer, `get_access_token`):
/// they count only in a file that also names an OAuth library or request word. Measured on the benchmark
/// corpus, they alone made 43 more non-test files parsed, among them the largest parser sources.
const WEAK_EXCHANGE: u16 = 64;
/// A catalogued library's module name: not a reason to parse on its own (`googleapis` is in every Google
/// API URL), but what makes a weak exchange word an exchange.
const LIBRARY: u16 = 128;
/// `plain` in some case: with a PKCE word, a plain method may be there.
const PLAIN: u16 = 256;
/// A redirect URI or a stored authorization code (authorization endpoints).
const AUTHORIZE: u16 = 512;
const ALL: u16 = REQUEST
    | RESPONSE_TYPE
    | PKCE
    | CODE_VERIFIER
    | SUPPRESSION
    | EXCHANGE
    | WEAK_EXCHANGE
    | LIBRARY
    | PLAIN
    | AUTHORIZE;

/// The exchange words that are `WEAK_EXCHANGE`.
const WEAK_EXCHANGE_WORDS: &[&str] = &["getToken", "get_access_token", "fetch_token"];

/// The words and the groups each one stands for.
const WORDS: &[(&str, u16)] = &[
    ("response_type", REQUEST | RESPONSE_TYPE),
    ("authorizationUrl", REQUEST),
    ("AuthorizationUrl", REQUEST),
    ("authorizeURL", REQUEST),
    ("generateAuthUrl", REQUEST),
    ("authorization_url", REQUEST),
    ("passport-oauth2", REQUEST),
    ("verifier", PKCE),
    ("Verifier", PKCE),
    ("VERIFIER", PKCE),
    ("code_verifier", PKCE | CODE_VERIFIER),
    ("codeVerifier", PKCE | CODE_VERIFIER),
    ("CodeVerifier", PKCE | CODE_VERIFIER),
    ("CODE_VERIFIER", PKCE | CODE_VERIFIER),
    ("challenge", PKCE | CODE_VERIFIER),
    ("Challenge", PKCE | CODE_VERIFIER),
    ("CHALLENGE", PKCE | CODE_VERIFIER),
    ("pkce", PKCE | CODE_VERIFIER),
    ("Pkce", PKCE | CODE_VERIFIER),
    ("PKCE", PKCE | CODE_VERIFIER),
    ("authorization_code", EXCHANGE),
    ("authorizationCodeGrant", EXCHANGE),
    ("validateAuthorizationCode", EXCHANGE),
    // The MCP SDKs' provider methods that redeem a code for the SDK's token endpoint.
    ("exchangeAuthorizationCode", EXCHANGE),
    ("getToken", WEAK_EXCHANGE),
    ("fetch_token", WEAK_EXCHANGE),
    ("openid-client", EXCHANGE),
    ("redirect_uri", AUTHORIZE),
    ("redirectUri", AUTHORIZE),
    ("redirectURI", AUTHORIZE),
    ("RedirectUri", AUTHORIZE),
    ("authCode", AUTHORIZE),
    ("AuthCode", AUTHORIZE),
    ("auth_code", AUTHORIZE),
    ("authorizationCode", AUTHORIZE),
    ("AuthorizationCode", AUTHORIZE),
    (crate::suppress::MARKER, SUPPRESSION),
    // A method value is a quoted `plain` (prose and `"text/plain"` are not) or a constant named for it.
    ("\"plain\"", PLAIN),
    ("'plain'", PLAIN),
    ("`plain`", PLAIN),
    ("Plain", PLAIN),
    ("PLAIN", PLAIN),
];

/// `WORDS`, the catalogue's exchange calls that may leave the state to the caller (`crate::libraries::
/// exchange_words`), and the module names of the library catalogue (`crate::libraries::words`), which stand
/// for requests made through a library.
static ALL_WORDS: LazyLock<Vec<(&'static str, u16)>> = LazyLock::new(|| {
    let mut words = WORDS.to_vec();
    for w in crate::libraries::exchange_words() {
        if !words.iter().any(|(x, _)| *x == w) {
            let group = if WEAK_EXCHANGE_WORDS.contains(&w) {
                WEAK_EXCHANGE
            } else {
                EXCHANGE
            };
            words.push((w, group));
        }
    }
    for w in crate::libraries::prefilter_words() {
        if !words.iter().any(|(x, _)| *x == w) {
            words.push((w, REQUEST));
        }
    }
    for w in crate::libraries::words() {
        if !words.iter().any(|(x, _)| *x == w) {
            words.push((w, LIBRARY));
        }
    }
    // No fix-up for words that hold shorter ones (`pkce-challenge` holds `pkce`): the matcher reports
    // overlapping occurrences, so the shorter word is found too.
    words
});

/// The first, fast level: the words no other first-level word contains, without the words that are only
/// a library's module name or `plain` (those count only beside a weak exchange word or a PKCE word,
/// themselves first-level). A text
/// with none of these has none of the words of any group but `LIBRARY`, so it mentions nothing; only the
/// few texts that hold one are searched again with the full matcher for their groups.
///
/// The full automaton has no fast skip-ahead above 16 words and steps through every byte; this set is
/// small enough for the packed SIMD searcher (Teddy, at most 64 words). None where the CPU lacks it or
/// the set grew too large: then the full matcher does both levels.
static ANCHORS: LazyLock<Option<packed::Searcher>> = LazyLock::new(|| {
    let words = anchor_words();
    if words.len() > MAX_ANCHORS {
        return None;
    }
    packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(words)
        .build()
});

/// The most words the packed searcher takes (its heuristic limit for Teddy).
const MAX_ANCHORS: usize = 64;

/// The first level's words (see [`ANCHORS`]).
fn anchor_words() -> Vec<&'static str> {
    let candidates: Vec<&str> = ALL_WORDS
        .iter()
        .filter(|(_, g)| *g != LIBRARY && *g != PLAIN)
        .map(|(w, _)| *w)
        .collect();
    candidates
        .iter()
        .filter(|w| {
            !candidates
                .iter()
                .any(|v| v.len() < w.len() && w.contains(v))
        })
        .copied()
        .collect()
}

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        // Every occurrence, overlapping ones included: with leftmost matches, `authCodeVerifier` gave
        // `authCode` and then `Verifier`, and its `CodeVerifier` was never seen.
        .match_kind(MatchKind::Standard)
        .build(ALL_WORDS.iter().map(|(w, _)| w))
        .expect("the literal set is valid")
});

/// Whether a method name is one of the request words (`generateAuthUrl`, `authorization_url`,
/// `buildAuthorizationUrl` …) or a catalogued library's flow method (`authorize_redirect`,
/// `getAuthCodeUrl`): a call that starts an authorization flow.
pub fn starts_a_flow(name: &str) -> bool {
    WORDS.iter().any(|(w, g)| {
        *g == REQUEST
            && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && name.contains(w)
    }) || crate::libraries::is_flow_method(name)
}

/// One pass over the text: which groups of words it contains. Stops as soon as every group is seen.
pub fn mentions(text: &str) -> Mentions {
    if let Some(anchors) = &*ANCHORS {
        if anchors.find(text).is_none() {
            return Mentions::default();
        }
    }
    let mut seen = 0;
    for found in MATCHER.find_overlapping_iter(text) {
        seen |= ALL_WORDS[found.pattern().as_usize()].1;
        if seen == ALL {
            break;
        }
    }
    Mentions {
        request: seen & REQUEST != 0,
        response_type: seen & RESPONSE_TYPE != 0,
        pkce: seen & PKCE != 0 && seen & (CODE_VERIFIER | PLAIN) != 0,
        code_verifier: seen & CODE_VERIFIER != 0,
        suppression: seen & SUPPRESSION != 0,
        authorize: seen & AUTHORIZE != 0,
        exchange: seen & EXCHANGE != 0
            || (seen & WEAK_EXCHANGE != 0 && seen & (REQUEST | LIBRARY) != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_words() {
        let m = mentions("const codeVerifier = x");
        assert!(m.pkce && m.code_verifier && !m.request);
        let m = mentions("oauth_verifier = token; p['response_type'] = 'code'");
        assert!(!m.pkce && !m.code_verifier && m.request && m.response_type);
        // A verifier alone is no code verifier; beside `plain` (in any case) the method may be plain.
        let m = mentions("const verifier = v; const method = Methods.PLAIN");
        assert!(m.pkce && !m.code_verifier && m.needs_parse());
        assert!(!mentions("class SignatureVerifier { check(t) {} }").needs_parse());
        assert!(!mentions("res.type('text/plain')").needs_parse());
        // Beside a verifier, `plain` counts quoted or as a constant's name, not in prose.
        for text in ["m = 'plain'", "m = \"plain\"", "m = `plain`", "allowPlain"] {
            assert!(mentions(&format!("verifier; {text}")).pkce, "{text}");
        }
        for text in [
            "// a plain object",
            "# plaintext",
            "'text/plain'",
            "plain_text = 1",
        ] {
            assert!(
                !mentions(&format!("verifier; {text}")).needs_parse(),
                "{text}"
            );
        }
        let m = mentions("const PKCE_TTL = 1; client.authorizeURL({})");
        assert!(m.pkce && m.code_verifier && m.request && !m.response_type);
        assert!(mentions("client.buildAuthorizationUrl(config, params)").request);
        let m = mentions("x = 1  # skillaudit-ignore[no-state-parameter]: why");
        assert!(m.suppression && m.needs_parse() && !m.any());
        let m = mentions("body: new URLSearchParams({ grant_type: 'authorization_code', code })");
        assert!(m.exchange && m.any() && !m.request);
        // `getToken` alone is every tokenizer's method; with an OAuth library named it is an exchange.
        assert!(!mentions("const t = this.getToken(pos)").exchange);
        assert!(
            mentions(
                "import { OAuth2Client } from 'google-auth-library'; await client.getToken(code)"
            )
            .exchange
        );
        assert_eq!(mentions("text/plain"), Mentions::default());
        // Overlapping words: `authCode` (an authorization endpoint's) and `CodeVerifier` share `Code`.
        let m = mentions("const authCodeVerifier = generateVerifier();");
        assert!(m.code_verifier && m.pkce && m.authorize, "{m:?}");
        assert_eq!(
            mentions("export function add(a, b) { return a + b }"),
            Mentions::default()
        );
    }

    #[test]
    fn the_first_level_fits_the_packed_searcher_and_covers_every_word() {
        let anchors = anchor_words();
        // Above the limit the scan stays correct but falls back to the slow automaton for every byte.
        assert!(
            anchors.len() <= MAX_ANCHORS,
            "{} first-level words: group them (a shorter word that longer ones contain) to stay within {MAX_ANCHORS}",
            anchors.len()
        );
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            assert!(ANCHORS.is_some());
        }
        for (w, g) in ALL_WORDS
            .iter()
            .filter(|(_, g)| *g != LIBRARY && *g != PLAIN)
        {
            assert!(anchors.iter().any(|a| w.contains(a)), "{w} ({g:#x})");
        }
    }

    #[test]
    fn every_spelling_of_a_pkce_word_is_listed() {
        for word in ["verifier", "challenge", "pkce"] {
            let upper = word.to_ascii_uppercase();
            let capital = format!("{}{}", &upper[..1], &word[1..]);
            for spelling in [word.to_string(), upper, capital] {
                assert!(WORDS.iter().any(|(w, _)| *w == spelling), "{spelling}");
            }
        }
    }
}
