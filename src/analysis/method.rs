//! Where `"plain"` is a PKCE method: sent by a client, advertised, accepted in a branch, or used as a default.
//! (Query strings with `code_challenge_method=plain` are found with the requests, which fold strings anyway.)

use tree_sitter::Node;

use crate::lang::NodeKind;

use super::{Arg, Ctx, Dialect, View};
use crate::facts::{FileFacts, PlainMethod, PlainSite};

/// Whether a name is about the PKCE method (`code_challenge_method`, `codeChallengeMethod`).
fn is_method_name(name: &str) -> bool {
    super::name_has(name, "challengemethod")
}

/// Whether a name lists supported methods (`code_challenge_methods_supported`).
fn is_methods_list(name: &str) -> bool {
    super::name_has(name, "challengemethods") || super::name_has(name, "pkcemethods")
}

/// `"plain"` is common (`text/plain`, plain objects); it is a PKCE method only where the file also mentions
/// a challenge, a verifier or PKCE. This is also what lets the prefilter look for those words, not `plain`.
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) {
    for &s in &ctx.ix.strings {
        if ctx.string_value(s).as_deref() != Some("plain") {
            continue;
        }
        if let Some((site, rejected)) = classify(ctx, s) {
            facts.plain_methods.push(PlainMethod {
                span: super::span(s),
                site,
                rejected,
                detail: None,
            });
        }
    }
}

/// The name a value is given: the key of its pair, the keyword of its argument, the variable it is bound to,
/// the member it is written to, or the first argument of `.set(name, value)`.
fn name_of<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, value: Node<'t>) -> Option<String> {
    let parent = ctx.parent(value)?;
    if let Some(b) = ctx.ix.binding_of_value(value.id()) {
        return Some(b.name.to_string());
    }
    if let Some(w) = ctx
        .ix
        .member_writes
        .iter()
        .find(|w| w.value.id() == value.id())
    {
        return match ctx.view(ctx.unwrap(w.target)) {
            View::Member { property, .. } => Some(property.to_string()),
            View::Index { index, .. } => ctx.string_value(index),
            _ => None,
        };
    }
    if let Some((name, v)) = ctx.d.default_value(parent, ctx.src) {
        if v.id() == value.id() {
            return Some(name.to_string());
        }
    }
    // A pair in an object or dict, or a keyword argument: the key is the parent's first named child.
    if matches!(parent.k(), "pair" | "keyword_argument") {
        let key = parent.named_child(0)?;
        if key.id() == value.id() {
            return None;
        }
        return ctx
            .string_value(key)
            .or_else(|| Some(ctx.text(key).to_string()));
    }
    // `.set("code_challenge_method", "plain")`
    let args = parent;
    if matches!(args.k(), "arguments" | "argument_list") {
        let call = ctx.parent(args)?;
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

fn classify<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, s: Node<'t>) -> Option<(PlainSite, bool)> {
    let parent = ctx.parent(s)?;
    // A list of methods: `code_challenge_methods_supported: ["S256", "plain"]`.
    if matches!(ctx.view(parent), View::Array(_)) {
        let name = name_of(ctx, parent)?;
        return (is_methods_list(&name) || is_method_name(&name))
            .then_some((PlainSite::ServerMetadata, false));
    }
    // `method || "plain"`, `method ?? "plain"`, `method or "plain"`.
    if let View::Or(left, right) = ctx.view(parent) {
        if right.id() == s.id() && super::name_has(ctx.text(left), "method") {
            return Some((PlainSite::ServerDefault, false));
        }
        return None;
    }
    // `.get("code_challenge_method", "plain")`, `getattr(body, "code_challenge_method", "plain")`.
    if matches!(parent.k(), "arguments" | "argument_list") {
        if let Some(call) = ctx.parent(parent) {
            if let View::Call { callee, args, .. } = ctx.view(call) {
                let callee_name = ctx.callee_name(callee).unwrap_or("");
                if matches!(callee_name, "get" | "getattr" | "pop" | "getOrDefault") {
                    let names_method = args.iter().any(|a| matches!(a, Arg::Positional(n) if n.id() != s.id() && ctx.string_value(*n).is_some_and(|k| super::name_has(&k, "method"))));
                    if names_method {
                        return Some((PlainSite::ServerDefault, false));
                    }
                }
            }
        }
    }
    // `method === "plain"` in a condition.
    if let View::Equals {
        left,
        right,
        negated,
    } = ctx.view(parent)
    {
        let other = if left.id() == s.id() { right } else { left };
        if !super::name_has(ctx.text(other), "method") {
            return None;
        }
        return branch_verdict(ctx, parent, negated)
            .map(|rejected| (PlainSite::ServerBranch, rejected));
    }
    // `case "plain":`
    if parent.k() == "switch_case" {
        let body_rejects = rejects(ctx, parent);
        return Some((PlainSite::ServerBranch, body_rejects));
    }
    // A default parameter or destructuring default, a variable, a pair, a keyword, a `.set`.
    let name = name_of(ctx, s)?;
    if let Some((n, _)) = ctx.d.default_value(parent, ctx.src) {
        if super::name_has(n, "method") && (is_method_name(n) || n == "method") {
            return Some((PlainSite::ServerDefault, false));
        }
    }
    if name == "pkce" || is_method_name(&name) {
        // `if (!method) method = "plain"` is a default on the server side.
        if let Some(b) = ctx.ix.binding_of_value(s.id()) {
            let mut cur = b.target;
            for _ in 0..4 {
                let Some(p) = ctx.parent(cur) else { break };
                if let Some(br) = ctx.d.branch(p) {
                    if ctx.text(br.condition).contains(b.name) {
                        return Some((PlainSite::ServerDefault, false));
                    }
                }
                cur = p;
            }
        }
        return Some((PlainSite::ClientParam, false));
    }
    None
}

