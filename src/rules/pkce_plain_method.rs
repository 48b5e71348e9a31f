//! pkce-plain-method: `plain` PKCE, sent by a client or accepted by a server.

use super::Rule;
use crate::facts::{FileFacts, PlainSite};
use crate::finding::Diagnostic;

pub struct PkcePlainMethod;

impl Rule for PkcePlainMethod {
    fn id(&self) -> &'static str {
        "pkce-plain-method"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for site in facts.plain_methods.iter().filter(|p| !p.rejected) {
            let (message, help) = match site.site {
                PlainSite::ClientParam => (
                    "code_challenge_method=plain sends the verifier itself as the challenge: whoever sees the authorization request can redeem the code",
                    "send code_challenge=BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256",
                ),
                PlainSite::ServerMetadata => (
                    "the server advertises the plain PKCE method, which lets clients downgrade to a challenge equal to the verifier",
                    "list only \"S256\" in code_challenge_methods_supported",
                ),
                PlainSite::ServerBranch => (
                    "the server accepts code_challenge_method=plain, comparing the verifier with the challenge directly",
                    "reject plain with an invalid_request error and verify only S256: BASE64URL(SHA256(code_verifier)) == code_challenge",
                ),
                PlainSite::ServerDefault => (
                    "a missing code_challenge_method defaults to plain, so a request without a method is checked with the weak comparison",
                    "treat a missing method as an error (or as S256 only); never default to plain",
                ),
            };
            out.push(Diagnostic::new(site.span, message, help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{PlainMethod, Span};

    #[test]
    fn rejected_branches_are_silent() {
        let mk = |site, rejected, start| PlainMethod {
            span: Span::new(start, start + 7),
            site,
            rejected,
        };
        let facts = FileFacts {
            plain_methods: vec![
                mk(PlainSite::ServerBranch, true, 1),
                mk(PlainSite::ServerBranch, false, 2),
                mk(PlainSite::ClientParam, false, 3),
                mk(PlainSite::ServerMetadata, false, 4),
                mk(PlainSite::ServerDefault, false, 5),
            ],
            ..Default::default()
        };
        let mut out = Vec::new();
        PkcePlainMethod.check(&facts, &mut out);
        assert_eq!(
            out.iter().map(|d| d.span.start).collect::<Vec<_>>(),
            vec![2, 3, 4, 5]
        );
        assert!(out[1].help.contains("S256"));
    }
}
