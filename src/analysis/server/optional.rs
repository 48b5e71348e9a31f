//! The authorization side of pkce-downgrade (`optional`): whether the file's authorization endpoint is seen to accept a
//! request without `code_challenge`.
//!
//! Only what the file shows counts, and every doubt is "required": the answer is a place only when the
//! challenge is read from the request as optional — `url.searchParams.get("code_challenge")`,
//! `request.args.get("code_challenge")`, `req.query.code_challenge`, `const { code_challenge } = req.query`,
//! a route parameter `code_challenge: str | None = None`, a schema field `z.string().optional()`, a model
//! field `code_challenge: Optional[str] = None` — and nothing in the file requires it: no condition testing
//! that it is missing (`if (!code_challenge)`, `if not code_challenge`, `is None`, a length or `typeof`
//! test), no list naming it (`required: ["code_challenge"]`), no schema or model field without a default,
//! no route parameter without one, no validation helper in the function that reads it.

use tree_sitter::Node;

use super::super::{span, Ctx, Dialect, Entry, Key, View};
use super::challenge::{reads_challenge, request_like};
use super::presence::absence;
use crate::analysis::callbacks::within;
use crate::facts::{ChallengeSide, OptionalOn};
use crate::lang::Preorder;

/// The names the authorization request's challenge goes by.
const NAMES: &[&str] = &["code_challenge", "codeChallenge"];

/// How many mentions of the challenge one file may have judged.
const MAX_MENTIONS: usize = 256;

/// Roots of schema builders (zod, joi, yup, valibot, typebox, superstruct).
const SCHEMA_ROOTS: &[&str] = &["z.", "Joi.", "joi.", "yup.", "v.", "Type.", "t.", "s."];

/// Pieces of words in a function that validate its input elsewhere.
const VALIDATING: &[&str] = &[
    "validat",
    "schema",
    "safeparse",
    "assert",
    "ensure",
    "require",
];

fn is_name(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Whether a function calls something that validates its input and that the rule cannot see
/// (`validateAuthorizeRequest(req)`, `AuthorizeSchema.safeParse(query)`, `assert …`): the words of its calls'
/// callees, not of its comments or messages (`"PKCE is required"`).
fn validates<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, function: Node<'t>) -> bool {
    let words = |text: &str| {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| {
                let lower = w.to_ascii_lowercase();
                VALIDATING.iter().any(|v| lower.contains(v))
            })
    };
    within(&ctx.ix.calls, function)
        .iter()
        .any(|&call| match ctx.view(call) {
            View::Call { callee, .. } => words(ctx.text(ctx.unwrap(callee))),
            _ => false,
        })
        || ctx
            .text(function)
            .lines()
            .any(|l| l.trim_start().starts_with("assert "))
}

/// What the file's authorization side says about the challenge.
#[derive(Clone, Copy, Debug)]
pub enum Side<'t> {
    /// Something in the file requires it (or the file has too many mentions to judge: doubt is silence).
    Required,
    /// Where it is read as optional, with nothing in the file requiring it.
    Optional(Node<'t>),
    /// The file neither reads it from a request nor requires it.
    Absent,
}

impl Side<'_> {
    /// What the side tells the token endpoints of other modules (`FileFacts::challenge_side`).
    pub fn fact(self) -> Option<ChallengeSide> {
        match self {
            Side::Required => Some(ChallengeSide::Required),
            Side::Optional(n) => Some(ChallengeSide::Optional(span(n))),
            Side::Absent => None,
        }
    }
}

