//! What calls and blocks do, for the callback analysis: stop the request, log, decode a blob, convert or
//! compare in constant time; and where an expression is an argument.

use std::rc::Rc;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, View};

/// Calls that stop the request with an error.
const STOPS: &[&str] = &[
    "abort",
    "exit",
    "_exit",
    "reject",
    "fail",
    "sendError",
    "next",
    "throw",
];

/// Calls that turn a value into a string and back.
pub const CONVERSIONS: &[&str] = &[
    "String",
    "str",
    "encodeURIComponent",
    "decodeURIComponent",
    "unquote",
    "toString",
    "trim",
    "strip",
];

/// Calls that only send a value out (a response, a redirect, a URL being built): the state passed to them
/// is echoed, not checked.
pub const OUTPUTS: &[&str] = &[
    "redirect",
    "send",
    "json",
    "end",
    "write",
    "text",
    "html",
    "render",
    "render_template",
    "Response",
    "RedirectResponse",
    "HTMLResponse",
    "JSONResponse",
    "HttpResponse",
    "HttpResponseRedirect",
    "set",
    "append",
    "urlencode",
    "stringify",
    "dumps",
];

/// Names (lower case) of constant-time comparison helpers.
pub const CONSTANT_TIME: &[&str] = &[
    "timingsafeequal",
    "compare_digest",
    "safecompare",
    "safe_compare",
    "constanttime",
    "constant_time",
    "securecompare",
    "secure_compare",
];

/// What a block of code does when it runs.
#[derive(PartialEq, Eq)]
pub enum Body {
    /// Throws, returns, aborts.
    Stops,
    /// Only logs (or does nothing).
    LogsOnly,
    /// Calls something else.
    Unknown,
}

/// What a block does when it runs: stops (throw, return, abort), only logs, or does something else (calls,
/// assignments).
pub fn body<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> Body {
    let mut unknown = false;
    let mut logging: Vec<Node<'t>> = Vec::new();
    for node in crate::lang::Preorder::new(block) {
        if !node.is_named() || ctx.d.is_comment(node) {
            continue;
        }
        if ctx.d.is_throw(node) || ctx.d.is_return(node) {
            return Body::Stops;
        }
        if logging.iter().any(|l| is_within(*l, node)) {
            continue;
        }
        // `error = "state mismatch"`: a flag that later code may act on.
        let mut bound = Vec::new();
        ctx.d.bindings(node, ctx.src, &mut bound);
        if !bound.is_empty() || ctx.d.member_write(node).is_some() {
            unknown = true;
        }
        if let View::Call { callee, .. } = ctx.view(node) {
            let name = ctx.callee_name(callee).unwrap_or("");
            if STOPS.contains(&name) {
                return Body::Stops;
            }
            if is_log(ctx, callee, name) {
                logging.push(node);
            } else {
                unknown = true;
            }
        }
    }
    if unknown {
        Body::Unknown
    } else {
        Body::LogsOnly
    }
}

/// `console.warn(…)`, `logger.warning(…)`, `self.log.info(…)`, `print(…)`.
pub fn is_log<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, callee: Node<'t>, name: &str) -> bool {
    match ctx.view(ctx.unwrap(callee)) {
        View::Ident(n) => n == "print",
        View::Member { object, property } => {
            let object = ctx.text(object).to_ascii_lowercase();
            matches!(
                property,
                "log"
                    | "warn"
                    | "error"
                    | "info"
                    | "debug"
                    | "warning"
                    | "trace"
                    | "exception"
                    | "critical"
            ) && (object.ends_with("console")
                || object.ends_with("log")
                || object.ends_with("logger")
                || object.ends_with("logging"))
                && name == property
        }
        _ => false,
    }
}

/// Console prompts a command-line login reads a pasted code from (`input("Code: ")`, `getpass`,
/// `rl.question(…)`, `prompt(…)`).
const PROMPTS: &[&str] = &[
    "input",
    "raw_input",
    "getpass",
    "prompt",
    "question",
    "readline",
];

/// Whether a function reads from a console prompt.
pub fn prompts<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, function: Node<'t>) -> bool {
    super::within(&ctx.ix.calls, function).iter().any(|&call| {
        matches!(ctx.view(call), View::Call { callee, .. }
            if ctx.callee_name(callee).is_some_and(|n| PROMPTS.contains(&n)))
    })
}

