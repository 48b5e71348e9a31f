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
    ChallengeComparison, CodeLifetime, FileFacts, OptionalPkce, ReusableCode, Span,
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

/// Whether an endpoint's code produces an access token (`access_token`, `accessToken` in its text).
fn issues_tokens<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, functions: &[Node<'t>]) -> bool {
    functions.iter().any(|f| {
        let text = ctx.text(*f);
        text.contains("access_token") || text.contains("accessToken")
    })
}

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
        .filter(|e| issues_tokens(ctx, &e.functions))
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
            // Functions that read the verifier from a request: looked for once, judged by both.
            let readers = challenge::request_readers(ctx);
            visits += comparisons(ctx, &endpoints, &readers, facts);
            visits += downgrades(ctx, &issuing, &readers, facts);
        } else {
            // An authorization endpoint alone: what it says about the challenge, for the token endpoints
            // of other modules.
            facts.challenge_side = optional::optional_challenge(ctx, &[]).fact();
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
    readers: &[Node<'t>],
    facts: &mut FileFacts,
) -> usize {
    let mut functions: Vec<Node<'t>> = endpoints
        .iter()
        .flat_map(|e| e.functions.iter().copied())
        .collect();
    functions.extend(challenge::verifier_helpers(ctx));
    functions.extend(readers.iter().copied());
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
    readers: &[Node<'t>],
    facts: &mut FileFacts,
) -> usize {
    let mut visits = 0;
    let mut found = Vec::new();
    // Token endpoints, and functions that read the verifier from a request and issue an access token
    // (token routes whose grant-type check is elsewhere), each with the helpers it calls.
    let mut groups: Vec<Vec<Node<'t>>> = endpoints.iter().map(|e| e.functions.clone()).collect();
    for &f in readers {
        if groups.iter().any(|g| g.iter().any(|h| h.id() == f.id())) {
            continue;
        }
        let functions = endpoint::helpers(ctx, f);
        if issues_tokens(ctx, &functions) {
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
    facts.challenge_side = side.fact();
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
    // A guard in a helper that several endpoints call is found once per endpoint.
    into.sort_by_key(|p| p.span);
    into.dedup_by_key(|p| p.span);
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
mod tests;
