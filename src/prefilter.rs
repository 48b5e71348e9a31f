//! The literal prefilter: decides from a file's bytes whether it can hold anything the rules consume.
//!
//! It must never lose a finding (the fixture suite runs with it on and off and must give identical results), so
//! every literal below is one that extraction itself requires before it produces a fact:
//!
//! - authorization requests (oauth-without-pkce, no-state-parameter): a `response_type` key, argument or query
//!   text, or one of the library methods that build an authorization URL (`authorizationUrl` also covers
//!   openid-client's `buildAuthorizationUrl`, `authorization_url` covers authlib's `create_authorization_url`),
//!   or the passport-oauth2 module a strategy is imported from;
//! - pkce-plain-method: the `"plain"` literal;
//! - weak-verifier-entropy and pkce-session-leak: a verifier is a name containing `verifier`, the value sent as
//!   `code_verifier`, or the value hashed into a `code_challenge`: `verifier` or `challenge`.
//!
//! Matching is ASCII case-insensitive (`codeVerifier`, `CODE_VERIFIER`, `authorizeURL`).

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

pub const LITERALS: &[&str] = &[
    "response_type",
    "authorizationurl",
    "authorization_url",
    "authorizeurl",
    "generateauthurl",
    "passport-oauth2",
    "plain",
    "verifier",
    "challenge",
];

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(LITERALS)
        .expect("the literal set is valid")
});

/// Whether the file may contain something the rules need.
pub fn may_match(text: &str) -> bool {
    MATCHER.is_match(text)
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