/// Where the file's authorization endpoint reads the challenge as optional, when nothing in the file
/// requires it. `token` holds the token endpoints' functions, whose reads of the stored challenge are not
/// the authorization request's.
pub fn optional_challenge<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, token: &[Node<'t>]) -> Side<'t> {
    match side(ctx, token) {
        Some(Some(n)) => Side::Optional(n),
        Some(None) => Side::Absent,
        None => Side::Required,
    }
}

/// [`optional_challenge`]: None when something requires the challenge, `Some(None)` when nothing reads it.
fn side<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, token: &[Node<'t>]) -> Option<Option<Node<'t>>> {
    let in_token = |n: Node<'t>| {
        token
            .iter()
            .any(|f| f.start_byte() <= n.start_byte() && n.end_byte() <= f.end_byte())
    };
    // Where the challenge is read as optional; any requirement returns at once.
    let mut says: Vec<Node<'t>> = Vec::new();
    // Conditions that test that the challenge is missing.
    for &bn in &ctx.ix.branches {
        if in_token(bn) {
            continue;
        }
        if let Some(b) = ctx.d.branch(bn) {
            if absence(ctx, b.condition) == Some(OptionalOn::StoredChallenge)
                || requires(ctx, b.condition, 0)
            {
                return None;
            }
        }
    }
    let mut mentions = 0;
    // Strings: `.get("code_challenge")` reads, lists of required names.
    for &s in &ctx.ix.strings {
        if !ctx.text(s).contains("hallenge") {
            continue;
        }
        let Some(value) = ctx.string_value(s) else {
            continue;
        };
        if !is_name(&value) {
            continue;
        }
        mentions += 1;
        if mentions > MAX_MENTIONS {
            return None;
        }
        let Some(parent) = ctx.parent(s) else {
            continue;
        };
        if matches!(ctx.view(parent), View::Array(_)) {
            return None;
        }
        if in_token(s) || !ctx.d.is_arguments(parent) {
            continue;
        }
        let Some(call) = ctx.parent(parent) else {
            continue;
        };
        let View::Call { callee, args, .. } = ctx.view(call) else {
            continue;
        };
        let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
            continue;
        };
        let first = args.first().is_some_and(|a| match a {
            super::super::Arg::Positional(n) => n.id() == s.id(),
            _ => false,
        });
        if first && matches!(property, "get" | "query" | "param") && request_like(ctx, object) {
            says.push(call);
        }
    }
    // Object keys: schema fields. With a `.partial()` in the file their optionality is not read: a
    // challenge field counts as required (doubt is silence).
    let partial = ctx.src.contains(".partial(");
    for &o in &ctx.ix.objects {
        let View::Object(entries) = ctx.view(o) else {
            continue;
        };
        for entry in entries.iter().copied() {
            let Entry::Pair(Key::Name(name, _), value) = entry else {
                continue;
            };
            if !is_name(name) {
                continue;
            }
            let text = ctx.text(value);
            if !SCHEMA_ROOTS.iter().any(|r| text.starts_with(r)) {
                continue;
            }
            let optional = ["optional", "nullish", "nullable"]
                .iter()
                .any(|w| text.contains(w));
            if optional && !partial && !in_token(value) {
                says.push(value);
            } else {
                return None;
            }
        }
    }
    // Names: destructured reads, members of the request, route parameters, model fields.
    for name in NAMES {
        for (scope, b) in ctx.ix.bindings_named(name) {
            if in_token(b.target) {
                continue;
            }
            if ctx.d.is_class(scope) {
                // A model field: optional only with a `None` default.
                if matches!(ctx.view(ctx.unwrap(b.value)), View::Null) {
                    says.push(b.target);
                } else {
                    return None;
                }
            } else if b.field == Some(*name) && request_like(ctx, b.value) {
                // `const { code_challenge } = req.query`.
                says.push(b.target);
            } else if b.field.is_none() && member_read(ctx, b.value) {
                says.push(b.target);
            }
        }
        for u in ctx.uses_of(name) {
            mentions += 1;
            if mentions > MAX_MENTIONS {
                return None;
            }
            let scope = ctx.scope_of(u);
            if ctx.d.is_class(scope) && ctx.ix.bare_declarations.contains(&(scope.id(), *name)) {
                return None;
            }
        }
    }
    // Members of the request anywhere (`{ challenge: req.query.code_challenge }`), in JavaScript: a Python
    // attribute is a model's, whose fields are judged where the model is defined.
    if ctx.d.lang().is_js_family() {
        for name in NAMES {
            let pattern = format!(".{name}");
            for (at, _) in ctx.src.match_indices(&pattern).take(MAX_MENTIONS) {
                let start = at + 1;
                let Some(node) = ctx
                    .root
                    .named_descendant_for_byte_range(start, start + name.len())
                else {
                    continue;
                };
                let Some(member) = ctx.parent(node) else {
                    continue;
                };
                if !in_token(member) && member_read(ctx, member) {
                    says.push(member);
                }
            }
        }
    }
    for (_, functions) in ctx.ix.functions.iter() {
        for f in functions {
            for (name, p) in ctx.d.parameter_nodes(*f, ctx.src) {
                if !is_name(name) || in_token(*f) {
                    continue;
                }
                let routed = !ctx.d.decorators(*f).is_empty();
                let default = ctx
                    .parent(p)
                    .and_then(|d| ctx.d.default_value(d, ctx.src))
                    .map(|(_, v)| v);
                match default {
                    Some(v) if routed && defaults_to_none(ctx, v) => says.push(p),
                    _ if routed => return None,
                    _ => {}
                }
            }
        }
    }
    let mut first: Option<Node<'t>> = None;
    // Each reading function is checked for validation helpers once.
    let mut checked: std::collections::HashMap<usize, bool> = std::collections::HashMap::new();
    for n in says {
        let validated = ctx
            .enclosing_function(n)
            .is_some_and(|f| *checked.entry(f.id()).or_insert_with(|| validates(ctx, f)));
        if validated {
            return None;
        }
        if first.is_none_or(|x| n.start_byte() < x.start_byte()) {
            first = Some(n);
        }
    }
    Some(first)
}

