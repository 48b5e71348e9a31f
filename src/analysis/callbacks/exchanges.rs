//! Where a code is exchanged: a token request with `grant_type=authorization_code`, or a library call that
//! redeems a code. The library knowledge is one declarative table (`EXCHANGES`, `VALIDATORS`), matched on
//! resolved imports (`Ctx::qualify`), so that it can move into the library catalogue as it is.

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, Entry, Key, View};

/// Whether a library's exchange checks the returned state itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// Never: the caller must compare it first.
    Never,
    /// Always, against the state the library stored when it built the authorization URL.
    Always,
    /// When the options object at this argument position has one of these keys (openid-client
    /// `callback(redirectUri, params, { state })`, `authorizationCodeGrant(config, url, { expectedState })`;
    /// an OpenID Connect nonce checked the same way binds the response to the session too, RFC 9700 §4.7.1).
    WithOption {
        position: usize,
        keys: &'static [&'static str],
    },
    /// When the call passes the whole redirect (`authorization_response=`) to a session that knows the state
    /// it sent: created with `state=`, given `state=`, or the session that built the authorization URL
    /// (requests-oauthlib, google-auth-oauthlib, authlib `OAuth2Session.fetch_token`).
    SessionState,
}

/// One library exchange: the package its receiver is imported from, a part its resolved receiver must
/// name (the class whose method redeems a code, when others of the package share the method name), the
/// method, and what it checks.
#[derive(Clone, Copy, Debug)]
pub struct Exchange {
    pub package: &'static str,
    pub receiver: &'static str,
    pub method: &'static str,
    pub checks: Checks,
}

const fn ex(package: &'static str, method: &'static str, checks: Checks) -> Exchange {
    Exchange {
        package,
        receiver: "",
        method,
        checks,
    }
}

const fn ex_on(
    package: &'static str,
    receiver: &'static str,
    method: &'static str,
    checks: Checks,
) -> Exchange {
    Exchange {
        package,
        receiver,
        method,
        checks,
    }
}

/// The exchange calls skillaudit knows. Behaviour as documented by each library (and read in its source):
/// openid-client v5 `Client#callback`/`oauthCallback` compare `checks.state`; v6 `authorizationCodeGrant`
/// compares `expectedState`; arctic's `validateAuthorizationCode`, simple-oauth2's `getToken` and
/// google-auth-library's `getToken` take a bare code, as does oauth4webapi's `authorizationCodeGrantRequest`
/// (its `validateAuthResponse` checks state, `VALIDATORS`); requests-oauthlib's `fetch_token` parses
/// `authorization_response` with the session's state (`parse_request_uri_response(…, state=self._state)`),
/// which google-auth-oauthlib's `Flow` and authlib's `OAuth2Session` share; authlib's framework clients'
/// `authorize_access_token` compare with the state kept in the framework session; the MCP SDKs' auth flows
/// are the SDKs' business.
pub static EXCHANGES: &[Exchange] = &[
    ex(
        "openid-client",
        "callback",
        Checks::WithOption {
            position: 2,
            keys: &["state", "nonce"],
        },
    ),
    ex(
        "openid-client",
        "oauthCallback",
        Checks::WithOption {
            position: 2,
            keys: &["state", "nonce"],
        },
    ),
    ex(
        "openid-client",
        "authorizationCodeGrant",
        Checks::WithOption {
            position: 2,
            keys: &["expectedState", "expectedNonce"],
        },
    ),
    ex(
        "oauth4webapi",
        "authorizationCodeGrantRequest",
        Checks::Never,
    ),
    ex("arctic", "validateAuthorizationCode", Checks::Never),
    // simple-oauth2's `ClientCredentials` and `ResourceOwnerPassword` have a `getToken` too.
    ex_on(
        "simple-oauth2",
        ".AuthorizationCode",
        "getToken",
        Checks::Never,
    ),
    ex("google-auth-library", "getToken", Checks::Never),
    ex("googleapis", "getToken", Checks::Never),
    ex("requests_oauthlib", "fetch_token", Checks::SessionState),
    ex("google_auth_oauthlib", "fetch_token", Checks::SessionState),
    ex("authlib", "fetch_token", Checks::SessionState),
    ex("authlib", "authorize_access_token", Checks::Always),
    ex("@modelcontextprotocol/sdk", "finishAuth", Checks::Always),
    ex("@modelcontextprotocol/sdk", "auth", Checks::Always),
];

/// Calls that validate the authorization response, state included, before a separate exchange: the package,
/// the method, the position of the expected state, and the value that switches the check off. oauth4webapi's
/// `validateAuthResponse` compares `expectedState`, and without it (`expectNoState`, the default) rejects a
/// response that carries a state.
pub static VALIDATORS: &[(&str, &str, usize, &str)] =
    &[("oauth4webapi", "validateAuthResponse", 3, "skipStateCheck")];

/// A place where a code is exchanged.
#[derive(Clone, Debug)]
pub struct Site<'t> {
    /// The `authorization_code` value of a token request, or the library call.
    pub node: Node<'t>,
    /// The library call, resolved; `None` for a token request.
    pub library: Option<String>,
    /// The library compares the state itself.
    pub checked: bool,
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
    };
    for &o in &ctx.ix.objects {
        if let View::Object(entries) = ctx.view(o) {
            for e in entries {
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
        for a in &args {
            if let Arg::Keyword("grant_type", v) = a {
                if is_grant(*v) {
                    out.push(token(*v));
                }
            }
        }
        if let [Arg::Positional(k), Arg::Positional(v), ..] = args.as_slice() {
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
    let known = EXCHANGES.iter().filter(|e| e.method == method);
    let mut known = known.peekable();
    known.peek()?;
    let qualified = ctx.qualify(callee, 0)?;
    let entry = known
        .find(|e| matches(&qualified, e.package, e.method) && qualified.contains(e.receiver))?;
    if entry.checks == Checks::Never && literal_code(ctx, args) {
        return None;
    }
    // `fetch_token` without a code or the redirect is another grant (client credentials, a refresh).
    let keyword = |k: &str| {
        args.iter()
            .any(|a| matches!(a, Arg::Keyword(n, _) if *n == k))
    };
    if entry.checks == Checks::SessionState && literal_code(ctx, args) && keyword("code") {
        return None;
    }
    if entry.checks == Checks::SessionState
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
        Checks::SessionState => session_state(ctx, callee, args, built_url),
    };
    Some(Site {
        node: call,
        library: Some(format!("{qualified}()")),
        checked,
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
                k == key && !matches!(ctx.view(ctx.unwrap(*v)), View::Ident("undefined"))
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
    built_url: &HashSet<&str>,
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
    if built_url.contains(receiver) {
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
        for &(package, name, position, off) in VALIDATORS {
            if method != name {
                continue;
            }
            let Some(qualified) = ctx.qualify(callee, 0) else {
                continue;
            };
            if !matches(&qualified, package, name) {
                continue;
            }
            // Without an expected state it expects none and rejects a response that has one.
            let checks = Ctx::<D>::arg(&args, position, "")
                .is_none_or(|s| !ctx.qualify(s, 0).is_some_and(|q| q.ends_with(off)));
            if checks {
                out.push(c);
            }
        }
    }
    out
}
