//! The shared state of one file's analyses (`Ctx`) and the questions every analysis asks of it: scopes and
//! bindings by name, parents, qualified names of callees with imports resolved, and the values the project
//! phase found in other modules.

use std::collections::HashMap;

use tree_sitter::Node;

use super::{fold, Arg, Binding, Dialect, Index, View, MAX_DEPTH};
use crate::facts::Span;
use crate::prefilter::Mentions;
use crate::summary::{Asks, Env, Value};

/// Views kept per file: more than any real file asks for (the benchmark corpus's densest file views 3,400
/// nodes), so that a generated file cannot grow the cache without bound.
const MAX_VIEWS: usize = 1 << 16;

/// The shared state of an analysis of one file.
pub struct Ctx<'t, 'd, D: Dialect> {
    pub d: &'d D,
    pub src: &'t str,
    pub root: Node<'t>,
    pub ix: Index<'t>,
    /// The word groups the text holds (from the one prefilter pass).
    pub mentions: Mentions,
    /// `scope_of` answers for nodes the analyses asked about.
    pub(super) scopes: std::cell::RefCell<HashMap<usize, Node<'t>>>,
    /// The views built so far, by node id: every analysis looks at the file's calls, objects and strings,
    /// so each node's view is asked for several times (4.5 times on average on the benchmark corpus).
    pub(super) views: std::cell::RefCell<rustc_hash::FxHashMap<usize, View<'t>>>,
    /// The folds of the file's strings, each expression folded once.
    pub(super) folds: fold::Folds<'t>,
    /// What the project phase knows of other modules (empty on the first pass).
    pub env: &'t Env,
    /// What the analyses looked for in other modules and could not find in `env`.
    pub asks: std::cell::RefCell<Asks>,
    /// Classes of this file whose methods keep a code verifier on the instance (`this.verifier = v`,
    /// `self.verifier = v`): the class name, `Class.attribute` and the write.
    pub holders: std::cell::RefCell<Vec<(&'t str, String, Span)>>,
}

impl<'t, D: Dialect> Ctx<'t, '_, D> {
    pub fn text(&self, node: Node<'t>) -> &'t str {
        &self.src[node.byte_range()]
    }

    /// The node's view, built once: its lists are shared, so handing it out again copies no list.
    pub fn view(&self, node: Node<'t>) -> View<'t> {
        let id = node.id();
        if let Some(v) = self.views.borrow().get(&id) {
            return v.clone();
        }
        let v = self.d.view(node, self.src);
        let mut views = self.views.borrow_mut();
        if views.len() < MAX_VIEWS {
            views.insert(id, v.clone());
        }
        v
    }

    /// Strips parentheses, `await` and type assertions.
    pub fn unwrap(&self, mut node: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
            if !self.d.wraps(node) {
                break;
            }
            match self.view(node) {
                View::Wrapped(inner) => node = inner,
                _ => break,
            }
        }
        node
    }

    /// The bindings of `name` visible from `at`: the innermost scope that binds it.
    pub fn lookup<'s>(
        &'s self,
        name: &'t str,
        at: Node<'t>,
    ) -> Option<(Node<'t>, &'s [Binding<'t>])> {
        let mut scope = self.scope_of(at);
        loop {
            if let Some(b) = self.ix.bindings_in(scope.id(), name) {
                return Some((scope, b));
            }
            if scope.id() == self.root.id() {
                return None;
            }
            scope = self.scope_of(scope);
        }
    }

    /// A node's parent, from the index (tree-sitter finds one by walking down from the root, so climbing
    /// with `Node::parent` costs the depth at every step).
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.ix.parent(node)
    }

    /// The identifiers named `name` in the file, in source order (uses and bindings alike).
    pub fn uses_of(&self, name: &str) -> impl ExactSizeIterator<Item = Node<'t>> + '_ {
        self.ix.idents(name)
    }

    /// The nearest enclosing function of a node, through the scope chain.
    pub fn enclosing_function(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut scope = self.scope_of(node);
        loop {
            if self.d.is_function(scope) {
                return Some(scope);
            }
            if scope.id() == self.root.id() {
                return None;
            }
            scope = self.scope_of(scope);
        }
    }

    /// The nearest enclosing scope of a node (itself excluded): from the index for scopes, climbing once and
    /// remembered for other nodes.
    pub fn scope_of(&self, node: Node<'t>) -> Node<'t> {
        if let Some(s) = self.ix.scope_parent.get(&node.id()) {
            return *s;
        }
        if let Some(s) = self.scopes.borrow().get(&node.id()) {
            return *s;
        }
        // A node without a recorded parent (the module, an anonymous token) is in the module scope, so that
        // climbing scopes always ends at the root.
        let mut s = self.root;
        let mut cur = node;
        while let Some(p) = self.parent(cur) {
            if self.d.is_scope(p) {
                s = p;
                break;
            }
            cur = p;
        }
        self.scopes.borrow_mut().insert(node.id(), s);
        s
    }

    /// The single value a name is bound to (followed only when the binding is unique and not appended to).
    pub fn resolve_ident(&self, name: &'t str, at: Node<'t>) -> Option<Node<'t>> {
        let (_, bindings) = self.lookup(name, at)?;
        match bindings {
            [only] if !only.append && only.field.is_none() => Some(only.value),
            _ => None,
        }
    }

