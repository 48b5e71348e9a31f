//! The verification of a submitted `code_verifier` against the stored challenge (RFC 7636 §4.6): which
//! expressions are the verifier or derived from it (hashed, encoded, through variables and helpers), which
//! name the stored challenge, and the comparisons between the two.
//!
//! Comparisons are looked for in token endpoints (with their helpers), in functions of the file that take
//! the verifier as a parameter (`verifyPkce(verifier, challenge)`, authlib's `compare_s256_code_challenge`)
//! and in functions that read it from a request (`body.code_verifier`, `params.get("code_verifier")`, for
//! token routes whose grant-type check is elsewhere): a client computes a challenge from a verifier it
//! made, and never compares it with a stored one. Test functions (`test_…`) assert on challenges a client
//! sent and are left alone.

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{name_has, Arg, Ctx, Dialect, StrPart, View};
use crate::lang::Preorder;

/// How deep `derived` follows an expression through calls, members and variables, and how many nodes one
/// question may visit.
const MAX_DERIVED_DEPTH: usize = 20;
const MAX_DERIVED_NODES: usize = 256;

/// How many functions with a verifier parameter one file may have judged.
pub const MAX_HELPERS: usize = 64;

/// How many comparisons one function may have judged.
const MAX_COMPARISONS: usize = 256;

/// Pieces of callee names that answer a question about a value (a check, a comparison) rather than transform
/// it: a call to them is not a value derived from the verifier.
const PREDICATES: &[&str] = &["verif", "compare", "equal", "valid", "check"];

/// Whole callee names of the same kind (`len` is a piece of `toChallenge`).
const PREDICATE_NAMES: &[&str] = &[
    "len",
    "count",
    "index",
    "indexof",
    "has",
    "includes",
    "startswith",
    "endswith",
    "isinstance",
    "test",
    "match",
    "search",
];

/// Words of receivers that hold the request's parameters.
const REQUEST_WORDS: &[&str] = &[
    "req",
    "request",
    "query",
    "body",
    "params",
    "searchparams",
    "args",
    "form",
    "querystring",
    "ctx",
    "url",
];

/// Whether an expression's text (or, for a name, its value's) names the request's parameters.
pub fn request_like<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let node = ctx.unwrap(node);
    let mut texts = vec![ctx.text(node)];
    let mut root = node;
    for _ in 0..8 {
        match ctx.view(root) {
            View::Member { object, .. } => root = ctx.unwrap(object),
            View::Call { callee, .. } => root = ctx.unwrap(callee),
            _ => break,
        }
    }
    if let View::Ident(name) = ctx.view(root) {
        if let Some(v) = ctx.resolve_ident(name, root) {
            texts.push(ctx.text(v));
        }
    }
    texts.iter().any(|t| {
        t.len() <= 512
            && t.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| REQUEST_WORDS.contains(&w.to_ascii_lowercase().as_str()))
    })
}

/// Whether a name is a code verifier's (`code_verifier`, `codeVerifier`, `verifier`).
pub fn is_verifier_name(name: &str) -> bool {
    name.len() <= 128 && name_has(name, "verifier") && !name_has(name, "challenge")
}

/// Whether a name is a challenge's (`code_challenge`, `codeChallenge`), not its method's.
pub fn is_challenge_name(name: &str) -> bool {
    name.len() <= 128 && name_has(name, "challenge") && !name_has(name, "method")
}

