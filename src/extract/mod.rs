//! Extraction: the only code that knows tree-sitter node kinds.
//!
//! Each language implements `Dialect`, which classifies a node into a language-neutral `View` (a string with
//! its pieces, a call, an object, a member access …) and names its scopes, bindings, imports and branches. The
//! analyses in `requests`, `plain` and `verifiers` are written once over those views and produce `FileFacts`.
//!
//! Traversal of whole trees is iterative (`lang::Preorder`). Evaluating one expression (folding a string,
//! following a variable to its value) recurses over *our* views with an explicit depth limit (`MAX_DEPTH`),
//! so a 100,000-deep expression costs at most `MAX_DEPTH` frames; deeper parts are treated as unknown.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use crate::facts::{FileFacts, Span, Suppression};
use crate::lang::{Lang, NodeKind, Preorder};
use crate::prefilter::Mentions;
use crate::source::SkipReason;

mod eval;
mod js;
mod plain;
mod py;
mod requests;
mod verifiers;

pub use eval::{Folded, Piece};

/// How deep one evaluation may follow expressions and bindings.
pub const MAX_DEPTH: usize = 24;

/// An argument of a call.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'t> {
    Positional(Node<'t>),
    Keyword(&'t str, Node<'t>),
    /// `...x`, `*x`, `**x`: unknown arguments.
    Spread(Node<'t>),
}

/// A key of an object literal or dict.
#[derive(Clone, Debug)]
pub enum Key<'t> {
    Name(String, Node<'t>),
    /// A computed key whose value is not known.
    Unknown,
}

#[derive(Clone, Debug)]
pub enum Entry<'t> {
    Pair(Key<'t>, Node<'t>),
    /// `...x` / `**x`.
    Spread(Node<'t>),
}

/// The language-neutral view of one expression node.
#[derive(Clone, Debug)]
pub enum View<'t> {
    /// A string literal, template literal or f-string, as pieces: literal text and interpolated expressions.
    Str(Vec<StrPart<'t>>),
    /// Adjacent string literals (Python implicit concatenation).
    Adjacent(Vec<Node<'t>>),
    /// `a + b`.
    Add(Node<'t>, Node<'t>),
    /// Python `"..." % args`.
    Percent(Node<'t>, Node<'t>),
    Call {
        callee: Node<'t>,
        args: Vec<Arg<'t>>,
        is_new: bool,
    },
    Member {
        object: Node<'t>,
        property: &'t str,
    },
    Index {
        object: Node<'t>,
        index: Node<'t>,
    },
    Ident(&'t str),
    Object(Vec<Entry<'t>>),
    Array(Vec<Node<'t>>),
    Number(f64),
    /// `true`/`True`, `false`/`False`.
    Bool(bool),
    /// Parentheses, `await`, `as`, `!`, `satisfies`: the value of the inner expression.
    Wrapped(Node<'t>),
    /// `a || b`, `a ?? b`, `a or b`.
    Or(Node<'t>, Node<'t>),
    /// `a ? b : c`, `b if a else c`.
    Conditional {
        cond: Node<'t>,
        then: Node<'t>,
        otherwise: Node<'t>,
    },
    /// `a === b`, `a == b`, `a != b` …
    Equals {
        left: Node<'t>,
        right: Node<'t>,
        negated: bool,
    },
    /// A function or lambda (its body is not evaluated here).
    Function,
    Other,
}

/// What the index keeps a node for, decided from its kind alone (building a `View` allocates).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class<'t> {
    Call,
    Object,
    Str,
    Or,
    Array,
    Ident(&'t str),
    Other,
}

impl<'t> View<'t> {
    /// The class this view puts a node in (what `Dialect::class` answers without building the view).
    pub fn class(&self) -> Class<'t> {
        match self {
            View::Call { .. } => Class::Call,
            View::Object(_) => Class::Object,
            View::Str(_) | View::Adjacent(_) => Class::Str,
            View::Or(..) => Class::Or,
            View::Array(_) => Class::Array,
            View::Ident(name) => Class::Ident(name),
            _ => Class::Other,
        }
    }
}

/// A piece of a string node.
#[derive(Clone, Copy, Debug)]
pub enum StrPart<'t> {
    /// Literal text: its decoded content and the node holding it in the source.
    Text(&'t str, Node<'t>),
    /// An interpolated expression.
    Hole(Node<'t>),
    /// A hole whose expression could not be read.
    Opaque,
}

/// A binding of a name to a value.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'t> {
    pub name: &'t str,
    /// The node the name is bound at (for reporting writes).
    pub target: Node<'t>,
    pub value: Node<'t>,
    /// `x += v`.
    pub append: bool,
    /// `const { field } = value` / `const { field: name } = value`: the name is bound to `value.field`.
    /// Positions of array and tuple patterns are `POSITIONS[i]` (`#0`, `#1` …).
    pub field: Option<&'t str>,
    /// The binding declares the name in its scope (`const`/`let`/`var`, a Python assignment, `with … as`), as
    /// opposed to assigning a name declared elsewhere (a JavaScript assignment expression).
    pub declares: bool,
}

/// The field names of positions in array and tuple patterns (`const [a, b] = f()`, `a, b = f()`).
pub const POSITIONS: [&str; 8] = ["#0", "#1", "#2", "#3", "#4", "#5", "#6", "#7"];

/// Binds each identifier among `items` (an array or tuple pattern) to its position of `value`: `#0`, `#1` …
pub fn bind_positions<'t>(
    items: impl Iterator<Item = Node<'t>>,
    value: Node<'t>,
    src: &'t str,
    out: &mut Vec<Binding<'t>>,
) {
    for (item, position) in items.zip(POSITIONS) {
        if item.k() == "identifier" {
            out.push(Binding {
                name: &src[item.byte_range()],
                target: item,
                value,
                append: false,
                field: Some(position),
                declares: true,
            });
        }
    }
}

/// A class field with an initialiser: `static v = …`, `private w = …` (JavaScript, TypeScript).
#[derive(Clone, Copy, Debug)]
pub struct ClassField<'t> {
    pub name: &'t str,
    pub target: Node<'t>,
    pub value: Node<'t>,
    pub is_static: bool,
}

/// A write through a member or index: `obj.key = value`, `obj["key"] = value`.
#[derive(Clone, Copy, Debug)]
pub struct MemberWrite<'t> {
    /// The whole assignment.
    pub node: Node<'t>,
    /// The left-hand side.
    pub target: Node<'t>,
    pub value: Node<'t>,
}

/// An `if` / `elif` / ternary / `case` with the code that runs when the condition holds.
#[derive(Clone, Copy, Debug)]
pub struct Branch<'t> {
    pub condition: Node<'t>,
    pub consequence: Node<'t>,
    /// The code that runs otherwise (else branch), if any.
    pub alternative: Option<Node<'t>>,
}

