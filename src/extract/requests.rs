//! Authorization requests: parameter containers, `URLSearchParams` builders, query strings and library calls.
//! Also the client-side `code_challenge_method=plain` found in query strings.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::lang::NodeKind;

use super::eval::Params;
use super::fold::{Folded, HOLE};
use super::{span, Arg, Binding, Ctx, Dialect, View};
use crate::facts::{AuthRequest, FileFacts, PlainMethod, PlainSite, Provision, RequestForm, Span};

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

/// Constructors of clients that add PKCE and state themselves; an options object passed to them is
/// configuration, not a request (oidc-client-ts, auth0-spa-js).
const SELF_SECURING_CLIENTS: &[&str] = &[
    "UserManager",
    "OidcClient",
    "createAuth0Client",
    "Auth0Client",
    "PublicClientApplication",
];

/// Messages: a string passed to these is text for people, not a request.
const MESSAGE_CALLS: &[&str] = &[
    "log",
    "info",
    "warn",
    "error",
    "debug",
    "trace",
    "print",
    "Error",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "Exception",
    "fail",
    "assert",
    "exception",
    "critical",
    "warning",
];

/// One `.set(key, value)` / `.append` / `x.key = v` / `x["key"] = v` on a receiver.
struct Write<'t> {
    key: Option<String>,
    key_node: Node<'t>,
    value: Option<Node<'t>>,
}

/// Extracts authorization requests; returns the wrapping variables and string uses visited (`Work`).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    // Containers, builders and strings need a `response_type` key; library calls need their method name
    // (`ctx.mentions`, from the prefilter's one pass over the text).
    let has_response_type = ctx.mentions.response_type;
    let mut a = Analysis {
        ctx,
        writes: HashMap::new(),
        library_args: HashSet::new(),
        wrapping: HashMap::new(),
        pushed: HashSet::new(),
        first_bindings: HashMap::new(),
        string_uses: Default::default(),
        member_writes_by_receiver: Default::default(),
        visited: Default::default(),
    };
    for (_, b) in ctx.ix.all_bindings() {
        if let View::Call { args, .. } = ctx.view(ctx.unwrap(b.value)) {
            let scope = a.group_scope(b.value);
            for arg in args {
                if let Arg::Positional(n) = arg {
                    a.wrapping
                        .entry((scope, ctx.text(n)))
                        .or_default()
                        .push(b.name);
                }
            }
        }
    }
    // Arguments of pushed authorization requests (`oauth.pushedAuthorizationRequest(as, client, auth, params)`).
    for &call in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(call) else {
            continue;
        };
        if ctx
            .callee_name(callee)
            .is_some_and(|n| n.contains("pushedAuthorization"))
        {
            a.pushed.extend(args.iter().filter_map(|a| match a {
                Arg::Positional(n) => Some(ctx.text(*n)),
                _ => None,
            }));
        }
    }
    a.collect_writes();
    a.libraries(facts);
    if has_response_type {
        a.containers(facts);
        a.builders(facts);
        a.strings(facts);
    }
    facts.requests.sort_by_key(|r| r.span);
    facts.requests.dedup_by_key(|r| r.span);
    a.visited.get()
}

