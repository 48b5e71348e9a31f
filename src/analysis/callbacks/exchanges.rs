//! Where a code is exchanged: a token request with `grant_type=authorization_code`, or a library call that
//! redeems a code. The library knowledge (which calls exchange, what each checks of the state, which calls
//! validate the response first) is the library catalogue's (`crate::libraries`, `Library::exchanges`),
//! matched on resolved imports (`Ctx::qualify`).

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, Entry, Key, View};
use crate::libraries::{self, Checks};

/// A place where a code is exchanged.
#[derive(Clone, Debug)]
pub struct Site<'t> {
    /// The `authorization_code` value of a token request, or the library call.
    pub node: Node<'t>,
    /// The library call, resolved; `None` for a token request.
    pub library: Option<String>,
    /// The library compares the state itself.
    pub checked: bool,
    /// The call of a helper of another module that exchanges the code: its name here, and where it
    /// exchanges.
    pub helper: Option<(String, crate::summary::Foreign)>,
}

/// Whether a qualified name is `method` on something from `package`.
fn matches(qualified: &str, package: &str, method: &str) -> bool {
    let Some(rest) = qualified.strip_prefix(package) else {
        return false;
    };
    (rest.starts_with('.') || rest.starts_with('/')) && qualified.rsplit('.').next() == Some(method)
}

#[cfg(test)]
pub fn matches_for_tests(qualified: &str, package: &str, method: &str) -> bool {
    matches(qualified, package, method)
}

/// Every exchange in the file.
pub fn collect<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Site<'t>> {
    let mut out = Vec::new();
    // Receivers that built an authorization URL (a session that generated its state).
    let built_url: HashSet<&str> = ctx
        .ix
        .calls
        .iter()
        .filter_map(|&c| match ctx.view(c) {
            View::Call { callee, .. } => match ctx.view(ctx.unwrap(callee)) {
                View::Member {
                    object,
                    property: "authorization_url" | "create_authorization_url",
                } => Some(ctx.text(ctx.unwrap(object))),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let is_grant = |v: Node<'t>| ctx.string_value(v).as_deref() == Some("authorization_code");
    let token = |node| Site {
        node,
        library: None,
        checked: false,
        helper: None,
    };
    for &o in &ctx.ix.objects {
        if let View::Object(entries) = ctx.view(o) {
            for e in entries.iter().copied() {
                if let Entry::Pair(Key::Name(k, _), v) = e {
                    if k == "grant_type" && is_grant(v) {
                        out.push(token(v));
                    }
                }
            }
        }
    }
    for &c in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(c) else {
            continue;
        };
        for a in args.iter() {
            if let Arg::Keyword("grant_type", v) = a {
                if is_grant(*v) {
                    out.push(token(*v));
                }
            }
        }
        if let [Arg::Positional(k), Arg::Positional(v), ..] = &args[..] {
            if matches!(ctx.callee_name(callee), Some("set" | "append"))
                && ctx.string_value(*k).as_deref() == Some("grant_type")
                && is_grant(*v)
            {
                out.push(token(*v));
            }
        }
        if let Some(site) = library(ctx, c, callee, &args, &built_url) {
            out.push(site);
        }
    }
    for w in &ctx.ix.member_writes {
        let key = match ctx.view(ctx.unwrap(w.target)) {
            View::Member { property, .. } => Some(property.to_string()),
            View::Index { index, .. } => ctx.string_value(index),
            _ => None,
        };
        if key.as_deref() == Some("grant_type") && is_grant(w.value) {
            out.push(token(w.value));
        }
    }
    for &s in &ctx.ix.strings {
        if ctx.text(s).contains("grant_type=authorization_code")
            && !ctx.d.is_docstring(ctx.parent(s))
            && sent_somewhere(ctx, s)
        {
            out.push(token(s));
        }
    }
    out.extend(super::helpers::sites(ctx));
    out.sort_by_key(|s| s.node.start_byte());
    out.dedup_by_key(|s| s.node.id());
    out
}

/// Whether a string is a value that goes somewhere (an argument, a variable, an entry, a larger string),
/// not one that is searched for or compared (`assert "grant_type=authorization_code" in body`).
fn sent_somewhere<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, s: Node<'t>) -> bool {
    if super::calls::call_of_argument(ctx, s).is_some() || ctx.ix.binding_of_value(s.id()).is_some()
    {
        return true;
    }
    let Some(parent) = ctx.parent(s) else {
        return false;
    };
    let grandparent = ctx.parent(parent).map(|g| ctx.view(g));
    matches!(
        ctx.view(parent),
        View::Add(..) | View::Percent(..) | View::Str(_) | View::Adjacent(_) | View::Wrapped(_)
    ) || matches!(grandparent, Some(View::Object(_)))
}

/// Whether a library call redeems a code written in the source (tests, documentation): not a callback.
fn literal_code<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, args: &[Arg<'t>]) -> bool {
    let code = args
        .iter()
        .find_map(|a| match a {
            Arg::Keyword("code", v) => Some(*v),
            _ => None,
        })
        .or_else(|| match args.first() {
            Some(Arg::Positional(v)) => Some(*v),
            _ => None,
        });
    code.is_some_and(|c| ctx.string_value(c).is_some())
}

