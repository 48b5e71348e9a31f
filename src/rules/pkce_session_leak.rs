//! pkce-session-leak: a code verifier kept where other sessions or code paths can read it.

use super::Rule;
use crate::facts::{Family, FileFacts, StoreScope};
use crate::finding::Diagnostic;

pub struct PkceSessionLeak;

/// The fix, in the file's language.
fn help(family: Family) -> &'static str {
    match family {
        Family::JavaScript => "keep the verifier in a store scoped to one authorization: the user's session (req.session, an encrypted cookie), a map keyed by the state value, or a local variable of the flow",
        Family::Python => "keep the verifier in a store scoped to one authorization: the user's session (Flask session, request.session), a dict keyed by the state value, or a local variable of the flow",
    }
}

impl Rule for PkceSessionLeak {
    fn id(&self) -> &'static str {
        "pkce-session-leak"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for write in &facts.verifier_writes {
            let message = match &write.scope {
                StoreScope::Scoped => continue,
                StoreScope::ModuleInit => match &write.elsewhere {
                    Some(read) => format!(
                        "code verifier is created once at module level and read by functions in {}: every user of the process shares one verifier",
                        crate::paths::display(&read.path)
                    ),
                    None => "code verifier is created once at module level: every user of the process shares one verifier".to_string(),
                },
                StoreScope::Singleton { name, holder } => {
                    let readers = match &write.elsewhere {
                        Some(read) => format!("read by functions in {}", crate::paths::display(&read.path)),
                        None => "used by the functions of this module".to_string(),
                    };
                    format!(
                        "`{name}` is one instance for the whole process ({readers}), and it keeps the code verifier in `{holder}`: concurrent logins overwrite and read each other's verifier"
                    )
                }
                StoreScope::ModuleVariable(name) => format!(
                    "code verifier is stored in the module-level variable `{name}`: concurrent logins overwrite and read each other's verifier"
                ),
                StoreScope::ClassAttribute(name) => format!(
                    "code verifier is stored in the class attribute `{name}`, shared by every instance and session"
                ),
                StoreScope::Global(name) => {
                    format!("code verifier is stored on `{name}`, readable by any code in the process or page")
                }
                StoreScope::Environment => {
                    "code verifier is stored in the process environment, shared by the whole process and inherited by child processes".to_string()
                }
                StoreScope::LocalStorage => {
                    "code verifier is stored in localStorage, which persists and is shared by every tab and script of the origin".to_string()
                }
                StoreScope::AppState(name) => {
                    format!("code verifier is stored in application-wide state `{name}`, shared by every session")
                }
                StoreScope::ConstantKey(key) => format!(
                    "code verifier is stored under the constant key {key}: every session reads and overwrites the same entry"
                ),
                StoreScope::FixedFile(path) => format!(
                    "code verifier is written to the fixed path {path}, which concurrent processes and sessions overwrite and read"
                ),
            };
            let shared_at_import = matches!(
                write.scope,
                StoreScope::ModuleInit | StoreScope::Singleton { .. }
            );
            let message = match &write.elsewhere {
                Some(from) if !shared_at_import => format!(
                    "{message} (the verifier is passed in by {})",
                    crate::paths::display(&from.path)
                ),
                _ => message,
            };
            let mut diagnostic = Diagnostic::new(write.span, message, help(facts.family));
            if let Some(at) = &write.elsewhere {
                let label = if shared_at_import {
                    "read here, by a function that runs per request"
                } else {
                    "the verifier is passed in here"
                };
                diagnostic = diagnostic.with_elsewhere(at.clone(), label);
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Span, VerifierWrite};

    #[test]
    fn scoped_writes_are_silent_and_others_named() {
        let facts = FileFacts {
            verifier_writes: vec![
                VerifierWrite {
                    span: Span::new(1, 2),
                    scope: StoreScope::Scoped,
                    elsewhere: None,
                },
                VerifierWrite {
                    span: Span::new(3, 4),
                    scope: StoreScope::ConstantKey("\"pkce_verifier\"".into()),
                    elsewhere: None,
                },
                VerifierWrite {
                    span: Span::new(5, 6),
                    scope: StoreScope::LocalStorage,
                    elsewhere: None,
                },
            ],
            ..Default::default()
        };
        let mut out = Vec::new();
        PkceSessionLeak.check(&facts, &mut out);
        assert_eq!(out.len(), 2);
        assert!(out[0].message.contains("\"pkce_verifier\""));
        assert!(out[1].message.contains("localStorage"));
    }
}
