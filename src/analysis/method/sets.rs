//! Collections of methods, tables from a method to its verification, and options that enable `plain`.
//!
//! A collection is a set of methods when it holds `plain` and `S256` (or is named for methods). What it
//! does depends on its use, followed through the variable it is bound to (`const ALLOWED = new
//! Set([...])`): metadata (`code_challenge_methods_supported`) advertises; a membership test
//! (`.includes(m)`, `.has(m)`, `m in (...)`) lets `plain` through unless the branch it opens for members
//! rejects; a schema (`z.enum([...])`, `Joi.valid(...)`, `Literal[...]`, an `enum` key) accepts it.

use tree_sitter::Node;

use super::{is_method_name, is_methods_list, Method};
use crate::analysis::{Arg, Class, Constant, Dialect, Entry, Key, View};
use crate::facts::PlainSite;

/// What a use of a set of methods does with `plain`.
enum Use {
    Advertises,
    Allows(&'static str),
    Rejects,
    Unknown,
}

impl<'c, 't, D: Dialect> Method<'c, 't, '_, D> {
    pub(super) fn sets(&mut self) {
        let ctx = self.ctx;
        // Arrays, tuples and sets of constants.
        for &a in &ctx.ix.arrays {
            let View::Array(items) = ctx.view(a) else {
                continue;
            };
            self.set(a, &items, false);
        }
        // Methods as the arguments of a call (`Joi.string().valid("S256", "plain")`) or of a subscript
        // (`Literal["S256", "plain"]`).
        for &s in &ctx.ix.strings {
            if ctx.string_value(s).as_deref() != Some("plain") {
                continue;
            }
            let Some(parent) = ctx.parent(s) else {
                continue;
            };
            let holder = match ctx.view(parent) {
                View::Array(_) | View::Or(..) | View::Equals { .. } => continue,
                _ if ctx.d.default_value(parent, ctx.src).is_some() => continue,
                _ => parent,
            };
            // `Literal["S256", "plain"]` (the strings sit a few levels down in a type annotation) in a class
            // body: a field of a request model (pydantic, dataclasses); in a function's signature it
            // only types a parameter.
            let mut literal_of = None;
            let mut cur = s;
            for _ in 0..3 {
                let Some(p) = ctx.parent(cur) else { break };
                if p.named_child(0)
                    .is_some_and(|first| ctx.text(first).ends_with("Literal"))
                {
                    literal_of = Some(p);
                    break;
                }
                cur = p;
            }
            let (holder, literal) = match literal_of {
                Some(l) => (l, ctx.d.is_class(ctx.scope_of(l))),
                None => (holder, false),
            };
            let items: Vec<Node<'t>> = crate::lang::Preorder::new(holder)
                .take(64)
                .filter(|c| c.is_named() && ctx.view(*c).class() == Class::Str)
                .filter(|c| ctx.parent(*c).is_some_and(|p| p.id() == holder.id()) || literal)
                .collect();
            let args_of_call = items.len() > 1 && self.validator_call(holder);
            if literal || args_of_call {
                self.set(holder, &items, true);
            }
        }
    }

