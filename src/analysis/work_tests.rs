//! Hostile shapes (scripts/hostile.py, docs/performance.md): the work of the analyses, counted in steps that do
//! not depend on the machine (`Work`), must grow linearly with the file, and the findings must stay.
//! Each test builds a shape at `N` and `2N` repetitions and requires every counter at `2N` to stay within
//! a little more than twice its value at `N`: a lookup that visits every same-named thing in the file
//! grows with the square and fails by far.

use crate::entropy::estimate;
use crate::facts::{FileFacts, Provision};
use crate::lang::Lang;

use super::Work;

const N: usize = 150;

fn analyse(lang: Lang, src: &str) -> (FileFacts, Work) {
    let tree = crate::lang::parse(lang, src).unwrap();
    super::extract_with_work(lang, &tree, src, crate::prefilter::mentions(src)).unwrap()
}

/// Analyses the shape at `N` and `2N` and checks that no counter grows faster than the file; returns the
/// facts and work at `N`.
fn linear(lang: Lang, shape: impl Fn(usize) -> String) -> (FileFacts, Work) {
    let (facts, small) = analyse(lang, &shape(N));
    let (_, large) = analyse(lang, &shape(2 * N));
    let pairs = [
        ("fold_steps", small.fold_steps, large.fold_steps),
        ("trace_steps", small.trace_steps, large.trace_steps),
        ("trace_visits", small.trace_visits, large.trace_visits),
        ("request_visits", small.request_visits, large.request_visits),
        ("method_visits", small.method_visits, large.method_visits),
        (
            "callback_visits",
            small.callback_visits,
            large.callback_visits,
        ),
        ("server_visits", small.server_visits, large.server_visits),
    ];
    for (what, a, b) in pairs {
        assert!(
            b <= a * 5 / 2 + 16,
            "{what}: {a} at {N} repetitions, {b} at {} ({small:?} / {large:?})",
            2 * N
        );
    }
    (facts, small)
}

fn weak_lines(src: &str, facts: &FileFacts) -> Vec<usize> {
    facts
        .verifier_sources
        .iter()
        .filter(|s| estimate(&s.entropy).is_weak())
        .map(|s| src[..s.span.start].lines().count())
        .collect()
}