/// What a language must tell the shared analyses.
pub trait Dialect {
    fn lang(&self) -> Lang;
    /// The neutral view of an expression node.
    fn view<'t>(&self, node: Node<'t>, src: &'t str) -> View<'t>;
    /// The class of a node for the index: must agree with `view` (`View::Call` ⇔ `Class::Call` …).
    fn class<'t>(&self, node: Node<'t>, src: &'t str) -> Class<'t> {
        self.view(node, src).class()
    }
    /// Whether the node opens a scope for variables (a function, a lambda, the module).
    fn is_scope(&self, node: Node) -> bool;
    /// Whether a scope node is a function whose local variables are per call (not the module, not a class body).
    fn is_function(&self, node: Node) -> bool;
    /// Whether a node is a class body or class definition.
    fn is_class(&self, node: Node) -> bool;
    /// Name bindings made by this node (declarations and assignments to plain names).
    fn bindings<'t>(&self, node: Node<'t>, src: &'t str, out: &mut Vec<Binding<'t>>);
    /// A write to a member or index made by this node.
    fn member_write<'t>(&self, node: Node<'t>) -> Option<MemberWrite<'t>>;
    /// Imports made by this node: local name → qualified name (`crypto.randomBytes`, `secrets`).
    fn imports(&self, node: Node, src: &str, out: &mut HashMap<String, String>);
    /// A conditional construct.
    fn branch<'t>(&self, node: Node<'t>) -> Option<Branch<'t>>;
    /// Whether the statement or expression stops the flow with an error (throw, raise, abort …) — one node.
    fn is_throw(&self, node: Node) -> bool;
    /// Whether the node is a `return` (its value is the first named child, if any).
    fn is_return(&self, node: Node) -> bool;
    /// Whether the node is a comment.
    fn is_comment(&self, node: Node) -> bool;
    /// A named function defined by this node: its name and the function node (for helpers whose return value
    /// is followed). `const make = () => ...` counts.
    fn function_def<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)>;
    /// Whether a string node with this parent is a docstring or an expression statement by itself
    /// (documentation, not data).
    fn is_docstring(&self, parent: Option<Node>) -> bool;
    /// A parameter or destructuring default: `{ method = "plain" }`, `def f(method="plain")` → name and value.
    fn default_value<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)>;
    /// A `global NAME` declaration (Python).
    fn globals<'t>(&self, _node: Node<'t>, _src: &'t str, _out: &mut Vec<&'t str>) {}
    /// The parameter names of a function, in order; a destructuring pattern or `...rest` gives `""`, so that
    /// positions still line up with arguments.
    fn parameters<'t>(&self, function: Node<'t>, src: &'t str) -> Vec<&'t str>;
    /// The body of a function when it is an expression (`() => value`, `lambda: value`): its return value.
    fn expression_body<'t>(&self, function: Node<'t>) -> Option<Node<'t>>;
    /// A slice used as an index (`v[a:b]`): its start and end.
    fn slice<'t>(&self, _index: Node<'t>) -> Option<(Option<Node<'t>>, Option<Node<'t>>)> {
        None
    }
    /// A comprehension or generator repeating one expression over an iterable (`f() for _ in range(n)`): the
    /// expression and the iterable.
    fn repeated<'t>(&self, _node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        None
    }
    /// A class field defined by this node.
    fn class_field<'t>(&self, _node: Node<'t>, _src: &'t str) -> Option<ClassField<'t>> {
        None
    }
    /// Whether the node is an `await`.
    fn is_await(&self, _node: Node) -> bool {
        false
    }
    /// A path joined with an operator (`Path.home() / "x"` in Python): the two sides.
    fn path_join<'t>(&self, _node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        None
    }
    /// Whether a function is a static method (its `this` is the class).
    fn is_static_method(&self, _function: Node) -> bool {
        false
    }
    /// A name declared without a value (`let v;`, `v: str`).
    fn bare_declaration<'t>(&self, _node: Node<'t>, _src: &'t str) -> Option<&'t str> {
        None
    }
    /// The name of a class defined by this node.
    fn class_name<'t>(&self, node: Node<'t>, src: &'t str) -> Option<&'t str> {
        if !self.is_class(node) {
            return None;
        }
        node.child_by_field_name("name")
            .map(|n| &src[n.byte_range()])
    }
}

