//! authorization-code-lifetime: the expiry given to the record of an issued code, in seconds.
//!
//! The code records are the writes keyed by the code in the authorization endpoint's functions (and in
//! functions of the file named for storing a code): `codes.set(code, { …, expiresAt })`, `store[code] =
//! {…}`, `kv.put(`code:${code}`, v, { expirationTtl })`, `redis.set(key, v, "EX", n)` / `ex=n` / `setex`,
//! `AuthCode.create({ code, expiresAt })`, `AuthorizationCode(code=code, expires_at=…)`. The expiry is
//! `Date.now() + ms`, `time.time() + s`, `datetime.utcnow() + timedelta(…)`, the TTL of the store; the
//! durations fold through constants of the file. Records that hold a token are not code records.

use tree_sitter::Node;

use super::super::{name_has, Arg, Ctx, Dialect, Entry, Key, View};
use crate::analysis::callbacks::within;

/// How deep a duration or an expiry is followed through names and operators.
const MAX_FOLD: usize = 8;

/// The names a code goes by when it is stored.
const CODE_WORDS: &[&str] = &[
    "code",
    "authcode",
    "auth_code",
    "authorizationcode",
    "authorization_code",
];

/// Where the expiry of a code record is set, and the lifetime in seconds.
pub struct Expiry<'t> {
    pub node: Node<'t>,
    pub seconds: f64,
}

/// Whether a function of the file is named for storing an authorization code (`saveAuthorizationCode`,
/// `store_auth_code`, `createAuthCode`).
pub fn stores_codes(name: &str) -> bool {
    let lower: String = name
        .chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    // Only names that say which code: `generateCode` may make invite, OTP or promo codes.
    let code = lower.contains("authcode") || lower.contains("authorizationcode");
    let verb = [
        "save", "store", "issue", "create", "put", "persist", "set", "generate", "insert", "add",
        "new", "make", "write",
    ]
    .iter()
    .any(|v| lower.starts_with(v));
    let other = [
        "device", "token", "verif", "valid", "exchange", "redeem", "consume", "get", "find",
        "delete", "lookup", "user", "qr",
    ]
    .iter()
    .any(|w| lower.contains(w));
    code && verb && !other
}

/// The expiries of the code records written in `functions`; `code` is the name the issued code goes by.
pub fn expiries<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
    code: Option<&str>,
    out: &mut Vec<Expiry<'t>>,
) {
    let is_code_word = |w: &str| {
        let lower = w.to_ascii_lowercase();
        CODE_WORDS.contains(&lower.as_str()) || code.is_some_and(|c| c.eq_ignore_ascii_case(w))
    };
    let keyed_by_code = |key: Node<'t>| {
        let text = ctx.text(key);
        text.len() <= 200 && {
            let words: Vec<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .filter(|w| !w.is_empty())
                .collect();
            words.iter().any(|w| is_code_word(w))
                && !words.iter().any(|w| {
                    let l = w.to_ascii_lowercase();
                    l.contains("token") || l.contains("session") || l.contains("device")
                })
        }
    };
    for f in functions {
        for &call in within(&ctx.ix.calls, *f) {
            let View::Call {
                callee,
                args,
                is_new,
            } = ctx.view(call)
            else {
                continue;
            };
            let Some(name) = ctx.callee_name(callee) else {
                continue;
            };
            let positional: Vec<Node<'t>> = args
                .iter()
                .filter_map(|a| match a {
                    Arg::Positional(v) => Some(*v),
                    _ => None,
                })
                .collect();
            match name {
                "set" | "put" | "hset" | "hSet" => {
                    let [key, value, rest @ ..] = positional.as_slice() else {
                        continue;
                    };
                    if !keyed_by_code(*key) {
                        continue;
                    }
                    record(ctx, *value, 0, &is_code_word, false, out);
                    store_ttl(ctx, rest, &args, out);
                }
                "setex" | "setEx" | "psetex" | "pSetEx" | "expire" | "pexpire" | "pExpire" => {
                    let [key, ttl, ..] = positional.as_slice() else {
                        continue;
                    };
                    if keyed_by_code(*key) {
                        let ms = name.starts_with('p');
                        if let Some(n) = number(ctx, *ttl, 0) {
                            push(out, *ttl, if ms { n / 1000.0 } else { n });
                        }
                        if let [_, _, value, ..] = positional.as_slice() {
                            record(ctx, *value, 0, &is_code_word, false, out);
                        }
                    }
                }
                _ => {
                    // An ORM create or a record class: `AuthCode.create({ code, expiresAt })`,
                    // `prisma.authCode.create({ data: { … } })`, `AuthorizationCode(code=code, …)`.
                    let creates = matches!(
                        name,
                        "create" | "insert" | "insertOne" | "insert_one" | "upsert" | "build"
                    ) || is_new
                        || name.starts_with(|c: char| c.is_ascii_uppercase());
                    if !creates {
                        continue;
                    }
                    for v in &positional {
                        record(ctx, *v, 0, &is_code_word, true, out);
                    }
                    keywords(ctx, &args, &is_code_word, out);
                }
            }
        }
        let writes = &ctx.ix.member_writes;
        let from = writes.partition_point(|w| w.node.start_byte() < f.start_byte());
        for w in writes[from..]
            .iter()
            .take_while(|w| w.node.start_byte() < f.end_byte())
        {
            if let View::Index { index, .. } = ctx.view(w.target) {
                if keyed_by_code(index) {
                    record(ctx, w.value, 0, &is_code_word, false, out);
                }
            }
        }
    }
}

