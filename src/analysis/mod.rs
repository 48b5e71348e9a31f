//! The per-file analyses, written once over the language-neutral views of `crate::syntax`: `fold` and `eval`
//! (values: strings folded from their pieces, constants, parameters), `requests` (authorization requests),
//! `method` (the PKCE challenge method), `verifier` (where verifiers come from and where they are kept),
//! `callbacks` (whether the callback that exchanges a code checks the returned state).
//! Together they produce a file's `FileFacts`; nothing here knows a tree-sitter node kind.
//!
//! Traversal of whole trees is iterative (`lang::Preorder`). Evaluating one expression (folding a string,
//! following a variable to its value) recurses over *our* views with an explicit depth limit (`MAX_DEPTH`),
//! so a 100,000-deep expression costs at most `MAX_DEPTH` frames; deeper parts are treated as unknown.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use crate::facts::{FileFacts, Span};
use crate::lang::Lang;
use crate::prefilter::Mentions;
use crate::source::SkipReason;

mod callbacks;
mod eval;
mod fold;
mod method;
mod requests;
mod verifier;
#[cfg(test)]
mod work_tests;

pub use crate::syntax::{
    bind_positions, index, js, py, Arg, Binding, Branch, Class, ClassField, Dialect, Entry, Index,
    Key, MemberWrite, StrPart, View, MAX_NESTING, POSITIONS,
};
pub use fold::{Folded, Piece};

/// How deep one evaluation may follow expressions and bindings.
pub const MAX_DEPTH: usize = 24;

/// Extracts the facts of one parsed file, or says why it cannot be analysed.
/// `mentions` says which word groups the text holds; analyses that need absent words are skipped (the
/// same words the prefilter looks for, so skipping them never loses a fact).
pub fn extract(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<FileFacts, SkipReason> {
    extract_with_work(lang, tree, src, mentions).map(|(facts, _)| facts)
}

/// What the analyses of one file did, counted in steps that do not depend on the machine: expressions
/// folded, trace questions answered, and entries visited by lookups. Tests compare them across input sizes
/// to catch work that grows faster than the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub fold_steps: usize,
    pub trace_steps: usize,
    /// Bindings and functions visited while tracing values.
    pub trace_visits: usize,
    /// Wrapping variables and string uses visited while grouping request parameters.
    pub request_visits: usize,
    /// Exchanges examined for each callback and uses of the returned state classified.
    pub callback_visits: usize,
}