fn library<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    call: Node<'t>,
    callee: Node<'t>,
    args: &[Arg<'t>],
    built_url: &HashSet<&str>,
) -> Option<Site<'t>> {
    let method = ctx.callee_name(callee)?;
    let mut known = libraries::exchanges_named(method)
        .filter(|(_, e)| !e.is_validator())
        .peekable();
    known.peek()?;
    let qualified = ctx.qualify(callee, 0)?;
    let (_, entry) = known.find(|(l, e)| {
        libraries::exchange_modules(l, e)
            .iter()
            .any(|m| matches(&qualified, m, method))
            && qualified.contains(e.receiver)
    })?;
    if entry.checks == Checks::Never && literal_code(ctx, args) {
        return None;
    }
    // `fetch_token` without a code or the redirect is another grant (client credentials, a refresh).
    let keyword = |k: &str| {
        args.iter()
            .any(|a| matches!(a, Arg::Keyword(n, _) if *n == k))
    };
    if matches!(entry.checks, Checks::SessionState { .. })
        && literal_code(ctx, args)
        && keyword("code")
    {
        return None;
    }
    if matches!(entry.checks, Checks::SessionState { .. })
        && !keyword("code")
        && !keyword("authorization_response")
        && !args.iter().any(|a| matches!(a, Arg::Spread(_)))
    {
        return None;
    }
    let checked = match entry.checks {
        Checks::Never => false,
        Checks::Always => true,
        Checks::WithOption { position, keys } => match Ctx::<D>::arg(args, position, "") {
            Some(options) => keys.iter().any(|key| option_given(ctx, options, key)),
            None => args.iter().any(|a| matches!(a, Arg::Spread(_))),
        },
        Checks::SessionState { url_keeps_state } => {
            session_state(ctx, callee, args, url_keeps_state.then_some(built_url))
        }
        // Not reached: validators are not exchanges.
        Checks::Validates { .. } => true,
    };
    Some(Site {
        node: call,
        library: Some(format!("{qualified}()")),
        checked,
        helper: None,
    })
}

/// Whether an options argument sets `key` (unknown options count as setting it).
fn option_given<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, options: Node<'t>, key: &str) -> bool {
    let mut node = ctx.unwrap(options);
    if let View::Ident(name) = ctx.view(node) {
        match ctx.resolve_ident(name, node) {
            Some(v) => node = ctx.unwrap(v),
            None => return true,
        }
    }
    match ctx.view(node) {
        View::Object(entries) => entries.iter().any(|e| match e {
            Entry::Pair(Key::Name(k, _), v) => {
                *k == key && !matches!(ctx.view(ctx.unwrap(*v)), View::Ident("undefined"))
            }
            Entry::Pair(Key::Unknown, _) | Entry::Spread(_) => true,
        }),
        // A keyword argument's value, or anything not written out here.
        _ => true,
    }
}

/// requests-oauthlib and the sessions modelled on it: the whole redirect goes in, and the session knows
/// which state it sent.
fn session_state<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    callee: Node<'t>,
    args: &[Arg<'t>],
    built_url: Option<&HashSet<&str>>,
) -> bool {
    let keyword = |args: &[Arg<'t>], k: &str| {
        args.iter()
            .any(|a| matches!(a, Arg::Keyword(n, _) if *n == k) || matches!(a, Arg::Spread(_)))
    };
    if !keyword(args, "authorization_response") {
        return false;
    }
    if keyword(args, "state") {
        return true;
    }
    let View::Member { object, .. } = ctx.view(ctx.unwrap(callee)) else {
        return true;
    };
    let receiver = ctx.text(ctx.unwrap(object));
    // The session that built the authorization URL keeps the state it generated.
    if built_url.is_some_and(|b| b.contains(receiver)) {
        return true;
    }
    let View::Ident(name) = ctx.view(ctx.unwrap(object)) else {
        return true;
    };
    match ctx
        .resolve_ident(name, object)
        .map(|v| ctx.view(ctx.unwrap(v)))
    {
        Some(View::Call { args, .. }) => keyword(&args, "state"),
        _ => true,
    }
}

/// The validator calls that check state (oauth4webapi `validateAuthResponse(as, client, params, state)`).
pub fn validators<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for &c in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(c) else {
            continue;
        };
        let Some(method) = ctx.callee_name(callee) else {
            continue;
        };
        for (lib, e) in libraries::exchanges_named(method) {
            let Checks::Validates {
                position,
                keyword,
                off,
                when_absent,
            } = e.checks
            else {
                continue;
            };
            let Some(qualified) = ctx.qualify(callee, 0) else {
                continue;
            };
            if !libraries::exchange_modules(lib, e)
                .iter()
                .any(|m| matches(&qualified, m, method))
            {
                continue;
            }
            // oauth4webapi: without an expected state it expects none and rejects a response that has one.
            let checks = match Ctx::<D>::arg(&args, position, keyword) {
                None => when_absent,
                Some(s) => {
                    ctx.text(s) != off && !ctx.qualify(s, 0).is_some_and(|q| q.ends_with(off))
                }
            };
            if checks {
                out.push(c);
                break;
            }
        }
    }
    out
}