    /// One collection: `schema` when its items are the arguments of a validator or a `Literal`.
    fn set(&mut self, node: Node<'t>, items: &[Node<'t>], schema: bool) {
        let ctx = self.ctx;
        let Some(&plain) = items.iter().find(|i| self.is_plain(**i)) else {
            return;
        };
        let has_s256 = items.iter().any(|i| {
            ctx.method_value(*i, 0)
                .is_some_and(|v| v.eq_ignore_ascii_case("s256"))
        });
        // The variable it is bound to, looking through a wrapping `new Set(...)`, `frozenset(...)`.
        let holder = self.holder(node);
        let name = holder
            .map(|(n, _)| n.to_string())
            .or_else(|| super::literals::key_of(ctx, node));
        let named = name
            .as_deref()
            .is_some_and(|n| is_method_name(n) || is_methods_list(n));
        if !has_s256 && !named {
            return;
        }
        if name.as_deref().is_some_and(is_methods_list) {
            self.push(plain, PlainSite::ServerMetadata, false, None);
            return;
        }
        // `pkce: { methods: ["S256", "plain"] }` (oidc-provider and the like).
        if name.as_deref() == Some("methods") {
            self.push(
                plain,
                PlainSite::ServerAllows,
                false,
                Some("the methods option".into()),
            );
            return;
        }
        if schema
            || ctx
                .parent(node)
                .is_some_and(|args| self.validator_call(args))
        {
            self.push(
                plain,
                PlainSite::ServerAllows,
                true,
                Some("a validation schema".into()),
            );
            return;
        }
        let uses: Vec<Node<'t>> = match holder {
            Some((n, target)) => ctx
                .uses_of(n)
                .filter(|u| u.id() != target.id())
                .filter(|u| ctx.ix.binding_of_value(u.id()).is_none())
                .take(32)
                .collect(),
            None => vec![node],
        };
        for u in uses {
            match self.use_of(u) {
                Use::Advertises => self.push(plain, PlainSite::ServerMetadata, false, None),
                Use::Allows(how) => {
                    self.push(plain, PlainSite::ServerAllows, true, Some(how.into()))
                }
                Use::Rejects => self.rejects_plain = true,
                Use::Unknown => continue,
            }
            return;
        }
    }

    /// Whether a node is the argument list of a validator call (`z.enum(...)`, `Joi.valid(...)`).
    fn validator_call(&self, args: Node<'t>) -> bool {
        let ctx = self.ctx;
        ctx.parent(args).is_some_and(|call| {
            matches!(ctx.view(call), View::Call { callee, .. } if ctx.callee_name(callee).is_some_and(is_validator))
        })
    }

    /// The variable a collection is bound to (through a wrapping call), with the node bound.
    fn holder(&self, node: Node<'t>) -> Option<(&'t str, Node<'t>)> {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..3 {
            if let Some(b) = ctx.ix.binding_of_value(cur.id()) {
                return Some((b.name, b.target));
            }
            let parent = ctx.parent(cur)?;
            match ctx.view(parent) {
                View::Call { .. } | View::Wrapped(_) => cur = parent,
                _ if ctx
                    .parent(parent)
                    .is_some_and(|p| matches!(ctx.view(p), View::Call { .. })) =>
                {
                    cur = parent
                }
                _ => return None,
            }
        }
        None
    }

    /// What one use of a set does with the methods it holds.
    fn use_of(&self, u: Node<'t>) -> Use {
        let ctx = self.ctx;
        let Some(parent) = ctx.parent(u) else {
            return Use::Unknown;
        };
        // `ALLOWED.includes(m)`, `ALLOWED.has(m)`.
        let membership = match ctx.view(parent) {
            View::Member { object, property } if object.id() == u.id() => {
                if !matches!(
                    property,
                    "includes" | "has" | "indexOf" | "contains" | "__contains__"
                ) {
                    return Use::Unknown;
                }
                ctx.parent(parent)
                    .filter(|c| matches!(ctx.view(*c), View::Call { .. }))
                    .map(|c| (c, false))
            }
            _ => match ctx.d.membership(parent) {
                Some((_, collection, negated)) if collection.id() == u.id() => {
                    Some((parent, negated))
                }
                _ => None,
            },
        };
        if let Some((test, negated)) = membership {
            return match super::decide::plain_path(ctx, test, negated) {
                Some((path, _, _)) if super::decide::rejects(ctx, path) => Use::Rejects,
                _ => Use::Allows("a membership test"),
            };
        }
        if let Some(key) = super::literals::key_of(ctx, u) {
            if is_methods_list(&key) {
                return Use::Advertises;
            }
            if matches!(key.as_str(), "enum" | "valid" | "oneOf" | "choices") {
                return Use::Allows("a validation schema");
            }
        }
        // `z.enum(METHODS)`, `IsIn(METHODS)`: an argument of a validator.
        if ctx
            .parent(parent)
            .is_some_and(|c| matches!(ctx.view(c), View::Call { callee, .. } if ctx.callee_name(callee).is_some_and(is_validator)))
        {
            return Use::Allows("a validation schema");
        }
        Use::Unknown
    }

    /// Tables from a method to what verifies it: `{ plain: (v, c) => v === c, S256: ... }`.
    pub(super) fn tables(&mut self) {
        let ctx = self.ctx;
        for &o in &ctx.ix.objects {
            let View::Object(entries) = ctx.view(o) else {
                continue;
            };
            let mut plain = None;
            let mut s256 = false;
            for e in entries.iter() {
                if let Entry::Pair(Key::Name(k, key), value) = e {
                    if *k == "plain" {
                        plain = Some((*key, *value));
                    } else if k.eq_ignore_ascii_case("s256") {
                        s256 = true;
                    }
                }
            }
            let (Some((key, value)), true) = (plain, s256) else {
                continue;
            };
            let value = ctx.unwrap(value);
            let body = match ctx.view(value) {
                View::Function => Some(value),
                View::Ident(name) => match ctx.ix.functions.get(name).map(Vec::as_slice) {
                    Some([only]) => Some(*only),
                    Some(_) => continue,
                    None if ctx.ix.imports.contains_key(name) => None,
                    None => continue,
                },
                View::Member { .. } => None,
                _ => continue,
            };
            match body {
                Some(f) if super::decide::rejects(ctx, f) => self.rejects_plain = true,
                _ => self.push(
                    key,
                    PlainSite::ServerAllows,
                    true,
                    Some("a table of verifications by method".into()),
                ),
            }
        }
    }

    /// Options that enable `plain`, judged by their default value: the options guards consult
    /// (`if (m === "plain" && !opts.allowPlain) throw`) and options named for allowing plain PKCE.
    pub(super) fn options(&mut self) {
        let ctx = self.ctx;
        let wanted = |name: &str, flags: &std::collections::HashSet<&str>| {
            flags.contains(name)
                || (crate::analysis::name_has(name, "plain")
                    && ["allow", "enable", "support", "accept"]
                        .iter()
                        .any(|w| crate::analysis::name_has(name, w))
                    && (crate::analysis::name_has(name, "pkce")
                        || crate::analysis::name_has(name, "challenge")
                        || crate::analysis::name_has(name, "method")))
        };
        let mut defaults: Vec<(&'t str, Node<'t>)> = Vec::new();
        for (_, b) in ctx.ix.all_bindings() {
            if b.field.is_none() && wanted(b.name, &self.flags) {
                defaults.push((b.name, b.value));
            }
        }
        for f in &ctx.ix.fields {
            if wanted(f.name, &self.flags) {
                defaults.push((f.name, f.value));
            }
        }
        for &o in &ctx.ix.objects {
            if let View::Object(entries) = ctx.view(o) {
                for e in entries.iter().copied() {
                    if let Entry::Pair(Key::Name(_, key), value) = e {
                        let k = ctx.text(key);
                        let k = k.trim_matches(['"', '\'']);
                        if wanted(k, &self.flags) {
                            defaults.push((&ctx.src[key.byte_range()], value));
                        }
                    }
                }
            }
        }
        for &c in &ctx.ix.calls {
            if let View::Call { args, .. } = ctx.view(c) {
                for a in args.iter().copied() {
                    if let Arg::Keyword(k, v) = a {
                        if wanted(k, &self.flags) {
                            defaults.push((k, v));
                        }
                    }
                }
            }
        }
        let mut on: Vec<&'t str> = Vec::new();
        for (name, value) in defaults {
            if self.enabled(value) {
                let name = name.trim_matches(['"', '\'']);
                on.push(name);
                self.push(
                    value,
                    PlainSite::ServerConfig,
                    false,
                    Some(name.to_string()),
                );
            }
        }
        // A guard whose options are all off by default rejects plain.
        if self
            .guarded
            .iter()
            .any(|flags| flags.iter().all(|f| !on.contains(f)))
        {
            self.rejects_plain = true;
        }
    }

    /// Whether an option's default turns it on: `true`, `"true"`/`"1"`, or an environment lookup whose
    /// default is one of those.
    fn enabled(&self, value: Node<'t>) -> bool {
        let ctx = self.ctx;
        match ctx.value_of(value, 0) {
            Constant::Bool(b) => b,
            Constant::Str(s) => matches!(s.as_str(), "true" | "1" | "yes"),
            _ => match ctx.view(ctx.unwrap(value)) {
                // `os.environ.get("ALLOW_PLAIN_PKCE", "true") == "true"`, `Field(default=True)`.
                View::Call { args, .. } => args.iter().skip(1).any(|a| match a {
                    Arg::Positional(n) | Arg::Keyword("default", n) => self.enabled(*n),
                    _ => false,
                }),
                View::Equals {
                    left,
                    right,
                    negated: false,
                } => self.enabled(left) && ctx.method_value(right, 0).is_some_and(|v| v == "true"),
                _ => false,
            },
        }
    }
}

/// Whether a call validates a value against a list (`z.enum`, `IsIn`, `oneOf`, `Enum`, `OneOf`).
fn is_validator(name: &str) -> bool {
    matches!(
        name,
        "enum"
            | "nativeEnum"
            | "IsIn"
            | "isIn"
            | "oneOf"
            | "OneOf"
            | "valid"
            | "allow"
            | "Enum"
            | "literal"
            | "union"
    )
}
