//! Which module each imported name comes from: ES imports and `require` calls, with their names and
//! destructured parts.

use std::collections::HashMap;

use tree_sitter::Node;

use super::syntax::{field, named_children, string_literal};
use crate::lang::NodeKind;

/// Whether a node has the anonymous `type` (or `typeof`) keyword among its children: a TypeScript
/// `import type …` statement or an `import { type A }` specifier.
fn typed(node: Node) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| !c.is_named() && matches!(c.kind(), "type" | "typeof"));
    found
}

/// The local names an `import` statement binds to types only.
pub(super) fn type_imports(node: Node, src: &str, out: &mut Vec<String>) {
    if node.k() != "import_statement" {
        return;
    }
    let whole = typed(node);
    for clause in named_children(node).filter(|c| c.k() == "import_clause") {
        for c in named_children(clause) {
            match c.k() {
                "identifier" if whole => out.push(src[c.byte_range()].to_string()),
                "namespace_import" if whole => {
                    if let Some(id) = named_children(c).next() {
                        out.push(src[id.byte_range()].to_string());
                    }
                }
                "named_imports" => {
                    for spec in named_children(c).filter(|s| s.k() == "import_specifier") {
                        if !(whole || typed(spec)) {
                            continue;
                        }
                        let Some(name) = field(spec, "name") else {
                            continue;
                        };
                        let local = field(spec, "alias").unwrap_or(name);
                        let local = string_literal(local, src).unwrap_or(&src[local.byte_range()]);
                        out.push(local.to_string());
                    }
                }
                _ => {}
            }
        }
    }
}

/// The imports a node makes, as local name → qualified name (`Dialect::imports`).
pub(super) fn imports(node: Node, src: &str, out: &mut HashMap<String, String>) {
    match node.k() {
        "import_statement" => {
            let Some(module) = field(node, "source")
                .and_then(|s| string_literal(s, src))
                .map(module_name)
            else {
                return;
            };
            for clause in named_children(node).filter(|c| c.k() == "import_clause") {
                for c in named_children(clause) {
                    match c.k() {
                        "identifier" => {
                            out.insert(src[c.byte_range()].to_string(), module.clone());
                        }
                        "namespace_import" => {
                            if let Some(id) = named_children(c).next() {
                                out.insert(src[id.byte_range()].to_string(), module.clone());
                            }
                        }
                        "named_imports" => {
                            for spec in named_children(c).filter(|s| s.k() == "import_specifier") {
                                let Some(name) = field(spec, "name") else {
                                    continue;
                                };
                                let imported =
                                    string_literal(name, src).unwrap_or(&src[name.byte_range()]);
                                let local = field(spec, "alias")
                                    .map(|a| &src[a.byte_range()])
                                    .unwrap_or(imported);
                                let q = if imported == "default" {
                                    module.clone()
                                } else {
                                    format!("{module}.{imported}")
                                };
                                out.insert(local.to_string(), q);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // Re-exports pass a module's names on: `export { a as b } from "./m"` binds `b` to `./m.a` (the
        // project phase reads it as the value of `b`); `export * from "./m"` is kept under a key no
        // identifier can have (`*` and its position), for names the module does not define itself.
        "export_statement" => {
            let Some(module) = field(node, "source")
                .and_then(|s| string_literal(s, src))
                .map(module_name)
            else {
                return;
            };
            let mut named = false;
            for clause in named_children(node).filter(|c| c.k() == "export_clause") {
                named = true;
                for spec in named_children(clause).filter(|s| s.k() == "export_specifier") {
                    let Some(name) = field(spec, "name") else {
                        continue;
                    };
                    let exported = string_literal(name, src).unwrap_or(&src[name.byte_range()]);
                    let local = field(spec, "alias")
                        .map(|a| string_literal(a, src).unwrap_or(&src[a.byte_range()]))
                        .unwrap_or(exported);
                    let q = if exported == "default" {
                        module.clone()
                    } else {
                        format!("{module}.{exported}")
                    };
                    out.insert(local.to_string(), q);
                }
            }
            if !named {
                // `export * as ns from "./m"` names the module; `export * from "./m"` passes its names on.
                match named_children(node).find(|c| c.k() == "namespace_export") {
                    Some(ns) => {
                        if let Some(id) = named_children(ns).next() {
                            out.insert(src[id.byte_range()].to_string(), module);
                        }
                    }
                    None => {
                        let key = format!("*{}", node.start_byte());
                        out.insert(key, module);
                    }
                }
            }
        }
        "variable_declarator" => {
            let (Some(name), Some(value)) = (field(node, "name"), field(node, "value")) else {
                return;
            };
            // `require("m")`, `require("m").Strategy`, `await import("m")`, `(await import("m")).X`.
            let value = strip_await(value);
            let (module, member) = if let Some(m) = is_require(value, src) {
                (module_name(m), None)
            } else if value.k() == "member_expression" {
                let (Some(obj), Some(prop)) = (field(value, "object"), field(value, "property"))
                else {
                    return;
                };
                match is_require(strip_await(obj), src) {
                    Some(m) => (module_name(m), Some(&src[prop.byte_range()])),
                    None => return,
                }
            } else {
                return;
            };
            let base = match member {
                Some(m) => format!("{module}.{m}"),
                None => module,
            };
            match name.k() {
                "identifier" => {
                    out.insert(src[name.byte_range()].to_string(), base);
                }
                "object_pattern" => {
                    for p in named_children(name) {
                        match p.k() {
                            "shorthand_property_identifier_pattern" => {
                                let n = &src[p.byte_range()];
                                out.insert(n.to_string(), format!("{base}.{n}"));
                            }
                            "pair_pattern" => {
                                if let (Some(k), Some(v)) = (field(p, "key"), field(p, "value")) {
                                    out.insert(
                                        src[v.byte_range()].to_string(),
                                        format!("{base}.{}", &src[k.byte_range()]),
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
        _ => {}
    }
}

/// Module specifiers name the module, not the file: `node:crypto` is `crypto`.
fn module_name(spec: &str) -> String {
    spec.strip_prefix("node:").unwrap_or(spec).to_string()
}

/// `await x` and `(x)` are `x`.
fn strip_await(mut node: Node) -> Node {
    for _ in 0..4 {
        match node.k() {
            "await_expression" | "parenthesized_expression" => match named_children(node).next() {
                Some(inner) => node = inner,
                None => break,
            },
            _ => break,
        }
    }
    node
}

/// `require("m")` or a dynamic `import("m")`: the module.
fn is_require<'t>(node: Node<'t>, src: &'t str) -> Option<&'t str> {
    if node.k() != "call_expression" {
        return None;
    }
    let f = field(node, "function")?;
    if !matches!(&src[f.byte_range()], "require" | "import") {
        return None;
    }
    let first = named_children(field(node, "arguments")?).next()?;
    string_literal(first, src)
}
