//! The authorization-server side: token endpoints of hand-written servers (Express, Hono, Koa, Fastify,
//! FastAPI, Flask, Starlette …): what they do with the record stored under the code they redeem
//! (authorization-code-reusable), how they compare the submitted verifier with the stored challenge
//! (challenge-compare-not-constant-time) and whether a request can skip that verification
//! (pkce-downgrade).
//!
//! `endpoint` recognises a token endpoint: a function that compares the request's `grant_type` with
//! `"authorization_code"` (an `if`, a `switch` case) and produces an `access_token`, with the helpers of
//! the same file it calls by name (two calls deep). `record` finds, in those functions, the lookup of the
//! stored code record by the submitted code (`codes.get(code)`, `store[code]`, `await kv.get(`code:${code}`)`,
//! `Model.objects.get(code=code)`, `…filter(code=code).first()`) and whether anything consumes it.
//! `challenge` knows what is derived from the submitted `code_verifier` and what is the stored challenge,
//! and finds their `==`-style comparisons in endpoints, verification helpers and request handlers.
//! `presence` reads conditions on the presence of either; `downgrade` finds the token endpoint's
//! verification guarded by one, and `authorize` whether the file's authorization endpoint reads
//! `code_challenge` as optional with nothing requiring it.
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

mod challenge;
mod downgrade;
mod endpoint;
mod optional;
mod presence;
mod record;

// The authorization endpoint: redirect-uri-not-validated, authorization-code-lifetime.
pub mod issuer;
mod lifetime;
mod redirect;
pub mod request;

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{span, Ctx, Dialect};
use crate::facts::{
    ChallengeComparison, ChallengeSide, CodeLifetime, FileFacts, OptionalPkce, ReusableCode, Span,
    UnvalidatedRedirect,
};

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

/// Whether the file imports a value from a maintained server library (a type-only import, such as the
/// MCP SDK's `AuthInfo`, runs none of its code).
fn uses_server_library<D: Dialect>(ctx: &Ctx<'_, '_, D>) -> bool {
    ctx.ix
        .imports
        .iter()
        .any(|(local, q)| is_server_library(q) && !ctx.ix.type_imports.contains(local))
}

/// Whether a qualified import name is in a maintained server library (the module itself or below it).
fn is_server_library(qualified: &str) -> bool {
    SERVER_LIBRARIES.iter().any(|m| {
        qualified
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '/']))
    })
}

/// Judges the authorization-server code of a file: token endpoints that look a code up without consuming
/// it, comparisons of the computed challenge that are not constant-time, verification that a request can
/// skip. Returns the work done (functions, uses and nodes visited).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    // A file that uses a maintained server library has it run the endpoints; only the MCP SDKs' provider
    // methods, which the SDK's token endpoint calls to redeem a code, are the file's own (and only for
    // consuming the code: the SDK checks PKCE itself).
    let library = uses_server_library(ctx);
    let mut endpoints = if ctx.mentions.exchange && !library {
        endpoint::collect(ctx, MAX_ENDPOINTS)
    } else {
        Vec::new()
    };
    if ctx.mentions.exchange {
        endpoints.extend(endpoint::providers(ctx, MAX_ENDPOINTS - endpoints.len()));
    }
    let mut visits = endpoints.len();
    let issuing: Vec<&endpoint::Endpoint> = endpoints
        .iter()
        .filter(|e| {
            e.functions.iter().any(|f| {
                let text = ctx.text(*f);
                text.contains("access_token") || text.contains("accessToken")
            })
        })
        .collect();
    visits += reusable(ctx, &issuing, facts);
    if library {
        return visits;
    }
    // Both rules need a name with `verifier` and one with `challenge` in the file (checked here too, as
    // `--no-prefilter` sets every mention).
    let named = |words: [&str; 2]| words.iter().any(|w| ctx.src.contains(w));
    if ctx.mentions.code_verifier && named(["hallenge", "HALLENGE"]) {
        if named(["erifier", "ERIFIER"]) {
            visits += comparisons(ctx, &endpoints, facts);
            visits += downgrades(ctx, &issuing, facts);
        } else {
            // An authorization endpoint alone: what it says about the challenge, for the token endpoints
            // of other modules.
            facts.challenge_side = match optional::optional_challenge(ctx, &[]) {
                optional::Side::Required => Some(ChallengeSide::Required),
                optional::Side::Optional(n) => Some(ChallengeSide::Optional(span(n))),
                optional::Side::Absent => None,
            };
        }
    }
    visits
}