/// Whether an expression reads the challenge as a member of the request (`req.query.code_challenge`,
/// `ctx.request.body.codeChallenge`), in JavaScript.
fn member_read<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    if !ctx.d.lang().is_js_family() {
        return false;
    }
    match ctx.view(ctx.unwrap(node)) {
        View::Member { object, property } => is_name(property) && request_like(ctx, object),
        _ => false,
    }
}

/// Whether a condition tests the challenge in a way a missing one fails or is caught by: a negation of
/// anything reading it (`!code_challenge`, `!/^[\w-]{43,128}$/.test(code_challenge)`), a call given it
/// (`isValidChallenge(code_challenge)`), a membership or a comparison other than a plain read — through
/// `&&`, `||` and parentheses. A plain presence test (`if (code_challenge) …`) is not one.
fn requires<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, cond: Node<'t>, depth: usize) -> bool {
    if depth > 8 {
        return true;
    }
    let cond = ctx.unwrap(cond);
    if ctx.d.membership(cond).is_some() {
        return mentions(ctx, cond);
    }
    match ctx.view(cond) {
        View::And(a, b) | View::Or(a, b) => {
            requires(ctx, a, depth + 1) || requires(ctx, b, depth + 1)
        }
        View::Ident(_) | View::Member { .. } | View::Index { .. } => false,
        View::Call { .. } if reads_challenge(ctx, cond) => false,
        _ => mentions(ctx, cond),
    }
}

/// Whether an expression reads the challenge anywhere in it (at most 64 nodes looked at).
fn mentions<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    Preorder::new(node)
        .filter(|n| n.is_named())
        .take(64)
        .any(|n| reads_challenge(ctx, n) || ctx.string_value(n).is_some_and(|v| is_name(&v)))
}

/// `None`, `Query(None)`, `Form(default=None)`, `Field(None)`.
fn defaults_to_none<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, v: Node<'t>) -> bool {
    match ctx.view(ctx.unwrap(v)) {
        View::Null => true,
        View::Call { args, .. } => {
            matches!(
                Ctx::<D>::arg(&args, 0, "default").map(|a| ctx.view(ctx.unwrap(a))),
                Some(View::Null)
            )
        }
        _ => false,
    }
}
