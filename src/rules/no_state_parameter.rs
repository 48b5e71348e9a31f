//! no-state-parameter: an authorization request without `state` (RFC 6749 §10.12).

use super::Rule;
use crate::facts::{FileFacts, RequestForm};
use crate::finding::Diagnostic;

pub struct NoStateParameter;

const HELP: &str = "add state=<fresh random value> to the request, keep it in the user's session, and reject the callback unless its state matches";

impl Rule for NoStateParameter {
    fn id(&self) -> &'static str {
        "no-state-parameter"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for request in facts.requests.iter().filter(|r| r.state.is_missing()) {
            let message = match &request.form {
                RequestForm::Library(name) => format!(
                    "`{name}` builds an authorization request without state: the callback is not bound to the browser session (login CSRF)"
                ),
                _ => "authorization request has no state parameter: the callback is not bound to the browser session that started it (login CSRF)".to_string(),
            };
            out.push(Diagnostic::new(request.span, message, HELP));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{AuthRequest, Provision, Span};

    #[test]
    fn reports_missing_state_only() {
        let mk = |state, start| AuthRequest {
            span: Span::new(start, start + 1),
            form: RequestForm::Builder,
            pkce: Provision::Missing,
            state,
        };
        let facts = FileFacts {
            requests: vec![
                mk(Provision::Missing, 1),
                mk(Provision::InRequest, 2),
                mk(Provision::ByLibrary, 3),
                mk(Provision::Unknown, 4),
            ],
            ..Default::default()
        };
        let mut out = Vec::new();
        NoStateParameter.check(&facts, &mut out);
        assert_eq!(
            out.iter().map(|d| d.span.start).collect::<Vec<_>>(),
            vec![1]
        );
        assert!(out[0].message.contains("state"));
    }
}
