//! What one module tells the project phase about itself, and what the project phase tells a module about the
//! others: language-neutral, small, and free of syntax trees, so that linking never re-walks a tree.
//!
//! A file's analysis produces a `ModuleSummary` (its imports as the qualified names the file gives them,
//! where imported names are read inside functions, the abstract values of its module-level names) and the
//! `Asks` it could not answer alone. The project phase (`crate::project`) links the summaries and hands a
//! file an `Env` with the answers; the file's analyses are then run again with it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::facts::Span;
use crate::source::LineIndex;

/// A place in another file of the scan: its path (relative to the report base, as in findings) and the
/// line and column computed there (1-based), so that a file's facts can point at another file without its
/// text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Foreign {
    pub path: PathBuf,
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Foreign {
    /// A place in the file being analysed, before the scan gives it its path and position (`place`).
    pub fn here(span: Span) -> Self {
        Foreign {
            path: PathBuf::new(),
            span,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        }
    }

    pub fn place(&mut self, path: &Path, text: &str, index: &LineIndex) {
        self.path = path.to_path_buf();
        (self.line, self.column) = index.position(text, self.span.start);
        (self.end_line, self.end_column) = index.position(text, self.span.end);
    }
}

/// The abstract value of a module-level name.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A constant string.
    Str(String),
    /// A constant number (`export const CODE_TTL_MS = 60 * 1000`).
    Number(f64),
    /// An object or dict of named values (constant tables, enum-like objects, class constants).
    Table(Vec<(String, Value)>),
    /// A list of values (supported methods, choices).
    List(Vec<Value>),
    /// A value built from an imported package, by its qualified name in the module that defines it
    /// (`googleapis.google.auth.OAuth2()`, `requests_oauthlib.OAuth2Session()`): a library client of that
    /// kind.
    Qualified(String),
    /// A function whose every return is this value (a factory).
    Returns(Box<Value>),
    /// The name is itself imported (a re-export, a barrel): whatever `0` names, resolved from the module
    /// that defines it.
    Import(String),
    /// A class whose instances keep a code verifier in an attribute (written at `Foreign`).
    HoldsVerifier(Foreign),
}

/// A module-level function that exchanges an authorization code it is given (state-not-verified across
/// files): the parameter the code comes in as, and where it is exchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeExchange {
    /// The position of the parameter that holds the code.
    pub param: usize,
    /// The token request's `grant_type` value or the library call, in the function's file.
    pub at: Foreign,
    /// The library call, resolved (`None` for a token request).
    pub library: Option<String>,
    /// The function receives a state, mentions one, or calls a library that checks it: whoever calls it
    /// may be fine, so nothing is said.
    pub handles_state: bool,
}

/// What a module's analysis could not answer alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Asks {
    /// Imported names (qualified as the file gives them: `./config.DEFAULT_METHOD`) whose value an analysis
    /// looked for.
    pub values: BTreeSet<String>,
    /// Imported functions whose return value becomes a code verifier here.
    pub verifier_returns: Vec<(String, Foreign)>,
    /// Imported functions that get a code verifier as their positional argument `1` here.
    pub verifier_args: Vec<(String, usize, Foreign)>,
    /// Module-level names holding a verifier (created at import time, or an instance that keeps one) that no
    /// function of this file reads: a leak if another module's functions read them.
    pub module_verifiers: BTreeSet<String>,
    /// Imported functions that a callback here gives the code it read from the redirect, as positional
    /// argument `1`, at the call `2`, with no state: the exchange, if the function exchanges it.
    pub exchange_args: Vec<(String, usize, Foreign)>,
}

impl Asks {
    /// Gives the places of this file's asks their path and position.
    pub fn place(&mut self, path: &Path, text: &str, index: &LineIndex) {
        for (_, at) in &mut self.verifier_returns {
            at.place(path, text, index);
        }
        for (_, _, at) in &mut self.verifier_args {
            at.place(path, text, index);
        }
        for (_, _, at) in &mut self.exchange_args {
            at.place(path, text, index);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
            && self.verifier_returns.is_empty()
            && self.verifier_args.is_empty()
            && self.module_verifiers.is_empty()
            && self.exchange_args.is_empty()
    }
}

/// One module's summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleSummary {
    /// Imported names read inside a function of this module (the first such read of each), by qualified
    /// name.
    pub read_in_functions: BTreeMap<String, Foreign>,
    /// The abstract values of module-level names (exported or not: an importer names what it needs).
    pub values: BTreeMap<String, Value>,
    /// Module-level functions that exchange a code passed to them, by name.
    pub exchanges: BTreeMap<String, CodeExchange>,
}

