//! The authorization-server side: token endpoints of hand-written servers (Express, Hono, Koa, Fastify,
//! FastAPI, Flask, Starlette …) and what they do with the record stored under the code they redeem
//! (authorization-code-reusable).
//!
//! `endpoint` recognises a token endpoint: a function that compares the request's `grant_type` with
//! `"authorization_code"` (an `if`, a `switch` case) and produces an `access_token`, with the helpers of
//! the same file it calls by name (two calls deep). `record` finds, in those functions, the lookup of the
//! stored code record by the submitted code (`codes.get(code)`, `store[code]`, `await kv.get(`code:${code}`)`,
//! `Model.objects.get(code=code)`, `…filter(code=code).first()`) and whether anything consumes it.
//!
//! `issuer` recognises the authorization endpoint (a route handler that generates a random value or writes
//! a record, and redirects to a URL carrying `code=`; `request` reads the request); `redirect` judges whether the request's `redirect_uri` it
//! redirects to is matched exactly against registered URIs (redirect-uri-not-validated); `lifetime` reads
//! the expiry of the code records it writes (authorization-code-lifetime).
//!
//! A client callback sends `grant_type=authorization_code` in a token request but never compares it, so it
//! is not an endpoint here. The result gates CI, so every doubt is silence: a file that imports a
//! maintained server library, a lookup through a helper of another module, any word of consumption in the
//! endpoint's code (delete, pop, getdel, a `used` flag, an ORM update) give no finding.

mod endpoint;
mod record;

// The authorization endpoint: redirect-uri-not-validated, authorization-code-lifetime.
pub mod issuer;
mod lifetime;
mod redirect;
pub mod request;

use std::collections::HashMap;

use super::{span, Ctx, Dialect};
use crate::facts::{CodeLifetime, FileFacts, ReusableCode, UnvalidatedRedirect};

/// How many token endpoints one file may judge.
const MAX_ENDPOINTS: usize = 256;

/// Code records may live at most this long (RFC 6749 §4.1.2 recommends ten minutes).
const MAX_CODE_SECONDS: f64 = 600.0;

/// How many functions named for storing a code one file may judge.
const MAX_CODE_STORES: usize = 64;

/// Modules of maintained authorization-server libraries: code that imports them has them consume codes.
const SERVER_LIBRARIES: &[&str] = &[
    "oidc-provider",
    "oauth2-server",
    "@node-oauth/oauth2-server",
    "express-oauth-server",
    "@node-oauth/express-oauth-server",
    "koa-oauth-server",
    "@modelcontextprotocol/sdk/server/auth",
    "@cloudflare/workers-oauth-provider",
    "authlib.oauth2",
    "authlib.integrations.flask_oauth2",
    "authlib.integrations.django_oauth2",
    "authlib.integrations.sqla_oauth2",
    "oauthlib.oauth2",
    "oauth2_provider",
    "mcp.server.auth",
];

/// Whether a qualified import name is in a maintained server library (the module itself or below it).
fn is_server_library(qualified: &str) -> bool {
    SERVER_LIBRARIES.iter().any(|m| {
        qualified
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '/']))
    })
}

/// Finds token endpoints that look a code up without consuming it; returns the work done (functions and
/// uses visited).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    if ctx.ix.imports.values().any(|q| is_server_library(q)) {
        return 0;
    }
    let endpoints = endpoint::collect(ctx, MAX_ENDPOINTS);
    let mut visits = endpoints.len();
    if endpoints.is_empty() {
        return visits;
    }
    let uses = record::CodeUses::new(ctx);
    let mut consumed: HashMap<usize, bool> = HashMap::new();
    for e in &endpoints {
        visits += e.functions.len();
        let issues = e.functions.iter().any(|f| {
            let text = ctx.text(*f);
            text.contains("access_token") || text.contains("accessToken")
        });
        if !issues {
            continue;
        }
        let any_consumes = e.functions.iter().any(|f| {
            *consumed
                .entry(f.id())
                .or_insert_with(|| record::consumes(ctx.text(*f)))
        });
        if any_consumes {
            continue;
        }
        let (lookup, seen) = record::lookup(ctx, &uses, &e.functions);
        visits += seen;
        let Some(lookup) = lookup else {
            continue;
        };
        facts.reusable_codes.push(ReusableCode {
            span: span(lookup),
            endpoint: span(e.grant),
        });
    }
    facts.reusable_codes.sort_by_key(|c| c.span);
    facts.reusable_codes.dedup_by_key(|c| c.span);
    visits
}

