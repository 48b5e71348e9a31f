//! Where a callback reads the redirect: `code` and `state` taken from the query of the request or of the
//! page's URL, in the shapes the frameworks give it (`req.query.code`, `url.searchParams.get("code")`,
//! `c.req.query("code")`, `request.args.get("code")`, `parse_qs(...)["code"][0]`, `const { code } =
//! req.query`, a FastAPI view's `code` parameter …), over views.

use tree_sitter::Node;

use super::super::{Arg, Class, Ctx, Dialect, View, MAX_DEPTH};

/// The parameter read from the redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    Code,
    State,
}

/// One read of `code` or `state` from the redirect.
#[derive(Clone, Copy, Debug)]
pub struct Read<'t> {
    /// The expression that reads it (or the name a destructuring or a parameter binds).
    pub node: Node<'t>,
    pub param: Param,
    /// The request object the query comes from (`req` in `req.query.code`), when it is a plain name.
    pub root: Option<&'t str>,
    /// The node is a name that a destructuring or a parameter binds, not an expression.
    pub bound: bool,
}

/// Members that hold a request's query parameters: Express/Koa/Fastify `query`, `URL.searchParams`, Flask
/// `args`, Django `GET`, Starlette `query_params`.
const QUERY_MEMBERS: &[&str] = &[
    "query",
    "searchParams",
    "args",
    "GET",
    "query_params",
    "queryParams",
];

/// Names that hold query parameters when nothing in the file binds them (a page's `searchParams` prop).
const QUERY_NAMES: &[&str] = &["searchParams", "query_params", "queryParams"];

/// Calls that return the query parameters of a URL or request.
const QUERY_CALLS: &[&str] = &[
    "URLSearchParams",
    "useSearchParams",
    "parse_qs",
    "parse_qsl",
    "getQuery",
];

/// Methods that read one parameter: `searchParams.get("code")`, `request.args.get("code")`,
/// `request.query.getone("code")`.
const GETTERS: &[&str] = &["get", "getone", "get_one", "getlist", "getAll"];

/// Whether an expression holds the query parameters of a request or URL; if so, the request's name.
/// `Some(None)`: it does, from no plain-named request (the page's URL).
pub fn query_root<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    depth: usize,
) -> Option<Option<&'t str>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let node = ctx.unwrap(node);
    match ctx.view(node) {
        View::Member { object, property } if QUERY_MEMBERS.contains(&property) => {
            if location_header(ctx, object, depth + 1) {
                return None;
            }
            Some(root_name(ctx, object, depth + 1))
        }
        View::Call { callee, args, .. } => {
            let name = ctx.callee_name(callee)?;
            let qualified = ctx.qualify(callee, depth + 1).unwrap_or_default();
            if QUERY_CALLS.contains(&name)
                || matches!(qualified.as_str(), "qs.parse" | "querystring.parse")
            {
                return Some(
                    Ctx::<D>::arg(&args, 0, "").and_then(|a| root_name(ctx, a, depth + 1)),
                );
            }
            // `Object.fromEntries(url.searchParams)`, `dict(request.query_params)`.
            if matches!(name, "fromEntries" | "dict") {
                return query_root(ctx, Ctx::<D>::arg(&args, 0, "")?, depth + 1);
            }
            // Hono `c.req.query()`: every parameter at once.
            if name == "query" && args.is_empty() {
                if let View::Member { object, .. } = ctx.view(ctx.unwrap(callee)) {
                    return Some(root_name(ctx, object, depth + 1));
                }
            }
            None
        }
        View::Ident(name) => match ctx.lookup(name, node) {
            Some((_, [only])) if !only.append => match only.field {
                // `const { searchParams } = new URL(req.url)`.
                Some(f) if QUERY_MEMBERS.contains(&f) => {
                    Some(root_name(ctx, only.value, depth + 1))
                }
                // `const [searchParams] = useSearchParams()`.
                Some("#0") => match ctx.view(ctx.unwrap(only.value)) {
                    View::Call { callee, .. }
                        if ctx.callee_name(callee) == Some("useSearchParams") =>
                    {
                        Some(None)
                    }
                    _ => None,
                },
                Some(_) => None,
                None => query_root(ctx, only.value, depth + 1),
            },
            Some(_) => None,
            None => QUERY_NAMES.contains(&name).then_some(None),
        },
        _ => None,
    }
}

