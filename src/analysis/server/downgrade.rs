//! The token side of pkce-downgrade: verification of the `code_verifier` that runs only when a challenge was
//! stored (`if (record.codeChallenge) { …verify… }`) or only when the client sent a verifier
//! (`if code_verifier: …`), with nothing else in the endpoint's code rejecting the other case.
//!
//! Silent (precision first) when the guard has an `else`, when any other condition of the endpoint's code
//! tests that the challenge or the verifier is missing (`if (!record.codeChallenge) …`,
//! `if (record.challenge && !verifier) …`, `if not code_verifier: …`), or when the endpoint hands the verifier
//! to a function whose body it cannot see, or calls a PKCE check outside the guard.

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, View};
use super::challenge::{self, derived};
use super::presence::{absence, presence};
use crate::analysis::callbacks::within;
use crate::facts::OptionalOn;

/// How many conditions of one endpoint's code are judged.
const MAX_BRANCHES: usize = 128;

/// Pieces of callee names that verify a verifier (or compare in constant time).
const VERIFYING: &[&str] = &["verif", "compar", "equal", "challenge", "pkce", "check"];

/// Functions that only convert the verifier: handing it to them is not handing it away.
const CONVERTING: &[&str] = &[
    "String",
    "str",
    "Buffer",
    "from",
    "encode",
    "decode",
    "TextEncoder",
    "update",
    "digest",
    "sha256",
    "createHash",
    "trim",
    "strip",
    "log",
    "info",
    "debug",
    "warn",
    "error",
    "len",
    "isinstance",
];

/// A condition that makes verification optional.
pub struct Guard<'t> {
    pub condition: Node<'t>,
    pub on: OptionalOn,
    /// The verification it guards: the comparison with the stored challenge, or the verifying call.
    pub verification: Node<'t>,
}

/// The guards of one token endpoint (its function first, then the helpers it calls), outermost first, and
/// the work done.
pub fn guards<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
) -> (Vec<Guard<'t>>, usize) {
    let mut visits = 0;
    let mut seen = HashSet::new();
    let mut branches: Vec<Node<'t>> = Vec::new();
    for f in functions {
        for &b in within(&ctx.ix.branches, *f) {
            if branches.len() >= MAX_BRANCHES {
                break;
            }
            if seen.insert(b.id()) {
                branches.push(b);
            }
        }
    }
    branches.sort_by_key(|b| b.start_byte());
    visits += branches.len();
    let mut candidates: Vec<(Guard<'t>, Node<'t>)> = Vec::new();
    for &bn in &branches {
        let Some(b) = ctx.d.branch(bn) else {
            continue;
        };
        if b.alternative.is_some() {
            continue;
        }
        let Some(on) = presence(ctx, b.condition) else {
            continue;
        };
        let (verification, seen) = verification(ctx, b.consequence);
        visits += seen;
        let Some(verification) = verification else {
            continue;
        };
        candidates.push((
            Guard {
                condition: b.condition,
                on,
                verification,
            },
            b.consequence,
        ));
    }
    if candidates.is_empty() {
        return (Vec::new(), visits);
    }
    let mut out: Vec<Guard<'t>> = Vec::new();
    let mut taken: Vec<Node<'t>> = Vec::new();
    for (guard, consequence) in candidates {
        if taken.iter().any(|t| inside(guard.condition, *t)) {
            continue;
        }
        // The guarded code: the consequence and the endpoint's helpers it calls.
        let mut guarded = vec![consequence];
        guarded.extend(called_within(ctx, functions, consequence));
        // Another condition that rejects a missing challenge or verifier, outside the guarded code.
        let rejected = branches.iter().any(|&bn| {
            !guarded.iter().any(|g| inside(bn, *g))
                && ctx.d.branch(bn).is_some_and(|b| {
                    b.condition.id() != guard.condition.id() && absence(ctx, b.condition).is_some()
                })
        });
        if rejected || checked_elsewhere(ctx, functions, &guarded) {
            continue;
        }
        taken.push(consequence);
        out.push(guard);
    }
    (out, visits)
}

