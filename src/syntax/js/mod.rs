//! JavaScript, TypeScript and TSX: node kinds of tree-sitter-javascript and tree-sitter-typescript.
//!
//! This module maps nodes to views and answers the `Dialect` questions; the two largest answers have their
//! own files: `bindings` (what names a node binds) and `imports` (where imported names come from). Both,
//! and this module, read nodes through `syntax`, which depends on nothing else here.

use std::collections::HashMap;

use tree_sitter::Node;

mod bindings;
mod imports;
mod syntax;

use crate::lang::NodeKind;

use super::{Binding, Branch, Dialect, Entry, Key, MemberWrite, StrPart, View};
use crate::lang::Lang;
use syntax::{args_of, field, is_static, named_children, string_literal};

pub struct Js {
    pub lang: Lang,
}

impl Dialect for Js {
    fn lang(&self) -> Lang {
        self.lang
    }

    fn view<'t>(&self, node: Node<'t>, src: &'t str) -> View<'t> {
        let text = |n: Node<'t>| &src[n.byte_range()];
        match node.k() {
            "string" => {
                let parts = named_children(node)
                    .map(|c| StrPart::Text(text(c), c))
                    .collect();
                View::Str(parts)
            }
            "template_string" => View::Str(
                named_children(node)
                    .map(|c| match c.k() {
                        "template_substitution" => named_children(c)
                            .next()
                            .map(StrPart::Hole)
                            .unwrap_or(StrPart::Opaque),
                        _ => StrPart::Text(text(c), c),
                    })
                    .collect(),
            ),
            "binary_expression" => {
                let (Some(l), Some(r), Some(op)) = (
                    field(node, "left"),
                    field(node, "right"),
                    field(node, "operator"),
                ) else {
                    return View::Other;
                };
                match op.k() {
                    "+" => View::Add(l, r),
                    "||" | "??" => View::Or(l, r),
                    "&&" => View::And(l, r),
                    "===" | "==" => View::Equals {
                        left: l,
                        right: r,
                        negated: false,
                    },
                    "!==" | "!=" => View::Equals {
                        left: l,
                        right: r,
                        negated: true,
                    },
                    _ => View::Other,
                }
            }
            "call_expression" => match field(node, "function") {
                Some(callee) => View::Call {
                    callee,
                    args: args_of(field(node, "arguments")),
                    is_new: false,
                },
                None => View::Other,
            },
            "new_expression" => match field(node, "constructor") {
                Some(callee) => View::Call {
                    callee,
                    args: args_of(field(node, "arguments")),
                    is_new: true,
                },
                None => View::Other,
            },
            "member_expression" => match (field(node, "object"), field(node, "property")) {
                (Some(object), Some(p)) => View::Member {
                    object,
                    property: text(p),
                },
                _ => View::Other,
            },
            "subscript_expression" => match (field(node, "object"), field(node, "index")) {
                (Some(object), Some(index)) => View::Index { object, index },
                _ => View::Other,
            },
            "identifier" | "shorthand_property_identifier" | "this" => View::Ident(text(node)),
            // A TypeScript enum's members with values (`enum M { Plain = "plain" }`), read as an object.
            "enum_body" => View::Object(
                named_children(node)
                    .filter(|c| c.k() == "enum_assignment")
                    .filter_map(|c| {
                        let name = field(c, "name")?;
                        Some(Entry::Pair(Key::Name(text(name), name), field(c, "value")?))
                    })
                    .collect(),
            ),
            "object" => View::Object(
                named_children(node)
                    .filter_map(|c| match c.k() {
                        "pair" => {
                            let key = field(c, "key")?;
                            let value = field(c, "value")?;
                            let k = match key.k() {
                                "property_identifier" | "number" => Key::Name(text(key), key),
                                "string" => Key::Name(string_literal(key, src)?, key),
                                "computed_property_name" => match named_children(key)
                                    .next()
                                    .and_then(|k| string_literal(k, src))
                                {
                                    Some(s) => Key::Name(s, key),
                                    None => Key::Unknown,
                                },
                                _ => Key::Unknown,
                            };
                            Some(Entry::Pair(k, value))
                        }
                        "shorthand_property_identifier" => {
                            Some(Entry::Pair(Key::Name(text(c), c), c))
                        }
                        "spread_element" => named_children(c).next().map(Entry::Spread),
                        _ => None,
                    })
                    .collect(),
            ),
            "array" => View::Array(named_children(node).collect()),
            "number" => {
                let t = text(node).replace('_', "");
                let v = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
                } else {
                    t.trim_end_matches('n').parse().ok()
                };
                v.map(View::Number).unwrap_or(View::Other)
            }
            "true" => View::Bool(true),
            "false" => View::Bool(false),
            "null" => View::Null,
            "unary_expression" => match (field(node, "operator"), field(node, "argument")) {
                (Some(op), Some(argument)) if op.k() == "!" => View::Not(argument),
                _ => View::Other,
            },
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion" => named_children(node)
                .next()
                .map(View::Wrapped)
                .unwrap_or(View::Other),
            "ternary_expression" => match (
                field(node, "condition"),
                field(node, "consequence"),
                field(node, "alternative"),
            ) {
                (Some(cond), Some(then), Some(otherwise)) => View::Conditional {
                    cond,
                    then,
                    otherwise,
                },
                _ => View::Other,
            },
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                View::Function
            }
            _ => View::Other,
        }
    }

    fn class<'t>(&self, node: Node<'t>, src: &'t str) -> super::Class<'t> {
        use super::Class;
        match node.k() {
            "call_expression" if field(node, "function").is_some() => Class::Call,
            "new_expression" if field(node, "constructor").is_some() => Class::Call,
            "object" | "enum_body" => Class::Object,
            "string" | "template_string" => Class::Str,
            "binary_expression" => match field(node, "operator").map(|o| o.k()) {
                Some("||" | "??")
                    if field(node, "left").is_some() && field(node, "right").is_some() =>
                {
                    Class::Or
                }
                _ => Class::Other,
            },
            "array" => Class::Array,
            "identifier" | "shorthand_property_identifier" | "this" => {
                Class::Ident(&src[node.byte_range()])
            }
            _ => Class::Other,
        }
    }

    fn wraps(&self, node: Node) -> bool {
        matches!(
            node.k(),
            "parenthesized_expression"
                | "await_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "type_assertion"
        )
    }

    fn is_scope(&self, node: Node) -> bool {
        node.k() == "program" || self.is_function(node)
    }

    fn is_function(&self, node: Node) -> bool {
        matches!(
            node.k(),
            "function_declaration"
                | "generator_function_declaration"
                | "function_expression"
                | "function"
                | "arrow_function"
                | "method_definition"
                | "generator_function"
        )
    }

    fn is_class(&self, node: Node) -> bool {
        matches!(
            node.k(),
            "class_declaration" | "class" | "class_body" | "abstract_class_declaration"
        )
    }

    fn bindings<'t>(&self, node: Node<'t>, src: &'t str, out: &mut Vec<Binding<'t>>) {
        bindings::bindings(node, src, out)
    }

    fn member_write<'t>(&self, node: Node<'t>) -> Option<MemberWrite<'t>> {
        if !matches!(
            node.k(),
            "assignment_expression" | "augmented_assignment_expression"
        ) {
            return None;
        }
        let target = field(node, "left")?;
        let value = field(node, "right")?;
        matches!(target.k(), "member_expression" | "subscript_expression").then_some(MemberWrite {
            node,
            target,
            value,
        })
    }

    fn imports(&self, node: Node, src: &str, out: &mut HashMap<String, String>) {
        imports::imports(node, src, out)
    }

    fn type_imports(&self, node: Node, src: &str, out: &mut Vec<String>) {
        imports::type_imports(node, src, out)
    }

    fn branch<'t>(&self, node: Node<'t>) -> Option<Branch<'t>> {
        match node.k() {
            "if_statement" => Some(Branch {
                condition: field(node, "condition")?,
                consequence: field(node, "consequence")?,
                alternative: field(node, "alternative"),
            }),
            "ternary_expression" => Some(Branch {
                condition: field(node, "condition")?,
                consequence: field(node, "consequence")?,
                alternative: field(node, "alternative"),
            }),
            _ => None,
        }
    }

    fn is_throw(&self, node: Node) -> bool {
        node.k() == "throw_statement"
    }

    fn is_return(&self, node: Node) -> bool {
        node.k() == "return_statement"
    }

    fn is_comment(&self, node: Node) -> bool {
        node.k() == "comment" || node.k() == "html_comment"
    }

    fn may_compare(&self, node: Node) -> bool {
        node.k() == "binary_expression"
    }

    fn function_def<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
        match node.k() {
            "function_declaration" | "generator_function_declaration" | "method_definition" => {
                Some((&src[field(node, "name")?.byte_range()], node))
            }
            "variable_declarator" => {
                let value = field(node, "value")?;
                let name = field(node, "name").filter(|n| n.k() == "identifier")?;
                matches!(
                    value.k(),
                    "arrow_function" | "function_expression" | "function"
                )
                .then(|| (&src[name.byte_range()], value))
            }
            "public_field_definition" | "field_definition" => {
                let value = field(node, "value")?;
                let name = field(node, "name").or_else(|| field(node, "property"))?;
                matches!(value.k(), "arrow_function" | "function_expression")
                    .then(|| (&src[name.byte_range()], value))
            }
            _ => None,
        }
    }

    fn parameters<'t>(&self, function: Node<'t>, src: &'t str) -> Vec<&'t str> {
        if let Some(single) = field(function, "parameter") {
            return vec![&src[single.byte_range()]];
        }
        let Some(params) = field(function, "parameters") else {
            return Vec::new();
        };
        named_children(params)
            .filter_map(|p| {
                let p = match p.k() {
                    "required_parameter" | "optional_parameter" => field(p, "pattern")?,
                    "assignment_pattern" => field(p, "left")?,
                    _ => p,
                };
                match p.k() {
                    // `this: T` is a type annotation, not an argument.
                    "this" => None,
                    "identifier" => Some(&src[p.byte_range()]),
                    _ => Some(""),
                }
            })
            .collect()
    }

    fn parameter_nodes<'t>(&self, function: Node<'t>, src: &'t str) -> Vec<(&'t str, Node<'t>)> {
        let single = field(function, "parameter").into_iter();
        let listed = field(function, "parameters")
            .into_iter()
            .flat_map(named_children)
            .filter_map(|p| match p.k() {
                "required_parameter" | "optional_parameter" => field(p, "pattern"),
                "assignment_pattern" => field(p, "left"),
                _ => Some(p),
            });
        single
            .chain(listed)
            .filter(|n| n.k() == "identifier")
            .map(|n| (&src[n.byte_range()], n))
            .collect()
    }

    fn expression_body<'t>(&self, function: Node<'t>) -> Option<Node<'t>> {
        if function.k() != "arrow_function" {
            return None;
        }
        field(function, "body").filter(|b| b.k() != "statement_block")
    }

    fn is_static_method(&self, function: Node) -> bool {
        if function.k() != "method_definition" {
            return false;
        }
        is_static(function)
    }

    fn is_await(&self, node: Node) -> bool {
        node.k() == "await_expression"
    }

    fn arithmetic<'t>(&self, node: Node<'t>) -> Option<(Node<'t>, char, Node<'t>)> {
        if node.k() != "binary_expression" {
            return None;
        }
        let op = match field(node, "operator")?.k() {
            "*" => '*',
            "/" => '/',
            "+" => '+',
            "-" => '-',
            _ => return None,
        };
        Some((field(node, "left")?, op, field(node, "right")?))
    }

    fn bare_declaration<'t>(&self, node: Node<'t>, src: &'t str) -> Option<&'t str> {
        if node.k() != "variable_declarator" || field(node, "value").is_some() {
            return None;
        }
        field(node, "name")
            .filter(|n| n.k() == "identifier")
            .map(|n| &src[n.byte_range()])
    }

    fn class_field<'t>(&self, node: Node<'t>, src: &'t str) -> Option<super::ClassField<'t>> {
        if !matches!(node.k(), "public_field_definition" | "field_definition") {
            return None;
        }
        let target = field(node, "name").or_else(|| field(node, "property"))?;
        let value = field(node, "value")?;
        let is_static = is_static(node);
        Some(super::ClassField {
            name: &src[target.byte_range()],
            target,
            value,
            is_static,
        })
    }

    fn is_docstring(&self, parent: Option<Node>) -> bool {
        parent.is_some_and(|p| p.k() == "expression_statement")
    }

    fn key_of_value<'t>(&self, value: Node<'t>) -> Option<Node<'t>> {
        let parent = value.parent()?;
        if parent.k() != "pair" || field(parent, "value")?.id() != value.id() {
            return None;
        }
        field(parent, "key")
    }

    fn is_arguments(&self, node: Node) -> bool {
        node.k() == "arguments"
    }

    fn case_of<'t>(&self, literal: Node<'t>) -> Option<(Option<Node<'t>>, Node<'t>)> {
        let case = literal.parent()?;
        if case.k() != "switch_case" || field(case, "value").map(|v| v.id()) != Some(literal.id()) {
            return None;
        }
        let subject = case
            .parent()
            .and_then(|body| body.parent())
            .filter(|s| s.k() == "switch_statement")
            .and_then(|s| field(s, "value"));
        Some((subject, case))
    }

    fn default_value<'t>(&self, node: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
        match node.k() {
            "assignment_pattern" | "object_assignment_pattern" => {
                let left = field(node, "left")?;
                Some((&src[left.byte_range()], field(node, "right")?))
            }
            "required_parameter" | "optional_parameter" => {
                let pattern = field(node, "pattern")?;
                Some((&src[pattern.byte_range()], field(node, "value")?))
            }
            _ => None,
        }
    }
}
