//! redirect-uri-not-validated: an authorization endpoint sends the code to the `redirect_uri` of the
//! request without matching it exactly against the client's registered URIs (RFC 9700 §2.1, §4.1; RFC 6749
//! §10.6).

use super::Rule;
use crate::facts::FileFacts;
use crate::finding::Diagnostic;

pub struct RedirectUriNotValidated;

const HELP: &str = "look the client up and reject the request unless redirect_uri is exactly one of its registered URIs (registered.includes(uri), uri in client.redirect_uris, ===); for loopback URIs compare everything but the port";

impl Rule for RedirectUriNotValidated {
    fn id(&self) -> &'static str {
        "redirect-uri-not-validated"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for r in &facts.unvalidated_redirects {
            let message = if r.partial.is_some() {
                "authorization endpoint redirects the code to the request's redirect_uri after only a prefix, substring, pattern or host check: an attacker registers a lookalike URI (or uses an open redirect under the allowed prefix) and receives the victim's authorization code"
            } else {
                "authorization endpoint redirects the code to the request's redirect_uri without matching it against the client's registered URIs: an attacker sends the victim a link with their own redirect_uri and receives the victim's authorization code"
            };
            let mut d = Diagnostic::new(r.span, message.to_string(), HELP)
                .with_related(r.source, "the redirect URI is read from the request here");
            if let Some(p) = r.partial {
                d = d.with_related(p, "this check is not an exact match");
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Span, UnvalidatedRedirect};

    #[test]
    fn points_at_the_redirect_and_says_what_the_partial_check_misses() {
        let facts = FileFacts {
            unvalidated_redirects: vec![UnvalidatedRedirect {
                span: Span::new(40, 60),
                source: Span::new(5, 20),
                partial: Some(Span::new(25, 35)),
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        RedirectUriNotValidated.check(&facts, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, Span::new(40, 60));
        assert!(out[0].message.contains("prefix"), "{}", out[0].message);
        assert_eq!(out[0].related.len(), 2);
    }
}