/// Whether a URL is the `Location` header of a response this process fetched (a test driver or a client
/// following an authorization server's redirect itself): no browser brings it, so it is not a callback.
fn location_header<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> bool {
    let mut cur = node;
    for _ in depth..MAX_DEPTH {
        cur = ctx.unwrap(cur);
        match ctx.view(cur) {
            View::Call { callee, args, .. } => {
                let first = Ctx::<D>::arg(&args, 0, "");
                match ctx.callee_name(callee) {
                    Some("get") => {
                        return first
                            .and_then(|a| ctx.string_value(a))
                            .is_some_and(|k| k.eq_ignore_ascii_case("location"))
                    }
                    Some("URL" | "urlparse" | "urlsplit") => match first {
                        Some(a) => cur = a,
                        None => return false,
                    },
                    _ => return false,
                }
            }
            View::Index { index, .. } => {
                return ctx
                    .string_value(index)
                    .is_some_and(|k| k.eq_ignore_ascii_case("location"))
            }
            View::Member { object, .. } => cur = object,
            View::Or(left, _) => cur = left,
            View::Ident(name) => match ctx.resolve_ident(name, cur) {
                Some(v) => cur = v,
                None => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The plain name an expression starts from, through members, calls and `new URL(req.url)`.
fn root_name<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    depth: usize,
) -> Option<&'t str> {
    let mut cur = node;
    for _ in depth..MAX_DEPTH {
        cur = ctx.unwrap(cur);
        match ctx.view(cur) {
            View::Member { object, .. } | View::Index { object, .. } => cur = object,
            View::Call { callee, args, .. } => match ctx.view(ctx.unwrap(callee)) {
                View::Member { object, .. } => cur = object,
                _ => cur = Ctx::<D>::arg(&args, 0, "")?,
            },
            View::Ident(name) => {
                return match ctx.resolve_ident(name, cur) {
                    Some(v)
                        if matches!(
                            ctx.view(ctx.unwrap(v)),
                            View::Call { .. } | View::Member { .. }
                        ) =>
                    {
                        root_name(ctx, v, depth + 1).or(Some(name))
                    }
                    _ => Some(name),
                };
            }
            _ => return None,
        }
    }
    None
}

/// The read of a parameter by this node, if it is one.
fn read_at<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<Read<'t>> {
    let (param, root) = match ctx.view(node) {
        View::Member { object, property } => (param_named(property)?, query_root(ctx, object, 0)?),
        View::Index { object, index } => {
            let key = ctx.string_value(index)?;
            (param_named(&key)?, query_root(ctx, object, 0)?)
        }
        View::Call { callee, args, .. } => {
            let Some(Arg::Positional(first)) = args.first() else {
                return None;
            };
            let param = param_named(&ctx.string_value(*first)?)?;
            let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
                return None;
            };
            if GETTERS.contains(&property) {
                (param, query_root(ctx, object, 0)?)
            } else if property == "query" {
                // Hono `c.req.query("code")`.
                (param, root_name(ctx, object, 0))
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(Read {
        node,
        param,
        root,
        bound: false,
    })
}

fn param_named(key: &str) -> Option<Param> {
    match key {
        "code" => Some(Param::Code),
        "state" => Some(Param::State),
        _ => None,
    }
}

/// Every read of `code` and `state` in the file, in source order.
pub fn collect<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Read<'t>> {
    let mut out: Vec<Read<'t>> = ctx
        .ix
        .calls
        .iter()
        .filter_map(|&c| read_at(ctx, c))
        .collect();
    // Member and index reads: only nodes whose text ends like one (building views of every node costs).
    for &node in ctx.ix.named_nodes() {
        if ctx.d.class(node, ctx.src) == Class::Call {
            continue;
        }
        let text = ctx.text(node);
        let tail = text.trim_end_matches([']', ')', '"', '\'', ' ']);
        if !(tail.ends_with("code") || tail.ends_with("state")) || text.len() > 200 {
            continue;
        }
        if let Some(r) = read_at(ctx, node) {
            out.push(r);
        }
    }
    // `const { code, state } = req.query`.
    for (_, b) in ctx.ix.all_bindings() {
        let Some(param) = b.field.and_then(param_named) else {
            continue;
        };
        if let Some(root) = query_root(ctx, b.value, 0) {
            out.push(Read {
                node: b.target,
                param,
                root,
                bound: true,
            });
        }
    }
    // A view whose route decorator passes query parameters as arguments (FastAPI `def cb(code: str)`).
    for functions in ctx.ix.functions.values() {
        for &f in functions {
            let params = ctx.d.parameter_nodes(f, ctx.src);
            if !params.iter().any(|(n, _)| *n == "code") {
                continue;
            }
            let routed = ctx.d.decorators(f).into_iter().any(|d| {
                matches!(ctx.view(d), View::Call { callee, .. }
                    if matches!(ctx.callee_name(callee), Some("get" | "route" | "api_route")))
            });
            // A dependency (`Depends(verify_state)`) may check the state where this file cannot see.
            let depends = params.iter().any(|(_, n)| {
                ctx.parent(*n)
                    .and_then(|p| ctx.d.default_value(p, ctx.src))
                    .is_some_and(|(_, v)| match ctx.view(ctx.unwrap(v)) {
                        View::Call { callee, .. } => !matches!(
                            ctx.callee_name(callee),
                            Some("Query" | "Path" | "Header" | "Cookie" | "Body" | "Form")
                        ),
                        _ => false,
                    })
            });
            if !routed || depends {
                continue;
            }
            for (name, node) in params {
                if let Some(param) = param_named(name) {
                    out.push(Read {
                        node,
                        param,
                        root: None,
                        bound: true,
                    });
                }
            }
        }
    }
    out.sort_by_key(|r| r.node.start_byte());
    out.dedup_by_key(|r| r.node.id());
    out
}
