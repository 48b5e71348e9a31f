//! What the code that runs for `plain` does: the path a comparison or membership test leads `plain` down,
//! whether that path rejects (throws, raises, aborts, answers with an error, returns `false`) or accepts
//! (compares a verifier with a challenge, returns `true`), and the options a condition consults.

use tree_sitter::Node;

use crate::analysis::{Arg, Ctx, Dialect, Entry, Key, View};

/// For a test that holds when the method is `plain` (`negated`: when it is not), the code that runs for
/// `plain`, whether the test is a conjunction with a check of the verifier or challenge
/// (`method === "plain" && verifier !== challenge` accepts plain whatever the branch does), and the whole
/// condition. `None` when the test is not the condition of a branch, or the branch has no code for `plain`.
pub(super) fn plain_path<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    test: Node<'t>,
    negated: bool,
) -> Option<(Node<'t>, bool, Node<'t>)> {
    let mut cur = test;
    let mut negated = negated;
    let mut with_verifier = false;
    for _ in 0..8 {
        let parent = ctx.parent(cur)?;
        if let Some(branch) = ctx.d.branch(parent) {
            if branch.condition.id() != cur.id() && !is_ancestor(branch.condition, test) {
                return None;
            }
            // `if (method !== "plain") {...}` with no else: what happens to plain is decided elsewhere.
            let path = if negated {
                branch.alternative?
            } else {
                branch.consequence
            };
            return Some((path, with_verifier, branch.condition));
        }
        let text = ctx.text(parent);
        if text.starts_with('!') || text.starts_with("not ") {
            negated = !negated;
        }
        if (text.contains("&&") || text.contains(" and "))
            && (text.contains("erifier") || text.contains("hallenge"))
        {
            with_verifier = true;
        }
        cur = parent;
    }
    None
}

/// Whether a comparison is one alternative of a disjunction (`m === "S256" || m === "plain"`).
pub(super) fn in_or_chain<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, cmp: Node<'t>) -> bool {
    ctx.parent(cmp).is_some_and(|p| {
        let t = ctx.text(p);
        t.contains("||") || t.contains(" or ")
    })
}

pub(super) fn is_ancestor(ancestor: Node, node: Node) -> bool {
    ancestor.start_byte() <= node.start_byte() && node.end_byte() <= ancestor.end_byte()
}

/// Whether a block of code rejects the request: throws or raises, aborts, answers with an error status, or
/// returns `false`/an error. Looks at the nodes themselves (not at comments).
pub(super) fn rejects<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> bool {
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
                if entries
                    .iter()
                    .any(|e| matches!(e, Entry::Pair(Key::Name(k, _), _) if *k == "error")) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Whether code accepts a verifier: compares values (`===`, `==`, a `compare`/`equal` helper such as
/// `timingSafeEqual` or `compare_digest`) or returns `true`. A generator's branch for plain returns the
/// verifier as the challenge instead.
pub(super) fn accepts<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> bool {
    for node in crate::lang::Preorder::new(block) {
        match ctx.view(node) {
            View::Equals { .. } => return true,
            View::Bool(true) if ctx.parent(node).is_some_and(|p| ctx.d.is_return(p)) => {
                return true
            }
            View::Call { callee, .. } => {
                let lower = ctx.callee_name(callee).unwrap_or("").to_ascii_lowercase();
                if lower.contains("equal") || lower.contains("compare") || lower.contains("same") {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The options a condition consults besides the method (`!opts.allowPlain`, `not settings.allow_plain`):
/// names that mention `plain`.
pub(super) fn flags<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, condition: Node<'t>) -> Vec<&'t str> {
    let mut out = Vec::new();
    for node in crate::lang::Preorder::new(condition).take(64) {
        let name = match ctx.view(node) {
            View::Member { property, .. } => property,
            View::Ident(name) => name,
            _ => continue,
        };
        if crate::analysis::name_has(name, "plain") && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Whether code verifies a verifier against a challenge: a comparison or a compare/equal helper whose text
/// names a verifier or a challenge.
pub(super) fn verifies<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> bool {
    let names = |n: Node<'t>| {
        let t = ctx.text(n);
        t.len() < 400 && (t.contains("erifier") || t.contains("hallenge"))
    };
    let literal = |n: Node<'t>| {
        matches!(ctx.view(ctx.unwrap(n)).class(), crate::analysis::Class::Str)
            || matches!(ctx.view(ctx.unwrap(n)), View::Number(_) | View::Bool(_))
    };
    for node in crate::lang::Preorder::new(block) {
        match ctx.view(node) {
            // `verifier === record.challenge`, not `typeof verifier === "string"`.
            View::Equals { left, right, .. }
                if names(node) && !literal(left) && !literal(right) =>
            {
                return true
            }
            View::Call { callee, .. } => {
                let lower = ctx.callee_name(callee).unwrap_or("").to_ascii_lowercase();
                if (lower.contains("equal") || lower.contains("compare") || lower.contains("same"))
                    && names(node)
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}
