//! Python: node kinds of tree-sitter-python.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::lang::NodeKind;

use super::{Arg, Binding, Branch, Dialect, Entry, Key, MemberWrite, StrPart, View};
use crate::lang::Lang;

pub struct Py;

fn named_children(node: Node) -> impl Iterator<Item = Node> {
    (0..node.named_child_count())
        .filter_map(move |i| node.named_child(i as u32))
        .filter(|n| n.k() != "comment")
}

fn field<'t>(node: Node<'t>, name: &'static str) -> Option<Node<'t>> {
    crate::lang::field(node, name)
}

/// The value of a string without interpolation (`"x"`, `'x'`, `r"x"`), escapes left as written.
fn plain_string<'t>(node: Node<'t>, src: &'t str) -> Option<&'t str> {
    if node.k() != "string" {
        return None;
    }
    let mut out = None;
    for c in named_children(node) {
        match c.k() {
            "string_start" | "string_end" => {}
            "string_content" if out.is_none() => out = Some(&src[c.byte_range()]),
            _ => return None,
        }
    }
    Some(out.unwrap_or(""))
}

impl Dialect for Py {
    fn lang(&self) -> Lang {
        Lang::Python
    }

    fn view<'t>(&self, node: Node<'t>, src: &'t str) -> View<'t> {
        let text = |n: Node<'t>| &src[n.byte_range()];
        match node.k() {
            "string" => View::Str(
                named_children(node)
                    .filter_map(|c| match c.k() {
                        "string_start" | "string_end" => None,
                        "interpolation" => Some(
                            field(c, "expression")
                                .map(StrPart::Hole)
                                .unwrap_or(StrPart::Opaque),
                        ),
                        _ => Some(StrPart::Text(text(c), c)),
                    })
                    .collect(),
            ),
            "concatenated_string" => View::Adjacent(named_children(node).collect()),
            "binary_operator" => {
                let (Some(l), Some(r), Some(op)) = (
                    field(node, "left"),
                    field(node, "right"),
                    field(node, "operator"),
                ) else {
                    return View::Other;
                };
                match op.k() {
                    "+" => View::Add(l, r),
                    "%" => View::Percent(l, r),
                    _ => View::Other,
                }
            }
            "boolean_operator" => match (
                field(node, "left"),
                field(node, "right"),
                field(node, "operator"),
            ) {
                (Some(l), Some(r), Some(op)) if op.k() == "or" => View::Or(l, r),
                (Some(l), Some(r), Some(op)) if op.k() == "and" => View::And(l, r),
                _ => View::Other,
            },
            "not_operator" => field(node, "argument")
                .map(View::Not)
                .unwrap_or(View::Other),
            "none" => View::Null,
            "comparison_operator" => {
                let operands: Vec<Node> = named_children(node).collect();
                let Some(op) = field(node, "operators") else {
                    return View::Other;
                };
                match (operands.as_slice(), op.k()) {
                    ([l, r], "==") => View::Equals {
                        left: *l,
                        right: *r,
                        negated: false,
                    },
                    ([l, r], "!=" | "is not") => View::Equals {
                        left: *l,
                        right: *r,
                        negated: true,
                    },
                    ([l, r], "is") => View::Equals {
                        left: *l,
                        right: *r,
                        negated: false,
                    },
                    _ => View::Other,
                }
            }
            "call" => {
                let Some(callee) = field(node, "function") else {
                    return View::Other;
                };
                let args = match field(node, "arguments") {
                    Some(a) if a.k() == "argument_list" => named_children(a)
                        .map(|a| match a.k() {
                            "keyword_argument" => match (field(a, "name"), field(a, "value")) {
                                (Some(n), Some(v)) => Arg::Keyword(text(n), v),
                                _ => Arg::Spread(a),
                            },
                            "list_splat" | "dictionary_splat" => Arg::Spread(a),
                            _ => Arg::Positional(a),
                        })
                        .collect(),
                    Some(g) => vec![Arg::Positional(g)],
                    None => Vec::new(),
                };
                View::Call {
                    callee,
                    args: args.into(),
                    is_new: false,
                }
            }
            "attribute" => match (field(node, "object"), field(node, "attribute")) {
                (Some(object), Some(a)) => View::Member {
                    object,
                    property: text(a),
                },
                _ => View::Other,
            },
            "subscript" => match (field(node, "value"), field(node, "subscript")) {
                (Some(object), Some(index)) => View::Index { object, index },
                _ => View::Other,
            },
            "identifier" => View::Ident(text(node)),
            "dictionary" => View::Object(
                named_children(node)
                    .filter_map(|c| match c.k() {
                        "pair" => {
                            let key = field(c, "key")?;
                            let value = field(c, "value")?;
                            Some(Entry::Pair(
                                match plain_string(key, src) {
                                    Some(s) => Key::Name(s, key),
                                    None => Key::Unknown,
                                },
                                value,
                            ))
                        }
                        "dictionary_splat" => named_children(c).next().map(Entry::Spread),
                        _ => None,
                    })
                    .collect(),
            ),
            "list" | "tuple" | "set" | "expression_list" => {
                View::Array(named_children(node).collect())
            }
            "integer" | "float" => text(node)
                .replace('_', "")
                .parse()
                .map(View::Number)
                .unwrap_or(View::Other),
            "true" => View::Bool(true),
            "false" => View::Bool(false),
            "parenthesized_expression" | "await" => named_children(node)
                .next()
                .map(View::Wrapped)
                .unwrap_or(View::Other),
            "conditional_expression" => {
                let parts: Vec<Node> = named_children(node).collect();
                match parts.as_slice() {
                    [then, cond, otherwise] => View::Conditional {
                        cond: *cond,
                        then: *then,
                        otherwise: *otherwise,
                    },
                    _ => View::Other,
                }
            }
            "lambda" => View::Function,
            _ => View::Other,
        }
    }

