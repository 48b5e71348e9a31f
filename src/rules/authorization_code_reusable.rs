//! authorization-code-reusable: a token endpoint that looks up the stored code record and issues tokens
//! without consuming it (RFC 6749 §4.1.2: the code must not be used more than once).

use super::Rule;
use crate::facts::FileFacts;
use crate::finding::Diagnostic;

pub struct AuthorizationCodeReusable;

const HELP: &str = "consume the code when it is redeemed: delete the record (or take it atomically with getdel / pop / a conditional delete) before issuing tokens, and reject a code that is no longer stored";

impl Rule for AuthorizationCodeReusable {
    fn id(&self) -> &'static str {
        "authorization-code-reusable"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for c in &facts.reusable_codes {
            let d = Diagnostic::new(
                c.span,
                "token endpoint looks up the authorization code and issues tokens without deleting it or marking it used: a stolen or replayed code yields tokens again".to_string(),
                HELP,
            )
            .with_related(c.endpoint, "the token endpoint redeems authorization codes here");
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ReusableCode, Span};

    #[test]
    fn points_at_the_lookup_and_the_grant_type() {
        let facts = FileFacts {
            reusable_codes: vec![ReusableCode {
                span: Span::new(30, 44),
                endpoint: Span::new(5, 25),
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        AuthorizationCodeReusable.check(&facts, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, Span::new(30, 44));
        assert!(out[0].message.contains("replayed"), "{}", out[0].message);
        assert_eq!(out[0].related[0].0, Span::new(5, 25));
    }
}
