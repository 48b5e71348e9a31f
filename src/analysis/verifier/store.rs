//! The questions that decide where a verifier is kept: whether a value holds or creates one, whether a name
//! is module-level state read in functions, the scope of an object or of a store under a constant key,
//! whether a file path is the same for every session. `writes` asks them of every write.

use super::*;

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    // ----------------------------------------------------------------------------------------------------
    // Where verifiers are kept
    // ----------------------------------------------------------------------------------------------------

    /// Whether a value is empty or a placeholder (`undefined`, `None`, `""`, a number): clearing a store is
    /// not leaking a verifier.
    pub(super) fn is_empty_value(&self, node: Node<'t>) -> bool {
        let node = self.unwrap(node);
        match self.view(node) {
            View::Number(_) | View::Bool(_) => true,
            View::Ident(n) => matches!(n, "undefined" | "None" | "null"),
            View::Str(_) => self.ctx.string_value(node).is_some_and(|s| s.is_empty()),
            View::Object(e) => e.is_empty(),
            View::Array(e) => e.is_empty(),
            _ => matches!(
                self.ctx.text(node),
                "null" | "undefined" | "None" | "void 0"
            ),
        }
    }

    /// Whether a value is (or carries) a verifier: `verifier`, `attempt.codeVerifier`, `newVerifier()`,
    /// `{ code_verifier: v }`.
    pub(super) fn holds_verifier(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > 2 {
            return false;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Ident(name) => {
                is_verifier_name(name)
                    || self.passed_in(name, node).is_some()
                    || self
                        .ctx
                        .resolve_ident(name, node)
                        .is_some_and(|v| self.holds_verifier(v, depth + 1))
            }
            View::Member { property, .. } => is_verifier_name(property),
            View::Call { callee, .. } => self
                .ctx
                .callee_name(callee)
                .is_some_and(|n| is_verifier_name(n) && !is_store_name(n)),
            View::Object(entries) => entries.iter().any(|&e| match e {
                Entry::Pair(Key::Name(k, _), v) => {
                    (is_verifier_name(k) && !self.is_empty_value(v))
                        || self.holds_verifier(v, depth + 1)
                }
                _ => false,
            }),
            _ => false,
        }
    }

    /// The call of another module that passes a verifier as this parameter (`name`, read at `at`) of a
    /// module-level function here.
    pub(super) fn passed_in(&self, name: &str, at: Node<'t>) -> Option<&'t Foreign> {
        let ctx = self.ctx;
        if ctx.env.verifier_params.is_empty() {
            return None;
        }
        let function = ctx.enclosing_function(at)?;
        let (_, params) = ctx.env.verifier_params.iter().find(|(f, _)| {
            ctx.ix
                .scoped_functions
                .get(&(ctx.root.id(), f.as_str()))
                .is_some_and(|fs| fs.iter().any(|f| f.id() == function.id()))
        })?;
        let position = ctx
            .d
            .parameters(function, ctx.src)
            .iter()
            .position(|p| *p == name)?;
        params.get(&position)
    }

    /// Whether a value (or its `field`) makes a verifier: it traces to a source, or comes from a helper that says
    /// it makes one.
    pub(super) fn creates_verifier(&self, value: Node<'t>, field: Option<&str>) -> bool {
        let traced = match field {
            Some(f) => self.trace_field(value, f, 0),
            None => self.trace(value, 0),
        };
        traced.is_some() || self.generates_code_verifier(value)
    }

    /// A call to a helper that says it makes a code verifier (`generateCodeVerifier()`, `newPkceVerifier()`),
    /// even from another file. `createVerifier(...)` alone may build a JWT verifier.
    pub(super) fn generates_code_verifier(&self, value: Node<'t>) -> bool {
        let View::Call { callee, .. } = self.view(self.unwrap(value)) else {
            return false;
        };
        self.ctx.callee_name(callee).is_some_and(|n| {
            is_verifier_name(n)
                && (crate::analysis::name_has(n, "codeverifier")
                    || crate::analysis::name_has(n, "pkce"))
                && !is_store_name(n)
        })
    }

    /// Whether writing `value` under `key` stores a verifier.
    pub(super) fn stores_verifier(&self, key: Option<&str>, value: Node<'t>) -> bool {
        if self.is_empty_value(value) {
            return false;
        }
        key.is_some_and(is_verifier_name) || self.holds_verifier(value, 0)
    }

    /// Whether a name is bound at module level (declared there, or imported).
    pub(super) fn module_level(&self, name: &'t str, at: Node<'t>) -> bool {
        !self.declared_locally(name, self.ctx.scope_of(at))
            && self.declared_in(self.ctx.root.id(), name)
    }

    /// Whether a module-level name is read inside some function of the file (once per name).
    pub(super) fn read_in_function(&self, name: &'t str) -> bool {
        if let Some(known) = self.read_in_functions.borrow().get(name) {
            return *known;
        }
        let answer = self.read_in_function_new(name);
        self.read_in_functions.borrow_mut().insert(name, answer);
        answer
    }

    pub(super) fn read_in_function_new(&self, name: &'t str) -> bool {
        let root = self.ctx.root.id();
        self.ctx.uses_of(name).any(|u| {
            // A read of the variable itself: not the attribute `x.name`, not a parameter or local that
            // shadows it.
            let attribute = self.ctx.parent(u).is_some_and(
                |p| matches!(self.view(p), View::Member { object, .. } if object.id() != u.id()),
            );
            !attribute
                && self.ctx.enclosing_function(u).is_some()
                && !self.declared_locally(name, self.ctx.scope_of(u))
                && self
                    .ctx
                    .lookup(name, u)
                    .is_some_and(|(scope, _)| scope.id() == root)
        })
    }

    /// Whether a name is declared in `scope` or a function between it and the module.
    pub(super) fn declared_locally(&self, name: &'t str, mut scope: Node<'t>) -> bool {
        let root = self.ctx.root.id();
        while scope.id() != root {
            if self.declared_in(scope.id(), name)
                || self.ctx.d.parameters(scope, self.ctx.src).contains(&name)
            {
                return true;
            }
            scope = self.ctx.scope_of(scope);
        }
        false
    }

    /// Whether the scope declares the name (with or without a value).
    pub(super) fn declared_in(&self, scope: usize, name: &'t str) -> bool {
        self.ctx
            .ix
            .bindings_in(scope, name)
            .is_some_and(|bs| bs.iter().any(|b| b.declares))
            || self.ctx.ix.bare_declarations.contains(&(scope, name))
    }

    /// The name of the class a node is defined in.
    pub(super) fn enclosing_class(&self, node: Node<'t>) -> Option<&'t str> {
        let mut cur = node;
        while let Some(p) = self.ctx.parent(cur) {
            if let Some(name) = self.ctx.d.class_name(p, self.ctx.src) {
                return Some(name);
            }
            cur = p;
        }
        None
    }

    /// The scope of the object a verifier is written into (`obj.key = v`, `obj[key] = v`).
    pub(super) fn object_scope(&self, object: Node<'t>, key: &str) -> StoreScope {
        let object = self.unwrap(object);
        let js = self.is_js();
        if let View::Ident(name) = self.view(object) {
            let bound = self.ctx.lookup(name, object).is_some();
            match name {
                // In a static method, `this` is the class itself.
                "this" if js => {
                    let function = self.ctx.enclosing_function(object);
                    if let Some(f) = function.filter(|f| self.ctx.d.is_static_method(*f)) {
                        let class = self.enclosing_class(f).unwrap_or("this");
                        return StoreScope::ClassAttribute(format!("{class}.{key}"));
                    }
                    return StoreScope::Scoped;
                }
                "self" if !js => return StoreScope::Scoped,
                "cls" if !js => return StoreScope::ClassAttribute(format!("cls.{key}")),
                "globalThis" | "global" | "window" | "self" if js && !bound => {
                    return StoreScope::Global(name.to_string())
                }
                "localStorage" if js && !bound => return StoreScope::LocalStorage,
                _ => {}
            }
            if !bound && self.ctx.ix.classes.contains_key(name) {
                return StoreScope::ClassAttribute(format!("{name}.{key}"));
            }
        }
        let q = self.qualified(object);
        if q == "process.env" || q == "os.environ" {
            return StoreScope::Environment;
        }
        if js && q == "localStorage" {
            return StoreScope::LocalStorage;
        }
        let text = self.ctx.text(object);
        if app_state(text) {
            return StoreScope::AppState(text.to_string());
        }
        StoreScope::Scoped
    }

    /// A shared store under a constant key: a module-level map, dict or cache client that is not a session.
    ///
    /// The store must be declared in this module (an imported name may be an HTTP client: `axios.put(url,
    /// body)`), must not be a request being built (`URLSearchParams`, `Headers`, `FormData`), and the write
    /// must happen inside a function: a one-shot script's top-level writes are not shared between logins.
    pub(super) fn constant_key_store(
        &self,
        receiver: Node<'t>,
        key: Option<&str>,
        at: Node<'t>,
    ) -> Option<StoreScope> {
        let key = key?;
        let receiver = self.unwrap(receiver);
        let View::Ident(name) = self.view(receiver) else {
            return None;
        };
        if contains_ci(name, "session")
            || self.ctx.ix.imports.contains_key(name)
            || !self.module_level(name, receiver)
            || self.ctx.enclosing_function(at).is_none()
        {
            return None;
        }
        if let Some(value) = self.ctx.resolve_ident(name, receiver) {
            if let View::Call { callee, .. } = self.view(self.unwrap(value)) {
                if self.ctx.callee_name(callee).is_some_and(|n| {
                    matches!(
                        n,
                        "URLSearchParams" | "URL" | "Headers" | "FormData" | "Request" | "dict"
                    )
                }) {
                    return None;
                }
            }
        }
        Some(StoreScope::ConstantKey(format!("\"{key}\"")))
    }

    /// Whether a file path is the same for every session and process (no per-session or per-process part).
    /// Once per expression and file.
    pub(super) fn fixed_path(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        if let Some(known) = self.fixed_paths.borrow().get(&node.id()) {
            return *known;
        }
        if !self.spend() {
            return false;
        }
        // A path that reaches itself is not known to be fixed.
        self.fixed_paths.borrow_mut().insert(node.id(), false);
        let answer = self.fixed_path_new(node, depth);
        self.fixed_paths.borrow_mut().insert(node.id(), answer);
        answer
    }

    pub(super) fn fixed_path_new(&self, node: Node<'t>, depth: usize) -> bool {
        if let Some((dir, name)) = self.ctx.d.path_join(node) {
            return self.fixed_path(dir, depth + 1) && self.fixed_path(name, depth + 1);
        }
        match self.view(node) {
            View::Str(parts) => parts.iter().all(|p| match p {
                StrPart::Text(..) => true,
                StrPart::Hole(h) => self.fixed_path(*h, depth + 1),
                StrPart::Opaque => false,
            }),
            View::Add(a, b) => self.fixed_path(a, depth + 1) && self.fixed_path(b, depth + 1),
            View::Adjacent(nodes) => nodes.iter().all(|n| self.fixed_path(*n, depth + 1)),
            View::Number(_) => true,
            View::Ident(name) => {
                matches!(name, "__dirname" | "__filename" | "__file__")
                    || self
                        .ctx
                        .resolve_ident(name, node)
                        .is_some_and(|v| self.fixed_path(v, depth + 1))
            }
            View::Member { .. } => {
                let q = self.qualified(node);
                q.starts_with("process.env.")
                    || q.starts_with("import.meta.")
                    || q == "path.sep"
                    || q == "os.sep"
            }
            View::Call { callee, args, .. } => {
                let q = self.qualified(callee);
                matches!(
                    last_segment(&q),
                    "join"
                        | "resolve"
                        | "normalize"
                        | "tmpdir"
                        | "homedir"
                        | "cwd"
                        | "getcwd"
                        | "gettempdir"
                        | "expanduser"
                        | "home"
                        | "Path"
                        | "PurePath"
                        | "dirname"
                        | "abspath"
                        | "realpath"
                        | "fileURLToPath"
                ) && args.iter().all(|a| match a {
                    Arg::Positional(n) => self.fixed_path(*n, depth + 1),
                    _ => false,
                })
            }
            _ => false,
        }
    }

    /// A file write of a verifier: `fs.writeFile(path, v)`, `open(path, "w")` … `.write(v)`,
    /// `Path(path).write_text(v)`. Returns the path expression.
    pub(super) fn file_write(
        &self,
        callee: Node<'t>,
        args: &[Arg<'t>],
    ) -> Option<(Node<'t>, Node<'t>)> {
        let q = self.qualified(callee);
        let last = last_segment(&q);
        let data = |i| Ctx::<D>::arg(args, i, "");
        if matches!(
            last,
            "writeFile"
                | "writeFileSync"
                | "appendFile"
                | "appendFileSync"
                | "outputFile"
                | "outputFileSync"
                | "writeTextFile"
                | "writeTextFileSync"
        ) && (q.starts_with("fs") || q.starts_with("Deno.") || q.starts_with("fs-extra"))
        {
            return Some((data(0)?, data(1)?));
        }
        if q == "Bun.write" {
            return Some((data(0)?, data(1)?));
        }
        if self.is_js() {
            return None;
        }
        // Python: the receiver is `open(path, …)`, `Path(path)` or a name bound to one.
        let View::Member { object, property } = self.view(self.unwrap(callee)) else {
            return None;
        };
        if !matches!(
            property,
            "write" | "write_text" | "write_bytes" | "writelines"
        ) {
            return None;
        }
        let mut receiver = self.unwrap(object);
        if let View::Ident(name) = self.view(receiver) {
            receiver = self.unwrap(self.ctx.resolve_ident(name, receiver)?);
        }
        // `(CONFIG_DIR / "verifier.txt").write_text(v)`: the receiver is the path.
        if property.starts_with("write_") && self.ctx.d.path_join(receiver).is_some() {
            return Some((receiver, data(0)?));
        }
        let View::Call {
            callee: opener,
            args: open_args,
            ..
        } = self.view(receiver)
        else {
            return None;
        };
        let opener_q = self.qualified(opener);
        let path = match last_segment(&opener_q) {
            "open" | "Path" | "PurePath" => Ctx::<D>::arg(&open_args, 0, "file")?,
            _ => return None,
        };
        Some((path, data(0)?))
    }
}

/// Application-wide state: `app.locals`, `app.config`, `request.app.state`, `app.settings`.
pub(super) fn app_state(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').map(str::trim).collect();
    parts.windows(2).any(|w| {
        matches!(w[0], "app" | "application" | "_app")
            && matches!(w[1], "locals" | "config" | "state" | "settings" | "extra")
    }) || matches!(parts.last(), Some(&"locals")) && parts.len() == 2 && parts[0] == "app"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_state_is_recognised_by_its_path() {
        for text in [
            "app.locals",
            "app.config",
            "request.app.state",
            "req.app.locals",
        ] {
            assert!(app_state(text), "{text}");
        }
        for text in ["req.session", "this.state", "appState", "application"] {
            assert!(!app_state(text), "{text}");
        }
    }
}
