//! A `plain` value where it stands: sent by a client (`code_challenge_method: "plain"`, `.set(...)`,
//! a keyword), compared in a branch, given as a fallback (`m ?? X`, `m or X`, `.get(k, X)`, a parameter or
//! destructuring default, `if (!m) m = X`) where `X` is `"plain"` or a constant holding it. Collections of
//! methods are `sets`' business. (Query strings with `code_challenge_method=plain` are found with the
//! requests, which fold strings anyway.)

use tree_sitter::Node;

use super::{is_method_name, Method};
use crate::analysis::{Arg, Ctx, Dialect, View};
use crate::facts::PlainSite;

/// The key a value is given: the key of its pair, the keyword of its argument, the first argument of
/// `.set(name, value)`, the name it is bound to or the member it is written to.
pub(super) fn key_of<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, value: Node<'t>) -> Option<String> {
    if let Some(key) = ctx.d.key_of_value(value) {
        return ctx
            .string_value(key)
            .or_else(|| Some(ctx.text(key).to_string()));
    }
    // `.set("code_challenge_method", "plain")`
    let parent = ctx.parent(value)?;
    if ctx.d.is_arguments(parent) {
        let call = ctx.parent(parent)?;
        if let View::Call { callee, args, .. } = ctx.view(call) {
            if matches!(
                ctx.callee_name(callee),
                Some("set" | "append" | "setdefault")
            ) {
                if let Some(Arg::Positional(k)) = args.first() {
                    if k.id() != value.id() {
                        return ctx.string_value(*k);
                    }
                }
            }
        }
    }
    None
}

