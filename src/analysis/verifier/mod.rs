//! Code verifiers: where their value comes from (entropy) and where it is stored (scope).
//!
//! A value is a *verifier* when it is bound to a name containing `verifier`, sent as `code_verifier`, passed to a
//! same-file parameter named so, returned by a same-file function named so, or hashed into a `code_challenge`.
//! Each verifier is traced back to its source through bindings, concatenation, method chains, encodings,
//! hashes, truncation and same-file helpers, with a depth limit and a step budget (cycles terminate).
//! Unknown origins (parameters, other files, unknown calls) give no fact: precision comes first.
//!
//! `names` (what a name or literal says) and `traced` (what each step of a trace does to entropy) are text
//! and values only and depend on nothing else here. `identify` finds the verifiers, `trace` and `sources`
//! follow them to their source, `store` answers where a value is kept, and `writes` reports the writes
//! that keep a verifier beyond its request.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

mod identify;
mod names;
mod sources;
mod store;
mod trace;
mod traced;
mod writes;

use super::{span, Arg, Ctx, Dialect, Entry, Key, StrPart, View, MAX_DEPTH};
use crate::entropy::estimate;
use crate::facts::{
    EntropySource, FileFacts, Foreign, Span, StoreScope, Truncation, VerifierSource, VerifierWrite,
};
// Shared with the other children, which read them through `use super::*`; `names` and `traced` depend on
// nothing else here.
use names::{
    acts_on_a_verifier, contains_ci, ends_with_param, is_challenge_name, is_placeholder,
    is_store_name, is_verifier_name, looks_like_verifier,
};
use traced::{
    encoder_name, encoding_bits, hashed, string_constant, weakest, Traced, HASHES, PASS_FUNCTIONS,
    PASS_METHODS,
};

/// Trace steps per byte of source, and the least any file gets. Each (expression, question) is answered
/// once per file and remembered, so a file asks about each expression a few times at most: the budget is
/// shared by every question about the file and bounds its whole work, never reached by real code.
const STEPS_PER_BYTE: usize = 2;
const MIN_STEPS: usize = 20_000;

/// A verifier value found in the code.
#[derive(Clone, Copy)]
enum Expr<'t> {
    Node(Node<'t>),
    /// `field` of the value (`const { verifier } = pair()`).
    Field(Node<'t>, &'t str),
    /// A value another module uses as a verifier (what an exported helper returns), with that use.
    Elsewhere(Node<'t>, &'t Foreign),
}

/// Normalises a qualified name: `node:` prefixes and browser/global receivers dropped.
fn normalize(q: &str, js: bool) -> String {
    let mut q = q.strip_prefix("node:").unwrap_or(q);
    // `self` is the browser global in JavaScript, the instance in Python.
    let globals: &[&str] = if js {
        &["window.", "globalThis.", "self.", "global."]
    } else {
        &[]
    };
    for prefix in globals {
        if let Some(rest) = q.strip_prefix(prefix) {
            q = rest;
            break;
        }
    }
    q.replace("crypto.webcrypto.", "crypto.")
}

fn last_segment(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

/// Extracts verifier sources and writes; returns the trace steps spent and the bindings and functions
/// visited (`Work`).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> (usize, usize) {
    let v = Verifiers::new(ctx);
    let budget = v.budget.get();
    run(&v, facts);
    (budget - v.budget.get(), v.visited.get())
}

fn run<D: Dialect>(v: &Verifiers<'_, '_, '_, D>, facts: &mut FileFacts) {
    let mut sources: Vec<VerifierSource> = Vec::new();
    for expr in v.verifier_expressions() {
        let (traced, at, elsewhere) = match expr {
            Expr::Node(n) => (v.trace(n, 0), n, None),
            Expr::Field(n, f) => (v.trace_field(n, f, 0), n, None),
            Expr::Elsewhere(n, used) => (v.trace(n, 0), n, Some(used)),
        };
        let Some(t) = traced else { continue };
        let at = span(at);
        let used_at =
            (elsewhere.is_none() && (t.span.start < at.start || t.span.end > at.end)).then_some(at);
        sources.push(VerifierSource {
            span: t.span,
            entropy: t.entropy,
            used_at,
            used_elsewhere: elsewhere.cloned(),
        });
    }
    // One fact per source: the same helper reached from several callers is one finding.
    // Sorted weak first within a span, and a use in this file before one elsewhere, so that deduplication
    // keeps the weak one and the nearest use.
    sources.sort_by_key(|s| {
        (
            s.span,
            !estimate(&s.entropy).is_weak(),
            s.used_elsewhere.is_some(),
            s.used_at,
        )
    });
    sources.dedup_by_key(|s| s.span);
    facts.verifier_sources = sources;
    facts.verifier_writes = v.writes();
}

/// A remembered answer: `None` while it is being worked out (a cycle reaches it: unknown).
/// Answers are boxed: most are `None` (the value comes from a parameter or another file), and those should
/// cost a pointer, not a whole `Traced`.
type Memo<T> = RefCell<HashMap<T, Option<Option<Box<Traced>>>>>;

