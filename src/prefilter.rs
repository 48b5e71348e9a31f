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
//!   (`extract::plain`), so those words stand for it: `plain` alone is in one JavaScript file in twenty
//!   (`text/plain`, plain objects) and would send them all to the parser;
//! - weak-verifier-entropy and pkce-session-leak: a verifier is a name containing `verifier`, the value sent as
//!   `code_verifier`, or the value hashed into a `code_challenge`, and only files that mention a challenge, a
//!   code verifier or PKCE are analysed.
//!
//! The PKCE words are matched in the three spellings code uses (`verifier`, `codeVerifier`, `CODE_VERIFIER`).
//! Matching case-sensitively lets the searcher use its SIMD prefilter: several times faster than an
//! ASCII-case-insensitive automaton on the hundreds of megabytes of a monorepo.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// Which groups of words a file contains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// A `response_type` or a library's URL builder: requests can be extracted.
    pub request: bool,
    /// A verifier, a challenge or PKCE: `"plain"` can be a PKCE method.
    pub pkce: bool,
    /// A challenge, a code verifier or PKCE: names with `verifier` can be code verifiers (`verifier` alone
    /// may be an OAuth 1.0a or signature verifier).
    pub code_verifier: bool,
}

impl Mentions {
    /// Whether any rule can find something in the file.
    pub fn any(self) -> bool {
        self.request || self.pkce
    }

    /// Every group.
    pub const ALL: Mentions = Mentions {
        request: true,
        pkce: true,
        code_verifier: true,
    };
}

/// The words and the groups each one stands for: (request, pkce, code_verifier).
const WORDS: &[(&str, (bool, bool, bool))] = &[
    ("response_type", (true, false, false)),
    ("authorizationUrl", (true, false, false)),
    ("AuthorizationUrl", (true, false, false)),
    ("authorizeURL", (true, false, false)),
    ("generateAuthUrl", (true, false, false)),
    ("authorization_url", (true, false, false)),
    ("passport-oauth2", (true, false, false)),
    ("verifier", (false, true, false)),
    ("Verifier", (false, true, false)),
    ("VERIFIER", (false, true, false)),
    ("code_verifier", (false, true, true)),
    ("codeVerifier", (false, true, true)),
    ("CodeVerifier", (false, true, true)),
    ("CODE_VERIFIER", (false, true, true)),
    ("challenge", (false, true, true)),
    ("Challenge", (false, true, true)),
    ("CHALLENGE", (false, true, true)),
    ("pkce", (false, true, true)),
    ("Pkce", (false, true, true)),
    ("PKCE", (false, true, true)),
];

/// The words of a group.
fn group(pick: fn(&(bool, bool, bool)) -> bool) -> Vec<&'static str> {
    WORDS
        .iter()
        .filter(|(_, g)| pick(g))
        .map(|(w, _)| *w)
        .collect()
}

/// Words without which no authorization request is extracted (`extract::requests`).
pub static REQUEST_WORDS: LazyLock<Vec<&str>> = LazyLock::new(|| group(|g| g.0));

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(WORDS.iter().map(|(w, _)| w))
        .expect("the literal set is valid")
});

/// One pass over the text: which groups of words it contains. Stops as soon as every group is seen.
pub fn mentions(text: &str) -> Mentions {
    let mut m = Mentions::default();
    for found in MATCHER.find_iter(text) {
        let (request, pkce, code_verifier) = WORDS[found.pattern().as_usize()].1;
        m.request |= request;
        m.pkce |= pkce;
        m.code_verifier |= code_verifier;
        if m == Mentions::ALL {
            break;
        }
    }
    m
}

/// Whether the file may contain something the rules need.
pub fn may_match(text: &str) -> bool {
    mentions(text).any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_the_words() {
        let m = mentions("const codeVerifier = x");
        assert!(m.pkce && m.code_verifier && !m.request);
        let m = mentions("oauth_verifier = token; p['response_type'] = 'code'");
        assert!(m.pkce && !m.code_verifier && m.request);
        let m = mentions("const PKCE_TTL = 1; client.authorizeURL({})");
        assert!(m.pkce && m.code_verifier && m.request);
        assert!(mentions("client.buildAuthorizationUrl(config, params)").request);
        assert_eq!(mentions("text/plain"), Mentions::default());
        assert_eq!(
            mentions("export function add(a, b) { return a + b }"),
            Mentions::default()
        );
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