/// Files nested deeper than this are skipped with a reason. tree-sitter finds a node's parent by walking down
/// from the root, so climbing from a node costs its depth; real code stays far below this limit, and bounding
/// it keeps the analyses linear.
pub const MAX_NESTING: usize = 1_000;

/// Extracts the facts of one parsed file, or says why it cannot be analysed.
/// `mentions` says which word groups the text holds; analyses that need absent words are skipped (the
/// same words the prefilter looks for, so skipping them never loses a fact).
pub fn extract(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<FileFacts, SkipReason> {
    let _kinds = crate::lang::kinds_for(lang);
    if lang.is_js_family() {
        analyze(&js::Js { lang }, tree, src, mentions)
    } else {
        analyze(&py::Py, tree, src, mentions)
    }
}

/// What one pass over the tree collects for the analyses.
pub struct Index<'t> {
    pub calls: Vec<Node<'t>>,
    pub objects: Vec<Node<'t>>,
    pub strings: Vec<Node<'t>>,
    pub branches: Vec<Node<'t>>,
    pub ors: Vec<Node<'t>>,
    pub arrays: Vec<Node<'t>>,
    pub member_writes: Vec<MemberWrite<'t>>,
    /// Bindings by (scope id, name).
    pub bindings: HashMap<(usize, &'t str), Vec<Binding<'t>>>,
    /// Every binding with its scope, in source order.
    pub all_bindings: Vec<(Node<'t>, Binding<'t>)>,
    /// The enclosing scope of each scope node (the module maps to itself).
    pub scope_parent: HashMap<usize, Node<'t>>,
    /// Bindings by the id of their value node.
    pub by_value: HashMap<usize, Binding<'t>>,
    /// Functions defined in the file by name (last definition wins for lookups; all are kept).
    pub functions: HashMap<&'t str, Vec<Node<'t>>>,
    /// Return statements by the id of their function.
    pub returns: HashMap<usize, Vec<Node<'t>>>,
    /// Names declared `global` inside functions (Python).
    pub globals: Vec<(usize, &'t str)>,
    /// The module awaits at top level: an ES module run once as a script.
    pub top_level_await: bool,
    /// Names declared without a value, by (scope id, name).
    pub bare_declarations: std::collections::HashSet<(usize, &'t str)>,
    /// The parent of every named node (anonymous nodes are leaves, so every parent is named), and
    /// identifiers by name: recorded only when an analysis will run.
    pub parents: HashMap<usize, Node<'t>>,
    pub idents: HashMap<&'t str, Vec<Node<'t>>>,
    /// Classes defined in the file, by name.
    pub classes: HashMap<&'t str, Node<'t>>,
    /// Class fields with initialisers.
    pub fields: Vec<ClassField<'t>>,
    pub imports: HashMap<String, String>,
    pub suppressions: Vec<Suppression>,
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
    /// Steps left to the current `fold`.
    fold_steps: std::cell::Cell<usize>,
}

fn analyze<D: Dialect>(
    d: &D,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<FileFacts, SkipReason> {
    let root = tree.root_node();
    // Parents and identifiers are recorded in the same walk when an analysis will run; otherwise never.
    let ix = index(d, root, src, mentions.any())?;
    let ctx = Ctx {
        d,
        src,
        root,
        ix,
        mentions,
        scopes: Default::default(),
        fold_steps: std::cell::Cell::new(0),
    };
    let mut facts = FileFacts::default();
    if mentions.request {
        requests::extract(&ctx, &mut facts);
    }
    if mentions.pkce {
        plain::extract(&ctx, &mut facts);
    }
    if mentions.code_verifier {
        verifiers::extract(&ctx, &mut facts);
    }
    facts.suppressions = ctx.ix.suppressions;
    Ok(facts)
}

/// One walk over the tree. `for_analysis`: also record what only the analyses use (parents, identifiers).
fn index<'t, D: Dialect>(
    d: &D,
    root: Node<'t>,
    src: &'t str,
    for_analysis: bool,
) -> Result<Index<'t>, SkipReason> {
    let mut ix = Index {
        calls: Vec::new(),
        objects: Vec::new(),
        strings: Vec::new(),
        branches: Vec::new(),
        ors: Vec::new(),
        arrays: Vec::new(),
        member_writes: Vec::new(),
        bindings: HashMap::new(),
        all_bindings: Vec::new(),
        scope_parent: HashMap::new(),
        by_value: HashMap::new(),
        functions: HashMap::new(),
        returns: HashMap::new(),
        globals: Vec::new(),
        top_level_await: false,
        bare_declarations: Default::default(),
        parents: HashMap::new(),
        idents: HashMap::new(),
        classes: HashMap::new(),
        fields: Vec::new(),
        imports: HashMap::new(),
        suppressions: Vec::new(),
    };
    let mut found = Vec::new();
    let mut globals = Vec::new();
    // The enclosing scopes and functions of the current node, with their depths: kept during the walk, so no
    // node has to climb its parents (tree-sitter finds a parent by walking down from the root).
    let mut scopes: Vec<(usize, Node<'t>)> = Vec::new();
    let mut functions: Vec<(usize, Node<'t>)> = Vec::new();
    let mut named: Vec<(usize, Node<'t>)> = Vec::new();
    let mut walk = Preorder::new(root);
    while let Some(node) = walk.next() {
        let depth = walk.depth();
        if depth > MAX_NESTING {
            return Err(SkipReason::TooDeep { limit: MAX_NESTING });
        }
        if for_analysis && node.is_named() {
            while named.last().is_some_and(|(d, _)| *d >= depth) {
                named.pop();
            }
            if let Some((_, p)) = named.last() {
                ix.parents.insert(node.id(), *p);
            }
            named.push((depth, node));
        }
        while scopes.last().is_some_and(|(d, _)| *d >= depth) {
            scopes.pop();
        }
        while functions.last().is_some_and(|(d, _)| *d >= depth) {
            functions.pop();
        }
        let scope = scopes.last().map(|s| s.1).unwrap_or(root);
        let function = functions.last().map(|f| f.1);
        if d.is_scope(node) {
            ix.scope_parent.insert(node.id(), scope);
            scopes.push((depth, node));
        }
        if d.is_function(node) {
            functions.push((depth, node));
        }
        if d.is_comment(node) {
            if let Some(s) = suppression(node, src) {
                ix.suppressions.push(s);
            }
            continue;
        }
        if !node.is_named() {
            continue;
        }
        match d.class(node, src) {
            Class::Call => ix.calls.push(node),
            Class::Object => ix.objects.push(node),
            Class::Str => ix.strings.push(node),
            Class::Or => ix.ors.push(node),
            Class::Array => ix.arrays.push(node),
            Class::Ident(name) if for_analysis => ix.idents.entry(name).or_default().push(node),
            Class::Ident(_) | Class::Other => {}
        }
        if d.branch(node).is_some() {
            ix.branches.push(node);
        }
        found.clear();
        d.bindings(node, src, &mut found);
        if !found.is_empty() {
            for b in found.drain(..) {
                ix.bindings.entry((scope.id(), b.name)).or_default().push(b);
                ix.all_bindings.push((scope, b));
                ix.by_value.insert(b.value.id(), b);
            }
        }
        if let Some(w) = d.member_write(node) {
            ix.member_writes.push(w);
        }
        if let Some((name, f)) = d.function_def(node, src) {
            ix.functions.entry(name).or_default().push(f);
        }
        if d.is_return(node) {
            if let Some(f) = function {
                ix.returns.entry(f.id()).or_default().push(node);
            }
        }
        if !ix.top_level_await && function.is_none() && d.is_await(node) {
            ix.top_level_await = true;
        }
        if let Some(name) = d.bare_declaration(node, src) {
            ix.bare_declarations.insert((scope.id(), name));
        }
        if let Some(name) = d.class_name(node, src) {
            ix.classes.insert(name, node);
        }
        if let Some(f) = d.class_field(node, src) {
            ix.fields.push(f);
        }
        globals.clear();
        d.globals(node, src, &mut globals);
        if !globals.is_empty() {
            ix.globals
                .extend(globals.drain(..).map(|g| (scope.id(), g)));
        }
        d.imports(node, src, &mut ix.imports);
    }
    Ok(ix)
}

/// A `skillaudit-ignore` comment (its text is read by `crate::suppress`).
fn suppression(node: Node, src: &str) -> Option<Suppression> {
    let directive = crate::suppress::parse(&src[node.byte_range()])?;
    let line_start = src[..node.start_byte()]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let trailing = !src[line_start..node.start_byte()].trim().is_empty();
    Some(Suppression {
        span: Span::new(node.start_byte(), node.end_byte()),
        directive,
        trailing,
    })
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
            if let Some(b) = self.ix.bindings.get(&(scope.id(), name)) {
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
        self.ix.parents.get(&node.id()).copied()
    }

    /// The identifiers named `name` in the file, in source order (uses and bindings alike).
    pub fn uses_of(&self, name: &str) -> &[Node<'t>] {
        self.ix.idents.get(name).map(Vec::as_slice).unwrap_or(&[])
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
