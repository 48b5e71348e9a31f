//! Requests built in containers: object literals and dictionaries of authorization parameters, and
//! `URLSearchParams`-like builders filled by writes.

use tree_sitter::Node;

use super::analysis::{provision, Analysis};
use super::strings::query;
use crate::analysis::eval::Params;
use crate::analysis::{span, Arg, Dialect, View};
use crate::facts::{AuthRequest, FileFacts, RequestForm};

/// Keys that mark a container as an OAuth authorization request beside `response_type`.
const AUTHORIZE_KEYS: &[&str] = &["client_id", "redirect_uri", "scope"];

/// Calls whose argument is a query-parameter container.
const PARAM_SINKS: &[&str] = &[
    "URLSearchParams",
    "stringify",
    "urlencode",
    "encode",
    "format",
    "get",
    "post",
    "request",
    "fetch",
    "dict",
];

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    pub(super) fn containers(&self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        let mut candidates: Vec<(Node<'t>, Params<'t>)> = Vec::new();
        for &obj in &ctx.ix.objects {
            if self.library_args.contains(&obj.id()) {
                continue;
            }
            let Some(params) = ctx.object_params(obj, 0) else {
                continue;
            };
            // Only the object that spells out response_type (not one that spreads it in).
            let Some((_, key, _)) = params.get("response_type") else {
                continue;
            };
            if key.start_byte() < obj.start_byte() || key.end_byte() > obj.end_byte() {
                continue;
            }
            candidates.push((obj, params));
        }
        // Keyword arguments: `urlencode(dict(response_type="code", ...))`, `build_url(response_type="code")`.
        for &call in &ctx.ix.calls {
            if self.library_args.contains(&call.id()) {
                continue;
            }
            let View::Call { args, .. } = ctx.view(call) else {
                continue;
            };
            if !args
                .iter()
                .any(|a| matches!(a, Arg::Keyword("response_type", _)))
            {
                continue;
            }
            candidates.push((call, ctx.keyword_params(&args)));
        }
        for (node, mut params) in candidates {
            let Some(&(_, key, value)) = params.get("response_type") else {
                continue;
            };
            if !self.is_code(value) {
                continue;
            }
            if let Some((_, name)) = self.enclosing_call(node) {
                if crate::libraries::takes_settings(name) {
                    continue;
                }
                let _ = PARAM_SINKS;
            }
            self.add_holder_writes(node, &mut params);
            if !params.unknown && !AUTHORIZE_KEYS.iter().any(|k| params.has(k)) {
                continue;
            }
            // `{ authority, client_id, redirect_uri, response_type: "code" }`: a client library's settings;
            // `authorization: { params: {...} }` in an Auth.js provider: parameters the library adds to its
            // own request.
            if crate::libraries::is_settings(|k| params.has(k)) || self.library_params(node) {
                continue;
            }
            self.client_plain(&params, facts);
            facts.requests.push(AuthRequest {
                span: span(key),
                form: RequestForm::Container,
                pkce: provision(&params, "code_challenge"),
                state: provision(&params, "state"),
            });
        }
    }

    /// Whether an object sits at a catalogued library's parameter path (`authorization.params`).
    fn library_params(&self, obj: Node<'t>) -> bool {
        let ctx = self.ctx;
        let key = |value: Node<'t>| -> Option<(String, Node<'t>)> {
            let k = ctx.d.key_of_value(value)?;
            let name = ctx
                .string_value(k)
                .unwrap_or_else(|| ctx.text(k).to_string());
            // The pair's parent: the object holding it.
            Some((name, ctx.parent(ctx.parent(value)?)?))
        };
        let Some((inner, holder)) = key(obj) else {
            return false;
        };
        let outer = key(holder).map(|(k, _)| k).unwrap_or_default();
        crate::libraries::is_library_params(&outer, &inner)
    }

    /// `code_challenge_method` = `plain` in a request's parameters.
    fn client_plain(&self, params: &Params<'t>, facts: &mut FileFacts) {
        let _ = (params, facts);
    }

    pub(super) fn builders(&mut self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        if self.writes.is_empty() {
            return;
        }
        for (_, b) in ctx.ix.all_bindings() {
            let key = (self.group_scope(b.value), b.name);
            self.first_bindings.entry(key).or_insert(*b);
        }
        for ((scope, receiver), writes) in &self.writes {
            let Some(rt) = writes
                .iter()
                .find(|w| w.key.as_deref() == Some("response_type"))
            else {
                continue;
            };
            if !self.is_code(rt.value) {
                continue;
            }
            let mut params = Params::default();
            // Parameters given when the receiver was created: `new URLSearchParams({...})`, `new URL("...?a=b")`.
            let base = receiver.strip_suffix(".searchParams").unwrap_or(receiver);
            if let Some(b) = self.first_bindings.get(&(*scope, base)) {
                if let View::Call { args, .. } = ctx.view(ctx.unwrap(b.value)) {
                    if let Some(Arg::Positional(first)) = args.first().copied() {
                        match ctx.object_params(first, 0) {
                            Some(p) => params.merge(p),
                            // `new URL(endpoint)` with an endpoint from elsewhere: its own query is not the request's.
                            None if !ctx.fold(first, 0).has_literal() => {}
                            None => {
                                let q = query(&ctx.fold(first, 0));
                                params.unknown |= q.unknown;
                                for (k, _, _) in q.params {
                                    params.add(k, first, None);
                                }
                            }
                        }
                    }
                }
            }
            // The writes to this receiver, to `base` and to variables that wrap it.
            self.add_writes_of(vec![base.to_string()], *scope, rt.key_node, &mut params);
            // `.set` calls are reported at the call; member writes at the assignment target.
            let at = ctx
                .parent(rt.key_node)
                .and_then(|p| ctx.parent(p))
                .filter(|c| matches!(ctx.view(*c), View::Call { .. }))
                .unwrap_or(rt.key_node);
            facts.requests.push(AuthRequest {
                span: span(at),
                form: RequestForm::Builder,
                pkce: provision(&params, "code_challenge"),
                state: provision(&params, "state"),
            });
        }
    }
}