struct Analysis<'c, 't, 'd, D: Dialect> {
    ctx: &'c Ctx<'t, 'd, D>,
    /// Writes by (grouping scope id, receiver text).
    writes: HashMap<(usize, String), Vec<Write<'t>>>,
    /// Object arguments of library calls (handled there, not as containers).
    library_args: HashSet<usize>,
    /// Variables initialised by a call that takes another variable, by (grouping scope id, argument text).
    wrapping: HashMap<(usize, &'t str), Vec<&'t str>>,
    /// Texts of the arguments of pushed-authorization-request calls.
    pushed: HashSet<&'t str>,
    /// The first binding of each name in each grouping scope (filled when builders need it).
    first_bindings: HashMap<(usize, &'t str), Binding<'t>>,
    /// By name, the start bytes of its uses that are part of a larger string, in source order (worked out
    /// once per name asked about).
    string_uses: RefCell<HashMap<&'t str, Vec<usize>>>,
    /// Member writes by receiver text (filled when a Python session needs it).
    member_writes_by_receiver: RefCell<Option<HashMap<String, Vec<Node<'t>>>>>,
    /// Wrapping variables and string uses visited (`Work::request_visits`).
    visited: std::cell::Cell<usize>,
}

fn provision(params: &Params, key: &str) -> Provision {
    // In OpenID Connect the nonce binds the response to the session as state does (RFC 9700 §4.7.1).
    if params.has(key) || (key == "state" && params.has("nonce")) {
        Provision::InRequest
    } else if params.unknown || params.has("request") || params.has("request_uri") {
        // JAR / PAR: the parameters travel inside the signed request object or the pushed request.
        Provision::Unknown
    } else {
        Provision::Missing
    }
}

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    /// The scope in which writes to one receiver are grouped: the enclosing function, looking through
    /// callbacks passed as arguments (`entries.forEach(([k, v]) => url.searchParams.set(k, v))`).
    fn group_scope(&self, node: Node<'t>) -> usize {
        let mut cur = node;
        loop {
            match self.ctx.enclosing_function(cur) {
                Some(f)
                    if self
                        .ctx
                        .parent(f)
                        .is_some_and(|p| matches!(p.k(), "arguments" | "argument_list")) =>
                {
                    cur = f
                }
                Some(f) => return f.id(),
                None => return self.ctx.root.id(),
            }
        }
    }

    fn receiver_key(&self, node: Node<'t>) -> String {
        self.ctx
            .text(self.ctx.unwrap(node))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    fn collect_writes(&mut self) {
        let ctx = self.ctx;
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) else {
                continue;
            };
            let scope = self.group_scope(call);
            let mut push = |receiver: Node<'t>, write: Write<'t>| {
                let key = (scope, self.receiver_key(receiver));
                self.writes.entry(key).or_default().push(write);
            };
            match property {
                "set" | "append" | "setdefault" => {
                    let Some(Arg::Positional(k)) = args.first().copied() else {
                        continue;
                    };
                    let value = Ctx::<D>::arg(&args, 1, "");
                    push(
                        object,
                        Write {
                            key: ctx.string_value(k),
                            key_node: k,
                            value,
                        },
                    );
                }
                "update" => {
                    for a in &args {
                        match *a {
                            Arg::Positional(obj) => match ctx.object_params(obj, 0) {
                                Some(p) => {
                                    let unknown = p.unknown;
                                    for (k, kn, v) in p.keys {
                                        push(
                                            object,
                                            Write {
                                                key: Some(k),
                                                key_node: kn,
                                                value: v,
                                            },
                                        );
                                    }
                                    if unknown {
                                        push(
                                            object,
                                            Write {
                                                key: None,
                                                key_node: obj,
                                                value: None,
                                            },
                                        );
                                    }
                                }
                                None => push(
                                    object,
                                    Write {
                                        key: None,
                                        key_node: obj,
                                        value: None,
                                    },
                                ),
                            },
                            Arg::Keyword(k, v) => push(
                                object,
                                Write {
                                    key: Some(k.to_string()),
                                    key_node: v,
                                    value: Some(v),
                                },
                            ),
                            Arg::Spread(n) => push(
                                object,
                                Write {
                                    key: None,
                                    key_node: n,
                                    value: None,
                                },
                            ),
                        }
                    }
                }
                "assign" if ctx.qualify(object, 0).as_deref() == Some("Object") => {
                    let Some(Arg::Positional(target)) = args.first().copied() else {
                        continue;
                    };
                    for a in args.iter().skip(1) {
                        let Arg::Positional(obj) = *a else {
                            push(
                                target,
                                Write {
                                    key: None,
                                    key_node: target,
                                    value: None,
                                },
                            );
                            continue;
                        };
                        match ctx.object_params(obj, 0) {
                            Some(p) => {
                                if p.unknown {
                                    push(
                                        target,
                                        Write {
                                            key: None,
                                            key_node: obj,
                                            value: None,
                                        },
                                    );
                                }
                                for (k, kn, v) in p.keys {
                                    push(
                                        target,
                                        Write {
                                            key: Some(k),
                                            key_node: kn,
                                            value: v,
                                        },
                                    );
                                }
                            }
                            None => push(
                                target,
                                Write {
                                    key: None,
                                    key_node: obj,
                                    value: None,
                                },
                            ),
                        }
                    }
                }
                _ => {}
            }
        }
        for w in &ctx.ix.member_writes {
            let target = ctx.unwrap(w.target);
            let (object, key) = match ctx.view(target) {
                View::Member { object, property } => (object, Some(property.to_string())),
                View::Index { object, index } => (object, ctx.string_value(index)),
                _ => continue,
            };
            let scope = self.group_scope(w.node);
            let rk = self.receiver_key(object);
            self.writes.entry((scope, rk)).or_default().push(Write {
                key,
                key_node: target,
                value: Some(w.value),
            });
        }
    }

    /// Adds the writes made, in the same function, to the variable that holds `node` (and to variables that
    /// wrap it: `new URLSearchParams(params)`, `url.searchParams` of `new URL(...)`).
    fn add_holder_writes(&self, node: Node<'t>, params: &mut Params<'t>) {
        let mut holders = Vec::new();
        if let Some(var) = self.holder(node) {
            holders.push(var.to_string());
        }
        // A variable passed directly (`buildAuthorizationUrl(config, parameters)`).
        if let View::Ident(name) = self.ctx.view(self.ctx.unwrap(node)) {
            holders.push(name.to_string());
        }
        self.add_writes_of(holders, self.group_scope(node), node, params);
    }

    /// Adds the writes made in `scope` to the variables `holders`, to their `.searchParams`, and to variables
    /// that wrap them (`new URLSearchParams(params)`). A request sent as a pushed authorization request
    /// (RFC 9126) gets `request_uri`: its parameters go over the back channel, the browser only carries that.
    fn add_writes_of(
        &self,
        mut holders: Vec<String>,
        scope: usize,
        at: Node<'t>,
        params: &mut Params<'t>,
    ) {
        let mut i = 0;
        while i < holders.len() && i < 8 {
            let holder = holders[i].clone();
            let wrappers = self
                .wrapping
                .get(&(scope, holder.as_str()))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            self.visited.set(self.visited.get() + wrappers.len());
            for &bound in wrappers {
                if !holders.iter().any(|h| h == bound) {
                    holders.push(bound.to_string());
                }
            }
            i += 1;
        }
        if holders.iter().any(|h| self.pushed.contains(h.as_str())) {
            params.add("request_uri".to_string(), at, None);
        }
        for h in holders {
            for receiver in [h.to_string(), format!("{h}.searchParams")] {
                for w in self
                    .writes
                    .get(&(scope, receiver))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    match &w.key {
                        Some(k) => params.add(k.clone(), w.key_node, w.value),
                        None => params.unknown = true,
                    }
                }
            }
        }
    }

    /// The variable a value is assigned to, looking up through sinks (`new URLSearchParams({...})`,
    /// `qs.stringify({...})`, `new URL(...)`) and wrappers.
    fn holder(&self, node: Node<'t>) -> Option<&'t str> {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..6 {
            let parent = ctx.parent(cur)?;
            if let Some(b) = ctx.ix.binding_of_value(cur.id()) {
                return Some(b.name);
            }
            match ctx.view(parent) {
                View::Wrapped(_) | View::Call { .. } => cur = parent,
                _ if matches!(parent.k(), "arguments" | "argument_list") => cur = parent,
                _ => return None,
            }
        }
        None
    }

    /// The call a node is an argument of, with the callee's last name.
    fn enclosing_call(&self, node: Node<'t>) -> Option<(Node<'t>, &'t str)> {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..4 {
            let parent = ctx.parent(cur)?;
            if let View::Call { callee, .. } = ctx.view(parent) {
                return Some((parent, ctx.callee_name(callee).unwrap_or("")));
            }
            if !(matches!(
                parent.k(),
                "arguments" | "argument_list" | "keyword_argument"
            ) || matches!(ctx.view(parent), View::Wrapped(_)))
            {
                return None;
            }
            cur = parent;
        }
        None
    }

    fn is_code(&self, value: Option<Node<'t>>) -> bool {
        value
            .and_then(|v| self.ctx.string_value(v))
            .is_some_and(|s| Ctx::<D>::is_code_response(&s))
    }

    fn containers(&self, facts: &mut FileFacts) {
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
                if SELF_SECURING_CLIENTS.contains(&name) {
                    continue;
                }
                let _ = PARAM_SINKS;
            }
            self.add_holder_writes(node, &mut params);
            if !params.unknown && !AUTHORIZE_KEYS.iter().any(|k| params.has(k)) {
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

    /// `code_challenge_method` = `plain` in a request's parameters.
    fn client_plain(&self, params: &Params<'t>, facts: &mut FileFacts) {
        let _ = (params, facts);
    }

    fn builders(&mut self, facts: &mut FileFacts) {
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

    /// Whether a string node's value is only part of a larger string expression.
    fn is_string_part(&self, node: Node<'t>) -> Option<Node<'t>> {
        let ctx = self.ctx;
        let parent = ctx.parent(node)?;
        let up = if parent.k() == "template_substitution" || parent.k() == "interpolation" {
            ctx.parent(parent)?
        } else {
            parent
        };
        match ctx.view(up) {
            View::Add(..)
            | View::Percent(..)
            | View::Adjacent(_)
            | View::Wrapped(_)
            | View::Str(_) => Some(up),
            View::Member {
                property: "format" | "concat" | "toString",
                ..
            } => {
                let call = ctx.parent(up)?;
                matches!(ctx.view(call), View::Call { .. }).then_some(call)
            }
            _ => None,
        }
    }

    fn strings(&self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        let mut seen = HashSet::new();
        for &s in &ctx.ix.strings {
            if ctx.d.is_docstring(ctx.parent(s)) {
                continue;
            }
            let mut top = s;
            for _ in 0..64 {
                match self.is_string_part(top) {
                    Some(p) => top = p,
                    None => break,
                }
            }
            if !seen.insert(top.id()) {
                continue;
            }
            let folded = ctx.fold(top, 0);
            if !folded.has_literal() {
                continue;
            }
            let (text, nodes) = folded.text();
            let q = query_text(&text);
            // code_challenge_method=plain in any query string.
            for (k, v, at) in &q.params {
                if k == "code_challenge_method" && v.as_deref() == Some("plain") {
                    if let Some(sp) = self.locate_in(&nodes, *at, "plain") {
                        facts.plain_methods.push(PlainMethod {
                            span: sp,
                            site: PlainSite::ClientParam,
                            rejected: false,
                        });
                    }
                }
            }
            let Some((_, _, at)) = q.params.iter().find(|(k, v, _)| {
                k == "response_type" && v.as_deref().is_some_and(Ctx::<D>::is_code_response)
            }) else {
                continue;
            };
            if self.is_message(top) || self.used_in_larger_string(top) {
                continue;
            }
            let mut params = Params {
                unknown: q.unknown,
                ..Default::default()
            };
            for (k, _, _) in &q.params {
                params.add(k.clone(), top, None);
            }
            self.add_holder_writes(top, &mut params);
            let Some(sp) = self.locate_in(&nodes, *at, "response_type") else {
                continue;
            };
            facts.requests.push(AuthRequest {
                span: sp,
                form: RequestForm::String,
                pkce: provision(&params, "code_challenge"),
                state: provision(&params, "state"),
            });
        }
    }

    /// The span of `word` in the literal piece holding offset `at` of the folded text.
    fn locate_in(&self, nodes: &[(usize, Node<'t>)], at: usize, word: &str) -> Option<Span> {
        let node = Folded::node_at(nodes, at)?;
        let text = self.ctx.text(node);
        let start = node.start_byte() + text.find(word).unwrap_or(0);
        Some(Span::new(
            start,
            start + word.len().min(node.end_byte() - start),
        ))
    }

    /// Whether a string is the argument of a logging call or an error constructor.
    fn is_message(&self, node: Node<'t>) -> bool {
        if let Some((_, name)) = self.enclosing_call(node) {
            return MESSAGE_CALLS.contains(&name)
                || name.ends_with("Error")
                || name.ends_with("Exception");
        }
        self.ctx
            .parent(node)
            .is_some_and(|p| self.ctx.d.is_throw(p))
    }

    /// Whether a string bound to a variable is used, later in the variable's scope, inside a larger string
    /// (then that one is the request).
    fn used_in_larger_string(&self, node: Node<'t>) -> bool {
        let ctx = self.ctx;
        let Some(name) = self.holder(node) else {
            return false;
        };
        let end = ctx
            .lookup(name, node)
            .map_or(ctx.root.end_byte(), |(scope, _)| scope.end_byte());
        let mut memo = self.string_uses.borrow_mut();
        let starts = memo.entry(name).or_insert_with(|| {
            self.visited
                .set(self.visited.get() + ctx.uses_of(name).len());
            ctx.uses_of(name)
                .filter(|u| self.is_string_part(*u).is_some())
                .map(|u| u.start_byte())
                .collect()
        });
        let after = starts.partition_point(|s| *s <= node.end_byte());
        starts.get(after).is_some_and(|s| *s < end)
    }

    fn libraries(&mut self, facts: &mut FileFacts) {
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

/// The span of the method name in a callee (`authorizationUrl` in `client.authorizationUrl`).
fn method_span<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, callee: Node<'t>, name: &str) -> Span {
    let text = ctx.text(callee);
    let start = callee.start_byte() + text.rfind(name).unwrap_or(0);
    Span::new(
        start,
        (start + name.len()).min(callee.end_byte()).max(start),
    )
}

/// Query parameters found in a folded string.
pub struct Query {
    /// Name, value when constant, offset of the name in the folded text.
    pub params: Vec<(String, Option<String>, usize)>,
    /// Some parameter names come from holes (`&${extra}`, `?{query}`).
    pub unknown: bool,
}

/// Splits a folded string into query parameters: after the first `?` (or the whole string when there is none),
/// on `&`. A parameter name must start its segment and look like one, so `"missing response_type=code"` has no
/// `response_type` parameter.
pub fn query(folded: &Folded) -> Query {
    query_text(&folded.text().0)
}

/// Values longer than this are not kept (no rule compares a parameter with a long value).
const MAX_VALUE: usize = 1024;

/// `query` over the text of a folded string (`Folded::text`). Scans bytes with memchr: a string may hold a
/// megabyte of embedded text, and every request string is read.
pub fn query_text(text: &str) -> Query {
    let bytes = text.as_bytes();
    let hole = HOLE as u8;
    let qs_start = memchr::memchr(b'?', bytes).map(|i| i + 1).unwrap_or(0);
    // `${url}&state=...` with no `?` of its own: the hole may carry the query.
    let mut unknown = qs_start == 0 && bytes.first() == Some(&hole);
    let mut params = Vec::new();
    let mut start = qs_start;
    while start <= bytes.len() {
        let end = memchr::memchr2(b'&', b'#', &bytes[start..])
            .map(|i| start + i)
            .unwrap_or(bytes.len());
        let segment = &text[start..end];
        match memchr::memchr(b'=', segment.as_bytes()) {
            Some(eq) => {
                let (name, value) = (&segment[..eq], &segment[eq + 1..]);
                if memchr::memchr(hole, name.as_bytes()).is_some() {
                    unknown = true;
                } else if !name.is_empty()
                    && name
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"_-.[]".contains(&c))
                {
                    let value = (value.len() <= MAX_VALUE
                        && memchr::memchr(hole, value.as_bytes()).is_none())
                    .then(|| value.trim_end().to_string());
                    params.push((name.to_string(), value, start));
                }
            }
            None if memchr::memchr(hole, segment.as_bytes()).is_some() => unknown = true,
            None => {}
        }
        start = end + 1;
    }
    Query { params, unknown }
}
