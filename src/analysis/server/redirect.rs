//! redirect-uri-not-validated: whether the code of an authorization endpoint that redirects to the
//! request's `redirect_uri` compares that URI exactly with the registered ones.
//!
//! Every comparison in the endpoint's code that involves the URI (a name it goes by, a name like
//! `redirect_uri`) is classified: exact (`===`, `==`, `in` / `includes` / `has` over a collection, a map
//! lookup), partial (`startsWith`, `includes` / `in` over a string, regexes, URL components such as the
//! host alone) or a hand-over to a function the endpoint's code does not hold (which may validate). Only
//! an endpoint with no exact comparison, no hand-over and no component check of both host and path
//! (loopback URIs compared without the port, RFC 8252 §7.3) is a finding.

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, View};
use super::issuer::Authorize;
use super::request::{from_request, is_uri_name};
use crate::lang::Preorder;

/// How many nodes of one function are classified.
const MAX_NODES: usize = 20_000;

/// Methods and functions that match a prefix, a suffix or a pattern.
const PARTIAL: &[&str] = &[
    "startsWith",
    "endsWith",
    "startswith",
    "endswith",
    "match",
    "test",
    "search",
    "fullmatch",
    "matchAll",
    "matches",
    "fnmatch",
    "fnmatchcase",
];

/// Methods that look a value up in their receiver: exact over a collection, a substring test over a string.
const CONTAINS: &[&str] = &[
    "includes",
    "indexOf",
    "lastIndexOf",
    "has",
    "contains",
    "index",
    "count",
    "__contains__",
    "get",
];

/// Functions given the URI that do not validate it: conversions, URL builders, logs, responses, stores.
const HARMLESS: &[&str] = &[
    "URL",
    "URLSearchParams",
    "encodeURIComponent",
    "encodeURI",
    "decodeURIComponent",
    "String",
    "str",
    "urlparse",
    "urlsplit",
    "urlunparse",
    "urlunsplit",
    "urljoin",
    "parse_qs",
    "urlencode",
    "quote",
    "unquote",
    "quote_plus",
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "debug",
    "print",
    "redirect",
    "RedirectResponse",
    "HttpResponseRedirect",
    "HTTPFound",
    "format",
    "set",
    "append",
    "setHeader",
    "header",
    "json",
    "jsonify",
    "send",
    "status",
    "render",
    "render_template",
    "render_template_string",
    "make_response",
    "safe_substitute",
    "substitute",
    "Template",
    "TemplateResponse",
    "html",
    "text",
    "push",
    "put",
    "dumps",
    "stringify",
    "replace",
    "trim",
    "strip",
    "toString",
    "join",
    "len",
    "escape",
    "Response",
    "JSONResponse",
    "HTMLResponse",
    "create",
    "add",
    "save",
    "insert",
    "hset",
    "setex",
    "update",
];

/// URL components whose comparison is a host check or a path check.
const HOST_PARTS: &[&str] = &["hostname", "host", "origin", "netloc"];
const PATH_PARTS: &[&str] = &["pathname", "path"];
const OTHER_PARTS: &[&str] = &["protocol", "scheme", "port", "search", "hash", "href"];

/// What the endpoint's code does with the redirect URI.
#[derive(Default)]
struct Checks<'t> {
    exact: bool,
    handed_away: bool,
    host: bool,
    path: bool,
    partial: Option<Node<'t>>,
}

/// How many nodes the endpoints of one file may classify together; past it, every doubt is silence.
pub const MAX_FILE_NODES: usize = 400_000;

/// Whether the endpoint sends its code to the request's redirect URI without an exact match: the partial
/// check it makes instead, if any (`Some(None)`: no check at all). `budget` is what is left of
/// `MAX_FILE_NODES`; it is charged with the nodes classified.
pub fn unvalidated<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    a: &Authorize<'t>,
    budget: &mut usize,
) -> Option<Option<Node<'t>>> {
    a.uri_source?;
    let mut words: HashSet<&'t str> = a.uri_names.iter().copied().collect();
    let source = a.uri_source.map(|s| ctx.text(s)).unwrap_or("");
    aliases(ctx, &a.functions, &mut words);
    let mut checks = Checks::default();
    for f in &a.functions {
        for n in Preorder::new(*f).take(MAX_NODES) {
            if *budget == 0 {
                return None;
            }
            *budget -= 1;
            if n.is_named() {
                classify(ctx, n, a, &mut words, source, &mut checks);
            }
        }
        if checks.exact || checks.handed_away {
            return None;
        }
    }
    if checks.host && checks.path {
        return None;
    }
    Some(checks.partial)
}