impl<'c, 't, D: Dialect> Method<'c, 't, '_, D> {
    /// Every `"plain"` literal in a place that decides or sends the method.
    pub(super) fn literals(&mut self) {
        let ctx = self.ctx;
        for &s in &ctx.ix.strings {
            if ctx.string_value(s).as_deref() != Some("plain") {
                continue;
            }
            let Some(parent) = ctx.parent(s) else {
                continue;
            };
            match ctx.view(parent) {
                View::Array(_) => continue,
                View::Or(left, right) if right.id() == s.id() => {
                    self.default_site(parent, left, s);
                    continue;
                }
                View::Or(..) => continue,
                View::Equals {
                    left,
                    right,
                    negated,
                } => {
                    let other = if left.id() == s.id() { right } else { left };
                    self.branch_site(parent, other, s, negated);
                    continue;
                }
                _ => {}
            }
            // `.get("code_challenge_method", "plain")`, `getattr(body, "code_challenge_method", "plain")`.
            if ctx.d.is_arguments(parent) {
                if let Some(call) = ctx.parent(parent) {
                    if self.get_default(call, s) {
                        continue;
                    }
                }
            }
            // `case "plain":` in a `switch` or a `match` on the method.
            if let Some((subject, body)) = ctx.d.case_of(s) {
                if subject.is_some_and(|x| !self.holds_method(x)) {
                    continue;
                }
                if super::decide::rejects(ctx, body) {
                    self.rejects_plain = true;
                } else if !self.generates(body) {
                    self.push(s, PlainSite::ServerBranch, false, None);
                }
                continue;
            }
            // A parameter or destructuring default: `{ method = "plain" }`, `def f(method="plain")`.
            if let Some((name, v)) = ctx.d.default_value(parent, ctx.src) {
                if v.id() == s.id() && (is_method_name(name) || self.compared.contains(name)) {
                    match ctx.enclosing_function(s) {
                        Some(f) if ctx.d.parameters(f, ctx.src).contains(&name) => {
                            self.parameter_default(f, name, s)
                        }
                        _ => self.push(s, PlainSite::ServerDefault, true, None),
                    }
                }
                continue;
            }
            // A pair, a keyword, a `.set`: the client sends it.
            if let Some(key) = key_of(ctx, s) {
                if super::super::name_has(&key, "challengemethod") || key == "pkce" {
                    self.push(s, PlainSite::ClientParam, false, None);
                }
                continue;
            }
            // `if (!method) method = "plain"`: a default; a constant (`const PLAIN = "plain"`) is judged
            // where it is used.
            if let Some(b) = ctx.ix.binding_of_value(s.id()) {
                if is_method_name(b.name) || self.compared.contains(b.name) {
                    let mut cur = b.target;
                    for _ in 0..4 {
                        let Some(p) = ctx.parent(cur) else { break };
                        if let Some(br) = ctx.d.branch(p) {
                            if ctx.text(br.condition).contains(b.name) {
                                match ctx.enclosing_function(s) {
                                    Some(f) if ctx.d.parameters(f, ctx.src).contains(&b.name) => {
                                        self.parameter_default(f, b.name, s)
                                    }
                                    _ => self.push(s, PlainSite::ServerDefault, true, None),
                                }
                                break;
                            }
                        }
                        cur = p;
                    }
                }
            }
        }
    }

    /// Fallbacks whose `plain` comes through a constant, a class constant or an enum-like object.
    pub(super) fn fallbacks(&mut self) {
        let ctx = self.ctx;
        for &or in &ctx.ix.ors {
            let View::Or(left, right) = ctx.view(or) else {
                continue;
            };
            if ctx.string_value(right).is_some()
                && ctx.view(ctx.unwrap(right)).class() == crate::analysis::Class::Str
            {
                continue;
            }
            if self.is_plain(right) {
                self.default_site(or, left, right);
            }
        }
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            if !matches!(
                ctx.callee_name(callee),
                Some("get" | "getattr" | "pop" | "getOrDefault" | "get_or")
            ) {
                continue;
            }
            for a in args.iter().skip(1) {
                if let Arg::Positional(d) | Arg::Keyword("default", d) = *a {
                    if ctx.view(ctx.unwrap(d)).class() != crate::analysis::Class::Str
                        && self.is_plain(d)
                    {
                        self.get_default(call, d);
                    }
                }
            }
        }
    }

    /// A client sending plain through a constant: `{ code_challenge_method: PLAIN }`,
    /// `code_challenge_method=Method.PLAIN`, `.set("code_challenge_method", METHOD)`.
    pub(super) fn sent_constants(&mut self) {
        let ctx = self.ctx;
        let sends = |k: &str| super::super::name_has(k, "challengemethod");
        let constant = |v: Node<'t>| ctx.view(ctx.unwrap(v)).class() != crate::analysis::Class::Str;
        let mut found = Vec::new();
        for &o in &ctx.ix.objects {
            if let View::Object(entries) = ctx.view(o) {
                for e in entries.iter().copied() {
                    if let crate::analysis::Entry::Pair(crate::analysis::Key::Name(k, _), v) = e {
                        if sends(k) && constant(v) && self.is_plain(v) {
                            found.push(v);
                        }
                    }
                }
            }
        }
        for &c in &ctx.ix.calls {
            let View::Call { callee, args, .. } = ctx.view(c) else {
                continue;
            };
            for a in args.iter() {
                if let Arg::Keyword(k, v) = a {
                    if sends(k) && constant(*v) && self.is_plain(*v) {
                        found.push(*v);
                    }
                }
            }
            if matches!(ctx.callee_name(callee), Some("set" | "append")) {
                if let (Some(Arg::Positional(k)), Some(Arg::Positional(v))) =
                    (args.first(), args.get(1))
                {
                    if ctx.string_value(*k).is_some_and(|k| sends(&k))
                        && constant(*v)
                        && self.is_plain(*v)
                    {
                        found.push(*v);
                    }
                }
            }
        }
        for v in found {
            self.push(ctx.unwrap(v), PlainSite::ClientParam, false, None);
        }
    }

    /// `x.get(key, plain)`, `getattr(o, key, plain)`, `.pop`, `getOrDefault`: a default when the key names a
    /// method or the value goes where a method is held.
    fn get_default(&mut self, call: Node<'t>, default: Node<'t>) -> bool {
        let ctx = self.ctx;
        let View::Call { callee, args, .. } = ctx.view(call) else {
            return false;
        };
        if !matches!(
            ctx.callee_name(callee),
            Some("get" | "getattr" | "pop" | "getOrDefault" | "get_or")
        ) {
            return false;
        }
        let names_method = args.iter().any(|a| {
            matches!(a, Arg::Positional(n) if n.id() != default.id()
                && ctx.string_value(*n).is_some_and(|k| is_method_name(&k)))
        });
        if names_method || self.flows_to_method(call) {
            self.push(default, PlainSite::ServerDefault, true, None);
        }
        true
    }

    /// `source || plain`: a default of the method when the source or the result holds one.
    fn default_site(&mut self, or: Node<'t>, source: Node<'t>, plain: Node<'t>) {
        let ctx = self.ctx;
        if !(self.holds_method(source) || self.flows_to_method(or)) {
            return;
        }
        if let View::Ident(name) = ctx.view(ctx.unwrap(source)) {
            if let Some(f) = ctx.enclosing_function(or) {
                if ctx.d.parameters(f, ctx.src).contains(&name) {
                    self.parameter_default(f, name, plain);
                    return;
                }
            }
        }
        self.push(plain, PlainSite::ServerDefault, true, None);
    }

    /// A comparison of the method with `plain` in a condition.
    pub(super) fn branch_site(
        &mut self,
        cmp: Node<'t>,
        other: Node<'t>,
        plain: Node<'t>,
        negated: bool,
    ) {
        let ctx = self.ctx;
        if !self.holds_method(other) {
            return;
        }
        let Some((path, with_verifier, condition)) = super::decide::plain_path(ctx, cmp, negated)
        else {
            // `m === "S256" || m === "plain"` returned or bound: a predicate that lets plain through.
            if !negated && super::decide::in_or_chain(ctx, cmp) {
                self.push(
                    plain,
                    PlainSite::ServerAllows,
                    true,
                    Some("a predicate on the method".into()),
                );
            }
            return;
        };
        if !with_verifier && super::decide::rejects(ctx, path) {
            // Rejected, or rejected unless an option enables it: that counts once the option's default is
            // known to be off (`options`).
            let flags = super::decide::flags(ctx, condition);
            if flags.is_empty() {
                self.rejects_plain = true;
            } else {
                self.flags.extend(flags.iter().copied());
                self.guarded.push(flags);
            }
            return;
        }
        // A generator's branch for `plain` (`if (method === "plain") return verifier`): what matters is
        // whether a caller asks for plain.
        if self.generates(path) {
            if let View::Ident(name) = ctx.view(ctx.unwrap(other)) {
                if let Some(f) = ctx.enclosing_function(cmp) {
                    let params = ctx.d.parameters(f, ctx.src);
                    if let Some(i) = params.iter().position(|p| *p == name) {
                        self.plain_callers(f, i, name);
                    }
                }
            }
            return;
        }
        self.push(plain, PlainSite::ServerBranch, false, None);
    }

    /// Whether the code for `plain` is a challenge generator's: it hands the verifier on as the challenge
    /// (`return verifier`, `challenge = verifier`) in a function that verifies nothing (asked once per
    /// function).
    fn generates(&mut self, path: Node<'t>) -> bool {
        let ctx = self.ctx;
        let t = ctx.text(path);
        if !(t.contains("erifier") || t.contains("VERIFIER")) || super::decide::accepts(ctx, path) {
            return false;
        }
        let Some(f) = ctx.enclosing_function(path) else {
            return true;
        };
        if let Some(&v) = self.verifying.get(&f.id()) {
            return !v;
        }
        let v = super::decide::verifies(ctx, f);
        self.visits.set(self.visits.get() + f.descendant_count());
        self.verifying.insert(f.id(), v);
        !v
    }

    /// The name of a function defined in the file, by its node.
    fn function_name(&mut self, f: Node<'t>) -> Option<&'t str> {
        let ctx = self.ctx;
        let names = self.function_names.get_or_insert_with(|| {
            let mut map = std::collections::HashMap::new();
            for (name, defs) in &ctx.ix.functions {
                for d in defs {
                    map.insert(d.id(), *name);
                }
            }
            map
        });
        names.get(&f.id()).copied()
    }

    /// The calls of a function in the file (by its name).
    fn calls_of(&mut self, name: &'t str) -> Vec<Node<'t>> {
        let ctx = self.ctx;
        if self.callers.is_none() {
            // Every call by its callee's last name, once for the file.
            let mut map: std::collections::HashMap<&'t str, Vec<Node<'t>>> = Default::default();
            for &c in &ctx.ix.calls {
                if let View::Call { callee, .. } = ctx.view(c) {
                    if let Some(n) = ctx.callee_name(callee) {
                        map.entry(n).or_default().push(c);
                    }
                }
            }
            self.visits.set(self.visits.get() + ctx.ix.calls.len());
            self.callers = Some(map);
        }
        let calls = self
            .callers
            .as_ref()
            .and_then(|m| m.get(name))
            .cloned()
            .unwrap_or_default();
        self.visits.set(self.visits.get() + calls.len());
        calls
    }

    /// The argument a call passes for parameter `i` named `name`.
    fn argument(&self, call: Node<'t>, i: usize, name: &str) -> Option<Node<'t>> {
        let View::Call { args, .. } = self.ctx.view(call) else {
            return None;
        };
        Ctx::<D>::arg(&args, i, name)
    }

    /// Callers of a generator that pass `plain` for its method parameter: each sends plain.
    fn plain_callers(&mut self, f: Node<'t>, i: usize, name: &'t str) {
        let Some(fname) = self.function_name(f) else {
            return;
        };
        for call in self.calls_of(fname) {
            if let Some(arg) = self.argument(call, i, name) {
                if self.is_plain(arg) {
                    self.push(arg, PlainSite::ClientParam, false, Some(fname.to_string()));
                }
            }
        }
    }

    /// A parameter whose missing value becomes `plain`: an API default, reported at the callers in the file
    /// that leave it out (callers elsewhere are the project phase's). A decorated Python function (a route)
    /// is called by its framework with the request's values: there the default is the server's.
    fn parameter_default(&mut self, f: Node<'t>, name: &'t str, plain: Node<'t>) {
        let ctx = self.ctx;
        if ctx.parent(f).is_some_and(|p| ctx.text(p).starts_with('@')) {
            self.push(plain, PlainSite::ServerDefault, true, None);
            return;
        }
        let Some(fname) = self.function_name(f) else {
            return;
        };
        let Some(i) = ctx.d.parameters(f, ctx.src).iter().position(|p| *p == name) else {
            return;
        };
        let server = super::decide::verifies(ctx, f);
        for call in self.calls_of(fname) {
            let View::Call { callee, .. } = ctx.view(call) else {
                continue;
            };
            match self.argument(call, i, name) {
                None => {
                    let (site, soft) = if server {
                        (PlainSite::ServerDefault, true)
                    } else {
                        (PlainSite::ClientDefault, false)
                    };
                    self.push(ctx.unwrap(callee), site, soft, Some(fname.to_string()));
                }
                Some(arg) if self.is_plain(arg) => {
                    self.push(arg, PlainSite::ClientParam, false, Some(fname.to_string()))
                }
                Some(_) => {}
            }
        }
    }
}
