//! pkce-downgrade: the token endpoint verifies the `code_verifier` only when a challenge was stored or only
//! when the client sent a verifier, and the authorization endpoint of the file accepts a request without
//! `code_challenge` (RFC 9700 §2.1.1, §4.8.2).

use super::Rule;
use crate::facts::{FileFacts, OptionalOn};
use crate::finding::Diagnostic;

pub struct PkceDowngrade;

const HELP: &str = "require PKCE: reject an authorization request without code_challenge (and with a method other than S256), and at the token endpoint reject a code stored without a challenge, a missing code_verifier, and a code_verifier for a code that had no challenge";

impl Rule for PkceDowngrade {
    fn id(&self) -> &'static str {
        "pkce-downgrade"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for p in &facts.optional_pkce {
            let message = match p.on {
                OptionalOn::StoredChallenge => "the token endpoint verifies the code_verifier only when a challenge was stored, and the authorization endpoint accepts requests without code_challenge: an attacker who strips the challenge from the authorization request (or injects a code from a flow of their own without one) redeems the code with no verifier, so PKCE no longer protects against stolen or injected codes",
                OptionalOn::SubmittedVerifier => "the token endpoint verifies the code_verifier only when the client sends one, and the authorization endpoint accepts requests without code_challenge: an attacker holding a stolen code simply omits code_verifier and gets the tokens, so PKCE protects nothing",
            };
            const AUTHORIZE: &str =
                "the authorization endpoint reads code_challenge as optional here";
            let d = Diagnostic::new(p.span, message, HELP).with_related(
                p.verification,
                "the verification this condition makes optional",
            );
            out.push(match &p.authorize_elsewhere {
                Some(place) => d.with_elsewhere(place.clone(), AUTHORIZE),
                None => d.with_related(p.authorize, AUTHORIZE),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{OptionalPkce, Span};

    #[test]
    fn points_at_the_condition_with_the_verification_and_the_authorization_read() {
        let facts = FileFacts {
            optional_pkce: vec![OptionalPkce {
                span: Span::new(50, 70),
                on: OptionalOn::SubmittedVerifier,
                verification: Span::new(80, 120),
                authorize: Span::new(5, 20),
                authorize_elsewhere: None,
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        PkceDowngrade.check(&facts, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, Span::new(50, 70));
        assert!(out[0].message.contains("omits code_verifier"));
        assert_eq!(out[0].related[0].0, Span::new(80, 120));
        assert_eq!(out[0].related[1].0, Span::new(5, 20));
    }
}
