//! The writes that put a verifier where it outlives the request that made it: module and class state,
//! globals, the environment, shared stores under a constant key, files at fixed paths. Each write is
//! classified with the questions of `store`.

use super::store::app_state;
use super::*;
use crate::summary::Foreign;

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    pub(super) fn writes(&self) -> Vec<VerifierWrite> {
        let ctx = self.ctx;
        let root = ctx.root.id();
        let mut out: Vec<(VerifierWrite, String)> = Vec::new();
        let mut push = |span: Span, scope: StoreScope, what: String, elsewhere: Option<Foreign>| {
            if scope != StoreScope::Scoped {
                out.push((
                    VerifierWrite {
                        span,
                        scope,
                        elsewhere,
                    },
                    what,
                ));
            }
        };
        // Names: module-level creation, writes to module variables, class-body attributes.
        for (scope, b) in ctx.ix.all_bindings() {
            let scope_id = scope.id();
            if matches!(self.view(self.unwrap(b.value)), View::Function) {
                continue;
            }
            let at_module = scope_id == root;
            if b.declares && (at_module || ctx.d.is_class(scope)) {
                if !is_verifier_name(b.name) || self.is_empty_value(b.value) {
                    continue;
                }
                if !self.creates_verifier(b.value, b.field) {
                    continue;
                }
                // A script that runs top to bottom once (the official library examples, ES modules with a
                // top-level `await`) has one login per process; the value is shared only when functions
                // (handlers, callbacks) of a long-lived module read it.
                let mut elsewhere = None;
                if at_module && (ctx.ix.top_level_await || !self.read_in_function(b.name)) {
                    // Read by no function here: shared when another module's functions read it.
                    match ctx.env.read_elsewhere.get(b.name) {
                        Some(read) if !ctx.ix.top_level_await => elsewhere = Some(read.clone()),
                        _ => {
                            if !ctx.ix.top_level_await && ctx.env.is_empty() {
                                ctx.asks
                                    .borrow_mut()
                                    .module_verifiers
                                    .insert(b.name.to_string());
                            }
                            continue;
                        }
                    }
                }
                let scope_kind = if at_module {
                    StoreScope::ModuleInit
                } else {
                    let class = ctx.d.class_name(scope, ctx.src).unwrap_or("class");
                    StoreScope::ClassAttribute(format!("{class}.{}", b.name))
                };
                push(span(b.target), scope_kind, b.name.to_string(), elsewhere);
                continue;
            }
            if at_module || !self.stores_verifier(Some(b.name), b.value) {
                continue;
            }
            let module_variable = if b.declares {
                // Python: only `global NAME` makes an assignment in a function write the module's name.
                ctx.ix.globals.contains(&(scope_id, b.name))
            } else {
                self.module_level(b.name, b.target)
            };
            if module_variable {
                push(
                    span(b.target),
                    StoreScope::ModuleVariable(b.name.to_string()),
                    b.name.to_string(),
                    None,
                );
            }
        }
        for f in &ctx.ix.fields {
            if f.is_static
                && is_verifier_name(f.name)
                && !self.is_empty_value(f.value)
                && self.creates_verifier(f.value, None)
            {
                let class = self.enclosing_class(f.target).unwrap_or("class");
                push(
                    span(f.target),
                    StoreScope::ClassAttribute(format!("{class}.{}", f.name)),
                    format!("{class}.{}", f.name),
                    None,
                );
            }
        }
        // Members and indexes: `global.v = …`, `process.env.V = …`, `STORE["verifier"] = …`.
        for w in &ctx.ix.member_writes {
            let key = self.write_key(w.target);
            if !self.stores_verifier(key.as_deref(), w.value) {
                continue;
            }
            let (object, dynamic_index) = match self.view(w.target) {
                View::Member { object, .. } => (object, false),
                View::Index { object, .. } => (object, key.is_none()),
                _ => continue,
            };
            let mut scope = self.object_scope(object, key.as_deref().unwrap_or("?"));
            // `app.state.pending[state] = v`: keyed by something per login, whatever holds the map.
            if dynamic_index && matches!(scope, StoreScope::AppState(_)) {
                scope = StoreScope::Scoped;
            }
            let object_text = ctx.text(self.unwrap(object));
            if self.is_js() && matches!(object_text, "exports" | "module.exports") {
                scope = StoreScope::ModuleVariable(ctx.text(w.target).to_string());
            }
            if scope == StoreScope::Scoped {
                if let Some(s) = self.constant_key_store(object, key.as_deref(), w.node) {
                    scope = s;
                }
            }
            // Kept on the instance: scoped, unless the module makes one instance for everyone.
            if scope == StoreScope::Scoped {
                let this = if self.is_js() { "this" } else { "self" };
                if matches!(self.view(self.unwrap(object)), View::Ident(n) if n == this) {
                    if let Some(class) = self.enclosing_class(w.node) {
                        let attribute = key.as_deref().unwrap_or("?");
                        ctx.holders.borrow_mut().push((
                            class,
                            format!("{class}.{attribute}"),
                            span(w.node),
                        ));
                    }
                }
            }
            push(span(w.node), scope, ctx.text(w.target).to_string(), None);
        }
        // Calls: storage APIs, cache clients, the environment, files.
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = self.view(call) else {
                continue;
            };
            // A verifier handed to a function of another module: the project phase asks that module
            // where it keeps it.
            if ctx.env.is_empty() {
                if let Some(q) = ctx.import_path(callee) {
                    let positional = args.iter().filter_map(|a| match a {
                        Arg::Positional(n) => Some(*n),
                        _ => None,
                    });
                    for (i, a) in positional.enumerate() {
                        if self.holds_verifier(a, 0) {
                            ctx.asks.borrow_mut().verifier_args.push((
                                q.clone(),
                                i,
                                Foreign::here(span(call)),
                            ));
                        }
                    }
                }
            }
            // Only these methods store anything; the qualified name is worked out for them alone.
            if !ctx
                .callee_name(callee)
                .is_some_and(|n| STORING_CALLS.contains(&n))
            {
                continue;
            }
            let q = self.qualified(callee);
            let arg = |i| Ctx::<D>::arg(&args, i, "");
            let key_of = |n: Option<Node<'t>>| n.and_then(|k| ctx.string_value(k));
            if let Some((path, data)) = self.file_write(callee, &args) {
                if self.holds_verifier(data, 0) && self.fixed_path(path, 0) {
                    push(
                        span(call),
                        StoreScope::FixedFile(ctx.text(path).to_string()),
                        format!("file {}", ctx.text(path)),
                        None,
                    );
                }
                continue;
            }
            // `os.putenv(...)` or `putenv(...)` imported from `os`.
            if q == "os.putenv" {
                if let (Some(v), key) = (arg(1), key_of(arg(0))) {
                    if self.stores_verifier(key.as_deref(), v) {
                        push(
                            span(call),
                            StoreScope::Environment,
                            format!("env {key:?}"),
                            None,
                        );
                    }
                }
                continue;
            }
            let View::Member { object, property } = self.view(self.unwrap(callee)) else {
                continue;
            };
            let value_at = match property {
                "setItem" | "set" | "put" | "hset" => 1,
                "setex" | "setEx" | "psetex" => 2,
                _ => continue,
            };
            let value_at = if property == "hset" && args.len() == 2 {
                1
            } else {
                value_at
            };
            let (Some(value), key) = (arg(value_at), key_of(arg(0))) else {
                continue;
            };
            if !self.stores_verifier(key.as_deref(), value) {
                continue;
            }
            let receiver = self.qualified(object);
            if receiver.ends_with("sessionStorage") {
                continue;
            }
            if property == "setItem" && receiver == "localStorage" {
                push(
                    span(call),
                    StoreScope::LocalStorage,
                    format!("localStorage {key:?}"),
                    None,
                );
                continue;
            }
            let text = ctx.text(self.unwrap(object));
            if property == "set"
                && key.is_some()
                && (text == "app" || app_state(text))
                && self.is_js()
            {
                push(
                    span(call),
                    StoreScope::AppState(text.to_string()),
                    format!("{text} {key:?}"),
                    None,
                );
                continue;
            }
            if let Some(s) = self.constant_key_store(object, key.as_deref(), call) {
                push(span(call), s, format!("{text} {key:?}"), None);
            }
        }
        for (span, scope, name, elsewhere) in self.singletons() {
            push(span, scope, name, elsewhere);
        }
        // A write inside a helper that another module passes the verifier to names that call.
        for (function, params) in &ctx.env.verifier_params {
            let Some(defined) = ctx.ix.scoped_functions.get(&(root, function.as_str())) else {
                continue;
            };
            let Some(call) = params.values().next() else {
                continue;
            };
            for (w, _) in out.iter_mut().filter(|(w, _)| w.elsewhere.is_none()) {
                if defined
                    .iter()
                    .any(|f| f.byte_range().contains(&w.span.start))
                {
                    w.elsewhere = Some(call.clone());
                }
            }
        }
        // Once per leaked verifier: the first write to each store, and a module-level variable created with
        // its verifier is reported at the declaration only.
        out.sort_by_key(|(w, _)| w.span);
        let created: HashSet<String> = out
            .iter()
            .filter(|(w, _)| w.scope == StoreScope::ModuleInit)
            .map(|(_, what)| what.clone())
            .collect();
        out.retain(
            |(w, _)| !matches!(&w.scope, StoreScope::ModuleVariable(n) if created.contains(n)),
        );
        let mut seen = HashSet::new();
        out.into_iter()
            .filter(|(w, what)| seen.insert((format!("{:?}", w.scope), what.clone())))
            .map(|(w, _)| w)
            .collect()
    }
}

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    /// Module-level instances of a class that keeps the verifier on its instances (a class of this file,
    /// or one the project phase found in another module), read by functions here or in another module.
    fn singletons(&self) -> Vec<(Span, StoreScope, String, Option<Foreign>)> {
        let ctx = self.ctx;
        let root = ctx.root.id();
        let mut out = Vec::new();
        for b in ctx
            .ix
            .all_bindings()
            .filter_map(|(s, b)| (s.id() == root).then_some(b))
        {
            if !b.declares || b.append || b.field.is_some() {
                continue;
            }
            let View::Call { callee, args, .. } = self.view(self.unwrap(b.value)) else {
                continue;
            };
            let callee = self.unwrap(callee);
            if let Some(holder) = ctx
                .import_path(callee)
                .and_then(|q| self.library_holder(&q, &args, b.name))
            {
                let scope = StoreScope::Singleton {
                    name: b.name.to_string(),
                    holder,
                };
                out.push((span(b.target), scope, b.name.to_string(), None));
                continue;
            }
            let holder = match self.view(callee) {
                View::Ident(class) if !ctx.ix.imports.contains_key(class) => ctx
                    .holders
                    .borrow()
                    .iter()
                    .find(|(c, _, _)| *c == class)
                    .map(|(_, h, _)| h.clone()),
                _ => match ctx.import_path(callee) {
                    Some(q) => match ctx.imported_value(&q) {
                        Some(crate::summary::Value::HoldsVerifier(at)) => {
                            let class = q.rsplit('.').next().unwrap_or(&q);
                            Some(format!("{class} (in {})", crate::paths::display(&at.path)))
                        }
                        _ => None,
                    },
                    None => None,
                },
            };
            let Some(holder) = holder else { continue };
            if ctx.ix.top_level_await {
                continue;
            }
            let elsewhere = if self.read_in_function(b.name) {
                None
            } else {
                match ctx.env.read_elsewhere.get(b.name) {
                    Some(read) => Some(read.clone()),
                    None => {
                        if ctx.env.is_empty() {
                            ctx.asks
                                .borrow_mut()
                                .module_verifiers
                                .insert(b.name.to_string());
                        }
                        continue;
                    }
                }
            };
            let scope = StoreScope::Singleton {
                name: b.name.to_string(),
                holder,
            };
            out.push((span(b.target), scope, b.name.to_string(), elsewhere));
        }
        out
    }
}

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    /// A module-level library object that keeps the verifier (`crate::libraries::holders`): made with PKCE
    /// on, and used to build the authorization URL in one function of this file and to exchange the code
    /// in another, so the verifier crosses requests on one instance. A script that does both in one
    /// function (or at top level) serves one user. The holder's description, for the message.
    fn library_holder(&self, qualified: &str, args: &[Arg<'t>], name: &'t str) -> Option<String> {
        let ctx = self.ctx;
        let h = crate::libraries::holders::verifier_holder(qualified)?;
        let opts = ctx.keyword_params(args);
        let on = h.when.iter().find(|k| match opts.get(k) {
            Some((_, _, Some(v))) => !ctx.is_falsy(*v),
            Some((_, _, None)) => true,
            None => false,
        })?;
        let root = ctx.root.id();
        let (mut creates, mut reads) = (Vec::new(), Vec::new());
        for u in ctx.uses_of(name) {
            let Some(View::Member { object, property }) = ctx.parent(u).map(|p| self.view(p))
            else {
                continue;
            };
            let Some(f) = ctx.enclosing_function(u) else {
                continue;
            };
            if object.id() != u.id()
                || self.declared_locally(name, ctx.scope_of(u))
                || ctx.lookup(name, u).is_none_or(|(s, _)| s.id() != root)
            {
                continue;
            }
            if property == h.creates {
                creates.push(f.id());
            } else if property == h.reads {
                reads.push(f.id());
            }
        }
        if !creates.iter().any(|c| reads.iter().any(|r| r != c)) {
            return None;
        }
        let class = qualified
            .split('.')
            .find(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
            .unwrap_or(qualified);
        Some(format!("{class} ({}, made with `{on}`)", h.library))
    }
}

/// The calls `writes` looks at: file writes, the environment, storage and cache clients.
const STORING_CALLS: &[&str] = &[
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "outputFile",
    "outputFileSync",
    "writeTextFile",
    "writeTextFileSync",
    "write",
    "write_text",
    "write_bytes",
    "writelines",
    "putenv",
    "setItem",
    "set",
    "put",
    "hset",
    "setex",
    "setEx",
    "psetex",
];
