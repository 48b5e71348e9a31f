//! state-not-verified: a callback that exchanges the authorization code without checking that the returned
//! `state` is the one stored for this login (RFC 6749 §10.12, RFC 9700 §4.7).

use super::Rule;
use crate::facts::{FileFacts, StateGap};
use crate::finding::Diagnostic;

pub struct StateNotVerified;

const HELP: &str = "before exchanging the code, compare the returned state with the value stored for this login (session, cookie or pending-login record) and reject the callback when it is missing or differs";

impl Rule for StateNotVerified {
    fn id(&self) -> &'static str {
        "state-not-verified"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for cb in &facts.unverified_callbacks {
            let exchange = match (&cb.helper, &cb.library) {
                (Some((name, at)), _) => format!(
                    "callback passes the authorization code to `{name}`, which exchanges it in {}",
                    at.path.display()
                ),
                (None, Some(name)) => {
                    format!("callback redeems the authorization code with `{name}`")
                }
                (None, None) => "callback exchanges the authorization code".to_string(),
            };
            let (what, partial_label) = match cb.gap {
                StateGap::NoComparison => (
                    "never compares the returned state with the one this login sent",
                    "",
                ),
                StateGap::LogOnly => (
                    "the mismatch branch only logs and the exchange goes on",
                    "state compared here, but a mismatch does not stop the callback",
                ),
                StateGap::PresenceOnly => (
                    "only checks that a state is present, not that it is the one this login sent",
                    "presence check only",
                ),
                StateGap::DecodedBlob => (
                    "decodes the returned state and trusts it, with no comparison against a value bound to the login",
                    "state decoded here and trusted",
                ),
                StateGap::Constant => (
                    "compares the returned state with a constant, which an attacker can send too",
                    "comparison with a constant",
                ),
                StateGap::AfterExchange => (
                    "compares the returned state only after the code has been exchanged",
                    "comparison after the exchange",
                ),
            };
            let joint = if cb.gap == StateGap::LogOnly || cb.helper.is_some() {
                ", but"
            } else {
                " but"
            };
            let message = format!("{exchange}{joint} {what} (login CSRF)");
            let mut d = Diagnostic::new(cb.span, message, HELP);
            if let Some(p) = cb.partial {
                d = d.with_related(p, partial_label);
            }
            if cb.exchange != cb.span {
                let label = match cb.helper {
                    Some(_) => "the code is passed to the helper that exchanges it",
                    None => "the code is exchanged here",
                };
                d = d.with_related(cb.exchange, label);
            }
            if let Some((_, at)) = &cb.helper {
                d = d.with_elsewhere(at.clone(), "the helper exchanges the code here");
            }
            if let Some(s) = cb.sent {
                d = d.with_related(s, "the authorization request that sends state");
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Span, UnverifiedCallback};

    #[test]
    fn names_the_gap_and_points_at_the_partial_check() {
        let cb = |gap, partial| UnverifiedCallback {
            span: Span::new(10, 14),
            gap,
            exchange: Span::new(40, 58),
            library: None,
            partial,
            sent: Some(Span::new(1, 2)),
            helper: None,
        };
        let facts = FileFacts {
            unverified_callbacks: vec![
                cb(StateGap::LogOnly, Some(Span::new(20, 30))),
                cb(StateGap::NoComparison, None),
            ],
            ..Default::default()
        };
        let mut out = Vec::new();
        StateNotVerified.check(&facts, &mut out);
        assert_eq!(out.len(), 2);
        assert!(
            out[0]
                .message
                .contains("only logs and the exchange goes on"),
            "{}",
            out[0].message
        );
        assert_eq!(out[0].related.len(), 3);
        assert_eq!(out[0].related[0].0, Span::new(20, 30));
        assert!(
            out[1].message.contains("never compares"),
            "{}",
            out[1].message
        );
        assert_eq!(out[1].related.len(), 2);
    }
}
