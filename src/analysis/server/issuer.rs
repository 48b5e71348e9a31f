//! Authorization endpoints: route handlers (and the helpers of the same file they call) that issue a code —
//! they generate a random value or write a record, and redirect to a URL that carries `code=`.
//!
//! A handler is a function registered on a route (`app.get("/authorize", …)`, `router.post(…, handler)`,
//! Starlette `Route(…, endpoint=…)`), a decorated Python view, or a function taking the request (`req`,
//! `request`). What the redirect's URL is built from is traced back through the bindings of the file: the
//! `code=` it carries, and whether it starts from the request's `redirect_uri` (`request`).

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, Entry, Key, StrPart, View};
use super::request::is_uri_read;
use crate::analysis::callbacks::within;

/// How many handlers one file may hold for these rules.
const MAX_HANDLERS: usize = 256;
/// How many (handler, redirect) pairs one file may judge.
const MAX_REDIRECTS: usize = 64;
/// How many expressions one redirect's URL may be traced through.
const MAX_TRACE: usize = 64;
/// How many bindings of one name the trace follows.
const MAX_BINDINGS: usize = 4;

/// Methods and functions that register a route handler.
const ROUTES: &[&str] = &[
    "get",
    "post",
    "all",
    "use",
    "route",
    "put",
    "handle",
    "on",
    "Route",
    "add_route",
    "add_api_route",
    "api_route",
    "path",
    "re_path",
    "createServer",
];

/// Words of code that generates a random value.
const RANDOM: &[&str] = &[
    "randomBytes",
    "randomUUID",
    "getRandomValues",
    "nanoid",
    "token_urlsafe",
    "token_hex",
    "token_bytes",
    "uuid4",
    "uuidv4",
    "v4(",
    "urandom",
    "random_string",
    "randomString",
    "generateRandom",
    "gen_salt",
    "secrets.",
];

/// A redirect that delivers an issued code.
pub struct Authorize<'t> {
    /// The redirect call (`res.redirect(…)`, `RedirectResponse(…)`, the call setting `Location`).
    pub redirect: Node<'t>,
    /// Where the URL reads the request's redirect URI, if it does.
    pub uri_source: Option<Node<'t>>,
    /// The names the redirect URI goes by on its way to the redirect.
    pub uri_names: Vec<&'t str>,
    /// The value placed after `code=`.
    pub code: Option<Node<'t>>,
    /// The handler first, then the helpers it calls.
    pub functions: Vec<Node<'t>>,
}