/// Whether `node` lies within `outer`.
fn inside(node: Node, outer: Node) -> bool {
    outer.start_byte() <= node.start_byte() && node.end_byte() <= outer.end_byte()
}

/// The verification in the guarded code: a comparison of a value derived from the verifier with the stored
/// challenge, a call given both, or a verifying call given the verifier (`timingSafeEqual(…)`, `verifyChallenge(code_verifier,
/// …)`, `hmac.compare_digest(…)`), the first in source order.
fn verification<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, code: Node<'t>) -> (Option<Node<'t>>, usize) {
    let (found, visits) = challenge::comparisons(ctx, code);
    let compared = found.first().map(|c| c.node);
    let called = within(&ctx.ix.calls, code).iter().copied().find(|&call| {
        let View::Call { callee, args, .. } = ctx.view(call) else {
            return false;
        };
        let name = ctx.callee_name(callee).unwrap_or("").to_ascii_lowercase();
        let values: Vec<Node<'t>> = args
            .iter()
            .filter_map(|a| match a {
                Arg::Positional(n) | Arg::Keyword(_, n) => Some(*n),
                Arg::Spread(_) => None,
            })
            .collect();
        let given_verifier = values.iter().any(|n| derived(ctx, *n).is_some());
        // `sameBytes(computed, record.challenge)`: the two sides of a verification, whatever its name.
        given_verifier
            && (VERIFYING.iter().any(|v| name.contains(v))
                || values.iter().any(|n| challenge::stored_challenge(ctx, *n)))
    });
    let first = match (compared, called) {
        (Some(a), Some(b)) => Some(if b.start_byte() < a.start_byte() {
            b
        } else {
            a
        }),
        (a, b) => a.or(b),
    };
    (first, visits)
}

/// The endpoint's helpers (not its own function) called by name within `code`.
fn called_within<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
    code: Node<'t>,
) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for &call in within(&ctx.ix.calls, code) {
        let View::Call { callee, .. } = ctx.view(call) else {
            continue;
        };
        let Some(name) = ctx.callee_name(callee) else {
            continue;
        };
        for g in ctx.ix.functions.get(name).into_iter().flatten() {
            if functions[1..].iter().any(|f| f.id() == g.id())
                && !out.iter().any(|o: &Node| o.id() == g.id())
            {
                out.push(*g);
            }
        }
    }
    out
}

/// Whether the endpoint's code outside the guarded code calls a PKCE check, or hands the verifier to a
/// function it does not hold (which may reject a missing one).
fn checked_elsewhere<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
    guarded: &[Node<'t>],
) -> bool {
    functions.iter().any(|f| {
        within(&ctx.ix.calls, *f).iter().any(|&call| {
            if guarded.iter().any(|g| inside(call, *g)) {
                return false;
            }
            let View::Call { callee, args, .. } = ctx.view(call) else {
                return false;
            };
            let Some(name) = ctx.callee_name(callee) else {
                return false;
            };
            // The endpoint's own helper that holds the guard is the way to it (`checkPkce(record, v)`
            // whose body is `if (record.challenge) { … }`), not a check of its own.
            let holds_guard = ctx.ix.functions.get(name).is_some_and(|fs| {
                fs.iter().any(|g| {
                    functions.iter().any(|f| f.id() == g.id())
                        && guarded.iter().any(|b| inside(*b, *g))
                })
            });
            if holds_guard {
                return false;
            }
            let lower = name.to_ascii_lowercase();
            if lower.contains("pkce") || lower.contains("verif") {
                return true;
            }
            if CONVERTING.contains(&name) {
                return false;
            }
            let own = ctx.ix.functions.get(name).is_some_and(|fs| {
                fs.iter()
                    .any(|g| functions.iter().any(|f| f.id() == g.id()))
            });
            !own && args.iter().any(|a| match a {
                Arg::Positional(n) | Arg::Keyword(_, n) => challenge::reads_verifier(ctx, *n),
                Arg::Spread(_) => false,
            })
        })
    })
}
