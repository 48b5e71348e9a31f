//! Requests made through OAuth libraries, as the catalogue (`crate::libraries`) describes them: a call is
//! matched to a catalogued flow through the file's imports, its options are read from the call, from the
//! constructor that made its receiver and from the registration that named the client, and the catalogue
//! says what the library adds. The challenge method a library call sends (named or by default) is recorded
//! here too, since only here is the call known to be the library's.

use std::collections::HashMap;

use tree_sitter::Node;

use super::analysis::{method_span, Analysis};
use crate::analysis::eval::Params;
use crate::analysis::{Arg, Ctx, Dialect, View};
use crate::facts::{AuthRequest, FileFacts, PlainMethod, PlainSite, Provision, RequestForm};
use crate::libraries::{self, Adds, Call, Flow, Library, Options, Test};

/// The options a library call is made with: the call's own, then the constructor's, then the registration's.
struct Opts<'t> {
    sets: Vec<Params<'t>>,
    /// For `Options::ArgNames`: each positional argument with the name it is written with.
    named_args: Vec<(String, Node<'t>)>,
}

impl<'t> Opts<'t> {
    fn unknown(&self) -> bool {
        self.sets.iter().any(|p| p.unknown)
    }

    /// The value of an option: `Some(None)` when it is given without a readable value.
    fn get(&self, key: &str) -> Option<Option<Node<'t>>> {
        if let Some((_, n)) = self
            .named_args
            .iter()
            .find(|(name, _)| crate::analysis::name_has(name, &key.to_ascii_lowercase()))
        {
            return Some(Some(*n));
        }
        self.sets
            .iter()
            .find_map(|p| p.get(key).map(|(_, _, v)| *v))
    }
}

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    pub(super) fn libraries(&mut self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = ctx.view(call) else {
                continue;
            };
            let callee = ctx.unwrap(callee);
            let Some(name) = ctx.callee_name(callee) else {
                continue;
            };
            let Some((lib, flow, receiver_origin)) = self.match_flow(callee, name) else {
                continue;
            };
            let at = method_span(ctx, callee, name);
            let opts = self.options(lib, flow, &args, callee, receiver_origin);
            let pkce = self.provision(&opts, flow.pkce, &["code_challenge", "codeChallenge"]);
            if flow.request {
                let state = match self.provision(&opts, flow.state, &["state", "nonce"]) {
                    Provision::Missing
                        if opts.get("request").is_some() || opts.get("request_uri").is_some() =>
                    {
                        Provision::Unknown
                    }
                    p => p,
                };
                facts.requests.push(AuthRequest {
                    span: at,
                    form: RequestForm::Library(format!("{} {name}", lib.name)),
                    pkce,
                    state,
                });
            }
            // The method the call sends: named in an option, or the library's default when it sends a
            // challenge and no method is named.
            if let Some(key) = flow.method_option {
                match opts.get(key) {
                    Some(Some(v)) if ctx.method_value(v, 0).as_deref() == Some("plain") => {
                        facts.plain_methods.push(PlainMethod {
                            span: crate::analysis::span(ctx.unwrap(v)),
                            site: PlainSite::ClientParam,
                            rejected: false,
                            detail: Some(format!("{} {name}", lib.name)),
                        });
                    }
                    None if flow.method_default == Some("plain")
                        && !opts.unknown()
                        && matches!(pkce, Provision::InRequest | Provision::ByLibrary) =>
                    {
                        facts.plain_methods.push(PlainMethod {
                            span: at,
                            site: PlainSite::ClientDefault,
                            rejected: false,
                            detail: Some(format!("{} {name}", lib.name)),
                        });
                    }
                    _ => {}
                }
            }
        }
    }

    /// The catalogued flow a call is, with the constructor call its receiver was made by (if any).
    fn match_flow(
        &self,
        callee: Node<'t>,
        name: &str,
    ) -> Option<(&'static Library, &'static Flow, Option<Node<'t>>)> {
        let ctx = self.ctx;
        let mut qualified: Option<Option<String>> = None;
        let mut receiver: Option<(Option<String>, Option<Node<'t>>)> = None;
        // An export imported under another name (`const GoogleStrategy = require("…").Strategy`) is
        // looked up by the name it is exported as.
        let exported = match ctx.view(callee) {
            View::Ident(local) => ctx
                .ix
                .imports
                .get(local)
                .and_then(|q| q.rsplit(['.', '/']).next())
                .filter(|e| *e != name),
            _ => None,
        };
        let candidates = libraries::flows_named(name).chain(
            exported
                .into_iter()
                .flat_map(libraries::flows_named)
                .filter(|(_, f)| matches!(f.call, Call::Export(e) if !e.is_empty())),
        );
        for (lib, flow) in candidates {
            match flow.call {
                // A default export is called by the name it was imported as.
                Call::Export("") => {
                    let View::Ident(local) = ctx.view(callee) else {
                        continue;
                    };
                    let Some(q) = ctx.ix.imports.get(local) else {
                        continue;
                    };
                    let default = lib.modules.iter().any(|m| {
                        q == m
                            || (m.ends_with('/') && q.starts_with(m) && !q[m.len()..].contains('.'))
                    });
                    if default {
                        return Some((lib, flow, None));
                    }
                }
                Call::Export(export) => {
                    let q = qualified.get_or_insert_with(|| ctx.qualify(callee, 0));
                    if let Some(q) = q {
                        if lib.owns(q) && q.ends_with(&format!(".{export}")) {
                            return Some((lib, flow, None));
                        }
                    }
                }
                Call::Method { loose, on, .. } => {
                    let View::Member { object, .. } = ctx.view(callee) else {
                        continue;
                    };
                    let (q, origin) = receiver.get_or_insert_with(|| {
                        let origin = self.origin_call(object);
                        let q = ctx
                            .qualify(object, 0)
                            .filter(|q| libraries::owner(q).is_some())
                            .or_else(|| {
                                let View::Call { callee, .. } = ctx.view(origin?) else {
                                    return None;
                                };
                                ctx.qualify(callee, 0)
                            });
                        (q, origin)
                    });
                    // `requests_oauthlib.OAuth2Session()`, `authlib.integrations.flask_client.OAuth().github`.
                    let on_class = |q: &str| {
                        on.is_empty()
                            || q.split(['.', '(', ')'])
                                .any(|segment| on.contains(&segment))
                    };
                    let owned = q.as_deref().is_some_and(|q| lib.owns(q) && on_class(q));
                    let imported = || ctx.ix.imports.values().any(|m| lib.owns(m));
                    if owned || (loose && imported()) {
                        return Some((lib, flow, *origin));
                    }
                }
            }
        }
        None
    }

    /// The options of a flow call: the call's, the constructor's, and (authlib integrations) the
    /// registration's `oauth.register("name", ..., client_kwargs={...})`.
    fn options(
        &mut self,
        lib: &Library,
        flow: &Flow,
        args: &[Arg<'t>],
        callee: Node<'t>,
        ctor: Option<Node<'t>>,
    ) -> Opts<'t> {
        let ctx = self.ctx;
        let mut opts = Opts {
            sets: Vec::new(),
            named_args: Vec::new(),
        };
        match flow.options {
            Options::Object(i) => {
                let p = match Ctx::<D>::arg(args, i, "") {
                    Some(n) => {
                        let n = ctx.unwrap(n);
                        self.library_args.insert(n.id());
                        // `const opts = {...}; client.generateAuthUrl(opts)`: the object is the options.
                        if let View::Ident(name) = ctx.view(n) {
                            if let Some(v) = ctx.resolve_ident(name, n) {
                                self.library_args.insert(ctx.unwrap(v).id());
                            }
                        }
                        let mut p = ctx.object_params(n, 0).unwrap_or(Params {
                            keys: Vec::new(),
                            unknown: true,
                        });
                        self.add_holder_writes(n, &mut p);
                        p
                    }
                    None => Params::default(),
                };
                opts.sets.push(p);
            }
            Options::Keywords => opts.sets.push(ctx.keyword_params(args)),
            Options::Signature(names) => {
                let mut p = ctx.keyword_params(args);
                let positional = args.iter().filter_map(|a| match a {
                    Arg::Positional(n) => Some(*n),
                    _ => None,
                });
                for (n, name) in positional.zip(names) {
                    p.add(name.to_string(), n, Some(n));
                }
                opts.sets.push(p);
            }
            Options::ArgNames => {
                for a in args {
                    match a {
                        Arg::Positional(n) => {
                            if let Some(name) = ctx.qualify(*n, 0) {
                                opts.named_args.push((name, *n));
                            }
                        }
                        Arg::Keyword(k, v) => opts.named_args.push((k.to_string(), *v)),
                        Arg::Spread(_) => {}
                    }
                }
            }
        }
        // The constructor's options (`OAuth2Session(client_id, pkce="S256")`): read when the receiver was made
        // here by the library itself; unknown when it came from a factory or another module.
        if flow.options_on_constructor {
            let own = ctor.filter(|c| match ctx.view(*c) {
                View::Call { callee, .. } => {
                    let callee = ctx.unwrap(callee);
                    let q = match ctx.view(callee) {
                        View::Ident(name) => ctx.ix.imports.get(name).cloned(),
                        _ => ctx.qualify(callee, 0),
                    };
                    q.is_some_and(|q| lib.owns(&q))
                }
                _ => false,
            });
            match own.map(|c| ctx.view(c)) {
                Some(View::Call { args, .. }) => {
                    let mut p = ctx.keyword_params(&args);
                    if let Some(obj) = Ctx::<D>::arg(&args, 0, "") {
                        if let Some(o) = ctx.object_params(obj, 0) {
                            p.merge(Params {
                                keys: o.keys,
                                unknown: false,
                            });
                        }
                    }
                    opts.sets.push(p);
                }
                _ => opts.sets.push(Params {
                    keys: Vec::new(),
                    unknown: true,
                }),
            }
        }
        if let Some(reg) = self.registration(callee) {
            opts.sets.push(reg);
        }
        opts
    }

    /// authlib's integrations: `oauth.github.authorize_redirect(...)` or
    /// `oauth.create_client("github").authorize_redirect(...)` use the options of
    /// `oauth.register("github", ..., client_kwargs={...})`, `client_kwargs` flattened in.
    fn registration(&self, callee: Node<'t>) -> Option<Params<'t>> {
        let ctx = self.ctx;
        let View::Member { object, .. } = ctx.view(callee) else {
            return None;
        };
        let object = ctx.unwrap(object);
        let client = match ctx.view(object) {
            View::Member { property, .. } => property.to_string(),
            View::Call { callee, args, .. } if ctx.callee_name(callee) == Some("create_client") => {
                ctx.string_value(Ctx::<D>::arg(&args, 0, "name")?)?
            }
            _ => return None,
        };
        let mut registrations = self.registrations.borrow_mut();
        let by_name = registrations.get_or_insert_with(|| {
            let mut map: HashMap<String, Node<'t>> = HashMap::new();
            for &call in &ctx.ix.calls {
                let View::Call { callee, args, .. } = ctx.view(call) else {
                    continue;
                };
                if ctx.callee_name(callee) != Some("register") {
                    continue;
                }
                if let Some(name) =
                    Ctx::<D>::arg(&args, 0, "name").and_then(|n| ctx.string_value(n))
                {
                    map.insert(name, call);
                }
            }
            map
        });
        let call = *by_name.get(&client)?;
        let View::Call { args, .. } = ctx.view(call) else {
            return None;
        };
        let mut p = ctx.keyword_params(&args);
        if let Some((_, _, Some(kw))) = p.get("client_kwargs").cloned() {
            match ctx.object_params(kw, 0) {
                Some(inner) => p.merge(inner),
                None => p.unknown = true,
            }
        }
        Some(p)
    }

    /// What a flow's options make of one part of the request. `params` are the request parameters it is
    /// sent as: an option test that finds one of them means the caller put it in the request.
    fn provision(&self, opts: &Opts<'t>, adds: Adds, params: &[&str]) -> Provision {
        match adds {
            Adds::Always => Provision::ByLibrary,
            Adds::Unless(tests) if tests.iter().any(|t| self.holds(opts, *t)) => Provision::Missing,
            Adds::Unless(_) => Provision::ByLibrary,
            Adds::When(tests) => match tests.iter().find(|t| self.holds(opts, **t)) {
                Some(Test::Present(k)) if params.contains(k) => Provision::InRequest,
                Some(_) => Provision::ByLibrary,
                None if opts.unknown() => Provision::Unknown,
                None => Provision::Missing,
            },
            Adds::Never if opts.unknown() => Provision::Unknown,
            Adds::Never => Provision::Missing,
        }
    }

    fn holds(&self, opts: &Opts<'t>, test: Test) -> bool {
        let ctx = self.ctx;
        match test {
            Test::Present(k) => opts.get(k).is_some(),
            Test::Absent(k) => opts.get(k).is_none() && !opts.unknown(),
            Test::Truthy(k) => match opts.get(k) {
                Some(Some(v)) => !ctx.is_falsy(v),
                Some(None) => true,
                None => false,
            },
            Test::Lists(k, value) => match opts.get(k) {
                Some(Some(v)) => match ctx.view(ctx.unwrap(v)) {
                    View::Array(items) => items
                        .iter()
                        .any(|i| ctx.string_value(*i).as_deref() == Some(value)),
                    _ => true,
                },
                Some(None) => true,
                None => false,
            },
        }
    }

    /// The constructor call a receiver was created by: `sess = OAuth2Session(...)`, `self.client = ...`.
    pub(super) fn origin_call(&self, receiver: Node<'t>) -> Option<Node<'t>> {
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
