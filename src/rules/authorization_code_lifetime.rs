//! authorization-code-lifetime: an issued authorization code stored with a lifetime above ten minutes
//! (RFC 6749 §4.1.2).

use super::Rule;
use crate::facts::FileFacts;
use crate::finding::Diagnostic;

pub struct AuthorizationCodeLifetime;

const HELP: &str = "let authorization codes expire within a minute or two (RFC 6749 §4.1.2: at most 10 minutes) and reject expired codes at the token endpoint";

/// A lifetime in the largest unit that divides it evenly enough to read (`1 hour`, `15 minutes`, `900 seconds`).
fn readable(seconds: f64) -> String {
    let s = seconds.round() as u64;
    let (n, unit) = if s % 86_400 == 0 {
        (s / 86_400, "day")
    } else if s % 3_600 == 0 {
        (s / 3_600, "hour")
    } else if s % 60 == 0 {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl Rule for AuthorizationCodeLifetime {
    fn id(&self) -> &'static str {
        "authorization-code-lifetime"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for c in &facts.code_lifetimes {
            out.push(Diagnostic::new(
                c.span,
                format!(
                    "authorization code stays redeemable for {} (more than 10 minutes): a code leaked from logs, history or an intercepted redirect can still be exchanged for tokens long after the user signed in",
                    readable(c.seconds)
                ),
                HELP,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{CodeLifetime, Span};

    #[test]
    fn says_the_lifetime_in_readable_units() {
        assert_eq!(readable(3600.0), "1 hour");
        assert_eq!(readable(900.0), "15 minutes");
        assert_eq!(readable(601.0), "601 seconds");
        let facts = FileFacts {
            code_lifetimes: vec![CodeLifetime {
                span: Span::new(3, 9),
                seconds: 86_400.0,
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        AuthorizationCodeLifetime.check(&facts, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("1 day"), "{}", out[0].message);
    }
}
