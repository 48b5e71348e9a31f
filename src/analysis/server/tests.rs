//! Unit tests of the authorization-server analyses (token endpoints, verification, authorization
//! endpoints), through `scan::analyze` on small sources.

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
    let py =
        "@app.post('/token')\nasync def token(grant_type: str = Form(), code: str = Form()):\n    \
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
