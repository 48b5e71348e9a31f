//! Reads of the request: whether an expression is the request (or what a framework parsed out of it) and
//! whether it reads the request's `redirect_uri` (`req.query.redirect_uri`, `c.req.query("redirect_uri")`,
//! `request.args.get("redirect_uri")`, a FastAPI view's `redirect_uri` parameter).

use tree_sitter::Node;

use super::super::{name_has, Arg, Ctx, Dialect, View};

/// How many bindings of one name are followed.
const MAX_BINDINGS: usize = 4;

/// Names the request (or what a framework parsed out of it) goes by.
pub const REQUEST_ROOTS: &[&str] = &[
    "req",
    "request",
    "ctx",
    "c",
    "context",
    "event",
    "query",
    "body",
    "params",
    "searchParams",
    "form",
    "args",
    "input",
    "payload",
    "qs",
    "query_params",
];

/// Methods that read a value out of the request (`c.req.query("redirect_uri")`, `request.args.get(…)`).
const GETTERS: &[&str] = &[
    "get",
    "query",
    "param",
    "json",
    "parseBody",
    "formData",
    "form",
    "valid",
    "getAll",
];

/// Whether a name is that of one redirect URI (`redirect_uri`, `redirectUri`, not `redirect_uris`).
pub fn is_uri_name(name: &str) -> bool {
    (name_has(name, "redirecturi") || name_has(name, "redirecturl"))
        && !name_has(name, "uris")
        && !name_has(name, "urls")
}

/// Whether an expression reads the request's redirect URI: `req.query.redirect_uri`,
/// `request.args.get("redirect_uri")`, `c.req.query("redirect_uri")`, `params["redirect_uri"]`, a name
/// destructured from the request (`const { redirect_uri } = req.query`), or a parameter of the handler
/// named for it (a FastAPI view's `redirect_uri: str`).
pub fn is_uri_read<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    functions: &[Node<'t>],
) -> bool {
    match ctx.view(node) {
        View::Member { object, property } => is_uri_name(property) && from_request(ctx, object, 0),
        View::Index { object, index } => {
            ctx.string_value(index).is_some_and(|k| is_uri_name(&k)) && from_request(ctx, object, 0)
        }
        View::Call { callee, args, .. } => {
            let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
                return false;
            };
            GETTERS.contains(&property)
                && matches!(args.first(), Some(Arg::Positional(k)) if ctx.string_value(*k).is_some_and(|k| is_uri_name(&k)))
                && from_request(ctx, object, 0)
        }
        View::Ident(name) => match ctx.lookup(name, node) {
            Some((_, bindings)) => bindings
                .iter()
                .take(MAX_BINDINGS)
                .any(|b| b.field.is_some_and(is_uri_name) && from_request(ctx, b.value, 0)),
            None => {
                is_uri_name(name)
                    && functions.first().is_some_and(|h| {
                        ctx.enclosing_function(node)
                            .is_some_and(|f| f.id() == h.id())
                            && ctx.d.parameters(*h, ctx.src).contains(&name)
                    })
            }
        },
        _ => false,
    }
}

/// The names a framework gives the request object itself.
const REQUEST_OBJECTS: &[&str] = &["req", "request", "ctx", "c", "context", "event"];

/// Whether an unbound name like `params` or `body` is the request's: the request object itself, or a
/// parameter of a function that also takes the request or is a decorated view. A helper's `params`
/// (`authorize(client, params, res)`) may have been validated by its caller.
fn request_parameter<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, name: &str, at: Node<'t>) -> bool {
    if REQUEST_OBJECTS.contains(&name) {
        return true;
    }
    let Some(f) = ctx.enclosing_function(at) else {
        return true;
    };
    let params = ctx.d.parameters(f, ctx.src);
    !params.contains(&name)
        || params.iter().any(|p| REQUEST_OBJECTS.contains(p))
        || !ctx.d.decorators(f).is_empty()
}

/// Whether an expression is the request or a part of it read by a framework (`req.query`, `await
/// c.req.json()`, `new URL(req.url).searchParams`, a name bound to one of them).
pub fn from_request<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>, depth: usize) -> bool {
    if depth > 6 {
        return false;
    }
    let node = ctx.unwrap(node);
    match ctx.view(node) {
        // What the server kept for the login (`req.session.pending`, Koa's `ctx.state`) is not the request.
        View::Member {
            property: "session" | "state" | "cookies" | "signedCookies" | "locals",
            ..
        } => false,
        View::Member { object, .. } | View::Index { object, .. } => {
            from_request(ctx, object, depth + 1)
        }
        View::Call { callee, args, .. } => match ctx.view(ctx.unwrap(callee)) {
            // `c.get("user")` reads what middleware set on a Hono context, not the request.
            View::Member {
                object,
                property: "get",
            } if matches!(
                ctx.view(ctx.unwrap(object)),
                View::Ident("c" | "ctx" | "context" | "req" | "request" | "event")
            ) =>
            {
                false
            }
            View::Member { object, property } if GETTERS.contains(&property) => {
                from_request(ctx, object, depth + 1)
            }
            // A URL parsed from the request (`new URL(req.url)`, `urllib.parse.urlparse(request.url)`).
            View::Ident(
                "URL" | "URLSearchParams" | "urlparse" | "urlsplit" | "parse_qs" | "dict",
            )
            | View::Member {
                property: "urlparse" | "urlsplit" | "parse_qs",
                ..
            } => {
                matches!(args.first(), Some(Arg::Positional(a)) if from_request(ctx, *a, depth + 1))
            }
            _ => false,
        },
        // A bound name is what it is bound to; a parameter (or a global) is the request by its name.
        View::Ident(name) => match ctx.lookup(name, node) {
            Some(_) => ctx
                .resolve_ident(name, node)
                .is_some_and(|v| from_request(ctx, v, depth + 1)),
            None => REQUEST_ROOTS.contains(&name) && request_parameter(ctx, name, node),
        },
        _ => false,
    }
}