/// `extract`, and the work it took.
pub fn extract_with_work(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<(FileFacts, Work), SkipReason> {
    let _kinds = crate::lang::kinds_for(lang);
    if lang.is_js_family() {
        analyze(&js::Js { lang }, tree, src, mentions)
    } else {
        analyze(&py::Py, tree, src, mentions)
    }
}

/// The shared state of an analysis of one file.
pub struct Ctx<'t, 'd, D: Dialect> {
    pub d: &'d D,
    pub src: &'t str,
    pub root: Node<'t>,
    pub ix: Index<'t>,
    /// The word groups the text holds (from the one prefilter pass).
    pub mentions: Mentions,
    /// `scope_of` answers for nodes the analyses asked about.
    scopes: std::cell::RefCell<HashMap<usize, Node<'t>>>,
    /// The folds of the file's strings, each expression folded once.
    folds: fold::Folds<'t>,
}

fn analyze<D: Dialect>(
    d: &D,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<(FileFacts, Work), SkipReason> {
    let root = tree.root_node();
    // Parents and identifiers are recorded in the same walk when an analysis will run; otherwise never.
    let ix = index::index(d, root, src, mentions.any())?;
    let ctx = Ctx {
        d,
        src,
        root,
        ix,
        mentions,
        scopes: Default::default(),
        // One fold step per expression: a budget of one per byte is never reached by folding each
        // expression once, and bounds the file's work if something made the same expression fold again.
        folds: fold::Folds::new(src.len() + 10_000),
    };
    let mut facts = FileFacts::default();
    let mut work = Work::default();
    if mentions.request {
        work.request_visits = requests::extract(&ctx, &mut facts);
    }
    if mentions.pkce {
        method::extract(&ctx, &mut facts);
    }
    if mentions.code_verifier {
        (work.trace_steps, work.trace_visits) = verifier::extract(&ctx, &mut facts);
    }
    if mentions.exchange {
        // After the requests: a request that sends state is pointed at from the callback's finding.
        work.callback_visits = callbacks::extract(&ctx, &mut facts);
    }
    work.fold_steps = ctx.folds.used();
    facts.suppressions = ctx.ix.suppressions;
    Ok((facts, work))
}

pub fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

impl<'t, D: Dialect> Ctx<'t, '_, D> {
    pub fn text(&self, node: Node<'t>) -> &'t str {
        &self.src[node.byte_range()]
    }

    pub fn view(&self, node: Node<'t>) -> View<'t> {
        self.d.view(node, self.src)
    }

    /// Strips parentheses, `await` and type assertions.
    pub fn unwrap(&self, mut node: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
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
                    return Some(q.clone());
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
                Some(format!("{base}.{property}"))
            }
            View::Call { callee, .. } => Some(format!("{}()", self.qualify(callee, depth + 1)?)),
            _ => None,
        }
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

/// Whether a name contains `word`, ignoring case, `_` and `-` (`code_challenge_method` has `challengemethod`).
pub fn name_has(name: &str, word: &str) -> bool {
    // Names are short and ASCII: fold them on the stack (this runs for every binding and key of a file).
    let mut buf = [0u8; 128];
    if name.is_ascii() && name.len() <= buf.len() {
        let mut n = 0;
        for b in name.bytes().filter(|b| *b != b'_' && *b != b'-') {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        let word = word.as_bytes();
        return buf[..n].windows(word.len()).any(|w| w == word);
    }
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    folded.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Preorder;

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if Lang::from_path(&path).is_some() {
                out.push(path);
            }
        }
    }

    #[test]
    fn classes_agree_with_views_on_every_fixture_node() {
        let mut paths = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut paths,
        );
        assert!(paths.len() > 20);
        let mut checked = 0;
        for path in paths {
            let lang = Lang::from_path(&path).unwrap();
            let src = std::fs::read_to_string(&path).unwrap();
            let tree = crate::lang::parse(lang, &src).unwrap();
            let _kinds = crate::lang::kinds_for(lang);
            for node in Preorder::new(tree.root_node()).filter(|n| n.is_named()) {
                let (fast, slow) = if lang.is_js_family() {
                    let d = js::Js { lang };
                    (d.class(node, &src), d.view(node, &src).class())
                } else {
                    (py::Py.class(node, &src), py::Py.view(node, &src).class())
                };
                assert_eq!(fast, slow, "{}: {}", path.display(), node.kind());
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}

#[cfg(test)]
mod blowups {
    use crate::lang::Lang;

    /// Inputs that made one evaluation fan out exponentially: each must finish (a regression would hang the
    /// test suite rather than fail it, which CI reports as a timeout).
    #[test]
    fn repeated_bindings_and_strings_stay_linear() {
        let mut lengths = String::from("import { randomBytes } from \"node:crypto\";\n");
        for i in 0..40 {
            lengths.push_str(&format!(
                "function f{i}(x) {{ const length = x.length; }}\n"
            ));
        }
        lengths.push_str(
            "const codeVerifier = randomBytes(32).toString(\"hex\").slice(0, opts.length);\n",
        );
        let mut nested = String::from("const challenge = 1;\nconst a0 = \"d\";\n");
        for i in 1..14 {
            let p = format!("${{a{}}}", i - 1);
            nested.push_str(&format!("const a{i} = `{}`;\n", p.repeat(8)));
        }
        nested.push_str(
            "function save(codeVerifier) { fs.writeFileSync(a13, codeVerifier); }\n\
             const q = `${a13}?response_type=code`;\n",
        );
        let (_, facts, _) = crate::scan::analyze(Lang::JavaScript, &lengths, false).unwrap();
        // `opts.length` is unknown: no truncation, 32 bytes, not weak.
        assert_eq!(facts.verifier_sources.len(), 1, "{facts:?}");
        assert!(!crate::entropy::estimate(&facts.verifier_sources[0].entropy).is_weak());
        let (_, facts, _) = crate::scan::analyze(Lang::JavaScript, &nested, false).unwrap();
        // The base URL is too deep to fold within the budget and becomes unknown; the query is still read.
        assert_eq!(facts.requests.len(), 1, "{facts:?}");
        assert!(facts.requests[0].pkce.is_missing());
    }
}
