//! Conditions on the presence of the submitted verifier or of the stored challenge: the guard that makes
//! verification optional (`if (record.codeChallenge)`, `if code_verifier:`) and the tests that reject a
//! missing one (`if (!record.codeChallenge)`, `if not code_verifier`, `x is None`, a length test).

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, View};
use super::challenge::{is_challenge_name, is_verifier_name, reads_challenge, reads_verifier};
use crate::facts::OptionalOn;

/// What a condition tests the presence of: the submitted verifier or the stored challenge.
fn subject<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    depth: usize,
) -> Option<OptionalOn> {
    let node = ctx.unwrap(node);
    if reads_verifier(ctx, node) {
        return Some(OptionalOn::SubmittedVerifier);
    }
    if reads_challenge(ctx, node) {
        return Some(OptionalOn::StoredChallenge);
    }
    // `const isPkceEnabled = !!grantData.codeChallenge`.
    match ctx.view(node) {
        View::Ident(name) if depth < 2 => {
            let value = ctx.resolve_ident(name, node)?;
            presence_at(ctx, value, depth + 1)
        }
        _ => None,
    }
}

/// Whether an expression is `null`, `None`, `undefined` or `""`.
fn is_nullish<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let node = ctx.unwrap(node);
    match ctx.view(node) {
        View::Null => true,
        // `undefined` is its own node kind in JavaScript grammars.
        View::Ident(_) | View::Other => ctx.text(node) == "undefined",
        View::Str(_) => ctx.string_value(node).is_some_and(|s| s.is_empty()),
        _ => false,
    }
}

/// The value a condition requires to be present, when it holds only if the submitted verifier or the stored
/// challenge is there: `record.codeChallenge`, `code_verifier`, `stored.get("code_challenge")`, `x != null`,
/// `x is not None`, `"code_verifier" in form`, `!!x`, `Boolean(x)`, or a conjunction with one of them.
pub fn presence<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, cond: Node<'t>) -> Option<OptionalOn> {
    presence_at(ctx, cond, 0)
}

fn presence_at<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    cond: Node<'t>,
    depth: usize,
) -> Option<OptionalOn> {
    if depth > 4 {
        return None;
    }
    let cond = ctx.unwrap(cond);
    if let Some((item, _, negated)) = ctx.d.membership(cond) {
        let name = ctx.string_value(ctx.unwrap(item))?;
        return (!negated).then(|| name_subject(&name)).flatten();
    }
    match ctx.view(cond) {
        View::And(a, b) => {
            presence_at(ctx, a, depth + 1).or_else(|| presence_at(ctx, b, depth + 1))
        }
        View::Not(x) => match ctx.view(ctx.unwrap(x)) {
            View::Not(y) => subject(ctx, y, depth),
            _ => None,
        },
        View::Equals {
            left,
            right,
            negated: true,
        } => {
            if is_nullish(ctx, right) {
                subject(ctx, left, depth)
            } else if is_nullish(ctx, left) {
                subject(ctx, right, depth)
            } else {
                None
            }
        }
        View::Call { callee, args, .. } if ctx.text(ctx.unwrap(callee)) == "Boolean" => {
            match &args[..] {
                [Arg::Positional(x)] => subject(ctx, *x, depth),
                _ => None,
            }
        }
        View::Ident(_) | View::Member { .. } | View::Index { .. } | View::Call { .. } => {
            subject(ctx, cond, depth)
        }
        _ => None,
    }
}

fn name_subject(name: &str) -> Option<OptionalOn> {
    if is_verifier_name(name) {
        Some(OptionalOn::SubmittedVerifier)
    } else if is_challenge_name(name) {
        Some(OptionalOn::StoredChallenge)
    } else {
        None
    }
}

/// The value a condition tests the absence of (somewhere in it): `!record.codeChallenge`, `not verifier`,
/// `x == null`, `x is None`, `"code_challenge" not in params`, `!isPkceEnabled`, `typeof x !== "string"`,
/// a length test; through `&&`, `||` and parentheses.
pub fn absence<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, cond: Node<'t>) -> Option<OptionalOn> {
    absence_at(ctx, cond, 0)
}

fn absence_at<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    cond: Node<'t>,
    depth: usize,
) -> Option<OptionalOn> {
    if depth > 8 {
        return None;
    }
    let cond = ctx.unwrap(cond);
    if let Some((item, _, negated)) = ctx.d.membership(cond) {
        let name = ctx.string_value(ctx.unwrap(item))?;
        return negated.then(|| name_subject(&name)).flatten();
    }
    match ctx.view(cond) {
        View::And(a, b) | View::Or(a, b) => {
            absence_at(ctx, a, depth + 1).or_else(|| absence_at(ctx, b, depth + 1))
        }
        View::Not(x) => presence_at(ctx, x, 0),
        View::Equals {
            left,
            right,
            negated,
        } => {
            let (l, r) = (ctx.unwrap(left), ctx.unwrap(right));
            if !negated && is_nullish(ctx, r) {
                return subject(ctx, l, 0);
            }
            if !negated && is_nullish(ctx, l) {
                return subject(ctx, r, 0);
            }
            // `typeof x !== "string"`, `len(x) == 0`, `x.length === 0`: a test of its shape.
            [l, r].into_iter().find_map(|side| {
                let text = ctx.text(side);
                let shaped = text.len() <= 256
                    && (text.starts_with("typeof ")
                        || text.starts_with("len(")
                        || text.ends_with(".length"));
                shaped.then(|| name_subject(text)).flatten()
            })
        }
        _ => {
            // `len(code_challenge) < 43`, `code_challenge.length < 43`: a test that fails on a missing value.
            let text = ctx.text(cond);
            let shaped = text.len() <= 256 && (text.contains("len(") || text.contains(".length"));
            shaped.then(|| name_subject(text)).flatten()
        }
    }
}
