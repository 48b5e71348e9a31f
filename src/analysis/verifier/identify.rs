//! Which values are verifiers: by name, by the key or parameter they are sent under, and as the data hashed
//! into a `code_challenge`.

use super::*;

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    // ----------------------------------------------------------------------------------------------------
    // Which values are verifiers
    // ----------------------------------------------------------------------------------------------------

    pub(super) fn verifier_expressions(&self) -> Vec<Expr<'t>> {
        let ctx = self.ctx;
        let mut out = Vec::new();
        for (_, b) in ctx.ix.all_bindings() {
            if matches!(self.view(self.unwrap(b.value)), View::Function) {
                continue;
            }
            match b.field {
                Some(f) if is_verifier_name(b.name) => out.push(Expr::Field(b.value, f)),
                Some(_) => {}
                None => self.named_value(b.name, b.value, &mut out),
            }
        }
        for w in &ctx.ix.member_writes {
            if let Some(key) = self.write_key(w.target) {
                self.named_value(&key, w.value, &mut out);
            }
        }
        for f in &ctx.ix.fields {
            self.named_value(f.name, f.value, &mut out);
        }
        for &object in &ctx.ix.objects {
            let View::Object(entries) = self.view(object) else {
                continue;
            };
            for e in entries.iter().copied() {
                if let Entry::Pair(Key::Name(k, _), v) = e {
                    self.named_value(k, v, &mut out);
                }
            }
        }
        // A value placed after `code_challenge=` in a string: `…&code_challenge=${c}`, `"…" + c`.
        for &string in &ctx.ix.strings {
            if let Some(value) = self.query_value_after(string, "code_challenge") {
                self.named_value("code_challenge", value, &mut out);
            }
            if let View::Str(parts) = self.view(string) {
                for pair in parts.windows(2) {
                    if let [StrPart::Text(text, _), StrPart::Hole(value)] = pair {
                        if ends_with_param(text, "code_challenge") {
                            self.named_value("code_challenge", *value, &mut out);
                        }
                    }
                }
            }
        }
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = self.view(call) else {
                continue;
            };
            for a in args.iter() {
                if let Arg::Keyword(k, v) = a {
                    self.named_value(k, *v, &mut out);
                }
            }
            // `params.set("code_verifier", v)`, `url.searchParams.set("code_challenge", c)`.
            if matches!(ctx.callee_name(callee), Some("set" | "append")) {
                let key = Ctx::<D>::arg(&args, 0, "").and_then(|k| ctx.string_value(k));
                if let (Some(key), Some(value)) = (key, Ctx::<D>::arg(&args, 1, "")) {
                    self.named_value(&key, value, &mut out);
                }
            }
            // Arguments for same-file parameters named like a verifier: `authorizeUrl(secret, state)`.
            let functions = self
                .same_file_functions(callee)
                .map_or(&[][..], |(_, fs)| fs);
            if let Some(&f) = functions.last() {
                let params = ctx.d.parameters(f, ctx.src);
                let is_method = matches!(self.view(self.unwrap(callee)), View::Member { .. });
                let skip = usize::from(
                    is_method && params.first().is_some_and(|p| matches!(*p, "self" | "cls")),
                );
                let positional = args.iter().filter_map(|a| match a {
                    Arg::Positional(n) => Some(*n),
                    _ => None,
                });
                for (param, arg) in params.iter().skip(skip).zip(positional) {
                    if is_verifier_name(param) {
                        out.push(Expr::Node(arg));
                    }
                }
            }
        }
        // Helpers named like a verifier: what they return is one (reported inside the helper), unless their
        // name says they do something else with it (`rememberVerifier` returns a storage key).
        // In source order, so that the answers do not depend on the order of a hash map.
        let mut named: Vec<Node<'t>> = ctx
            .ix
            .functions
            .iter()
            .filter(|(name, _)| is_verifier_name(name) && !acts_on_a_verifier(name))
            .flat_map(|(_, fs)| fs.iter().copied())
            .collect();
        named.sort_by_key(|f| f.start_byte());
        for f in named {
            out.extend(self.ctx.returned(f).into_iter().map(Expr::Node));
        }
        // Module-level functions whose return another module uses as a verifier.
        for (name, used) in &ctx.env.verifier_returns {
            let Some(functions) = ctx.ix.scoped_functions.get(&(ctx.root.id(), name.as_str()))
            else {
                continue;
            };
            for f in functions {
                out.extend(
                    self.ctx
                        .returned(*f)
                        .into_iter()
                        .map(|r| Expr::Elsewhere(r, used)),
                );
            }
        }
        out
    }

    /// A value under a name (a variable, a key, a keyword): a verifier when the name says so, and the data
    /// hashed into it when the name is a challenge's.
    pub(super) fn named_value(&self, name: &str, value: Node<'t>, out: &mut Vec<Expr<'t>>) {
        if is_verifier_name(name) {
            out.push(Expr::Node(value));
        } else if is_challenge_name(name) {
            out.extend(self.hashed_input(value, 0).map(Expr::Node));
        }
    }

    /// The value concatenated right after a string that ends with `param=`: in `"…&code_challenge=" + c`
    /// (also `a + "…&code_challenge=" + c`), `c`.
    pub(super) fn query_value_after(&self, string: Node<'t>, param: &str) -> Option<Node<'t>> {
        let text = match self.view(string) {
            View::Str(parts) => match parts.last() {
                Some(StrPart::Text(text, _)) => *text,
                _ => return None,
            },
            _ => return None,
        };
        if !ends_with_param(text, param) {
            return None;
        }
        // Up through the additions the string ends (`(a + "…=") + c`), to the one it starts the right of.
        let mut cur = string;
        for _ in 0..MAX_DEPTH {
            let parent = self.ctx.parent(cur)?;
            match self.view(parent) {
                View::Add(left, right) if left.id() == cur.id() => return Some(right),
                View::Add(_, right) if right.id() == cur.id() => cur = parent,
                View::Wrapped(_) => cur = parent,
                _ => return None,
            }
        }
        None
    }

    /// The key of a member or index write target: `x.codeVerifier`, `x["code_verifier"]`.
    pub(super) fn write_key(&self, target: Node<'t>) -> Option<String> {
        match self.view(target) {
            View::Member { property, .. } => Some(property.to_string()),
            View::Index { index, .. } => self.ctx.string_value(index),
            _ => None,
        }
    }

    /// The data hashed into a code challenge: `s256(v)`, `createHash(…).update(v).digest(…)`,
    /// `base64(sha256(v.encode()))`, `calculatePKCECodeChallenge(v)`.
    pub(super) fn hashed_input(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Call { callee, args, .. } => {
                let first = Ctx::<D>::arg(&args, 0, "");
                let callee_u = self.unwrap(callee);
                if let View::Member { object, property } = self.view(callee_u) {
                    match property {
                        "update" => return first,
                        "digest" if args.len() == 2 => return Ctx::<D>::arg(&args, 1, ""),
                        p if PASS_METHODS.contains(&p) => {
                            return self.hashed_input(object, depth + 1)
                        }
                        _ => {}
                    }
                }
                let q = self.qualified(callee);
                let last = last_segment(&q);
                if HASHES.contains(&last) {
                    return first.and_then(|d| self.data_of(d, depth + 1));
                }
                // A helper or encoder around the hash: look inside its argument; a helper taking the
                // verifier itself (`s256(verifier)`) gets it as its only argument.
                let f = first?;
                match self.view(self.unwrap(f)) {
                    View::Call { .. } => self.hashed_input(f, depth + 1),
                    View::Ident(_) | View::Member { .. }
                        if self.same_file_functions(callee).is_some()
                            || contains_ci(last, "challenge") =>
                    {
                        Some(f)
                    }
                    View::Ident(name) => {
                        // `base64url(digest)` where `digest = sha256(verifier)`.
                        let v = self.ctx.resolve_ident(name, f)?;
                        self.hashed_input(v, depth + 1)
                    }
                    _ => None,
                }
            }
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.hashed_input(v, depth + 1)
            }
            _ => None,
        }
    }

    /// `v.encode()`, `new TextEncoder().encode(v)`, `Buffer.from(v)` → `v`.
    pub(super) fn data_of(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let View::Call { callee, args, .. } = self.view(node) {
            if let View::Member { object, property } = self.view(self.unwrap(callee)) {
                if property == "encode" {
                    return match Ctx::<D>::arg(&args, 0, "") {
                        Some(a)
                            if matches!(
                                self.view(self.unwrap(object)),
                                View::Call { is_new: true, .. }
                            ) =>
                        {
                            Some(a)
                        }
                        _ => self.data_of(object, depth + 1),
                    };
                }
            }
            if self.qualified(callee) == "Buffer.from" {
                return Ctx::<D>::arg(&args, 0, "");
            }
        }
        Some(node)
    }
}