#[test]
fn same_named_methods_resolve_in_their_own_class() {
    let js = |n: usize| {
        let mut s = String::from("import { randomBytes, randomUUID } from \"node:crypto\";\n");
        for i in 0..n {
            let source = if i == 0 {
                "randomUUID()"
            } else {
                "randomBytes(32).toString(\"hex\")"
            };
            s += &format!(
                "class C{i} {{\n  makeVerifier() {{\n    return {source};\n  }}\n  \
                 start() {{\n    const codeVerifier = this.makeVerifier();\n    return codeVerifier;\n  }}\n}}\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    // Only class 0's helper is weak, and it is reported once, in its class (line 4).
    assert_eq!(weak_lines(&js(N), &facts), [4]);
    assert_eq!(facts.verifier_sources.len(), N);
    assert!(work.trace_visits <= 8 * N, "{work:?}");

    let py = |n: usize| {
        let mut s = String::from("import secrets\nimport uuid\n");
        for i in 0..n {
            let source = if i == 0 {
                "str(uuid.uuid4())"
            } else {
                "secrets.token_urlsafe(32)"
            };
            s += &format!(
                "class C{i}:\n    def make_verifier(self):\n        return {source}\n\n    \
                 def start(self):\n        code_verifier = self.make_verifier()\n        return code_verifier\n\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::Python, py);
    assert_eq!(weak_lines(&py(N), &facts), [5]);
    assert!(work.trace_visits <= 8 * N, "{work:?}");
}

#[test]
fn an_inherited_method_is_still_found_in_the_file() {
    let src = "import { randomUUID } from \"node:crypto\";\n\
               class Base {\n  makeVerifier() {\n    return randomUUID();\n  }\n}\n\
               class Client extends Base {\n  start() {\n    const codeVerifier = this.makeVerifier();\n    \
               return codeVerifier;\n  }\n}\n";
    let (facts, _) = analyse(Lang::JavaScript, src);
    assert_eq!(weak_lines(src, &facts), [4]);
}

#[test]
fn cross_assignments_are_traced_once_per_variable() {
    let names = [
        "codeVerifier",
        "pkceVerifier",
        "verifier",
        "nextVerifier",
        "state",
    ];
    let js = |n: usize| {
        let mut s = String::from("import { randomBytes, randomUUID } from \"node:crypto\";\n");
        for name in &names[..4] {
            s += &format!("let {name} = randomBytes(32).toString(\"hex\");\n");
        }
        s += "let state = randomUUID();\n";
        for i in 0..n {
            let (a, b) = (names[i % 5], names[(i * 3 + 1) % 5]);
            let b = if a == b { names[(i + 2) % 5] } else { b };
            s += &format!("{a} = {b};\n");
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    // The uuid assigned to `state` flows into the verifiers: reported at its call (line 6).
    assert_eq!(weak_lines(&js(N), &facts), [6]);
    assert!(work.trace_visits <= 8 * N, "{work:?}");

    let py = |n: usize| {
        let names = [
            "code_verifier",
            "pkce_verifier",
            "verifier",
            "next_verifier",
            "state",
        ];
        let mut s = String::from("import secrets\nimport uuid\n");
        for name in &names[..4] {
            s += &format!("{name} = secrets.token_hex(32)\n");
        }
        s += "state = str(uuid.uuid4())\n";
        for i in 0..n {
            let (a, b) = (names[i % 5], names[(i * 3 + 1) % 5]);
            let b = if a == b { names[(i + 2) % 5] } else { b };
            s += &format!("{a} = {b}\n");
        }
        s
    };
    let (facts, _) = linear(Lang::Python, py);
    assert_eq!(weak_lines(&py(N), &facts), [7]);
}

#[test]
fn self_referencing_reassignments_stay_linear() {
    let js = |n: usize| {
        let mut s = String::from(
            "import { randomBytes } from \"node:crypto\";\nlet codeVerifier = randomBytes(8).toString(\"hex\");\n",
        );
        s += &"codeVerifier = codeVerifier + codeVerifier;\n".repeat(n);
        s + "export function send() {\n  return { code_verifier: codeVerifier };\n}\n"
    };
    let (facts, _) = linear(Lang::JavaScript, js);
    // 8 bytes, however often it is doubled: still 64 bits, reported at the source (line 2).
    assert_eq!(weak_lines(&js(N), &facts), [2]);
    let py = |n: usize| {
        let mut s = String::from("import secrets\ncode_verifier = secrets.token_hex(8)\n");
        s += &"code_verifier = code_verifier + code_verifier\n".repeat(n);
        s
    };
    let (facts, _) = linear(Lang::Python, py);
    assert_eq!(weak_lines(&py(N), &facts), [2]);
}

#[test]
fn doubling_chains_fold_once_per_expression_and_keep_later_parameters() {
    // `v1 = v0 + v0; v1 += v0; v2 = `${v1}${v1}`; …`: the value triples at every link.
    let chain = |links: usize| {
        let mut s = String::from("export function chain() {\n  let v0 = \"k\";\n");
        for n in 1..=links {
            if n % 2 == 1 {
                s += &format!("  let v{n} = v{p} + v{p};\n", p = n - 1);
            } else {
                s += &format!("  let v{n} = `${{v{p}}}${{v{p}}}`;\n", p = n - 1);
            }
            s += &format!("  v{n} += v{};\n", n - 1);
        }
        s + &format!(
            "  return `https://a.example/authorize?response_type=code&client_id=${{v{links}}}\
             &state=${{v{links}}}&code_challenge=${{v{links}}}`;\n}}\n"
        )
    };
    let file = |n: usize| chain(40).repeat(n / 10);
    let (facts, work) = linear(Lang::JavaScript, file);
    assert!(work.fold_steps <= 40 * N, "{work:?}");
    // The parameters after the huge client id are still read: every request has state and PKCE.
    assert_eq!(facts.requests.len(), N / 10);
    for r in &facts.requests {
        assert_eq!(
            (r.state, r.pkce),
            (Provision::InRequest, Provision::InRequest)
        );
    }
}

#[test]
fn same_named_request_variables_are_grouped_per_function() {
    let js = |n: usize| {
        let mut s = String::new();
        for i in 0..n {
            s += &format!(
                "export function authorize{i}(clientId, state) {{\n  \
                 const url = new URL(\"https://auth.example.com/authorize\");\n  \
                 url.searchParams.set(\"response_type\", \"code\");\n  \
                 url.searchParams.set(\"client_id\", clientId);\n  \
                 const params = new URLSearchParams({{ response_type: \"code\", client_id: clientId }});\n  \
                 const query = `response_type=code&client_id=${{clientId}}`;\n  \
                 const link = \"https://auth.example.com/authorize?\" + query + \"&state=\" + state;\n  \
                 return [url.toString(), params.toString(), link];\n}}\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    assert!(work.request_visits <= 8 * N, "{work:?}");
    // Per function: the builder and the container lack state; the string built from `query` has it.
    assert_eq!(facts.requests.len(), 3 * N);
    let with_state = facts
        .requests
        .iter()
        .filter(|r| r.state == Provision::InRequest)
        .count();
    assert_eq!(with_state, N);
}

#[test]
fn a_string_used_in_a_larger_one_elsewhere_is_still_its_own_request() {
    // `query` of `a` is a request by itself; the `query` that `b` builds on is another variable.
    let src = "function a(id) {\n  const query = `response_type=code&client_id=${id}`;\n  return query;\n}\n\
               function b(id, state) {\n  const query = `response_type=code&client_id=${id}`;\n  \
               return \"https://as.example/authorize?\" + query + \"&state=\" + state;\n}\n";
    let (facts, _) = analyse(Lang::JavaScript, src);
    let states: Vec<Provision> = facts.requests.iter().map(|r| r.state).collect();
    assert_eq!(states, [Provision::Missing, Provision::InRequest]);
}

#[test]
fn method_decisions_stay_linear() {
    // Many challenge helpers defaulting to plain, each called; many fallbacks written through members;
    // one function with many plain branches.
    let js = |n: usize| {
        let mut s = String::from("const crypto = require(\"crypto\");\n");
        for i in 0..n {
            s += &format!(
                "function challenge{i}(verifier, method = \"plain\") {{ if (method === \"plain\") return verifier; return crypto.createHash(\"sha256\").update(verifier).digest(\"base64url\"); }}\n\
                 const c{i} = challenge{i}(v{i});\n\
                 rec{i}.method = req{i}.query.code_challenge_method || \"plain\";\n"
            );
        }
        s += "function verify(record, verifier) {\n";
        for i in 0..n {
            s += &format!(
                "  if (record.method{i} === \"plain\") {{ return verifier === record.challenge; }}\n"
            );
        }
        s += "}\n";
        s
    };
    let (facts, _) = linear(Lang::JavaScript, js);
    // Each helper's omitted method is reported at its call, each fallback, and each plain branch that
    // verifies, in `verify`.
    let count = |site| {
        facts
            .plain_methods
            .iter()
            .filter(|p| p.site == site)
            .count()
    };
    let calls = facts
        .plain_methods
        .iter()
        .filter(|p| p.site == crate::facts::PlainSite::ClientDefault)
        .count();
    let branches = facts
        .plain_methods
        .iter()
        .filter(|p| p.site == crate::facts::PlainSite::ServerBranch)
        .count();
    let defaults = count(crate::facts::PlainSite::ServerDefault);
    assert_eq!(
        (calls, defaults, branches),
        (N, N, N),
        "{:?}",
        facts.plain_methods
    );
}

#[test]
fn callbacks_connect_to_their_own_exchange_and_state() {
    // Every handler reads the same names and redeems through its own helper: connecting a read must not
    // try every exchange of the file, nor classify every `state` of the file.
    let js = |n: usize| {
        let mut s = String::from("const app = require(\"express\")();\n");
        for i in 0..n {
            let check = if i == 0 {
                "console.warn(\"mismatch\")"
            } else {
                "return res.status(400).end()"
            };
            s += &format!(
                "async function redeem{i}(code) {{\n  return fetch(URL, {{ method: \"POST\", body: new URLSearchParams({{ grant_type: \"authorization_code\", code }}) }});\n}}\n\
                 app.get(\"/cb{i}\", async (req, res) => {{\n  const {{ code, state }} = req.query;\n  if (state !== req.session.state) {{ {check}; }}\n  res.json(await redeem{i}(code));\n}});\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    // Only the first handler's mismatch branch merely logs (its read is on line 6).
    let lines: Vec<usize> = facts
        .unverified_callbacks
        .iter()
        .map(|c| js(N)[..c.span.start].lines().count())
        .collect();
    assert_eq!(lines, [6]);
    assert!(work.callback_visits <= 16 * N, "{work:?}");

    // One helper redeems for every handler: each handler connects to it through its own call.
    let shared = |n: usize| {
        let mut s = String::from(
            "const app = require(\"express\")();\nasync function redeem(code) {\n  return fetch(URL, { method: \"POST\", body: new URLSearchParams({ grant_type: \"authorization_code\", code }) });\n}\n",
        );
        for i in 0..n {
            s += &format!(
                "app.get(\"/cb{i}\", async (req, res) => {{\n  const {{ code, state }} = req.query;\n  if (state !== req.session.state) {{ console.warn(\"mismatch\"); }}\n  res.json(await redeem(code));\n}});\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, shared);
    assert_eq!(facts.unverified_callbacks.len(), N, "{work:?}");
    assert!(work.callback_visits <= 16 * N, "{work:?}");

    let py = |n: usize| {
        let mut s = String::from("import requests\nfrom flask import request, session, abort\n");
        for i in 0..n {
            s += &format!(
                "def callback{i}():\n    code = request.args.get(\"code\")\n    state = request.args.get(\"state\")\n    if state != session[\"state\"]:\n        abort(400)\n    return requests.post(URL, data={{\"grant_type\": \"authorization_code\", \"code\": code}})\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::Python, py);
    assert!(facts.unverified_callbacks.is_empty(), "{facts:?}");
    assert!(work.callback_visits <= 16 * N, "{work:?}");
}

#[test]
fn token_endpoints_visit_their_own_code_only() {
    // Every endpoint reads `code` and looks it up through one shared helper: judging an endpoint must not
    // visit the uses of `code` in every other endpoint of the file.
    let js = |n: usize| {
        let mut s = String::from(
            "const app = require(\"express\")();\nconst codes = new Map();\nfunction load(code) {\n  return codes.get(code);\n}\n",
        );
        for i in 0..n {
            s += &format!(
                "app.post(\"/token{i}\", (req, res) => {{\n  const {{ grant_type, code }} = req.body;\n  if (grant_type !== \"authorization_code\") return res.status(400).end();\n  const record = load(code);\n  res.json({{ access_token: record.token }});\n}});\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    // One lookup, in the shared helper, reported once.
    assert_eq!(facts.reusable_codes.len(), 1, "{facts:?}");
    assert!(work.server_visits <= 16 * N, "{work:?}");
}

#[test]
fn pkce_checks_of_many_endpoints_stay_linear() {
    // Every endpoint verifies through one shared helper under an optional guard: judging an endpoint must
    // not visit the other endpoints' code, and the helper's comparison is judged once.
    let js = |n: usize| {
        let mut s = String::from(
            "const app = require(\"express\")();\nconst codes = new Map();\n\
             function check(record, code_verifier) {\n  return s256(code_verifier) === record.code_challenge;\n}\n\
             app.get(\"/authorize\", (req, res) => {\n  codes.set(\"c\", { code_challenge: req.query.code_challenge });\n  res.redirect(\"/\");\n});\n",
        );
        for i in 0..n {
            s += &format!(
                "app.post(\"/token{i}\", (req, res) => {{\n  const {{ grant_type, code, code_verifier }} = req.body;\n  if (grant_type !== \"authorization_code\") return res.status(400).end();\n  const record = codes.get(code);\n  codes.delete(code);\n  if (record.code_challenge) {{\n    if (!check(record, code_verifier)) return res.status(400).end();\n  }}\n  res.json({{ access_token: record.token }});\n}});\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    assert_eq!(facts.challenge_comparisons.len(), 1, "{facts:?}");
    assert_eq!(facts.optional_pkce.len(), N, "{facts:?}");
    // Each endpoint's nodes are walked a bounded number of times (its comparisons, its guarded code).
    assert!(work.server_visits <= 256 * N, "{work:?}");
}

#[test]
fn authorization_endpoints_share_a_helper_linearly() {
    // Every handler issues a code through one shared helper that redirects: each (handler, redirect) pair
    // is judged with the handler's own code, within the file's budget.
    let js = |n: usize| {
        let mut s = String::from(
            "const app = require(\"express\")();\nconst { randomBytes } = require(\"crypto\");\nconst codes = new Map();\n\
             function finish(res, redirectUri, code) {\n  return res.redirect(`${redirectUri}?code=${code}`);\n}\n",
        );
        for i in 0..n {
            s += &format!(
                "app.get(\"/authorize{i}\", (req, res) => {{\n  const {{ redirect_uri }} = req.query;\n  const code = randomBytes(32).toString(\"hex\");\n  codes.set(code, {{ expiresAt: Date.now() + 3600 * 1000 }});\n  return finish(res, redirect_uri, code);\n}});\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    // One redirect (in the helper), reported once; one expiry per handler, for as many (handler,
    // redirect) pairs as a file may judge (64).
    assert_eq!(facts.unvalidated_redirects.len(), 1, "{facts:?}");
    assert_eq!(facts.code_lifetimes.len(), N.min(64), "{facts:?}");
    assert!(work.server_visits <= 64 * N, "{work:?}");
}

#[test]
fn numbers_that_share_sub_expressions_fold_once() {
    // Each level multiplies 32 uses of the one before: unfolded, `a3` is 32^3 leaves. Folded once per
    // expression it costs its own size, and the code lifetime it makes is still found.
    let level = |prev: &str| {
        let two = format!("({prev}*{prev})");
        let four = format!("({two}*{two})");
        let eight = format!("({four}*{four})");
        let sixteen = format!("({eight}*{eight})");
        format!("({sixteen}*{sixteen})")
    };
    let js = |n: usize| {
        let mut s = String::from("const codes = new Map();\nconst a0 = 1;\n");
        for i in 1..=3 {
            s += &format!("const a{i} = {};\n", level(&format!("a{}", i - 1)));
        }
        for i in 0..n {
            s += &format!(
                "function storeAuthCode{i}(code, client) {{\n  codes.set(code, {{ client, expiresAt: Date.now() + a3 * 3600 * 1000 }});\n}}\n"
            );
        }
        s
    };
    let (facts, work) = linear(Lang::JavaScript, js);
    assert!(!facts.code_lifetimes.is_empty(), "{facts:?}");
    assert!(
        facts.code_lifetimes.iter().all(|c| c.seconds == 3600.0),
        "{facts:?}"
    );
    assert!(work.fold_steps <= 64 * N, "{work:?}");
}