/// The name an expression reads a value by: an identifier, a member's property, a string index or key
/// (`row["code_challenge"]`, `stored.get("code_challenge")`).
pub fn read_name<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<String> {
    match ctx.view(ctx.unwrap(node)) {
        View::Ident(n) => Some(n.to_string()),
        View::Member { property, .. } => Some(property.to_string()),
        View::Index { index, .. } => ctx.string_value(ctx.unwrap(index)),
        View::Call { callee, args, .. } => {
            let View::Member { property, .. } = ctx.view(ctx.unwrap(callee)) else {
                return None;
            };
            if !matches!(
                property,
                "get" | "getAll" | "get_all" | "query" | "param" | "has"
            ) {
                return None;
            }
            match args.first() {
                Some(Arg::Positional(a)) => ctx.string_value(ctx.unwrap(*a)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether an expression reads a value named like the verifier.
pub fn reads_verifier<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    read_name(ctx, node).is_some_and(|n| is_verifier_name(&n))
}

/// Whether an expression reads a value named like the challenge.
pub fn reads_challenge<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    read_name(ctx, node).is_some_and(|n| is_challenge_name(&n))
}

/// How an expression relates to the submitted verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// The verifier itself (the `plain` method compares it as it is).
    Raw,
    /// A value computed from it (a hash, an encoding, a helper's result).
    Computed,
}

/// Whether an expression is the verifier or computed from it: `createHash('sha256').update(verifier)
/// .digest('base64url')`, `s256(code_verifier)`, `base64.urlsafe_b64encode(digest).rstrip(b"=")` with
/// `digest = hashlib.sha256(verifier.encode()).digest()`, a variable assigned one of them. Lengths and
/// predicates (`verifier.length`, `len(v)`, `isValid(v)`) are not.
pub fn derived<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<Derived> {
    let mut seen = HashSet::new();
    derived_at(ctx, node, 0, &mut seen)
}

fn derived_at<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    depth: usize,
    seen: &mut HashSet<usize>,
) -> Option<Derived> {
    if depth > MAX_DERIVED_DEPTH || seen.len() >= MAX_DERIVED_NODES || !seen.insert(node.id()) {
        return None;
    }
    let node = ctx.unwrap(node);
    let computed = |d: Option<Derived>| d.map(|_| Derived::Computed);
    let view = ctx.view(node);
    if !matches!(view, View::Ident(_)) && reads_verifier(ctx, node) {
        return Some(Derived::Raw);
    }
    match view {
        View::Ident(name) => {
            let mut found = None;
            if let Some((_, bindings)) = ctx.lookup(name, node) {
                for b in bindings.iter().take(8) {
                    // An assignment after the use does not give the value used.
                    if b.value.start_byte() >= node.start_byte() {
                        continue;
                    }
                    match derived_at(ctx, b.value, depth + 1, seen) {
                        Some(Derived::Computed) => return Some(Derived::Computed),
                        Some(Derived::Raw) if b.field.is_some() => return Some(Derived::Computed),
                        Some(Derived::Raw) => found = Some(Derived::Raw),
                        None => {}
                    }
                }
            }
            found.or_else(|| is_verifier_name(name).then_some(Derived::Raw))
        }
        View::Member { object, property } => {
            if matches!(property, "length" | "byteLength" | "size") || is_challenge_name(property) {
                return None;
            }
            computed(derived_at(ctx, object, depth + 1, seen))
        }
        View::Call { callee, args, .. } => {
            let callee = ctx.unwrap(callee);
            let name = ctx.callee_name(callee).unwrap_or("").to_ascii_lowercase();
            if PREDICATES.iter().any(|p| name.contains(p))
                || PREDICATE_NAMES.contains(&name.as_str())
            {
                return None;
            }
            let from_args = args.iter().any(|a| match a {
                Arg::Positional(n) | Arg::Keyword(_, n) => {
                    derived_at(ctx, *n, depth + 1, seen).is_some()
                }
                Arg::Spread(_) => false,
            });
            if from_args {
                return Some(Derived::Computed);
            }
            match ctx.view(callee) {
                // A method of a derived value (`verifier.encode()`, `….digest()`, `b64.rstrip("=")`):
                // `String(verifier)` and `verifier.trim()` are still the verifier, but treated as computed.
                View::Member { object, .. } => computed(derived_at(ctx, object, depth + 1, seen)),
                _ => None,
            }
        }
        View::Index { object, .. } => computed(derived_at(ctx, object, depth + 1, seen)),
        View::Add(a, b) | View::Or(a, b) => computed(
            derived_at(ctx, a, depth + 1, seen).or_else(|| derived_at(ctx, b, depth + 1, seen)),
        ),
        View::Conditional {
            then, otherwise, ..
        } => derived_at(ctx, then, depth + 1, seen)
            .or_else(|| derived_at(ctx, otherwise, depth + 1, seen)),
        View::Str(parts) => {
            let any = parts.iter().any(|p| match p {
                StrPart::Hole(h) => derived_at(ctx, *h, depth + 1, seen).is_some(),
                _ => false,
            });
            any.then_some(Derived::Computed)
        }
        _ => None,
    }
}

/// Whether an expression is the stored challenge: it reads a value named like a challenge
/// (`record.code_challenge`, `stored.codeChallenge`, `row["code_challenge"]`, a `code_challenge` parameter),
/// directly or through one variable (`const expected = record.codeChallenge`), and is not derived from the
/// verifier.
pub fn stored_challenge<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let node = ctx.unwrap(node);
    if derived(ctx, node).is_some() {
        return false;
    }
    if reads_challenge(ctx, node) {
        return true;
    }
    match ctx.view(node) {
        View::Ident(name) => ctx.resolve_ident(name, node).is_some_and(|v| {
            !matches!(ctx.view(ctx.unwrap(v)), View::Ident(_)) && reads_challenge(ctx, v)
        }),
        _ => false,
    }
}

