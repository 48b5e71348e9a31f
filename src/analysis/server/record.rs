//! The stored code record in a token endpoint: its lookup by the submitted code, and whether anything in
//! the endpoint's code consumes it.

use tree_sitter::Node;

use super::super::{Ctx, Dialect, View};
use crate::analysis::callbacks::within;

/// The names a submitted authorization code goes by.
const CODE_NAMES: &[&str] = &[
    "code",
    "authCode",
    "authorizationCode",
    "auth_code",
    "authorization_code",
];

/// Methods that read a stored record by its key (maps, dicts, KV stores, Redis, ORMs).
const LOOKUPS: &[&str] = &[
    "get",
    "hget",
    "hgetall",
    "hGetAll",
    "find",
    "findOne",
    "findUnique",
    "findFirst",
    "find_one",
    "first",
    "one",
    "one_or_none",
    "scalar",
    "scalar_one",
    "scalar_one_or_none",
    "get_or_none",
];

/// Methods that narrow a query whose result a later call reads (`filter(code=code).first()`).
const FILTERS: &[&str] = &["filter", "filter_by", "where", "select", "query", "execute"];

/// Pieces of words that consume a code or mark it used: deletes, pops, atomic get-and-delete, used flags,
/// ORM updates. Any of them in the endpoint's code silences it (precision first).
const CONSUMING: &[&str] = &[
    "delete",
    "remove",
    "destroy",
    "getdel",
    "pop",
    "consume",
    "revoke",
    "invalidate",
    "redeem",
    "exchanged",
    "used",
    "update",
];

/// Functions that only convert, check or log the code they are given: handing the code to them is not
/// handing it to code that may consume it.
const HARMLESS: &[&str] = &[
    "String",
    "str",
    "Number",
    "int",
    "len",
    "isinstance",
    "encodeURIComponent",
    "decodeURIComponent",
    "trim",
    "strip",
    "has",
    "includes",
    "log",
    "info",
    "warn",
    "error",
    "debug",
    "test",
    "match",
];

/// How many parents a use of the code may climb to reach the call that looks the record up.
const MAX_CLIMB: usize = 10;

/// Whether a function's text has a word of consumption (or Python's `del`).
pub fn consumes(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
        .any(|w| {
            if w == "del" {
                return true;
            }
            let lower = w.to_ascii_lowercase();
            CONSUMING.iter().any(|c| lower.contains(c))
        })
}

/// The identifiers of the file named like a submitted code, in source order.
pub struct CodeUses<'t>(Vec<Node<'t>>);

impl<'t> CodeUses<'t> {
    pub fn new<D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Self {
        let mut all: Vec<Node<'t>> = CODE_NAMES.iter().flat_map(|n| ctx.uses_of(n)).collect();
        all.sort_by_key(|n| n.start_byte());
        CodeUses(all)
    }
}

/// The first lookup of the code record in the endpoint's functions, and the uses visited. None when the
/// code is also handed to a function the endpoint's code does not hold (`await finishGrant(code)`),
/// which may consume it.
pub fn lookup<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    uses: &CodeUses<'t>,
    functions: &[Node<'t>],
) -> (Option<Node<'t>>, usize) {
    let mut visits = 0;
    let mut found: Option<Node<'t>> = None;
    for f in functions {
        for &u in within(&uses.0, *f) {
            visits += 1;
            if let Some(l) = lookup_of(ctx, u) {
                if found.is_none_or(|x| l.start_byte() < x.start_byte()) {
                    found = Some(l);
                }
            } else if handed_away(ctx, u, functions) {
                return (None, visits);
            }
        }
    }
    (found, visits)
}

/// Whether a use of the code is an argument of a call to a function that is neither one of the
/// endpoint's own (judged by their bodies) nor a harmless conversion or log.
fn handed_away<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, u: Node<'t>, functions: &[Node<'t>]) -> bool {
    // A field of the record (`record.scopes`, `authorization_code.client_id`) handed on is not the code.
    if let Some(View::Member { object, property }) = ctx.parent(u).map(|p| ctx.view(p)) {
        if object.id() == u.id() && !CODE_NAMES.contains(&property) {
            return false;
        }
    }
    let mut cur = u;
    for _ in 0..4 {
        let Some(parent) = ctx.parent(cur) else {
            return false;
        };
        match ctx.view(parent) {
            View::Function => return false,
            View::Call { callee, .. } => {
                let callee = ctx.unwrap(callee);
                if u.start_byte() < callee.end_byte() {
                    return false;
                }
                let Some(name) = ctx.callee_name(callee) else {
                    return true;
                };
                if HARMLESS.contains(&name) {
                    return false;
                }
                let own = ctx.ix.functions.get(name).is_some_and(|fs| {
                    fs.iter()
                        .any(|g| functions.iter().any(|f| f.id() == g.id()))
                });
                return !own;
            }
            _ => {}
        }
        cur = parent;
    }
    false
}

/// The lookup a use of the code is the key of: an index (`store[code]`) or a lookup method whose
/// arguments hold it (`kv.get(`code:${code}`)`, `findOne({ where: { code } })`), through query filters.
fn lookup_of<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, u: Node<'t>) -> Option<Node<'t>> {
    let mut cur = u;
    let mut filtered = false;
    for _ in 0..MAX_CLIMB {
        let parent = ctx.parent(cur)?;
        match ctx.view(parent) {
            View::Function => return None,
            View::Index { object, index } if !filtered => {
                if index.start_byte() <= u.start_byte() && u.end_byte() <= index.end_byte() {
                    let written = ctx
                        .parent(parent)
                        .and_then(|a| ctx.d.member_write(a))
                        .is_some_and(|w| w.target.id() == parent.id());
                    return (!written && object.id() != u.id()).then_some(parent);
                }
                return None;
            }
            View::Call { callee, .. } => {
                let callee = ctx.unwrap(callee);
                if u.start_byte() < callee.end_byte() && !filtered {
                    // The code is the receiver, not an argument.
                    return None;
                }
                // A plain function is a helper: judged by its own body when it is in the file.
                let View::Member { property, .. } = ctx.view(callee) else {
                    return None;
                };
                if LOOKUPS.contains(&property) {
                    return Some(parent);
                }
                if !FILTERS.contains(&property) {
                    return None;
                }
                filtered = true;
            }
            _ => {}
        }
        cur = parent;
    }
    None
}