/// How many uses of one name the aliases are looked for at.
const MAX_USES: usize = 256;

/// Adds the names bound to the URI parsed or converted (`const parsed = new URL(redirect_uri)`, `given =
/// urlparse(redirect_uri)`, `const uri = String(redirect_uri)`) in the endpoint's functions.
fn aliases<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    functions: &[Node<'t>],
    words: &mut HashSet<&'t str>,
) {
    for _ in 0..2 {
        let current: Vec<&'t str> = words.iter().copied().collect();
        for w in current {
            for u in ctx.uses_of(w).take(MAX_USES) {
                if !functions
                    .iter()
                    .any(|f| f.start_byte() <= u.start_byte() && u.end_byte() <= f.end_byte())
                {
                    continue;
                }
                let mut cur = u;
                for _ in 0..5 {
                    let Some(p) = ctx.parent(cur) else {
                        break;
                    };
                    let mut bindings = Vec::new();
                    ctx.d.bindings(p, ctx.src, &mut bindings);
                    for b in bindings {
                        let value = ctx.unwrap(b.value);
                        let converts = value.id() == u.id()
                            || matches!(ctx.view(value), View::Call { callee, .. }
                                if matches!(ctx.callee_name(callee), Some("URL" | "urlparse" | "urlsplit" | "parse" | "String" | "str" | "trim" | "strip" | "decodeURIComponent" | "unquote")));
                        if converts
                            && value.start_byte() <= u.start_byte()
                            && u.end_byte() <= value.end_byte()
                            && b.field.is_none()
                        {
                            words.insert(b.name);
                        }
                    }
                    cur = p;
                }
            }
        }
    }
}

/// Whether an expression involves the redirect URI: one of its names, a name like `redirect_uri`, or the
/// request read itself. String literals do not (`searchParams.get("redirect_uri")` reads it).
fn mentions<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    node: Node<'t>,
    words: &HashSet<&'t str>,
    source: &str,
) -> bool {
    let node = ctx.unwrap(node);
    if matches!(ctx.view(node), View::Str(_)) {
        return false;
    }
    let text = ctx.text(node);
    if text.len() > 256 {
        return false;
    }
    (!source.is_empty() && text.contains(source))
        || text
            .split(|c: char| !is_ident_char(c))
            .any(|w| !w.is_empty() && (words.contains(w) || is_uri_name(w)))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Whether a collection operand is a string (a literal, or one URI by its name): `in` or `includes` over it
/// is a substring test.
fn stringish<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let node = ctx.unwrap(node);
    match ctx.view(node) {
        View::Str(_) => true,
        View::Ident(name) | View::Member { property: name, .. } => is_uri_name(name),
        _ => false,
    }
}

/// Whether a call runs an SQL `INSERT` or `UPDATE` (`db.prepare("INSERT INTO codes …").bind(…, uri)`): it
/// stores the URI, it does not check it.
fn sql_write<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, call: Node<'t>) -> bool {
    let mut cur = call;
    for _ in 0..4 {
        let View::Call { callee, args, .. } = ctx.view(cur) else {
            return false;
        };
        if let Some(Arg::Positional(first)) = args.first() {
            if matches!(ctx.view(ctx.unwrap(*first)), View::Str(_)) {
                let sql = ctx
                    .text(*first)
                    .trim_start_matches(['`', '"', '\'', ' ', '\n']);
                let head: String = sql
                    .chars()
                    .take(12)
                    .collect::<String>()
                    .to_ascii_uppercase();
                return head.trim_start().starts_with("INSERT")
                    || head.trim_start().starts_with("UPDATE");
            }
        }
        match ctx.view(ctx.unwrap(callee)) {
            View::Member { object, .. } => cur = ctx.unwrap(object),
            _ => return false,
        }
    }
    false
}

/// Whether an operand is one character (`"?" in uri`, `uri.includes("?")`): building the query, not a check.
fn is_separator<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    ctx.string_value(node)
        .is_some_and(|s| s.chars().count() <= 1)
}

/// Whether an operand says nothing about which URI it is (`null`, `undefined`, `""`, a `typeof`).
fn is_presence<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let node = ctx.unwrap(node);
    let text = ctx.text(node);
    matches!(ctx.view(node), View::Null | View::Bool(_) | View::Number(_))
        || matches!(text, "undefined" | "null" | "None" | "''" | "\"\"")
        || text.starts_with("typeof")
}