fn push<'t>(out: &mut Vec<Expiry<'t>>, node: Node<'t>, seconds: f64) {
    if !out.iter().any(|e| e.node.id() == node.id()) {
        out.push(Expiry { node, seconds });
    }
}

/// Whether a key names an expiry (`expiresAt`, `expires_at`, `expiry`, `valid_until`).
fn is_expiry_key(k: &str) -> bool {
    name_has(k, "expire") || name_has(k, "expiry") || name_has(k, "validuntil")
}

/// The expiries of a record value: an object or dict, its JSON, a record class built with keywords, a
/// name bound to one of them. `needs_code`: the record must hold the code (an ORM create is keyed by
/// nothing else).
fn record<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    value: Node<'t>,
    depth: usize,
    is_code_word: &dyn Fn(&str) -> bool,
    needs_code: bool,
    out: &mut Vec<Expiry<'t>>,
) {
    if depth > 3 {
        return;
    }
    let value = ctx.unwrap(value);
    match ctx.view(value) {
        View::Ident(name) => {
            if let Some(v) = ctx.resolve_ident(name, value) {
                record(ctx, v, depth + 1, is_code_word, needs_code, out);
            }
        }
        View::Call { callee, args, .. } => {
            let wraps = matches!(
                ctx.callee_name(callee),
                Some("stringify" | "dumps" | "dict" | "asdict")
            );
            if wraps {
                if let Some(Arg::Positional(v)) = args.first() {
                    record(ctx, *v, depth + 1, is_code_word, needs_code, out);
                }
                keywords(ctx, &args, is_code_word, out);
            } else if needs_code
                || ctx
                    .callee_name(callee)
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
            {
                for a in args.iter() {
                    if let Arg::Positional(v) = a {
                        record(ctx, *v, depth + 1, is_code_word, needs_code, out);
                    }
                }
                keywords(ctx, &args, is_code_word, out);
            }
        }
        View::Object(entries) => {
            let pairs: Vec<(&str, Node<'t>)> = entries
                .iter()
                .filter_map(|&e| match e {
                    Entry::Pair(Key::Name(k, _), v) => Some((k, v)),
                    _ => None,
                })
                .collect();
            judge_pairs(ctx, &pairs, depth, is_code_word, needs_code, out);
        }
        _ => {}
    }
}

/// The keyword arguments of a record class or `dict(…)` as the record's fields.
fn keywords<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    args: &[Arg<'t>],
    is_code_word: &dyn Fn(&str) -> bool,
    out: &mut Vec<Expiry<'t>>,
) {
    let pairs: Vec<(&str, Node<'t>)> = args
        .iter()
        .filter_map(|a| match a {
            Arg::Keyword(k, v) => Some((*k, *v)),
            _ => None,
        })
        .collect();
    if !pairs.is_empty() {
        judge_pairs(ctx, &pairs, 0, is_code_word, true, out);
    }
}

fn judge_pairs<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    pairs: &[(&str, Node<'t>)],
    depth: usize,
    is_code_word: &dyn Fn(&str) -> bool,
    needs_code: bool,
    out: &mut Vec<Expiry<'t>>,
) {
    if pairs
        .iter()
        .any(|(k, _)| name_has(k, "token") || name_has(k, "device"))
    {
        return;
    }
    let holds_code = pairs.iter().any(|(k, v)| {
        is_code_word(k) || matches!(ctx.view(ctx.unwrap(*v)), View::Ident(n) if is_code_word(n))
    });
    for (k, v) in pairs {
        if matches!(*k, "data" | "value" | "values" | "record") {
            record(ctx, *v, depth + 1, is_code_word, needs_code, out);
        }
    }
    if needs_code && !holds_code {
        return;
    }
    for (k, v) in pairs {
        if is_expiry_key(k) {
            if let Some((seconds, node)) = expiry(ctx, *v, 0) {
                push(out, node, seconds);
            }
        }
    }
}

/// The TTL a store call is given: Redis `"EX", n` / `"PX", n`, `{ EX: n }`, `ex=n` / `px=n`, a cache's
/// `timeout=n`, a Workers KV `{ expirationTtl: n }`.
fn store_ttl<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    rest: &[Node<'t>],
    args: &[Arg<'t>],
    out: &mut Vec<Expiry<'t>>,
) {
    let scale = |unit: &str| match unit {
        "EX" | "ex" | "expirationTtl" | "timeout" => Some(1.0),
        "PX" | "px" => Some(0.001),
        _ => None,
    };
    for (i, r) in rest.iter().enumerate() {
        if let Some(unit) = ctx.string_value(*r) {
            if let (Some(s), Some(n)) = (scale(&unit), rest.get(i + 1)) {
                if let Some(v) = number(ctx, *n, 0) {
                    push(out, *n, v * s);
                }
            }
        }
        if let View::Object(entries) = ctx.view(ctx.unwrap(*r)) {
            for e in entries.iter().copied() {
                if let Entry::Pair(Key::Name(k, _), v) = e {
                    if let (Some(s), Some(n)) = (scale(k), number(ctx, v, 0)) {
                        push(out, v, n * s);
                    }
                }
            }
        }
    }
    for a in args {
        if let Arg::Keyword(k, v) = a {
            if let (Some(s), Some(n)) = (scale(k), number(ctx, *v, 0)) {
                push(out, *v, n * s);
            }
        }
    }
}

/// How far from now an expiry is, in seconds, and the expression that sets it.
fn expiry<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    v: Node<'t>,
    depth: usize,
) -> Option<(f64, Node<'t>)> {
    if depth > MAX_FOLD {
        return None;
    }
    let v = ctx.unwrap(v);
    match ctx.view(v) {
        View::Ident(name) => expiry(ctx, ctx.resolve_ident(name, v)?, depth + 1),
        View::Call { callee, args, .. } => {
            let callee = ctx.unwrap(callee);
            match ctx.view(callee) {
                // `new Date(Date.now() + ms)`, `Math.floor(…)`, `int(…)`.
                View::Ident("Date" | "int" | "round" | "float")
                | View::Member {
                    property: "floor" | "round" | "trunc" | "ceil",
                    ..
                } => match args.first() {
                    Some(Arg::Positional(a)) => expiry(ctx, *a, depth + 1),
                    _ => None,
                },
                // `new Date(…).toISOString()`, `(now + timedelta(…)).isoformat()`.
                View::Member {
                    object,
                    property:
                        "toISOString" | "getTime" | "valueOf" | "toJSON" | "toUTCString" | "isoformat"
                        | "timestamp",
                } => expiry(ctx, object, depth + 1),
                _ => None,
            }
        }
        View::Add(a, b) => {
            for (now, span) in [(a, b), (b, a)] {
                let seconds = match now_kind(ctx, now, 0)? {
                    Now::Millis => number(ctx, span, 0).map(|ms| ms / 1000.0),
                    Now::Seconds => number(ctx, span, 0),
                    Now::DateTime => timedelta(ctx, span),
                    Now::Not => continue,
                };
                return seconds.map(|s| (s, v));
            }
            None
        }
        _ => None,
    }
}

enum Now {
    Millis,
    Seconds,
    DateTime,
    Not,
}

/// Whether an expression is the current time, and in which unit.
fn now_kind<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> Option<Now> {
    let node = ctx.unwrap(node);
    if let View::Ident(name) = ctx.view(node) {
        if depth < 3 {
            if let Some(v) = ctx.resolve_ident(name, node) {
                return now_kind(ctx, v, depth + 1);
            }
        }
        return Some(Now::Not);
    }
    let text = ctx.text(node);
    if text.len() > 80 {
        return Some(Now::Not);
    }
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.as_str();
    Some(match t {
        "Date.now()" | "newDate().getTime()" | "+newDate()" | "newDate().valueOf()" => Now::Millis,
        "time.time()"
        | "int(time.time())"
        | "round(time.time())"
        | "time()"
        | "int(time())"
        | "Date.now()/1000"
        | "Math.floor(Date.now()/1000)"
        | "Math.round(Date.now()/1000)"
        | "Math.trunc(Date.now()/1000)"
        | "(Date.now()/1000)" => Now::Seconds,
        _ if t.starts_with("datetime.now(")
            || t.starts_with("datetime.datetime.now(")
            || t == "datetime.utcnow()"
            || t == "datetime.datetime.utcnow()"
            || t == "timezone.now()"
            || t == "utcnow()" =>
        {
            Now::DateTime
        }
        _ => Now::Not,
    })
}

/// The seconds of a `timedelta(…)`.
fn timedelta<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<f64> {
    let node = ctx.unwrap(node);
    let node = match ctx.view(node) {
        View::Ident(name) => ctx.unwrap(ctx.resolve_ident(name, node)?),
        _ => node,
    };
    let View::Call { callee, args, .. } = ctx.view(node) else {
        return None;
    };
    if ctx.callee_name(callee) != Some("timedelta") {
        return None;
    }
    const ORDER: [&str; 7] = [
        "days",
        "seconds",
        "microseconds",
        "milliseconds",
        "minutes",
        "hours",
        "weeks",
    ];
    let unit = |k: &str| match k {
        "days" => Some(86_400.0),
        "seconds" => Some(1.0),
        "microseconds" => Some(0.000_001),
        "milliseconds" => Some(0.001),
        "minutes" => Some(60.0),
        "hours" => Some(3_600.0),
        "weeks" => Some(604_800.0),
        _ => None,
    };
    let mut total = 0.0;
    let mut position = 0;
    for a in args.iter() {
        let (k, v) = match a {
            Arg::Positional(v) => {
                let k = *ORDER.get(position)?;
                position += 1;
                (k, *v)
            }
            Arg::Keyword(k, v) => (*k, *v),
            Arg::Spread(_) => return None,
        };
        total += unit(k)? * number(ctx, v, 0)?;
    }
    Some(total)
}

/// The constant number an expression folds to (`Ctx::folded_number`).
fn number<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> Option<f64> {
    ctx.folded_number(node, depth)
}
