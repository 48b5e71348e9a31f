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
            let detail = site.detail.as_deref();
            let (message, help): (String, &str) = match site.site {
                PlainSite::ClientParam => (
                    format!(
                        "the client sends code_challenge_method=plain{}: the challenge is the verifier itself, so whoever sees the authorization request can redeem the code",
                        detail.map(|d| format!(" through `{d}`")).unwrap_or_default()
                    ),
                    "send code_challenge=BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256",
                ),
                PlainSite::ClientDefault => (
                    format!(
                        "the client sends the plain PKCE method without naming it: {} defaults code_challenge_method to plain, so the challenge is the verifier itself",
                        detail.map(|d| format!("`{d}`")).unwrap_or_else(|| "the helper it calls".into())
                    ),
                    "name the method: code_challenge_method=\"S256\" with an S256 challenge",
                ),
                PlainSite::ServerMetadata => (
                    "the server advertises the plain PKCE method, which lets clients downgrade to a challenge equal to the verifier".into(),
                    "list only \"S256\" in code_challenge_methods_supported",
                ),
                PlainSite::ServerBranch => (
                    "the server accepts code_challenge_method=plain, comparing the verifier with the challenge directly".into(),
                    "reject plain with an invalid_request error and verify only S256: BASE64URL(SHA256(code_verifier)) == code_challenge",
                ),
                PlainSite::ServerDefault => (
                    "the server defaults a missing code_challenge_method to plain, so a request without a method is checked with the weak comparison".into(),
                    "treat a missing method as an error (or as S256 only); never default to plain",
                ),
                PlainSite::ServerAllows => (
                    format!(
                        "the server accepts the plain PKCE method: {} lets plain through and nothing in this file rejects it",
                        detail.unwrap_or("this decision")
                    ),
                    "allow only \"S256\" and reject plain with an invalid_request error",
                ),
                PlainSite::ServerConfig => (
                    format!(
                        "the server accepts the plain PKCE method: the option `{}` that enables it is switched on here (as a default, or set)",
                        detail.unwrap_or("?")
                    ),
                    "make plain opt-in (default false), or drop it: every client that can hash can use S256",
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
            detail: None,
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