/// authorization-code-reusable: endpoints that look the code record up and never consume it.
fn reusable<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    endpoints: &[&endpoint::Endpoint<'t>],
    facts: &mut FileFacts,
) -> usize {
    if endpoints.is_empty() {
        return 0;
    }
    let mut visits = 0;
    let uses = record::CodeUses::new(ctx);
    let mut consumed: HashMap<usize, bool> = HashMap::new();
    for e in endpoints {
        visits += e.functions.len();
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
            endpoint: e.at(ctx),
        });
    }
    facts.reusable_codes.sort_by_key(|c| c.span);
    facts.reusable_codes.dedup_by_key(|c| c.span);
    visits
}

/// challenge-compare-not-constant-time: `==` / `!==` between the challenge computed from the submitted
/// verifier and the stored one, in token endpoints, in functions that take the verifier and in functions
/// that read it from a request.
fn comparisons<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    endpoints: &[endpoint::Endpoint<'t>],
    facts: &mut FileFacts,
) -> usize {
    let mut functions: Vec<Node<'t>> = endpoints
        .iter()
        .flat_map(|e| e.functions.iter().copied())
        .collect();
    functions.extend(challenge::verifier_helpers(ctx));
    functions.extend(challenge::request_readers(ctx));
    let mut seen = HashSet::new();
    let mut visits = 0;
    for f in functions {
        if !seen.insert(f.id()) {
            continue;
        }
        let (found, n) = challenge::comparisons(ctx, f);
        visits += n;
        for c in found {
            facts.challenge_comparisons.push(ChallengeComparison {
                span: span(c.node),
                plain: c.derived == challenge::Derived::Raw,
            });
        }
    }
    facts.challenge_comparisons.sort_by_key(|c| c.span);
    facts.challenge_comparisons.dedup_by_key(|c| c.span);
    visits
}

/// pkce-downgrade: verification guarded by the presence of the stored challenge or of the submitted
/// verifier, in a token endpoint or a function that reads the verifier from a request and issues an access
/// token, in a file whose authorization endpoint accepts a request without a challenge.
fn downgrades<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    endpoints: &[&endpoint::Endpoint<'t>],
    facts: &mut FileFacts,
) -> usize {
    let mut visits = 0;
    let mut found = Vec::new();
    // Token endpoints, and functions that read the verifier from a request and issue an access token
    // (token routes whose grant-type check is elsewhere), each with the helpers it calls.
    let mut groups: Vec<Vec<Node<'t>>> = endpoints.iter().map(|e| e.functions.clone()).collect();
    for f in challenge::request_readers(ctx) {
        if groups.iter().any(|g| g.iter().any(|h| h.id() == f.id())) {
            continue;
        }
        let functions = endpoint::helpers(ctx, f);
        let issues = functions.iter().any(|g| {
            let text = ctx.text(*g);
            text.contains("access_token") || text.contains("accessToken")
        });
        if issues {
            groups.push(functions);
        }
    }
    for functions in &groups {
        let (guards, n) = downgrade::guards(ctx, functions);
        visits += n;
        found.extend(guards);
    }
    let token: Vec<Node<'t>> = groups.iter().flatten().copied().collect();
    let side = optional::optional_challenge(ctx, &token);
    facts.challenge_side = match side {
        optional::Side::Required => Some(ChallengeSide::Required),
        optional::Side::Optional(n) => Some(ChallengeSide::Optional(span(n))),
        optional::Side::Absent => None,
    };
    if found.is_empty() {
        return visits;
    }
    // The file's own authorization endpoint decides; a file that shows none waits for the project phase
    // to find its package's (`project::flows`).
    let (into, authorize) = match side {
        optional::Side::Required => return visits,
        optional::Side::Optional(a) => (&mut facts.optional_pkce, span(a)),
        optional::Side::Absent => (&mut facts.pending_pkce, Span::default()),
    };
    for g in found {
        into.push(OptionalPkce {
            span: span(g.condition),
            on: g.on,
            verification: span(g.verification),
            authorize,
            authorize_elsewhere: None,
        });
    }
    facts.optional_pkce.sort_by_key(|p| p.span);
    facts.optional_pkce.dedup_by_key(|p| p.span);
    visits
}