/// For a comparison of the method with `"plain"`: whether the code that runs for `plain` rejects it.
/// `None` when the comparison is not the condition of a branch.
fn branch_verdict<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    comparison: Node<'t>,
    negated: bool,
) -> Option<bool> {
    let mut cur = comparison;
    let mut negated = negated;
    // A conjunction with a check of the verifier (`method === "plain" && verifier !== challenge`) accepts
    // plain whatever the branch does.
    let mut conjunction_with_verifier = false;
    for _ in 0..8 {
        let parent = ctx.parent(cur)?;
        if let Some(branch) = ctx.d.branch(parent) {
            if branch.condition.id() != cur.id() && !is_ancestor(branch.condition, comparison) {
                return None;
            }
            if conjunction_with_verifier {
                return Some(false);
            }
            // `if (method !== "plain") {...}` with no else: what happens to plain is decided elsewhere.
            let plain_path = if negated {
                branch.alternative?
            } else {
                branch.consequence
            };
            return Some(rejects(ctx, plain_path));
        }
        let text = ctx.text(parent);
        if text.starts_with('!') || text.starts_with("not ") {
            negated = !negated;
        }
        if (text.contains("&&") || text.contains(" and "))
            && (text.contains("erifier") || text.contains("hallenge"))
        {
            conjunction_with_verifier = true;
        }
        cur = parent;
    }
    None
}

fn is_ancestor(ancestor: Node, node: Node) -> bool {
    ancestor.start_byte() <= node.start_byte() && node.end_byte() <= ancestor.end_byte()
}

/// Whether a block of code rejects the request: throws or raises, aborts, answers with an error status, or
/// returns `false`/an error. Looks at the nodes themselves (not at comments).
pub fn rejects<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> bool {
    for node in crate::lang::Preorder::new(block) {
        if ctx.d.is_comment(node) {
            continue;
        }
        if ctx.d.is_throw(node) {
            return true;
        }
        match ctx.view(node) {
            View::Bool(false) if ctx.parent(node).is_some_and(|p| ctx.d.is_return(p)) => {
                return true
            }
            View::Call { callee, .. } => {
                let name = ctx.callee_name(callee).unwrap_or("");
                let lower = name.to_ascii_lowercase();
                if matches!(
                    name,
                    "abort" | "reject" | "sendError" | "fail" | "deny" | "HTTPException"
                ) || lower.contains("error")
                    || lower.starts_with("invalid")
                {
                    return true;
                }
                if name == "status" || name == "sendStatus" {
                    if let View::Call { args, .. } = ctx.view(node) {
                        if let Some(Arg::Positional(n)) = args.first() {
                            if ctx
                                .number_value(*n, 0)
                                .is_some_and(|v| (400.0..500.0).contains(&v))
                            {
                                return true;
                            }
                        }
                    }
                }
            }
            View::Number(v) if (400.0..500.0).contains(&v) && ctx.text(node).len() == 3 => {
                return true
            }
            View::Object(entries)
                if entries.iter().any(
                    |e| matches!(e, super::Entry::Pair(super::Key::Name(k, _), _) if k == "error"),
                ) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}