/// The functions a callee may name, and the key their common answers are remembered under: the id of the
/// scope or class they are defined in (`FILE_WIDE` for a name looked up in the whole file) and the name.
type Helpers<'c, 't> = ((usize, &'t str), &'c [Node<'t>]);

/// The scope key of functions found by name in the whole file.
const FILE_WIDE: usize = usize::MAX;

struct Verifiers<'c, 't, 'd, D: Dialect> {
    ctx: &'c Ctx<'t, 'd, D>,
    /// Steps left to the whole file's traces.
    budget: Cell<usize>,
    /// Bindings and helper functions visited by traces (`Work::trace_visits`).
    visited: Cell<usize>,
    /// Traces of values and of fields, by node id.
    values: Memo<usize>,
    fields: Memo<(usize, String)>,
    /// Traces of variables by (scope id, name), and of helpers by their key and the field asked for.
    names: Memo<(usize, &'t str)>,
    helpers: Memo<(usize, &'t str, Option<String>)>,
    /// `fixed_path` answers by node id, and `read_in_function` answers by name.
    fixed_paths: RefCell<HashMap<usize, bool>>,
    read_in_functions: RefCell<HashMap<&'t str, bool>>,
}

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    fn new(ctx: &'c Ctx<'t, 'd, D>) -> Self {
        Verifiers {
            ctx,
            budget: Cell::new(MIN_STEPS.max(STEPS_PER_BYTE.saturating_mul(ctx.src.len()))),
            visited: Cell::new(0),
            values: Default::default(),
            fields: Default::default(),
            names: Default::default(),
            helpers: Default::default(),
            fixed_paths: Default::default(),
            read_in_functions: Default::default(),
        }
    }

    /// Answers a question once: from `memo` under `key`, or by `compute` (which spends one step).
    fn remembered<K: std::hash::Hash + Eq + Clone>(
        &self,
        memo: &Memo<K>,
        key: K,
        compute: impl FnOnce() -> Option<Traced>,
    ) -> Option<Traced> {
        if let Some(known) = memo.borrow().get(&key) {
            return known.as_ref().and_then(|a| a.as_deref().cloned());
        }
        if !self.spend() {
            return None;
        }
        memo.borrow_mut().insert(key.clone(), None);
        let answer = compute();
        memo.borrow_mut()
            .insert(key, Some(answer.clone().map(Box::new)));
        answer
    }

    fn view(&self, node: Node<'t>) -> View<'t> {
        self.ctx.view(node)
    }

    fn unwrap(&self, node: Node<'t>) -> Node<'t> {
        self.ctx.unwrap(node)
    }

    fn is_js(&self) -> bool {
        self.ctx.d.lang().is_js_family()
    }

    fn qualified(&self, node: Node<'t>) -> String {
        self.ctx
            .qualify(node, 0)
            .map(|q| normalize(&q, self.is_js()))
            .unwrap_or_default()
    }

    /// The functions a callee names in this file: `helper()` in the innermost scope that defines one,
    /// `this.helper()` / `self.helper()` / `cls.helper()` in the class around the call, `Cls.helper()` in
    /// class `Cls`. A name its scope or class does not define (an inherited method, a helper bound some other
    /// way) is looked up in the whole file.
    fn same_file_functions(&self, callee: Node<'t>) -> Option<Helpers<'c, 't>> {
        let ix = &self.ctx.ix;
        let call = self.ctx.parent(callee);
        let callee = self.unwrap(callee);
        let scoped = |key: (usize, &'t str), found: Option<&'c Vec<Node<'t>>>| {
            found
                .map(|fs| (key, fs.as_slice()))
                .or_else(|| Some(((FILE_WIDE, key.1), ix.functions.get(key.1)?.as_slice())))
        };
        match self.view(callee) {
            View::Ident(name) if !ix.imports.contains_key(name) => {
                let mut scope = self.ctx.scope_of(callee);
                loop {
                    if let Some(fs) = ix.scoped_functions.get(&(scope.id(), name)) {
                        return Some(((scope.id(), name), fs.as_slice()));
                    }
                    if scope.id() == self.ctx.root.id() {
                        return scoped((FILE_WIDE, name), None);
                    }
                    scope = self.ctx.scope_of(scope);
                }
            }
            View::Member { object, property } => match self.view(self.unwrap(object)) {
                View::Ident("this" | "self" | "cls") => {
                    let class = call.and_then(|c| ix.call_class.get(&c.id()).copied());
                    match class {
                        Some(class) => {
                            scoped((class, property), ix.methods.get(&(class, property)))
                        }
                        None => scoped((FILE_WIDE, property), None),
                    }
                }
                View::Ident(o) => {
                    let class = ix.classes.get(o)?.id();
                    scoped((class, property), ix.methods.get(&(class, property)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What the same-file functions a callee names return (or their `field`): the weakest of them, worked out
    /// once for each set of functions however many calls name it.
    fn trace_helpers(
        &self,
        helpers: Helpers<'c, 't>,
        field: Option<&str>,
        depth: usize,
    ) -> Option<Traced> {
        let ((scope, name), functions) = helpers;
        let key = (scope, name, field.map(str::to_string));
        self.remembered(&self.helpers, key, || {
            self.visited.set(self.visited.get() + functions.len());
            let options: Vec<Traced> = functions
                .iter()
                .flat_map(|f| self.ctx.returned(*f))
                .filter_map(|r| match field {
                    Some(field) => self.trace_field(r, field, depth + 1),
                    None => self.trace(r, depth + 1),
                })
                .collect();
            weakest(options)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_drop_node_and_global_prefixes() {
        assert_eq!(
            normalize("node:crypto.randomBytes", true),
            "crypto.randomBytes"
        );
        assert_eq!(
            normalize("window.crypto.randomUUID", true),
            "crypto.randomUUID"
        );
        assert_eq!(
            normalize("globalThis.crypto.webcrypto.getRandomValues", true),
            "crypto.getRandomValues"
        );
        assert_eq!(last_segment("random.SystemRandom().choice"), "choice");
    }
}
