//! The literal prefilter: decides from a file's bytes whether it can hold anything the rules consume.
//!
//! It must never lose a finding (the fixture suite runs with it on and off and must give identical results), so
//! every literal below is one that extraction itself requires before it produces a fact:
//!
//! - authorization requests (oauth-without-pkce, no-state-parameter): a `response_type` key, argument or query
//!   text, or one of the library methods that build an authorization URL (`authorizationUrl` also covers
//!   openid-client's `buildAuthorizationUrl`, `authorization_url` covers authlib's `create_authorization_url`),
//!   or the passport-oauth2 module a strategy is imported from;
//! - pkce-plain-method: `"plain"` counts only in files that also mention `challenge`, `verifier` or `pkce`
//!   (`extract::plain`), so those words stand for it: `plain` alone is in one JavaScript file in twenty
//!   (`text/plain`, plain objects) and would send them all to the parser;
//! - weak-verifier-entropy and pkce-session-leak: a verifier is a name containing `verifier`, the value sent as
//!   `code_verifier`, or the value hashed into a `code_challenge`, and only files mentioning `challenge`,
//!   `code_verifier` or `pkce` are analysed: `verifier`, `challenge` or `pkce`.
//!
//! Matching is ASCII case-insensitive (`codeVerifier`, `CODE_VERIFIER`, `authorizeURL`).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// Words without which no authorization request is extracted (`extract::requests`).
pub const REQUEST_WORDS: &[&str] = &[
    "response_type",
    "authorizationurl",
    "authorization_url",
    "authorizeurl",
    "generateauthurl",
    "passport-oauth2",
];

/// Words without which no PKCE method, verifier or challenge is extracted (`extract::plain`,
/// `extract::verifiers`).
pub const PKCE_WORDS: &[&str] = &["verifier", "challenge", "pkce"];

/// A matcher of any of the words, ignoring ASCII case.
pub fn words(words: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .expect("literal words build a matcher")
}

static ANY: LazyLock<AhoCorasick> = LazyLock::new(|| words(&[REQUEST_WORDS, PKCE_WORDS].concat()));
static REQUEST: LazyLock<AhoCorasick> = LazyLock::new(|| words(REQUEST_WORDS));
static PKCE: LazyLock<AhoCorasick> = LazyLock::new(|| words(PKCE_WORDS));

/// Whether the file may contain something the rules need.
pub fn may_match(text: &str) -> bool {
    ANY.is_match(text)
}

/// Whether the file may hold an authorization request.
pub fn mentions_request(text: &str) -> bool {
    REQUEST.is_match(text)
}

/// Whether the file may hold a PKCE method, verifier or challenge.
pub fn mentions_pkce(text: &str) -> bool {
    PKCE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_any_case_and_passes_unrelated_files_over() {
        assert!(may_match("const codeVerifier = x"));
        assert!(may_match("client.authorizeURL({})"));
        assert!(may_match("p.set('RESPONSE_TYPE', 'code')"));
        assert!(!may_match("export function add(a, b) { return a + b }"));
    }
}