/// A comparison of a value derived from the verifier with the stored challenge.
#[derive(Clone, Copy, Debug)]
pub struct Comparison<'t> {
    pub node: Node<'t>,
    pub derived: Derived,
}

/// The comparisons in a function of a value derived from the verifier with the stored challenge, in source
/// order, and the nodes visited.
pub fn comparisons<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    function: Node<'t>,
) -> (Vec<Comparison<'t>>, usize) {
    let mut out = Vec::new();
    let mut visits = 0;
    let mut judged = 0;
    for node in Preorder::new(function) {
        visits += 1;
        if !node.is_named() || !ctx.d.may_compare(node) {
            continue;
        }
        let View::Equals { left, right, .. } = ctx.view(node) else {
            continue;
        };
        judged += 1;
        if judged > MAX_COMPARISONS {
            break;
        }
        if ctx.text(node).len() > 2_000 {
            continue;
        }
        for (a, b) in [(left, right), (right, left)] {
            if let Some(d) = derived(ctx, a) {
                if stored_challenge(ctx, b) {
                    out.push(Comparison { node, derived: d });
                    break;
                }
            }
        }
    }
    (out, visits)
}

/// The functions of the file that take the verifier as a parameter (verification helpers), test functions
/// left out, at most `MAX_HELPERS`.
pub fn verifier_helpers<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Node<'t>> {
    let mut out: Vec<Node<'t>> = Vec::new();
    let mut names: Vec<&&str> = ctx.ix.functions.keys().collect();
    names.sort();
    'names: for name in names {
        if name.starts_with("test") || name.starts_with("Test") {
            continue;
        }
        for f in &ctx.ix.functions[*name] {
            if out.len() >= MAX_HELPERS {
                // Still sorted below, by position.
                break 'names;
            }
            if ctx
                .d
                .parameters(*f, ctx.src)
                .iter()
                .any(|p| is_verifier_name(p))
            {
                out.push(*f);
            }
        }
    }
    out.sort_by_key(|f| f.start_byte());
    out
}

/// The names the submitted verifier goes by on the wire and in code.
const VERIFIER_NAMES: &[&str] = &["code_verifier", "codeVerifier"];

/// The functions of the file that read the verifier from a request (`body.code_verifier`,
/// `params.get("code_verifier")`, `const { code_verifier } = req.body`): the server side of a token request
/// even when its grant-type check is elsewhere. Test functions are left out; at most `MAX_HELPERS`.
pub fn request_readers<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Node<'t>> {
    let mut out: Vec<Node<'t>> = Vec::new();
    let push = |ctx: &Ctx<'t, '_, D>, at: Node<'t>, out: &mut Vec<Node<'t>>| {
        let Some(f) = ctx.enclosing_function(at) else {
            return;
        };
        let tested = ctx
            .d
            .function_def(f, ctx.src)
            .or_else(|| ctx.parent(f).and_then(|p| ctx.d.function_def(p, ctx.src)))
            .is_some_and(|(name, _)| name.starts_with("test") || name.starts_with("Test"));
        if !tested && out.len() < MAX_HELPERS && !out.iter().any(|g| g.id() == f.id()) {
            out.push(f);
        }
    };
    for name in VERIFIER_NAMES {
        for (_, b) in ctx.ix.bindings_named(name) {
            if b.field == Some(*name) && request_like(ctx, b.value) {
                push(ctx, b.target, &mut out);
            }
        }
        for (at, _) in ctx.src.match_indices(name).take(MAX_HELPERS) {
            let Some(mut node) = ctx
                .root
                .named_descendant_for_byte_range(at, at + name.len())
            else {
                continue;
            };
            for _ in 0..4 {
                let Some(parent) = ctx.parent(node) else {
                    break;
                };
                node = parent;
                let read = match ctx.view(node) {
                    View::Member { object, property } => {
                        is_verifier_name(property).then_some(object)
                    }
                    View::Index { object, .. } => reads_verifier(ctx, node).then_some(object),
                    View::Call { callee, .. } => match ctx.view(ctx.unwrap(callee)) {
                        View::Member { object, .. } if reads_verifier(ctx, node) => Some(object),
                        _ => None,
                    },
                    _ => continue,
                };
                if let Some(object) = read {
                    if request_like(ctx, object) {
                        push(ctx, node, &mut out);
                    }
                }
                break;
            }
        }
    }
    out.sort_by_key(|f| f.start_byte());
    out
}