    /// The qualified name of a callee or receiver: imports resolved (`crypto.randomBytes`,
    /// `requests_oauthlib.OAuth2Session`), calls marked with `()`, local variables followed to their value.
    pub fn qualify(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Ident(name) => {
                if let Some(q) = self.ix.imports.get(name) {
                    return Some(self.imported_kind(q).unwrap_or_else(|| q.clone()));
                }
                match self.resolve_ident(name, node) {
                    Some(v)
                        if matches!(
                            self.view(self.unwrap(v)),
                            View::Call { .. } | View::Member { .. } | View::Ident(_)
                        ) =>
                    {
                        self.qualify(v, depth + 1)
                            .or_else(|| Some(name.to_string()))
                    }
                    _ => Some(name.to_string()),
                }
            }
            View::Member { object, property } => {
                let base = self
                    .qualify(object, depth + 1)
                    .unwrap_or_else(|| "?".into());
                let q = format!("{base}.{property}");
                Some(self.imported_kind(&q).unwrap_or(q))
            }
            View::Call { callee, .. } => {
                let q = self.qualify(callee, depth + 1)?;
                // A factory of another module: what it returns.
                if let Some(Value::Returns(v)) = self.env.value(&q) {
                    if let Value::Qualified(made) = &**v {
                        return Some(made.clone());
                    }
                }
                Some(format!("{q}()"))
            }
            _ => None,
        }
    }

    /// The kind of library client an imported name holds, by its qualified name in the module that made
    /// it (`googleapis.google.auth.OAuth2()`), when the project phase found one (what is asked for is
    /// decided in `analyze`: the receivers of calls that start a flow).
    fn imported_kind(&self, qualified: &str) -> Option<String> {
        match self.env.value(qualified)? {
            Value::Qualified(q) => Some(q.clone()),
            _ => None,
        }
    }

    /// The value the project phase found for an imported qualified name; remembered as asked when it has
    /// none, so that the project phase looks for it.
    pub fn imported_value(&self, qualified: &str) -> Option<&'t Value> {
        let found = self.env.value(qualified);
        if found.is_none() && self.env.is_empty() {
            let mut asks = self.asks.borrow_mut();
            if !asks.values.contains(qualified) {
                asks.values.insert(qualified.to_string());
            }
        }
        found
    }

    /// The imported qualified name an expression names (`DEFAULT_METHOD`, `cfg.methods.PLAIN`), when its
    /// root is an import not shadowed here.
    pub fn import_path(&self, node: Node<'t>) -> Option<String> {
        let mut members = Vec::new();
        let mut cur = self.unwrap(node);
        for _ in 0..MAX_DEPTH {
            match self.view(cur) {
                View::Member { object, property } => {
                    members.push(property);
                    cur = self.unwrap(object);
                }
                View::Ident(name) => {
                    // `const { x } = require("./m")` binds `x` at module level too; a local of the same name
                    // shadows the import.
                    if self
                        .lookup(name, cur)
                        .is_some_and(|(scope, _)| scope.id() != self.root.id())
                    {
                        return None;
                    }
                    let mut q = self.ix.imports.get(name)?.clone();
                    for m in members.iter().rev() {
                        q.push('.');
                        q.push_str(m);
                    }
                    return Some(q);
                }
                _ => return None,
            }
        }
        None
    }

    /// Whether the file is a catalogued library's own source: it defines a name only that library defines
    /// (`crate::libraries::implements`). The library's behaviour is the catalogue's, reported where it is
    /// called.
    pub fn is_library_source(&self) -> bool {
        self.ix
            .functions
            .keys()
            .chain(self.ix.classes.keys())
            .any(|name| crate::libraries::implements(name))
    }

    /// The values a function returns: its `return` expressions and an expression body.
    pub fn returned(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let mut out: Vec<Node<'t>> = self
            .ix
            .returns
            .get(&function.id())
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| {
                        (0..r.named_child_count())
                            .filter_map(|i| r.named_child(i as u32))
                            .find(|c| !self.d.is_comment(*c))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.extend(self.d.expression_body(function));
        out
    }

    /// The last segment of a callee (`set` in `url.searchParams.set`).
    pub fn callee_name(&self, callee: Node<'t>) -> Option<&'t str> {
        match self.view(self.unwrap(callee)) {
            View::Ident(n) => Some(n),
            View::Member { property, .. } => Some(property),
            _ => None,
        }
    }

    /// The keyword or the position-th positional argument.
    pub fn arg(args: &[Arg<'t>], position: usize, keyword: &str) -> Option<Node<'t>> {
        args.iter()
            .find_map(|a| match a {
                Arg::Keyword(k, v) if *k == keyword => Some(*v),
                _ => None,
            })
            .or_else(|| {
                args.iter()
                    .filter_map(|a| match a {
                        Arg::Positional(n) => Some(*n),
                        _ => None,
                    })
                    .nth(position)
            })
    }
}
