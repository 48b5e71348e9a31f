//! A module's summary for the project phase: the abstract values of its module-level names (what an
//! importer may ask for) and where its functions read imported names. Worked out once per module, from the
//! index and the file's folds: no second walk of the tree.

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::{span, Ctx, Dialect, Entry, Key, View, MAX_DEPTH};
use crate::summary::{Foreign, ModuleSummary, Value};

/// Entries of one table or list kept in a summary: enough for any table of methods, endpoints or options.
const MAX_ENTRIES: usize = 64;
/// Longer constants (embedded documents, bundles) are not what an OAuth flow reads from another module.
const MAX_STRING: usize = 2048;

pub fn summarise<D: Dialect>(ctx: &Ctx<'_, '_, D>) -> ModuleSummary {
    let mut summary = ModuleSummary {
        read_in_functions: read_in_functions(ctx),
        values: BTreeMap::new(),
        exchanges: if ctx.mentions.exchange {
            super::callbacks::exported(ctx)
        } else {
            BTreeMap::new()
        },
    };
    let root = ctx.root.id();
    // Imports are values too: a re-export or a barrel passes them on.
    for (local, q) in &ctx.ix.imports {
        summary
            .values
            .insert(local.clone(), Value::Import(q.clone()));
    }
    for (scope, b) in ctx.ix.all_bindings() {
        if scope.id() != root || b.append || b.field.is_some() {
            continue;
        }
        // A name bound more than once at module level has no single value.
        let single = ctx
            .ix
            .bindings_in(root, b.name)
            .is_some_and(|bs| bs.len() == 1);
        if !single {
            summary.values.remove(b.name);
            continue;
        }
        if let Some(v) = value_of(ctx, b.value, 0) {
            summary.values.insert(b.name.to_string(), v);
        }
    }
    for (name, class) in &ctx.ix.classes {
        if ctx.scope_of(*class).id() != root {
            continue;
        }
        let holder = ctx
            .holders
            .borrow()
            .iter()
            .find(|(c, _, _)| c == name)
            .map(|(_, _, at)| *at);
        if let Some(at) = holder {
            summary
                .values
                .insert(name.to_string(), Value::HoldsVerifier(Foreign::here(at)));
        } else if let Some(table) = class_constants(ctx, *class) {
            summary.values.insert(name.to_string(), table);
        }
    }
    for ((scope, name), functions) in &ctx.ix.scoped_functions {
        if *scope != root {
            continue;
        }
        if let [f] = functions.as_slice() {
            if let Some(v) = factory(ctx, *f) {
                summary.values.insert(name.to_string(), v);
            }
        }
    }
    summary
}

/// The first read inside a function of each imported name (with the members read of it).
fn read_in_functions<D: Dialect>(ctx: &Ctx<'_, '_, D>) -> BTreeMap<String, Foreign> {
    let mut out = BTreeMap::new();
    let mut locals: Vec<&String> = ctx.ix.imports.keys().collect();
    locals.sort();
    for local in locals {
        for u in ctx.uses_of(local) {
            if ctx.enclosing_function(u).is_none() {
                continue;
            }
            // The whole member chain read (`auth.codeVerifier`), so that a namespace import names the
            // member.
            let mut top = u;
            while let Some(p) = ctx.parent(top) {
                match ctx.view(p) {
                    View::Member { object, .. } if object.id() == top.id() => top = p,
                    _ => break,
                }
            }
            if let Some(q) = ctx.import_path(top) {
                out.entry(q).or_insert_with(|| Foreign::here(span(top)));
            }
        }
    }
    out
}

/// The abstract value of an expression, when it is one a summary keeps.
fn value_of<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let node = ctx.unwrap(node);
    // `60 * 60 * 1000`, `CODE_TTL + 30`: a number (a string concatenation does not fold to one).
    if ctx.d.arithmetic(node).is_some() {
        if let Some(n) = ctx.folded_number(node, depth) {
            return Some(Value::Number(n));
        }
    }
    match ctx.view(node) {
        View::Str(_) | View::Adjacent(_) | View::Add(..) => ctx
            .string_value(node)
            .filter(|s| s.len() <= MAX_STRING)
            .map(Value::Str),
        View::Number(_) => ctx.folded_number(node, depth).map(Value::Number),
        View::Object(entries) => {
            let mut table = Vec::new();
            for e in entries.iter().copied().take(MAX_ENTRIES) {
                if let Entry::Pair(Key::Name(k, _), v) = e {
                    if let Some(v) = value_of(ctx, v, depth + 1) {
                        table.push((k.to_string(), v));
                    }
                }
            }
            (!table.is_empty()).then_some(Value::Table(table))
        }
        View::Array(items) => {
            let list: Vec<Value> = items
                .iter()
                .copied()
                .take(MAX_ENTRIES)
                .filter_map(|i| value_of(ctx, i, depth + 1))
                .collect();
            (!list.is_empty()).then_some(Value::List(list))
        }
        View::Ident(name) => match ctx.lookup(name, node) {
            None => ctx.import_path(node).map(Value::Import),
            Some(_) => ctx
                .resolve_ident(name, node)
                .and_then(|v| value_of(ctx, v, depth + 1)),
        },
        View::Member { .. } => ctx.import_path(node).map(Value::Import),
        View::Call { callee, .. } => {
            // A value made by an imported package (a library client): its qualified name.
            let root_is_import = root_ident(ctx, callee)
                .is_some_and(|n| ctx.ix.imports.contains_key(n) && ctx.lookup(n, callee).is_none());
            if !root_is_import {
                return None;
            }
            ctx.qualify(node, 0).map(Value::Qualified)
        }
        _ => None,
    }
}

fn root_ident<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<&'t str> {
    let mut cur = ctx.unwrap(node);
    for _ in 0..MAX_DEPTH {
        match ctx.view(cur) {
            View::Member { object, .. } => cur = ctx.unwrap(object),
            View::Call { callee, .. } => cur = ctx.unwrap(callee),
            View::Ident(n) => return Some(n),
            _ => return None,
        }
    }
    None
}

/// A class's constant attributes (`class Method: PLAIN = "plain"`, `static PLAIN = "plain"`) as a table.
fn class_constants<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, class: Node<'t>) -> Option<Value> {
    let range = class.byte_range();
    // Static fields (JavaScript) and names bound in the class body (Python).
    let fields = ctx
        .ix
        .fields
        .iter()
        .filter(|f| f.is_static && range.contains(&f.target.start_byte()))
        .map(|f| (f.name, f.value));
    let body = ctx
        .ix
        .all_bindings()
        .filter(|(scope, b)| {
            ctx.d.is_class(*scope)
                && range.contains(&scope.start_byte())
                && b.declares
                && !b.append
                && b.field.is_none()
        })
        .map(|(_, b)| (b.name, b.value));
    let table: Vec<(String, Value)> = fields
        .chain(body)
        .take(MAX_ENTRIES)
        .filter_map(|(name, value)| Some((name.to_string(), value_of(ctx, value, 1)?)))
        .collect();
    (!table.is_empty()).then_some(Value::Table(table))
}

/// A function that makes a library client: every return is the same qualified value.
fn factory<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, function: Node<'t>) -> Option<Value> {
    let mut returns = ctx.returned(function).into_iter();
    let first = returns.next()?;
    let made = match value_of(ctx, first, 1)? {
        v @ Value::Qualified(_) => v,
        _ => return None,
    };
    returns
        .all(|r| value_of(ctx, r, 1).as_ref() == Some(&made))
        .then(|| Value::Returns(Box::new(made)))
}