/// Finds authorization endpoints that redirect codes to an unvalidated `redirect_uri` and code records that
/// live longer than ten minutes; returns the work done (endpoints and functions visited).
pub fn extract_authorize<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    if uses_server_library(ctx) {
        return 0;
    }
    let endpoints = issuer::collect(ctx);
    let mut visits = endpoints.len();
    let mut expiries = Vec::new();
    let mut budget = redirect::MAX_FILE_NODES;
    let mut read = HashSet::new();
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

    fn compared(lang: Lang, src: &str) -> usize {
        let (_, facts, _) = crate::scan::analyze(lang, src, true).unwrap();
        facts.challenge_comparisons.len()
    }

    fn downgraded(lang: Lang, src: &str) -> usize {
        let (_, facts, _) = crate::scan::analyze(lang, src, true).unwrap();
        facts.optional_pkce.len()
    }

    const VERIFY: &str = "import { createHash } from 'node:crypto';\n\
        export function verifyPkce(challenge, verifier) {\n  \
        const hashed = createHash('sha256').update(verifier).digest('base64url');\n  \
        return hashed === challenge;\n}\n";

    #[test]
    fn a_verification_helper_comparing_by_equality_is_found_and_constant_time_is_not() {
        assert_eq!(compared(Lang::JavaScript, VERIFY), 1);
        let safe = VERIFY.replace(
            "return hashed === challenge;",
            "return hashed.length === challenge.length && timingSafeEqual(Buffer.from(hashed), Buffer.from(challenge));",
        );
        assert_eq!(compared(Lang::JavaScript, &safe), 0);
        // A client computing its challenge and comparing state is not a verification.
        let client = "import { createHash } from 'node:crypto';\n\
            function start() {\n  const verifier = makeVerifier();\n  \
            const challenge = createHash('sha256').update(verifier).digest('base64url');\n  \
            if (state === saved.state) go(challenge);\n}\n";
        assert_eq!(compared(Lang::JavaScript, client), 0);
        let configured = format!("import {{ mcpAuthRouter }} from '@modelcontextprotocol/sdk/server/auth/router.js';\n{VERIFY}");
        assert_eq!(compared(Lang::JavaScript, &configured), 0);
    }

    #[test]
    fn python_helpers_and_test_functions() {
        let py = "import base64, hashlib\n\
            def check(code_verifier, code_challenge):\n    \
            d = hashlib.sha256(code_verifier.encode()).digest()\n    \
            return base64.urlsafe_b64encode(d).rstrip(b'=').decode() == code_challenge\n";
        assert_eq!(compared(Lang::Python, py), 1);
        let test = py.replace("def check(", "def test_check(");
        assert_eq!(compared(Lang::Python, &test), 0);
        let safe = py.replace(
            "return base64.urlsafe_b64encode(d).rstrip(b'=').decode() == code_challenge",
            "return hmac.compare_digest(base64.urlsafe_b64encode(d).rstrip(b'=').decode(), code_challenge)",
        );
        assert_eq!(compared(Lang::Python, &safe), 0);
    }

    const OPTIONAL: &str = "app.get('/authorize', (req, res) => {\n  \
        const { redirect_uri, code_challenge } = req.query;\n  \
        const code = newCode();\n  codes.set(code, { challenge: code_challenge });\n  \
        res.redirect(`${redirect_uri}?code=${code}`);\n});\n\
        app.post('/token', (req, res) => {\n  \
        const { grant_type, code, code_verifier } = req.body;\n  \
        if (grant_type !== 'authorization_code') return res.status(400).end();\n  \
        const record = codes.get(code);\n  codes.delete(code);\n  \
        if (record.challenge) {\n    \
        if (!timingSafeEqual(Buffer.from(s256(code_verifier)), Buffer.from(record.challenge))) return res.status(400).end();\n  }\n  \
        res.json({ access_token: issue(record) });\n});\n";

    #[test]
    fn verification_only_for_stored_challenges_is_a_downgrade_unless_something_requires_one() {
        assert_eq!(downgraded(Lang::JavaScript, OPTIONAL), 1);
        let required = OPTIONAL.replace(
            "  const code = newCode();",
            "  if (!code_challenge) return res.status(400).end();\n  const code = newCode();",
        );
        assert_eq!(downgraded(Lang::JavaScript, &required), 0);
        let rejected = OPTIONAL.replace(
            "  if (record.challenge) {",
            "  if (!record.challenge) return res.status(400).end();\n  if (record.challenge) {",
        );
        assert_eq!(downgraded(Lang::JavaScript, &rejected), 0);
        let otherwise = OPTIONAL.replace(
            "return res.status(400).end();\n  }\n",
            "return res.status(400).end();\n  } else return res.status(400).end();\n",
        );
        assert_eq!(downgraded(Lang::JavaScript, &otherwise), 0);
        // The authorization endpoint is not in the file: silence.
        let token_only = &OPTIONAL[OPTIONAL.find("app.post").unwrap()..];
        assert_eq!(downgraded(Lang::JavaScript, token_only), 0);
    }

    const FLASK: &str = "from flask import request, abort\n\
        @app.get('/authorize')\n\
        def authorize():\n    \
        challenge = request.args.get('code_challenge')\n    \
        codes['c'] = {'code_challenge': challenge}\n    \
        return redirect(request.args['redirect_uri'] + '?code=c')\n\
        @app.post('/token')\n\
        def token():\n    \
        if request.form.get('grant_type') != 'authorization_code':\n        abort(400)\n    \
        stored = codes.pop(request.form['code'])\n    \
        verifier = request.form.get('code_verifier')\n    \
        if verifier:\n        \
        if not hmac.compare_digest(s256(verifier), stored['code_challenge']):\n            abort(400)\n    \
        return {'access_token': 't'}\n";

    #[test]
    fn python_authorization_endpoints_that_require_the_challenge() {
        assert_eq!(downgraded(Lang::Python, FLASK), 1);
        for required in [
            "    if 'code_challenge' not in request.args:\n        abort(400)\n",
            "    if not challenge:\n        abort(400)\n",
            "    if challenge is None or len(challenge) < 43:\n        abort(400)\n",
            "    if not PATTERN.fullmatch(challenge or ''):\n        abort(400)\n",
        ] {
            let src = FLASK.replace(
                "    codes['c'] = {",
                &format!("{required}    codes['c'] = {{"),
            );
            assert_eq!(downgraded(Lang::Python, &src), 0, "{required}");
        }
        // The method checked only when a challenge is given does not require one.
        let method_only = FLASK.replace(
            "    codes['c'] = {",
            "    if challenge and request.args.get('code_challenge_method') != 'S256':\n        abort(400)\n    codes['c'] = {",
        );
        assert_eq!(downgraded(Lang::Python, &method_only), 1);
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
    fn a_type_only_import_of_a_server_library_does_not_silence_the_file() {
        let ts = |import: &str| {
            let src = format!("{import}\n{EXPRESS}");
            let (_, facts, _) = crate::scan::analyze(Lang::TypeScript, &src, true).unwrap();
            facts.reusable_codes.len()
        };
        assert_eq!(
            ts("import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';"),
            1
        );
        assert_eq!(
            ts("import { type AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';"),
            1
        );
        assert_eq!(ts("import { type AuthInfo, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';"), 0);
        assert_eq!(
            ts("import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';"),
            0
        );
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