fn classify<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    n: Node<'t>,
    a: &Authorize<'t>,
    words: &mut HashSet<&'t str>,
    source: &str,
    checks: &mut Checks<'t>,
) {
    let m = |x: Node<'t>, words: &HashSet<&'t str>| mentions(ctx, x, words, source);
    if let Some((item, collection, _)) = ctx.d.membership(n) {
        if m(item, words) {
            if stringish(ctx, collection) {
                checks.partial.get_or_insert(n);
            } else {
                checks.exact = true;
            }
        } else if m(collection, words) && !is_separator(ctx, item) {
            checks.partial.get_or_insert(n);
        }
        return;
    }
    match ctx.view(n) {
        View::Equals { left, right, .. } => {
            let (side, other) = if m(left, words) {
                (left, right)
            } else if m(right, words) {
                (right, left)
            } else {
                return;
            };
            if is_presence(ctx, other) || is_presence(ctx, side) {
                return;
            }
            match ctx.view(ctx.unwrap(side)) {
                View::Member { property, .. } if HOST_PARTS.contains(&property) => {
                    checks.host = true;
                    checks.partial.get_or_insert(n);
                }
                View::Member { property, .. } if PATH_PARTS.contains(&property) => {
                    checks.path = true
                }
                View::Member { property, .. } if OTHER_PARTS.contains(&property) => {}
                View::Member {
                    property: "length", ..
                } => {}
                _ => checks.exact = true,
            }
        }
        View::Call { callee, args, .. } => {
            if n.id() == a.redirect.id() {
                return;
            }
            let values: Vec<Node<'t>> = args
                .iter()
                .filter_map(|x| match x {
                    Arg::Positional(v) | Arg::Keyword(_, v) => Some(*v),
                    Arg::Spread(_) => None,
                })
                .collect();
            let callee = ctx.unwrap(callee);
            // The URI itself as an argument; inside an object or list it is data (`sign({ r: uri })`),
            // unless the function's name says it checks it.
            let given = values.iter().position(|v| {
                m(*v, words)
                    && !matches!(ctx.view(ctx.unwrap(*v)), View::Object(_) | View::Array(_))
            });
            // A query keyed by the URI (`findFirst({ where: { redirectUris: { has: uri } } })`) is a
            // lookup among registered URIs too.
            let checks_object = ctx.callee_name(callee).is_some_and(|name| {
                let lower = name.to_ascii_lowercase();
                [
                    "valid", "check", "verif", "assert", "ensure", "allow", "match", "find",
                    "where", "filter", "exists", "count", "query", "select", "lookup",
                ]
                .iter()
                .any(|w| lower.contains(w))
            }) && values.iter().any(|v| m(*v, words));
            if given.is_none() && checks_object {
                checks.handed_away = true;
                return;
            }
            match ctx.view(callee) {
                View::Member { object, property } if PARTIAL.contains(&property) => {
                    if given.is_some() || m(object, words) {
                        checks.partial.get_or_insert(n);
                    }
                    return;
                }
                View::Member { object, property } if CONTAINS.contains(&property) => {
                    if given.is_some() {
                        if stringish(ctx, object) {
                            checks.partial.get_or_insert(n);
                        } else if !(property == "get" && from_request(ctx, object, 0)) {
                            checks.exact = true;
                        }
                    } else if m(object, words) && !values.iter().any(|v| is_separator(ctx, *v)) {
                        checks.partial.get_or_insert(n);
                    }
                    return;
                }
                View::Ident(name) if PARTIAL.contains(&name) => {
                    if given.is_some() {
                        checks.partial.get_or_insert(n);
                    }
                    return;
                }
                _ => {}
            }
            let Some(position) = given else {
                return;
            };
            let Some(name) = ctx.callee_name(callee) else {
                checks.handed_away = true;
                return;
            };
            if HARMLESS.contains(&name) || sql_write(ctx, n) {
                return;
            }
            // A helper of the endpoint's code is judged by its body, where the URI has its parameter's name.
            if let Some([g]) = ctx.ix.functions.get(name).map(Vec::as_slice) {
                if a.functions.iter().any(|f| f.id() == g.id()) {
                    if let Some(p) = ctx.d.parameters(*g, ctx.src).get(position) {
                        if !p.is_empty() {
                            words.insert(p);
                        }
                    }
                    return;
                }
            }
            checks.handed_away = true;
        }
        View::Index { object, index } if m(index, words) && !from_request(ctx, object, 0) => {
            let written = ctx
                .parent(n)
                .and_then(|p| ctx.d.member_write(p))
                .is_some_and(|w| w.target.id() == n.id());
            if !written {
                checks.exact = true;
            }
        }
        _ => {}
    }
}