impl ModuleSummary {
    /// Gives the places of this file's summary their path and position.
    pub fn place(&mut self, path: &Path, text: &str, index: &LineIndex) {
        for at in self.read_in_functions.values_mut() {
            at.place(path, text, index);
        }
        for v in self.values.values_mut() {
            v.place(path, text, index);
        }
        for e in self.exchanges.values_mut() {
            e.at.place(path, text, index);
        }
    }
}

impl Value {
    pub fn place(&mut self, path: &Path, text: &str, index: &LineIndex) {
        match self {
            Value::HoldsVerifier(at) => at.place(path, text, index),
            Value::Table(entries) => entries
                .iter_mut()
                .for_each(|(_, v)| v.place(path, text, index)),
            Value::List(items) => items.iter_mut().for_each(|v| v.place(path, text, index)),
            Value::Returns(v) => v.place(path, text, index),
            Value::Str(_) | Value::Number(_) | Value::Qualified(_) | Value::Import(_) => {}
        }
    }
}

/// What the project phase tells one module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Env {
    /// The values of imported names, by the qualified name this file gives them.
    pub imported: BTreeMap<String, Value>,
    /// This module's functions whose return becomes a verifier in another module, with the first such use.
    pub verifier_returns: BTreeMap<String, Foreign>,
    /// This module's functions that another module passes a verifier to, by parameter position, with the
    /// first such call.
    pub verifier_params: BTreeMap<String, BTreeMap<usize, Foreign>>,
    /// This module's module-level names that another module's functions read, with the first such read.
    pub read_elsewhere: BTreeMap<String, Foreign>,
    /// Imported functions (by the qualified name this file gives them) that exchange the code this file's
    /// callbacks pass them, without handling any state.
    pub exchange_calls: BTreeMap<String, CodeExchange>,
}

impl Env {
    pub fn is_empty(&self) -> bool {
        self.imported.is_empty()
            && self.verifier_returns.is_empty()
            && self.verifier_params.is_empty()
            && self.read_elsewhere.is_empty()
            && self.exchange_calls.is_empty()
    }

    /// The value of an imported qualified name: exact, or a member of an imported table.
    pub fn value(&self, qualified: &str) -> Option<&Value> {
        if let Some(v) = self.imported.get(qualified) {
            return Some(v);
        }
        // `./consts.METHODS.PLAIN`: the longest imported prefix that is a table, then its members.
        let mut end = qualified.len();
        while let Some(dot) = qualified[..end].rfind('.') {
            end = dot;
            if let Some(base) = self.imported.get(&qualified[..end]) {
                let mut v = base;
                for member in qualified[end + 1..].split('.') {
                    v = match v {
                        Value::Table(entries) => &entries.iter().find(|(k, _)| k == member)?.1,
                        _ => return None,
                    };
                }
                return Some(v);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_of_imported_tables_are_looked_up_through_the_longest_prefix() {
        let mut env = Env::default();
        env.imported.insert(
            "./consts.METHODS".into(),
            Value::Table(vec![
                ("PLAIN".into(), Value::Str("plain".into())),
                ("S256".into(), Value::Str("S256".into())),
            ]),
        );
        env.imported
            .insert("./consts.BASE".into(), Value::Str("https://a".into()));
        assert_eq!(
            env.value("./consts.METHODS.PLAIN"),
            Some(&Value::Str("plain".into()))
        );
        assert_eq!(
            env.value("./consts.BASE"),
            Some(&Value::Str("https://a".into()))
        );
        assert_eq!(env.value("./consts.METHODS.OTHER"), None);
        assert_eq!(env.value("./consts.BASE.length"), None);
        assert_eq!(env.value("./other.X"), None);
    }
}