    fn class<'t>(&self, node: Node<'t>, src: &'t str) -> super::Class<'t> {
        use super::Class;
        match node.k() {
            "call" if field(node, "function").is_some() => Class::Call,
            "dictionary" => Class::Object,
            "string" | "concatenated_string" => Class::Str,
            "boolean_operator" => match field(node, "operator").map(|o| o.k()) {
                Some("or") if field(node, "left").is_some() && field(node, "right").is_some() => {
                    Class::Or
                }
                _ => Class::Other,
            },
            "list" | "tuple" | "set" | "expression_list" => Class::Array,
            "identifier" => Class::Ident(&src[node.byte_range()]),
            _ => Class::Other,
        }
    }

    fn wraps(&self, node: Node) -> bool {
        matches!(node.k(), "parenthesized_expression" | "await")
    }

    fn is_scope(&self, node: Node) -> bool {
        matches!(
            node.k(),
            "module" | "function_definition" | "lambda" | "class_definition"
        )
    }

    fn is_function(&self, node: Node) -> bool {
        matches!(node.k(), "function_definition" | "lambda")
    }

    fn is_class(&self, node: Node) -> bool {
        node.k() == "class_definition"
    }

    fn bindings<'t>(&self, node: Node<'t>, src: &'t str, out: &mut Vec<Binding<'t>>) {
        // `with open(p) as fh:` binds `fh` to `open(p)`.
        if node.k() == "as_pattern" && node.parent().is_some_and(|p| p.k() == "with_item") {
            let value = named_children(node).next();
            let alias = field(node, "alias").and_then(|a| named_children(a).next());
            if let (Some(value), Some(alias)) = (value, alias) {
                if alias.k() == "identifier" {
                    out.push(Binding {
                        name: &src[alias.byte_range()],
                        target: alias,
                        value,
                        append: false,
                        field: None,
                        declares: true,
                    });
                }
            }
            return;
        }
        if !matches!(node.k(), "assignment" | "augmented_assignment") {
            return;
        }
        let (Some(left), Some(value)) = (field(node, "left"), field(node, "right")) else {
            return;
        };
        let append = node.k() == "augmented_assignment"
            && field(node, "operator").is_some_and(|o| o.k() == "+=");
        if node.k() == "augmented_assignment" && !append {
            return;
        }
        if left.k() == "identifier" {
            out.push(Binding::name(left, value, src, append, true));
        } else if matches!(left.k(), "pattern_list" | "tuple_pattern") && !append {
            // `verifier, challenge = make_pair()`: each name is bound to a position of the value.
            super::bind_positions(named_children(left), value, src, out);
        }
    }

    fn member_write<'t>(&self, node: Node<'t>) -> Option<MemberWrite<'t>> {
        if !matches!(node.k(), "assignment" | "augmented_assignment") {
            return None;
        }
        let target = field(node, "left")?;
        let value = field(node, "right")?;
        matches!(target.k(), "attribute" | "subscript").then_some(MemberWrite {
            node,
            target,
            value,
        })
    }

    fn imports(&self, node: Node, src: &str, out: &mut HashMap<String, String>) {
        match node.k() {
            "import_statement" => {
                for n in named_children(node) {
                    match n.k() {
                        // `import os.path` binds `os`.
                        "dotted_name" => {
                            let full = &src[n.byte_range()];
                            let first = full.split('.').next().unwrap_or(full);
                            out.insert(first.to_string(), first.to_string());
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (field(n, "name"), field(n, "alias"))
                            {
                                out.insert(
                                    src[alias.byte_range()].to_string(),
                                    src[name.byte_range()].to_string(),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = field(node, "module_name").map(|m| &src[m.byte_range()]) else {
                    return;
                };
                // `from . import x` is `.x`, `from .a import x` is `.a.x`: no separator after the dots.
                let sep = if module.ends_with('.') { "" } else { "." };
                let mut cursor = node.walk();
                for n in node.children_by_field_name("name", &mut cursor) {
                    match n.k() {
                        "dotted_name" => {
                            let name = &src[n.byte_range()];
                            out.insert(name.to_string(), format!("{module}{sep}{name}"));
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (field(n, "name"), field(n, "alias"))
                            {
                                out.insert(
                                    src[alias.byte_range()].to_string(),
                                    format!("{module}{sep}{}", &src[name.byte_range()]),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn key_of_value<'t>(&self, value: Node<'t>) -> Option<Node<'t>> {
        let parent = value.parent()?;
        let (key, v) = match parent.k() {
            "pair" => (field(parent, "key")?, field(parent, "value")?),
            "keyword_argument" => (field(parent, "name")?, field(parent, "value")?),
            _ => return None,
        };
        (v.id() == value.id()).then_some(key)
    }

    fn is_arguments(&self, node: Node) -> bool {
        node.k() == "argument_list"
    }

    fn case_of<'t>(&self, literal: Node<'t>) -> Option<(Option<Node<'t>>, Node<'t>)> {
        let pattern = literal.parent()?;
        if pattern.k() != "case_pattern" {
            return None;
        }
        let clause = pattern.parent()?;
        if clause.k() != "case_clause" {
            return None;
        }
        let subject = clause
            .parent()
            .and_then(|block| block.parent())
            .filter(|m| m.k() == "match_statement")
            .and_then(|m| field(m, "subject"));
        Some((subject, field(clause, "consequence")?))
    }

    fn membership<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, Node<'t>, bool)> {
        if node.k() != "comparison_operator" {
            return None;
        }
        let operands: Vec<Node> = named_children(node).collect();
        match (operands.as_slice(), field(node, "operators")?.k()) {
            ([item, collection], "in") => Some((*item, *collection, false)),
            ([item, collection], "not in") => Some((*item, *collection, true)),
            _ => None,
        }
    }

    fn branch<'t>(&self, node: Node<'t>) -> Option<Branch<'t>> {
        match node.k() {
            "if_statement" | "elif_clause" => Some(Branch {
                condition: field(node, "condition")?,
                consequence: field(node, "consequence")?,
                alternative: field(node, "alternative"),
            }),
            "conditional_expression" => {
                let parts: Vec<Node> = named_children(node).collect();
                match parts.as_slice() {
                    [then, cond, otherwise] => Some(Branch {
                        condition: *cond,
                        consequence: *then,
                        alternative: Some(*otherwise),
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn is_throw(&self, node: Node) -> bool {
        node.k() == "raise_statement"
    }

    fn is_return(&self, node: Node) -> bool {
        node.k() == "return_statement"
    }

    fn is_comment(&self, node: Node) -> bool {
        node.k() == "comment"
    }

    fn may_compare(&self, node: Node) -> bool {
        node.k() == "comparison_operator"
    }

    fn function_def<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
        (node.k() == "function_definition")
            .then(|| field(node, "name").map(|n| (&src[n.byte_range()], node)))
            .flatten()
    }

    fn is_docstring(&self, parent: Option<Node>) -> bool {
        parent.is_some_and(|p| p.k() == "expression_statement")
    }

    fn default_value<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
        match node.k() {
            "default_parameter" | "typed_default_parameter" => Some((
                &src[field(node, "name")?.byte_range()],
                field(node, "value")?,
            )),
            _ => None,
        }
    }

    fn arithmetic<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, char, Node<'t>)> {
        if node.k() != "binary_operator" {
            return None;
        }
        let op = match field(node, "operator")?.k() {
            "*" => '*',
            "/" | "//" => '/',
            "+" => '+',
            "-" => '-',
            _ => return None,
        };
        Some((field(node, "left")?, op, field(node, "right")?))
    }

    fn path_join<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        if node.k() != "binary_operator" || field(node, "operator")?.k() != "/" {
            return None;
        }
        Some((field(node, "left")?, field(node, "right")?))
    }

    fn bare_declaration<'t>(&self, node: Node<'t>, src: &'t str) -> Option<&'t str> {
        if node.k() != "assignment" || field(node, "right").is_some() {
            return None;
        }
        field(node, "left")
            .filter(|n| n.k() == "identifier")
            .map(|n| &src[n.byte_range()])
    }

    fn parameters<'t>(&self, function: Node<'t>, src: &'t str) -> Vec<&'t str> {
        let Some(params) = field(function, "parameters") else {
            return Vec::new();
        };
        named_children(params)
            .filter_map(|p| match p.k() {
                "identifier" => Some(&src[p.byte_range()]),
                "default_parameter" | "typed_default_parameter" => {
                    field(p, "name").map(|n| &src[n.byte_range()])
                }
                "typed_parameter" => named_children(p).next().map(|n| {
                    if n.k() == "identifier" {
                        &src[n.byte_range()]
                    } else {
                        ""
                    }
                }),
                "keyword_separator" | "positional_separator" => None,
                _ => Some(""),
            })
            .collect()
    }

    fn parameter_nodes<'t>(&self, function: Node<'t>, src: &'t str) -> Vec<(&'t str, Node<'t>)> {
        let Some(params) = field(function, "parameters") else {
            return Vec::new();
        };
        named_children(params)
            .filter_map(|p| match p.k() {
                "identifier" => Some(p),
                "default_parameter" | "typed_default_parameter" => field(p, "name"),
                "typed_parameter" => named_children(p).next(),
                _ => None,
            })
            .filter(|n| n.k() == "identifier")
            .map(|n| (&src[n.byte_range()], n))
            .collect()
    }

    fn decorators<'t>(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let Some(parent) = function
            .parent()
            .filter(|p| p.k() == "decorated_definition")
        else {
            return Vec::new();
        };
        named_children(parent)
            .filter(|d| d.k() == "decorator")
            .filter_map(|d| named_children(d).next())
            .collect()
    }

    fn expression_body<'t>(&self, function: Node<'t>) -> Option<Node<'t>> {
        (function.k() == "lambda")
            .then(|| field(function, "body"))
            .flatten()
    }

    fn slice<'t>(&self, index: Node<'t>) -> Option<(Option<Node<'t>>, Option<Node<'t>>)> {
        if index.k() != "slice" {
            return None;
        }
        // Children are `start? : end? (: step?)?`; the colons are anonymous.
        let mut start = None;
        let mut end = None;
        let mut colons = 0;
        let mut cursor = index.walk();
        for c in index.children(&mut cursor) {
            if c.k() == ":" {
                colons += 1;
            } else if c.is_named() && c.k() != "comment" {
                match colons {
                    0 => start = Some(c),
                    1 => end = Some(c),
                    _ => {}
                }
            }
        }
        Some((start, end))
    }

    fn repeated<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
        if !matches!(node.k(), "generator_expression" | "list_comprehension") {
            return None;
        }
        let body = field(node, "body")?;
        let clauses: Vec<Node> = named_children(node)
            .filter(|c| c.k() == "for_in_clause" || c.k() == "if_clause")
            .collect();
        match clauses.as_slice() {
            [only] if only.k() == "for_in_clause" => Some((body, field(*only, "right")?)),
            _ => None,
        }
    }

    fn globals<'t>(&self, node: Node<'t>, src: &'t str, out: &mut Vec<&'t str>) {
        if node.k() == "global_statement" {
            out.extend(
                named_children(node)
                    .filter(|n| n.k() == "identifier")
                    .map(|n| &src[n.byte_range()]),
            );
        }
    }
}