/// Finds authorization endpoints that redirect codes to an unvalidated `redirect_uri` and code records that
/// live longer than ten minutes; returns the work done (endpoints and functions visited).
pub fn extract_authorize<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    if ctx.ix.imports.values().any(|q| is_server_library(q)) {
        return 0;
    }
    let endpoints = issuer::collect(ctx);
    let mut visits = endpoints.len();
    let mut expiries = Vec::new();
    let mut budget = redirect::MAX_FILE_NODES;
    let mut read = std::collections::HashSet::new();
    for a in &endpoints {
        visits += a.functions.len();
        let before = budget;
        let unvalidated = redirect::unvalidated(ctx, a, &mut budget);
        visits += before - budget;
        if let Some(partial) = unvalidated {
            facts.unvalidated_redirects.push(UnvalidatedRedirect {
                span: span(a.redirect),
                source: a.uri_source.map(span).unwrap_or_default(),
                partial: partial.map(span),
            });
        }
        // Each function of the endpoints is read for code records once, with the name its code goes by.
        let code = a.code.and_then(|c| match ctx.view(ctx.unwrap(c)) {
            super::View::Ident(name) => Some(name),
            _ => None,
        });
        for f in &a.functions {
            if read.insert((f.id(), code)) {
                lifetime::expiries(ctx, std::slice::from_ref(f), code, &mut expiries);
            }
        }
    }
    let mut stores: Vec<_> = ctx
        .ix
        .functions
        .iter()
        .filter(|(name, _)| lifetime::stores_codes(name))
        .flat_map(|(_, fs)| fs.iter().copied())
        .collect();
    stores.sort_by_key(|f| f.start_byte());
    stores.truncate(MAX_CODE_STORES);
    visits += stores.len();
    lifetime::expiries(ctx, &stores, None, &mut expiries);
    for e in expiries {
        if e.seconds > MAX_CODE_SECONDS {
            facts.code_lifetimes.push(CodeLifetime {
                span: span(e.node),
                seconds: e.seconds,
            });
        }
    }
    facts.unvalidated_redirects.sort_by_key(|r| r.span);
    facts.unvalidated_redirects.dedup_by_key(|r| r.span);
    facts.code_lifetimes.sort_by_key(|c| c.span);
    facts.code_lifetimes.dedup_by_key(|c| c.span);
    visits
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;

    fn found(lang: Lang, src: &str) -> usize {
        let (_, facts, _) = crate::scan::analyze(lang, src, true).unwrap();
        facts.reusable_codes.len()
    }

    const EXPRESS: &str = "app.post('/token', async (req, res) => {\n  \
        const { grant_type, code } = req.body;\n  \
        if (grant_type !== 'authorization_code') return res.status(400).json({ error: 'unsupported_grant_type' });\n  \
        const record = codes.get(code);\n  \
        if (!record) return res.status(400).json({ error: 'invalid_grant' });\n  \
        res.json({ access_token: issue(record) });\n});\n";

    #[test]
    fn a_lookup_without_consumption_is_found_and_a_delete_silences_it() {
        assert_eq!(found(Lang::JavaScript, EXPRESS), 1);
        let deleted = EXPRESS.replace("  res.json(", "  codes.delete(code);\n  res.json(");
        assert_eq!(found(Lang::JavaScript, &deleted), 0);
        let flag = EXPRESS.replace("  res.json(", "  record.used = true;\n  res.json(");
        assert_eq!(found(Lang::JavaScript, &flag), 0);
    }

    #[test]
    fn a_maintained_server_library_or_a_client_is_not_judged() {
        let configured = format!("import Provider from 'oidc-provider';\n{EXPRESS}");
        assert_eq!(found(Lang::JavaScript, &configured), 0);
        let client = "async function cb(req, res) {\n  const code = req.query.code;\n  \
            const r = await fetch(URL, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code }) });\n  \
            const t = await r.json();\n  const seen = cache.get(code);\n  return t.access_token;\n}\n";
        assert_eq!(found(Lang::JavaScript, client), 0);
    }

    #[test]
    fn python_orm_lookups_through_filters_count() {
        let py = "@app.post('/token')\nasync def token(grant_type: str = Form(), code: str = Form()):\n    \
            if grant_type != 'authorization_code':\n        raise HTTPException(400)\n    \
            row = db.query(AuthCode).filter(AuthCode.code == code).first()\n    \
            return {'access_token': make_token(row)}\n";
        assert_eq!(found(Lang::Python, py), 1);
        let popped = py.replace(
            "db.query(AuthCode).filter(AuthCode.code == code).first()",
            "CODES.pop(code, None)",
        );
        assert_eq!(found(Lang::Python, &popped), 0);
    }

    fn authorize(lang: Lang, src: &str) -> (usize, Vec<f64>) {
        let (_, facts, _) = crate::scan::analyze(lang, src, true).unwrap();
        let seconds = facts.code_lifetimes.iter().map(|c| c.seconds).collect();
        (facts.unvalidated_redirects.len(), seconds)
    }

    const AUTHORIZE: &str = "app.get('/authorize', async (req, res) => {\n  \
        const { redirect_uri, state } = req.query;\n  \
        CHECK\n  \
        const code = crypto.randomUUID();\n  \
        STORE;\n  \
        res.redirect(`${redirect_uri}?code=${code}&state=${state}`);\n});\n";

    fn endpoint(check: &str, store: &str) -> String {
        AUTHORIZE.replace("CHECK", check).replace("STORE", store)
    }

    #[test]
    fn exact_matches_silence_and_partial_ones_do_not() {
        let store = "codes.set(code, {})";
        let found = |check: &str| authorize(Lang::JavaScript, &endpoint(check, store)).0;
        assert_eq!(found(""), 1);
        assert_eq!(
            found("if (!client.redirectUris.includes(redirect_uri)) return res.sendStatus(400);"),
            0
        );
        assert_eq!(
            found("if (redirect_uri !== client.redirectUri) return res.sendStatus(400);"),
            0
        );
        assert_eq!(
            found("if (!redirect_uri.startsWith(client.redirectUri)) return res.sendStatus(400);"),
            1
        );
        assert_eq!(
            found("if (!client.redirectUri.includes(redirect_uri)) return res.sendStatus(400);"),
            1
        );
        assert_eq!(found("if (!redirect_uri) return res.sendStatus(400);"), 1);
        assert_eq!(
            found("if (typeof redirect_uri !== 'string') return res.sendStatus(400);"),
            1
        );
        // A validator of another module may match exactly: silence.
        assert_eq!(found("await checkRedirect(client, redirect_uri);"), 0);
        assert_eq!(found("const ok = await db.client.findFirst({ where: { id: cid, redirectUris: { has: redirect_uri } } });"), 0);
        // A helper given parameters its caller may have validated is not reading the request.
        let helper = "function finish(client, params, res) {\n  \
            const code = crypto.randomUUID();\n  codes.set(code, {});\n  \
            res.redirect(`${params.redirect_uri}?code=${code}`);\n}\n\
            app.get('/authorize', (req, res) => finish(lookup(req.query.client_id), parseAuthorize(req.query), res));\n";
        assert_eq!(authorize(Lang::JavaScript, helper).0, 0);
    }

    #[test]
    fn location_headers_are_redirects() {
        let node = "http.createServer((req, res) => {\n  \
            const u = new URL(req.url, 'http://localhost');\n  \
            const code = randomBytes(16).toString('hex');\n  \
            codes.set(code, {});\n  \
            res.writeHead(302, { Location: `${u.searchParams.get('redirect_uri')}?code=${code}` });\n  \
            res.end();\n});\n";
        assert_eq!(authorize(Lang::JavaScript, node).0, 1);
        let py = "async def authorize(request):\n    \
            code = secrets.token_urlsafe(32)\n    \
            CODES[code] = {}\n    \
            return Response(status_code=302, headers={'Location': request.query_params['redirect_uri'] + '?code=' + code})\n";
        assert_eq!(authorize(Lang::Python, py).0, 1);
        let error_only = py.replace("'?code=' + code", "'?error=access_denied'");
        assert_eq!(authorize(Lang::Python, &error_only).0, 0);
    }

    #[test]
    fn code_lifetimes_are_read_in_their_units() {
        let lifetime = |store: &str| authorize(Lang::JavaScript, &endpoint("", store)).1;
        assert_eq!(
            lifetime("codes.set(code, { expiresAt: Date.now() + 15 * 60 * 1000 })"),
            [900.0]
        );
        assert_eq!(
            lifetime("codes.set(code, { expiresAt: Date.now() + 10 * 60 * 1000 })"),
            Vec::<f64>::new()
        );
        assert_eq!(
            lifetime("await redis.set(`code:${code}`, '1', 'PX', 3600000)"),
            [3600.0]
        );
        assert_eq!(
            lifetime("await redis.set(`code:${code}`, '1', { EX: 600 })"),
            Vec::<f64>::new()
        );
        assert_eq!(
            lifetime("await kv.put(`code:${code}`, '1', { expirationTtl: 86400 })"),
            [86400.0]
        );
        assert_eq!(
            lifetime("codes.set(code, { exp: Math.floor(Date.now() / 1000) + 7200 })"),
            Vec::<f64>::new()
        );
        assert_eq!(
            lifetime("codes.set(code, { expiresAt: Math.floor(Date.now() / 1000) + 7200 })"),
            [7200.0]
        );
        // Records that hold a token, or are not keyed by the code, are not code records.
        assert_eq!(
            lifetime("tokens.set(token, { expiresAt: Date.now() + 3600000 })"),
            Vec::<f64>::new()
        );
        assert_eq!(
            lifetime("codes.set(code, { accessToken: t, expiresAt: Date.now() + 3600000 })"),
            Vec::<f64>::new()
        );
        let py = "@app.get('/authorize')\ndef authorize(redirect_uri: str):\n    \
            if redirect_uri not in ALLOWED:\n        raise HTTPException(400)\n    \
            code = secrets.token_urlsafe(32)\n    \
            r.setex(f'code:{code}', timedelta(hours=1).seconds, 'x')\n    \
            CODES[code] = {'expires_at': datetime.now(timezone.utc) + timedelta(minutes=20)}\n    \
            return RedirectResponse(f'{redirect_uri}?code={code}')\n";
        assert_eq!(authorize(Lang::Python, py), (0, vec![1200.0]));
    }

    #[test]
    fn server_library_modules_match_whole_segments() {
        assert!(super::is_server_library("oidc-provider"));
        assert!(super::is_server_library("authlib.oauth2.rfc6749.grants"));
        assert!(super::is_server_library(
            "@modelcontextprotocol/sdk/server/auth/router.js.mcpAuthRouter"
        ));
        assert!(!super::is_server_library("oauth2-server-helpers"));
        assert!(!super::is_server_library(
            "@modelcontextprotocol/sdk/client/auth.js"
        ));
    }
}
