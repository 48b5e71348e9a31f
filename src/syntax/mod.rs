//! What a language tells the analyses: the language-neutral `View` of a node (a string with its pieces, a
//! call, an object …), its kind-only `Class`, bindings, member writes, branches and class fields, and the
//! `Dialect` trait each language implements to produce them. Depends on no analysis.
//!
//! This is the only room that knows tree-sitter node kinds: `js` and `py` map nodes to views, `index` records
//! a file's scopes, bindings, imports and parents in one walk. The analyses (`crate::analysis`) are written
//! once over these views.

use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use crate::lang::{Lang, NodeKind};

pub mod index;
pub mod js;
pub mod py;

pub use index::Index;

/// Files nested deeper than this are skipped with a reason. tree-sitter finds a node's parent by walking down
/// from the root, so climbing from a node costs its depth; real code stays far below this limit, and bounding
/// it keeps the analyses linear.
pub const MAX_NESTING: usize = 1_000;

/// An argument of a call.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'t> {
    Positional(Node<'t>),
    Keyword(&'t str, Node<'t>),
    /// `...x`, `*x`, `**x`: unknown arguments.
    Spread(Node<'t>),
}

/// A key of an object literal or dict.
#[derive(Clone, Copy, Debug)]
pub enum Key<'t> {
    /// The key's text: a name, or a string's content as written.
    Name(&'t str, Node<'t>),
    /// A computed key whose value is not known.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub enum Entry<'t> {
    Pair(Key<'t>, Node<'t>),
    /// `...x` / `**x`.
    Spread(Node<'t>),
}

/// The language-neutral view of one expression node. Its lists are shared (`Rc`), so that a view kept by the
/// analysis's cache (`Ctx::view`) is handed out again without copying them.
#[derive(Clone, Debug)]
pub enum View<'t> {
    /// A string literal, template literal or f-string, as pieces: literal text and interpolated expressions.
    Str(Rc<[StrPart<'t>]>),
    /// Adjacent string literals (Python implicit concatenation).
    Adjacent(Rc<[Node<'t>]>),
    /// `a + b`.
    Add(Node<'t>, Node<'t>),
    /// Python `"..." % args`.
    Percent(Node<'t>, Node<'t>),
    Call {
        callee: Node<'t>,
        args: Rc<[Arg<'t>]>,
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
    Object(Rc<[Entry<'t>]>),
    Array(Rc<[Node<'t>]>),
    Number(f64),
    /// `true`/`True`, `false`/`False`.
    Bool(bool),
    /// Parentheses, `await`, `as`, `!`, `satisfies`: the value of the inner expression.
    Wrapped(Node<'t>),
    /// `a || b`, `a ?? b`, `a or b`.
    Or(Node<'t>, Node<'t>),
    /// `a && b`, `a and b`.
    And(Node<'t>, Node<'t>),
    /// `!a`, `not a`.
    Not(Node<'t>),
    /// `null`, `None` (JavaScript's `undefined` is an identifier).
    Null,
    /// `a ? b : c`, `b if a else c`.
    Conditional {
        cond: Node<'t>,
        then: Node<'t>,
        otherwise: Node<'t>,
    },
    /// `a === b`, `a == b`, `a != b`, Python `a is b`, `a is not b` …
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

impl<'t> Binding<'t> {
    /// `name = value` (or `name += value` with `append`) bound at the identifier `name`.
    pub fn name(
        name: Node<'t>,
        value: Node<'t>,
        src: &'t str,
        append: bool,
        declares: bool,
    ) -> Self {
        Binding {
            name: &src[name.byte_range()],
            target: name,
            value,
            append,
            field: None,
            declares,
        }
    }
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
    /// Whether the node's view may be `View::Wrapped` (parentheses, `await`, type assertions), decided from
    /// its kind alone: `Ctx::unwrap` runs on most nodes the analyses look at, and building a view to learn
    /// that a node wraps nothing was a twentieth of their work.
    fn wraps(&self, node: Node) -> bool;
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
    /// The local names this node imports for their types only (TypeScript `import type { A } from "m"`,
    /// `import { type A, b } from "m"`): they are in `imports` too, but name no value at run time.
    fn type_imports(&self, _node: Node, _src: &str, _out: &mut Vec<String>) {}
    /// A conditional construct.
    fn branch<'t>(&self, node: Node<'t>) -> Option<Branch<'t>>;
    /// Whether the statement or expression stops the flow with an error (throw, raise, abort …) — one node.
    fn is_throw(&self, node: Node) -> bool;
    /// Whether the node is a `return` (its value is the first named child, if any).
    fn is_return(&self, node: Node) -> bool;
    /// Whether the node is a comment.
    fn is_comment(&self, node: Node) -> bool;
    /// Whether the node's kind may be a comparison (`View::Equals`): a cheap test before building the view.
    fn may_compare(&self, node: Node) -> bool;
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
    /// The parameters of a function that are plain names, with the node naming each (for reporting).
    fn parameter_nodes<'t>(&self, _function: Node<'t>, _src: &'t str) -> Vec<(&'t str, Node<'t>)> {
        Vec::new()
    }
    /// The decorator expressions of a function (`@app.get("/callback")` → `app.get("/callback")`).
    fn decorators<'t>(&self, _function: Node<'t>) -> Vec<Node<'t>> {
        Vec::new()
    }
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
    /// The key a value is stored under when the node is the value of an object or dict pair or of a keyword
    /// argument (`{ key: value }`, `{"key": value}`, `f(key=value)`): the key node.
    fn key_of_value<'t>(&self, value: Node<'t>) -> Option<Node<'t>>;
    /// Whether a node is the argument list of a call.
    fn is_arguments(&self, node: Node) -> bool;
    /// For a literal that is the pattern of a `case` (`case "plain":` in a `switch`, `case "plain":` in a
    /// Python `match`): the subject switched on (if known) and the code the case runs.
    fn case_of<'t>(&self, _literal: Node<'t>) -> Option<(Option<Node<'t>>, Node<'t>)> {
        None
    }
    /// A membership test (`m in ("S256", "plain")`, `m not in allowed`): the item, the collection and whether
    /// it is negated. Calls such as `.includes(m)` are read from their `View::Call`.
    fn membership<'t>(&self, _node: Node<'t>) -> Option<(Node<'t>, Node<'t>, bool)> {
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
    /// An arithmetic operation (`a * b`, `a - b`, `a / b`, `a + b`; Python `//` is `/`): the two sides and
    /// the operator.
    fn arithmetic<'t>(&self, _node: Node<'t>) -> Option<(Node<'t>, char, Node<'t>)> {
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