/// The route handlers of the file, each once.
pub fn handlers<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |f: Node<'t>, out: &mut Vec<Node<'t>>| {
        if out.len() < MAX_HANDLERS && seen.insert(f.id()) {
            out.push(f);
        }
    };
    for &call in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(call) else {
            continue;
        };
        if !ctx.callee_name(callee).is_some_and(|n| ROUTES.contains(&n)) {
            continue;
        }
        for a in args.iter() {
            let (Arg::Positional(v) | Arg::Keyword(_, v)) = *a else {
                continue;
            };
            let v = ctx.unwrap(v);
            match ctx.view(v) {
                View::Function => push(v, &mut out),
                View::Ident(name) => {
                    for f in ctx.ix.functions.get(name).into_iter().flatten() {
                        push(*f, &mut out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut named: Vec<Node<'t>> = ctx.ix.functions.values().flatten().copied().collect();
    named.sort_by_key(|f| f.start_byte());
    for f in named {
        let params = ctx.d.parameters(f, ctx.src);
        let takes_request = params
            .iter()
            .take(2)
            .any(|p| matches!(*p, "req" | "request"));
        if takes_request || !ctx.d.decorators(f).is_empty() {
            push(f, &mut out);
        }
    }
    out
}

/// The redirects of the file's handlers that carry a code, in the handlers' code, each once.
pub fn collect<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Authorize<'t>> {
    let mut out: Vec<Authorize<'t>> = Vec::new();
    // A redirect in a helper is judged once per handler that reaches it: a dispatcher (`fetch`) that
    // also reaches the GET handler's check must not hide the POST handler that skips it.
    for h in handlers(ctx) {
        let functions = super::endpoint::helpers(ctx, h);
        let texts: Vec<&str> = functions.iter().map(|f| ctx.text(*f)).collect();
        // Issuing a code generates a random value or writes a record (a signed, self-contained code
        // needs no random call of its own).
        if !texts
            .iter()
            .any(|t| RANDOM.iter().any(|r| t.contains(r)) || stores(t))
        {
            continue;
        }
        let code_sets = code_sets(ctx, &functions);
        let mut seen = HashSet::new();
        for f in &functions {
            for &call in within(&ctx.ix.calls, *f) {
                if out.len() >= MAX_REDIRECTS {
                    return out;
                }
                if !seen.insert(call.id()) {
                    continue;
                }
                let Some(target) = redirect_target(ctx, call) else {
                    continue;
                };
                let trace = trace(ctx, target, &functions, &code_sets);
                if trace.code.is_none() {
                    continue;
                }
                out.push(Authorize {
                    redirect: call,
                    uri_source: trace.uri_source,
                    uri_names: trace.uri_names,
                    code: trace.code,
                    functions: functions.clone(),
                });
            }
        }
    }
    out
}

/// Whether a function's text stores something (a map or KV set, a dict write, an ORM create).
fn stores(text: &str) -> bool {
    [
        "set(", "put(", "setex", "setEx", "hset", "hSet", "create", "insert", "save", "add(",
        "] =", "push(", "store",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// The URL a call redirects to: the first non-number argument of `redirect(…)` / `RedirectResponse(…)`,
/// the value given with a `Location` header.
fn redirect_target<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, call: Node<'t>) -> Option<Node<'t>> {
    let View::Call { callee, args, .. } = ctx.view(call) else {
        return None;
    };
    let name = ctx.callee_name(callee)?;
    if matches!(
        name,
        "redirect" | "RedirectResponse" | "HttpResponseRedirect" | "HTTPFound"
    ) {
        if let Some(u) = args.iter().find_map(|a| match a {
            Arg::Keyword("url" | "location", v) => Some(*v),
            _ => None,
        }) {
            return Some(u);
        }
        return args.iter().find_map(|a| match a {
            Arg::Positional(v) if !matches!(ctx.view(ctx.unwrap(*v)), View::Number(_)) => Some(*v),
            _ => None,
        });
    }
    // `res.setHeader("Location", url)`, `c.header("Location", url)`.
    let positional: Vec<Node<'t>> = args
        .iter()
        .filter_map(|a| match a {
            Arg::Positional(v) => Some(*v),
            _ => None,
        })
        .collect();
    if let [first, second, ..] = positional.as_slice() {
        if is_location(ctx, *first) {
            return Some(*second);
        }
    }
    // `res.writeHead(302, { Location: url })`, `new Response(null, { headers: { Location: url } })`,
    // `Response(status_code=302, headers={"Location": url})`.
    for a in args.iter() {
        let (Arg::Positional(v) | Arg::Keyword(_, v)) = *a else {
            continue;
        };
        if let Some(u) = location_in(ctx, v, 0) {
            return Some(u);
        }
    }
    None
}

fn is_location<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    matches!(ctx.view(node), View::Str(_))
        && ctx
            .string_value(node)
            .is_some_and(|s| s.eq_ignore_ascii_case("location"))
}

/// The value of a `Location` key in an object literal (also one level down, under `headers`).
fn location_in<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    depth: usize,
) -> Option<Node<'t>> {
    let View::Object(entries) = ctx.view(ctx.unwrap(node)) else {
        return None;
    };
    for e in entries.iter().copied() {
        if let Entry::Pair(Key::Name(k, _), v) = e {
            if k.eq_ignore_ascii_case("location") {
                return Some(v);
            }
            if depth == 0 && k == "headers" {
                if let Some(u) = location_in(ctx, v, 1) {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// What a redirect's URL is built from.
struct Trace<'t> {
    code: Option<Node<'t>>,
    uri_source: Option<Node<'t>>,
    uri_names: Vec<&'t str>,
}

/// Follows a URL expression back through strings, concatenations, calls, members and the bindings of names:
/// the value after `code=` (a string piece, a `code` key or keyword, `url.searchParams.set("code", …)` on a
/// name it was built from) and the read of the request's redirect URI.
fn trace<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    target: Node<'t>,
    functions: &[Node<'t>],
    code_sets: &[(Node<'t>, Node<'t>)],
) -> Trace<'t> {
    // (node, the index of the node it was reached from)
    let mut nodes: Vec<(Node<'t>, usize)> = vec![(target, usize::MAX)];
    let mut seen = HashSet::from([target.id()]);
    let mut out = Trace {
        code: None,
        uri_source: None,
        uri_names: Vec::new(),
    };
    let mut i = 0;
    while i < nodes.len() && nodes.len() < MAX_TRACE {
        let node = ctx.unwrap(nodes[i].0);
        let mut next: Vec<Node<'t>> = Vec::new();
        if out.uri_source.is_none() && is_uri_read(ctx, node, functions) {
            out.uri_source = Some(node);
            let mut j = i;
            while j != usize::MAX {
                if let View::Ident(name) = ctx.view(ctx.unwrap(nodes[j].0)) {
                    if !out.uri_names.contains(&name) {
                        out.uri_names.push(name);
                    }
                }
                j = nodes[j].1;
            }
        }
        match ctx.view(node) {
            View::Str(parts) => {
                let mut after_code = false;
                for p in parts.iter().copied() {
                    match p {
                        StrPart::Text(t, _) => after_code = ends_with_code(t),
                        StrPart::Hole(h) => {
                            if after_code && out.code.is_none() {
                                out.code = Some(h);
                            }
                            after_code = false;
                            next.push(h);
                        }
                        StrPart::Opaque => after_code = false,
                    }
                }
            }
            View::Add(a, b) | View::Percent(a, b) | View::Or(a, b) => {
                if out.code.is_none() && ends_with_code_node(ctx, a, 0) {
                    out.code = Some(b);
                }
                next.extend([a, b]);
            }
            View::Conditional {
                then, otherwise, ..
            } => next.extend([then, otherwise]),
            View::Call { callee, args, .. } => {
                if let View::Member { object, .. } = ctx.view(ctx.unwrap(callee)) {
                    next.push(object);
                }
                for a in args.iter().copied() {
                    match a {
                        Arg::Positional(v) => next.push(v),
                        Arg::Keyword(k, v) => {
                            if k == "code" && out.code.is_none() {
                                out.code = Some(v);
                            }
                            next.push(v);
                        }
                        Arg::Spread(_) => {}
                    }
                }
            }
            View::Member { object, .. } | View::Index { object, .. } => next.push(object),
            View::Object(entries) => {
                for e in entries.iter().copied() {
                    if let Entry::Pair(Key::Name(k, _), v) = e {
                        if k == "code" && out.code.is_none() {
                            out.code = Some(v);
                        }
                        next.push(v);
                    }
                }
            }
            View::Ident(name) => {
                if out.code.is_none() {
                    out.code = code_sets
                        .iter()
                        .find(|(r, _)| ctx.text(*r) == name && same_binding(ctx, *r, node))
                        .map(|(_, v)| *v);
                }
                if let Some((_, bindings)) = ctx.lookup(name, node) {
                    next.extend(
                        bindings
                            .iter()
                            .take(MAX_BINDINGS)
                            .filter(|b| b.field.is_none())
                            .map(|b| b.value),
                    );
                } else {
                    next.extend(arguments_for(ctx, name, node, functions));
                }
            }
            _ => {}
        }
        for n in next {
            if seen.insert(n.id()) {
                nodes.push((n, i));
            }
        }
        i += 1;
    }
    out
}

/// How many calls of a helper the arguments for one of its parameters are taken from.
const MAX_CALLERS: usize = 8;

/// When `name` is a parameter of one of the endpoint's helpers (not the handler), the arguments the
/// endpoint's functions pass for it (`_issue_code(user, redirect_uri=params.get("redirect_uri"))`).
fn arguments_for<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    name: &'t str,
    at: Node<'t>,
    functions: &[Node<'t>],
) -> Vec<Node<'t>> {
    let Some(helper) = ctx.enclosing_function(at) else {
        return Vec::new();
    };
    if functions.first().is_none_or(|h| h.id() == helper.id())
        || !functions.iter().any(|f| f.id() == helper.id())
    {
        return Vec::new();
    }
    let params = ctx.d.parameters(helper, ctx.src);
    let Some(position) = params.iter().position(|p| *p == name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in functions {
        for &call in within(&ctx.ix.calls, *f) {
            if out.len() >= MAX_CALLERS {
                return out;
            }
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            let calls_helper = ctx.callee_name(callee).is_some_and(|n| {
                matches!(ctx.ix.functions.get(n).map(Vec::as_slice), Some([g]) if g.id() == helper.id())
            });
            if calls_helper {
                out.extend(Ctx::<D>::arg(&args, position, name));
            }
        }
    }
    out
}

/// Whether literal text ends a query or fragment part with `code=` (`?code=`, `&code=`, `#code=`).
fn ends_with_code(text: &str) -> bool {
    text.strip_suffix("code=")
        .is_some_and(|rest| rest.is_empty() || rest.ends_with(['?', '&', '#']))
}

/// Whether two uses of one name are bound in the same scope (the same variable, not a namesake in
/// another function).
fn same_binding<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, a: Node<'t>, b: Node<'t>) -> bool {
    let scope = |n: Node<'t>| {
        let name = ctx.text(n);
        ctx.lookup(name, n)
            .map(|(s, _)| s.id())
            .or_else(|| ctx.enclosing_function(n).map(|f| f.id()))
    };
    scope(a) == scope(b)
}

/// Whether an expression's text ends with `code=` (`uri + "?code="`, `` `${uri}?code=` ``).
fn ends_with_code_node<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let node = ctx.unwrap(node);
    match ctx.view(node) {
        View::Add(_, right) => ends_with_code_node(ctx, right, depth + 1),
        View::Str(parts) => matches!(parts.last(), Some(StrPart::Text(t, _)) if ends_with_code(t)),
        _ => false,
    }
}

/// The names `code` is set on in the endpoint's functions, with the value: `url.searchParams.set("code",
/// code)` gives (`url`, `code`), `params.append("code", c)` gives (`params`, `c`).
fn code_sets<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
) -> Vec<(Node<'t>, Node<'t>)> {
    let mut out = Vec::new();
    for f in functions {
        for &call in within(&ctx.ix.calls, *f) {
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
                continue;
            };
            if !matches!(property, "set" | "append") {
                continue;
            }
            let mut receiver = ctx.unwrap(object);
            if let View::Member {
                object,
                property: "searchParams",
            } = ctx.view(receiver)
            {
                receiver = ctx.unwrap(object);
            }
            if !matches!(ctx.view(receiver), View::Ident(_)) {
                continue;
            }
            if let [Arg::Positional(k), Arg::Positional(v), ..] = &args[..] {
                if ctx.string_value(*k).as_deref() == Some("code") {
                    out.push((receiver, *v));
                }
            }
        }
    }
    out
}
