//! Requests made through OAuth libraries: client calls that build the authorization URL (and which of them
//! add PKCE themselves), Passport strategies, and Python sessions.

use std::collections::HashMap;

use tree_sitter::Node;

use super::analysis::{method_span, provision, Analysis};
use crate::analysis::eval::Params;
use crate::analysis::{Arg, Ctx, Dialect, View};
use crate::facts::{AuthRequest, FileFacts, Provision, RequestForm, Span};

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    pub(super) fn libraries(&mut self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        let imported = |prefix: &str| ctx.ix.imports.values().any(|m| m.starts_with(prefix));
        for &call in &ctx.ix.calls {
            let View::Call {
                callee,
                args,
                is_new,
            } = ctx.view(call)
            else {
                continue;
            };
            let callee = ctx.unwrap(callee);
            let Some(name) = ctx.callee_name(callee) else {
                continue;
            };
            // Resolving the callee's qualified name is the costly part: only the arms that need it ask.
            let qualified = || ctx.qualify(callee, 0).unwrap_or_default();
            let at = method_span(ctx, callee, name);
            let options = |i: usize| Ctx::<D>::arg(&args, i, "");
            let (label, params_node) = match name {
                "authorizationUrl" if imported("openid-client") => {
                    ("openid-client authorizationUrl", options(0))
                }
                "buildAuthorizationUrl" if qualified().starts_with("openid-client") => {
                    ("openid-client buildAuthorizationUrl", options(1))
                }
                "authorizeURL" if imported("simple-oauth2") => {
                    ("simple-oauth2 authorizeURL", options(0))
                }
                "generateAuthUrl" if imported("googleapis") || imported("google-auth-library") => {
                    ("google-auth-library generateAuthUrl", options(0))
                }
                _ if is_new && qualified().starts_with("passport-oauth2") => {
                    self.passport(call, &args, at, facts);
                    continue;
                }
                "authorization_url" | "create_authorization_url" => {
                    self.python_session(call, callee, name, &args, at, facts);
                    continue;
                }
                _ => continue,
            };
            let params = match params_node {
                Some(n) => {
                    self.library_args.insert(ctx.unwrap(n).id());
                    let mut p = ctx.object_params(n, 0).unwrap_or(Params {
                        keys: Vec::new(),
                        unknown: true,
                    });
                    self.add_holder_writes(n, &mut p);
                    p
                }
                None => Params::default(),
            };
            facts.requests.push(AuthRequest {
                span: at,
                form: RequestForm::Library(label.to_string()),
                pkce: provision(&params, "code_challenge"),
                state: provision(&params, "state"),
            });
        }
    }

    /// passport-oauth2: `new OAuth2Strategy({ ..., pkce: true, state: true }, verify)`.
    fn passport(&mut self, call: Node<'t>, args: &[Arg<'t>], at: Span, facts: &mut FileFacts) {
        let ctx = self.ctx;
        let Some(opts) = Ctx::<D>::arg(args, 0, "") else {
            return;
        };
        self.library_args.insert(ctx.unwrap(opts).id());
        let params = ctx.object_params(opts, 0).unwrap_or(Params {
            keys: Vec::new(),
            unknown: true,
        });
        let enabled = |key: &str| match params.get(key) {
            Some((_, _, Some(v))) => match ctx.view(ctx.unwrap(*v)) {
                View::Bool(b) => {
                    if b {
                        Provision::ByLibrary
                    } else {
                        Provision::Missing
                    }
                }
                _ => Provision::Unknown,
            },
            Some(_) => Provision::Unknown,
            None if params.unknown => Provision::Unknown,
            None => Provision::Missing,
        };
        let state = if params.has("store") {
            Provision::ByLibrary
        } else {
            enabled("state")
        };
        let _ = call;
        facts.requests.push(AuthRequest {
            span: at,
            form: RequestForm::Library("passport-oauth2 Strategy".to_string()),
            pkce: enabled("pkce"),
            state,
        });
    }

    /// requests-oauthlib `OAuth2Session(...).authorization_url(...)` and authlib
    /// `OAuth2Session/OAuth2Client(...).create_authorization_url(...)`.
    fn python_session(
        &mut self,
        call: Node<'t>,
        callee: Node<'t>,
        name: &str,
        args: &[Arg<'t>],
        at: Span,
        facts: &mut FileFacts,
    ) {
        let ctx = self.ctx;
        let View::Member { object, .. } = ctx.view(callee) else {
            return;
        };
        let Some(ctor) = self.origin_call(object) else {
            return;
        };
        let View::Call {
            callee: ctor_callee,
            args: ctor_args,
            ..
        } = ctx.view(ctor)
        else {
            return;
        };
        let Some(ctor_name) = ctx.qualify(ctor_callee, 0) else {
            return;
        };
        let call_params = ctx.keyword_params(args);
        let ctor_params = ctx.keyword_params(&ctor_args);
        let _ = call;
        let (label, pkce) = if name == "authorization_url"
            && ctor_name.starts_with("requests_oauthlib")
            && ctor_name.ends_with("OAuth2Session")
        {
            let pkce = match ctor_params.get("pkce") {
                Some(_) => Provision::ByLibrary,
                None if ctor_params.unknown => Provision::Unknown,
                None => provision(&call_params, "code_challenge"),
            };
            ("requests-oauthlib OAuth2Session.authorization_url", pkce)
        } else if name == "create_authorization_url"
            && ctor_name.starts_with("authlib")
            && (ctor_name.ends_with("OAuth2Session") || ctor_name.ends_with("OAuth2Client"))
        {
            let pkce = match ctor_params.get("code_challenge_method") {
                Some(_) => Provision::ByLibrary,
                None if ctor_params.unknown => Provision::Unknown,
                None => provision(&call_params, "code_challenge"),
            };
            ("authlib create_authorization_url", pkce)
        } else {
            return;
        };
        facts.requests.push(AuthRequest {
            span: at,
            form: RequestForm::Library(label.to_string()),
            pkce,
            // Both libraries generate a state when none is given.
            state: Provision::ByLibrary,
        });
    }

    /// The constructor call a receiver was created by: `sess = OAuth2Session(...)`, `self.client = ...`.
    fn origin_call(&self, receiver: Node<'t>) -> Option<Node<'t>> {
        let ctx = self.ctx;
        let receiver = ctx.unwrap(receiver);
        let value = match ctx.view(receiver) {
            View::Call { .. } => return Some(receiver),
            View::Ident(name) => ctx.resolve_ident(name, receiver)?,
            View::Member { .. } => {
                let key = self.receiver_key(receiver);
                let mut by_receiver = self.member_writes_by_receiver.borrow_mut();
                let by_receiver = by_receiver.get_or_insert_with(|| {
                    let mut map: HashMap<String, Vec<Node<'t>>> = HashMap::new();
                    for w in &ctx.ix.member_writes {
                        map.entry(self.receiver_key(w.target))
                            .or_default()
                            .push(w.value);
                    }
                    map
                });
                match by_receiver.get(&key).map(Vec::as_slice) {
                    Some([only]) => *only,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let value = ctx.unwrap(value);
        matches!(ctx.view(value), View::Call { .. }).then_some(value)
    }
}
