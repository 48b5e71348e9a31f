//! The names JavaScript and TypeScript bind, and to what: declarators (with object and array patterns),
//! assignments, compound assignments, parameters with defaults, `for … of`, catch clauses.

use tree_sitter::Node;

use super::syntax::{field, named_children};
use crate::lang::NodeKind;
use crate::syntax::{bind_positions, Binding};

/// The bindings a node makes (`Dialect::bindings`).
pub(super) fn bindings<'t>(node: Node<'t>, src: &'t str, out: &mut Vec<Binding<'t>>) {
    match node.k() {
        // `enum M { ... }` binds `M` to its members (an object view).
        "enum_declaration" => {
            if let (Some(name), Some(body)) = (field(node, "name"), field(node, "body")) {
                out.push(Binding::name(name, body, src, false, true));
            }
        }
        "variable_declarator" => {
            let (Some(name), Some(value)) = (field(node, "name"), field(node, "value")) else {
                return;
            };
            match name.k() {
                "identifier" => out.push(Binding {
                    name: &src[name.byte_range()],
                    target: name,
                    value,
                    append: false,
                    field: None,
                    declares: true,
                }),
                "array_pattern" => {
                    // `const [verifier, challenge] = makePair()`.
                    bind_positions(named_children(name), value, src, out);
                }
                "object_pattern" => {
                    for p in named_children(name) {
                        match p.k() {
                            "shorthand_property_identifier_pattern" => {
                                let n = &src[p.byte_range()];
                                out.push(Binding {
                                    name: n,
                                    target: p,
                                    value,
                                    append: false,
                                    field: Some(n),
                                    declares: true,
                                });
                            }
                            "pair_pattern" => {
                                if let (Some(k), Some(v)) = (field(p, "key"), field(p, "value")) {
                                    if v.k() == "identifier" {
                                        out.push(Binding {
                                            name: &src[v.byte_range()],
                                            target: v,
                                            value,
                                            append: false,
                                            field: Some(&src[k.byte_range()]),
                                            declares: true,
                                        });
                                    }
                                }
                            }
                            "object_assignment_pattern" => {
                                if let Some(l) = field(p, "left") {
                                    let n = &src[l.byte_range()];
                                    out.push(Binding {
                                        name: n,
                                        target: l,
                                        value,
                                        append: false,
                                        field: Some(n),
                                        declares: true,
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        "assignment_expression" => {
            let (Some(left), Some(value)) = (field(node, "left"), field(node, "right")) else {
                return;
            };
            if left.k() == "identifier" {
                out.push(Binding::name(left, value, src, false, false));
            }
        }
        "augmented_assignment_expression" => {
            let (Some(left), Some(value), Some(op)) = (
                field(node, "left"),
                field(node, "right"),
                field(node, "operator"),
            ) else {
                return;
            };
            if left.k() == "identifier" {
                out.push(Binding::name(left, value, src, op.k() == "+=", false));
            }
        }
        _ => {}
    }
}