/// Calls that decode a blob: `atob`, `Buffer.from(s, "base64")`, `JSON.parse`, `base64.b64decode`,
/// `json.loads`, `jwt.decode` (which does not verify), `jwtDecode`.
pub fn is_decoder<'t, D: Dialect>(
    name: &str,
    qualified: &str,
    args: &[Arg<'t>],
    ctx: &Ctx<'t, '_, D>,
) -> bool {
    let lower = qualified.to_ascii_lowercase();
    match name {
        "atob" | "b64decode" | "urlsafe_b64decode" | "jwtDecode" | "jwt_decode" | "decodeJwt" => {
            true
        }
        "parse" => qualified == "JSON.parse",
        "loads" => lower.starts_with("json"),
        "decode" => lower.contains("jwt") || lower.contains("base64"),
        "from" => {
            qualified == "Buffer.from"
                && Ctx::<D>::arg(args, 1, "")
                    .is_some_and(|e| ctx.string_value(e).is_some_and(|s| s.starts_with("base64")))
        }
        _ => false,
    }
}

/// Whether `node` lies inside `outer` (or is it).
pub fn is_within(outer: Node, node: Node) -> bool {
    outer.start_byte() <= node.start_byte() && node.end_byte() <= outer.end_byte()
}

/// Whether an identifier names a keyword argument (`state` in `f(state=x)`) rather than using a value.
pub fn is_keyword_name<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, ident: Node<'t>) -> bool {
    let Some(pair) = ctx.parent(ident) else {
        return false;
    };
    let Some(call) = ctx.parent(pair).and_then(|l| ctx.parent(l)) else {
        return false;
    };
    match ctx.view(call) {
        View::Call { args, .. } => args.iter().any(|a| {
            matches!(a, Arg::Keyword(_, v) if v.id() != ident.id() && ctx.parent(*v).is_some_and(|p| p.id() == pair.id()))
        }),
        _ => false,
    }
}

/// The call that `node` is an argument of (positional, keyword or spread).
pub fn call_of_argument<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Option<Node<'t>> {
    let mut up = ctx.parent(node);
    for _ in 0..2 {
        let list = up?;
        let call = ctx.parent(list)?;
        if let View::Call { args, .. } = ctx.view(call) {
            let found = args.iter().any(|a| match a {
                Arg::Positional(n) | Arg::Keyword(_, n) | Arg::Spread(n) => n.id() == node.id(),
            });
            if found {
                return Some(call);
            }
        }
        up = Some(call);
    }
    None
}

/// Decorators that do not look at the request's parameters.
const PLAIN_DECORATORS: &[&str] = &[
    "get",
    "post",
    "route",
    "api_route",
    "login_required",
    "csrf_exempt",
    "require_GET",
    "require_http_methods",
    "never_cache",
    "cache_control",
    "staticmethod",
    "classmethod",
];

/// Whether something around a handler may check the state before it runs: route middleware passed with it
/// (`app.get("/cb", checkState, handler)`, `passport.authenticate(…)`), a decorator other than the route's
/// (`@require_oauth_state`), or route dependencies (`@app.get("/cb", dependencies=[Depends(…)])`).
pub fn guarded_around<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, handler: Node<'t>) -> bool {
    if let Some(call) = call_of_argument(ctx, handler) {
        if let View::Call { callee, args, .. } = ctx.view(call) {
            let route = matches!(
                ctx.callee_name(callee),
                Some("get" | "post" | "all" | "put" | "use" | "route" | "on")
            );
            let middleware = route
                && args.iter().any(|a| match a {
                    Arg::Positional(n) => {
                        n.id() != handler.id() && !ctx.is_constant(*n) && !is_within(*n, handler)
                    }
                    Arg::Keyword(..) => false,
                    Arg::Spread(_) => true,
                });
            if middleware {
                return true;
            }
        }
    }
    ctx.d.decorators(handler).into_iter().any(|d| {
        let (callee, args) = match ctx.view(d) {
            View::Call { callee, args, .. } => (callee, args),
            _ => (d, Rc::from([])),
        };
        let name = ctx.callee_name(callee).unwrap_or("");
        !PLAIN_DECORATORS.contains(&name)
            || args
                .iter()
                .any(|a| matches!(a, Arg::Keyword("dependencies", _) | Arg::Spread(_)))
    })
}
