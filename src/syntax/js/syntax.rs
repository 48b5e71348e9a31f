//! Reading JavaScript and TypeScript nodes: named children without comments, fields, plain string
//! literals, static members, call arguments. Used by every part of the dialect.

use std::rc::Rc;

use tree_sitter::Node;

use crate::lang::NodeKind;
use crate::syntax::Arg;

pub(super) fn named_children(node: Node) -> impl Iterator<Item = Node> {
    (0..node.named_child_count())
        .filter_map(move |i| node.named_child(i as u32))
        .filter(|n| n.k() != "comment")
}

pub(super) fn field<'t>(node: Node<'t>, name: &'static str) -> Option<Node<'t>> {
    crate::lang::field(node, name)
}

/// The value of a plain string literal node (no interpolation), escapes left as written.
pub(super) fn string_literal<'t>(node: Node<'t>, src: &'t str) -> Option<&'t str> {
    if node.k() != "string" {
        return None;
    }
    let raw = &src[node.byte_range()];
    Some(raw.get(1..raw.len().saturating_sub(1)).unwrap_or(""))
}

/// Whether a class member carries the `static` keyword.
pub(super) fn is_static(member: Node) -> bool {
    let mut cursor = member.walk();
    let found = member.children(&mut cursor).any(|c| c.k() == "static");
    found
}

pub(super) fn args_of<'t>(arguments: Option<Node<'t>>) -> Rc<[Arg<'t>]> {
    let Some(arguments) = arguments else {
        return Rc::new([]);
    };
    if arguments.k() == "template_string" {
        return Rc::new([Arg::Positional(arguments)]);
    }
    named_children(arguments)
        .map(|a| match a.k() {
            "spread_element" => Arg::Spread(a),
            _ => Arg::Positional(a),
        })
        .collect()
}
