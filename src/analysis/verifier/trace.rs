//! Where a verifier's value comes from: traced through bindings, string building, method chains, encodings,
//! hashes, truncation and same-file helpers. Every question is answered once per file (`Verifiers::remembered`).

use super::*;

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    // ----------------------------------------------------------------------------------------------------
    // Where a verifier's value comes from
    // ----------------------------------------------------------------------------------------------------

    pub(super) fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    /// Where a value comes from: once per expression and file.
    pub(super) fn trace(&self, node: Node<'t>, depth: usize) -> Option<Traced> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        // A variable's answer is remembered by the variable (`trace_ident`), not again by each use.
        if let View::Ident(name) = self.view(node) {
            return self.trace_ident(name, node, depth);
        }
        self.remembered(&self.values, node.id(), || self.trace_new(node, depth))
    }

    pub(super) fn trace_new(&self, node: Node<'t>, depth: usize) -> Option<Traced> {
        match self.view(node) {
            View::Str(_) | View::Add(..) | View::Adjacent(_) | View::Percent(..) => {
                let mut leaves = Vec::new();
                self.leaves(node, &mut leaves, depth);
                self.concat(node, &leaves, depth)
            }
            View::Ident(name) => self.trace_ident(name, node, depth),
            View::Member { object, property } => {
                let q = self.qualified(node);
                if q == "process.pid" {
                    return Some(Traced::new(
                        EntropySource::Clock,
                        "process.pid".into(),
                        span(node),
                        None,
                    ));
                }
                if matches!(property, "hex" | "urn") {
                    return self.trace(object, depth + 1).map(|t| t.encoded(Some(4)));
                }
                if matches!(property, "int" | "bytes") {
                    return self.trace(object, depth + 1);
                }
                self.trace_field(object, property, depth + 1)
            }
            View::Index { object, index } => {
                if let Some((start, end)) = self.ctx.d.slice(index) {
                    let t = self.trace(object, depth + 1)?;
                    return Some(self.truncate(t, node, start, end, false, true));
                }
                if let Some(key) = self.ctx.string_value(index) {
                    return self.trace_field(object, &key, depth + 1);
                }
                // `CHARSET[Math.floor(Math.random() * CHARSET.length)]`: a predictable pick.
                self.trace(index, depth + 1).filter(Traced::predictable)
            }
            View::Call {
                callee,
                args,
                is_new,
            } => self.trace_call(node, callee, &args, is_new, depth),
            View::Or(a, b)
            | View::Conditional {
                then: a,
                otherwise: b,
                ..
            } => {
                let options: Vec<Traced> = [a, b]
                    .into_iter()
                    .filter_map(|n| self.trace(n, depth + 1))
                    .collect();
                weakest(options)
            }
            View::Other => {
                // Arithmetic and other operators: a predictable operand makes a predictable value. A
                // comparison gives a boolean, never a verifier (its operator is one of the node's tokens:
                // the text of a whole expression may be long, and its strings may hold any operator).
                let comparison = (0..node.child_count()).any(|i| {
                    node.child(i).is_some_and(|c| {
                        !c.is_named()
                            && matches!(
                                self.ctx.text(c),
                                "<" | ">" | "<=" | ">=" | "==" | "!=" | "===" | "!==" | "in" | "is"
                            )
                    })
                });
                if comparison {
                    return None;
                }
                (0..node.named_child_count().min(4))
                    .filter_map(|i| node.named_child(i as u32))
                    .filter(|c| !self.ctx.d.is_comment(*c))
                    .filter_map(|c| self.trace(c, depth + 1))
                    .find(Traced::predictable)
            }
            _ => None,
        }
    }

    /// The parts of a string expression: holes and literal-free subexpressions.
    pub(super) fn leaves(&self, node: Node<'t>, out: &mut Vec<Node<'t>>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Str(parts) => {
                for p in parts.iter().copied() {
                    if let StrPart::Hole(h) = p {
                        self.leaves(h, out, depth + 1);
                    }
                }
            }
            View::Add(a, b) => {
                self.leaves(a, out, depth + 1);
                self.leaves(b, out, depth + 1);
            }
            View::Adjacent(nodes) => {
                for n in nodes.iter().copied() {
                    self.leaves(n, out, depth + 1);
                }
            }
            View::Percent(fmt, args) => {
                self.leaves(fmt, out, depth + 1);
                match self.view(self.unwrap(args)) {
                    View::Array(items) => out.extend(items.iter().copied()),
                    _ => out.push(args),
                }
            }
            _ => out.push(node),
        }
    }

    /// A value built from parts: a hard-coded literal, or the randomness of its parts added up.
    pub(super) fn concat(
        &self,
        whole: Node<'t>,
        leaves: &[Node<'t>],
        depth: usize,
    ) -> Option<Traced> {
        let mut traced = Vec::new();
        for &leaf in leaves {
            // Constant text (`CLIENT_ID`, `"mcp-"`) adds nothing to a value that has other parts.
            if self.ctx.is_constant(leaf) {
                continue;
            }
            let t = self.trace(leaf, depth + 1)?;
            // A constant part adds nothing; it is not the source of a value that has other parts.
            if t.entropy.source != EntropySource::Literal {
                traced.push(t);
            }
        }
        if traced.is_empty() {
            let text = self.ctx.string_value(whole)?;
            return (looks_like_verifier(&text) && !is_placeholder(&text)).then(|| {
                Traced::new(
                    EntropySource::Literal,
                    "a hard-coded string".into(),
                    span(whole),
                    None,
                )
            });
        }
        if traced.iter().all(Traced::predictable) {
            return traced.into_iter().next();
        }
        let random: Vec<Traced> = traced.into_iter().filter(|t| !t.predictable()).collect();
        let total = random
            .iter()
            .map(Traced::bits)
            .fold(0u32, u32::saturating_add);
        let mut first = random.into_iter().next()?;
        if total > first.bits() {
            first.entropy.source = EntropySource::CsprngChars {
                count: total,
                alphabet: 2,
            };
            first.entropy.truncated = None;
        }
        first.per_char = None;
        Some(first)
    }

    /// The value of a variable: once per variable (scope and name), however many times it is used.
    pub(super) fn trace_ident(&self, name: &'t str, at: Node<'t>, depth: usize) -> Option<Traced> {
        if self.ctx.ix.imports.contains_key(name) {
            return None;
        }
        let (scope, bindings) = self.ctx.lookup(name, at)?;
        self.remembered(&self.names, (scope.id(), name), || {
            self.trace_bindings(bindings, depth)
        })
    }

    pub(super) fn trace_bindings(
        &self,
        bindings: &[crate::analysis::Binding<'t>],
        depth: usize,
    ) -> Option<Traced> {
        self.visited.set(self.visited.get() + bindings.len());
        match bindings {
            [only] if !only.append => match only.field {
                Some(f) => self.trace_field(only.value, f, depth + 1),
                None => self.trace(only.value, depth + 1),
            },
            [first, rest @ ..]
                if !first.append && first.field.is_none() && rest.iter().all(|b| b.append) =>
            {
                let mut leaves = Vec::new();
                for b in bindings {
                    self.leaves(b.value, &mut leaves, depth + 1);
                }
                self.concat(first.value, &leaves, depth)
            }
            _ => {
                // Reassigned: each assignment is a possible value.
                let options: Vec<Traced> = bindings
                    .iter()
                    .filter(|b| !b.append)
                    .filter_map(|b| match b.field {
                        Some(f) => self.trace_field(b.value, f, depth + 1),
                        None => self.trace(b.value, depth + 1),
                    })
                    .collect();
                weakest(options)
            }
        }
    }

    /// The value of `node.field`: once per expression, field and file.
    pub(super) fn trace_field(&self, node: Node<'t>, field: &str, depth: usize) -> Option<Traced> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        self.remembered(&self.fields, (node.id(), field.to_string()), || {
            self.trace_field_new(node, field, depth)
        })
    }

    pub(super) fn trace_field_new(
        &self,
        node: Node<'t>,
        field: &str,
        depth: usize,
    ) -> Option<Traced> {
        match self.view(node) {
            View::Object(entries) => entries.iter().find_map(|&e| match e {
                Entry::Pair(Key::Name(k, _), v) if k == field => self.trace(v, depth + 1),
                _ => None,
            }),
            // `return verifier, challenge` / `return [verifier, challenge]` for a positional pattern.
            View::Array(items) => {
                let i = crate::analysis::POSITIONS
                    .iter()
                    .position(|p| *p == field)?;
                self.trace(*items.get(i)?, depth + 1)
            }
            View::Ident(name) if !self.ctx.ix.imports.contains_key(name) => {
                let (_, bindings) = self.ctx.lookup(name, node)?;
                match bindings {
                    [only] if !only.append && only.field.is_none() => {
                        self.trace_field(only.value, field, depth + 1)
                    }
                    _ => None,
                }
            }
            View::Call { callee, .. } => {
                let q = self.qualified(callee);
                if let Some(t) = self.trusted(&q, node) {
                    return is_verifier_name(field).then_some(t);
                }
                let helpers = self.same_file_functions(callee)?;
                self.trace_helpers(helpers, Some(field), depth)
            }
            _ => None,
        }
    }

    pub(super) fn trace_call(
        &self,
        node: Node<'t>,
        callee: Node<'t>,
        args: &[Arg<'t>],
        is_new: bool,
        depth: usize,
    ) -> Option<Traced> {
        let q = self.qualified(callee);
        let last = last_segment(&q);
        let here = span(node);
        if let Some(t) = self.trusted(&q, node) {
            return Some(t);
        }
        if let Some(t) = self.source(&q, args, is_new, here) {
            return Some(t);
        }
        let callee_u = self.unwrap(callee);
        if let View::Member { object, property } = self.view(callee_u) {
            let first = Ctx::<D>::arg(args, 0, "");
            match property {
                "slice" | "substring" | "substr" => {
                    let t = self.trace(object, depth + 1)?;
                    let (start, end) = (first, Ctx::<D>::arg(args, 1, ""));
                    // `substring` clamps a negative start to 0; `slice` and `substr` count it from the end.
                    return Some(self.truncate(
                        t,
                        node,
                        start,
                        end,
                        property == "substr",
                        property != "substring",
                    ));
                }
                "update" => {
                    // Hash data: a hash of predictable inputs is predictable.
                    let t = self.trace(first?, depth + 1)?;
                    return Some(hashed(t));
                }
                "encode" if first.is_some() => {
                    // `new TextEncoder().encode(v)`.
                    return self.trace(first?, depth + 1);
                }
                // `ALPHABET.charAt(Math.floor(Math.random() * n))`: a predictable pick.
                "charAt" | "at" | "codePointAt" => {
                    return self.trace(first?, depth + 1).filter(Traced::predictable);
                }
                "join" if matches!(self.view(self.unwrap(object)), View::Str(_)) => {
                    return self.trace_join(first?, depth);
                }
                p if PASS_METHODS.contains(&p) => {
                    let enc = first
                        .and_then(|a| {
                            self.ctx
                                .string_value(a)
                                .or_else(|| self.ctx.number_value(a, 0).map(|n| n.to_string()))
                        })
                        .and_then(|e| encoding_bits(&e))
                        .or(match p {
                            "hex" | "hexdigest" => Some(4),
                            _ => None,
                        });
                    return self.trace(object, depth + 1).map(|t| t.encoded(enc));
                }
                _ => {}
            }
        }
        if HASHES.contains(&last) {
            let data = Ctx::<D>::arg(args, 0, "string")?;
            return self.trace(data, depth + 1).map(hashed);
        }
        // `Array.from(bytes, (b) => b.toString(16)).join("")` keeps the bytes' randomness;
        // `Array.from({ length: 64 }, () => ALPHABET[Math.floor(Math.random() * n)])` is a predictable pick.
        if q == "Array.from" {
            let source = Ctx::<D>::arg(args, 0, "")?;
            if let Some(t) = self.trace(source, depth + 1) {
                return Some(t);
            }
            let map = self.unwrap(Ctx::<D>::arg(args, 1, "")?);
            return self
                .ctx
                .returned(map)
                .into_iter()
                .filter_map(|r| self.trace(r, depth + 1))
                .find(Traced::predictable);
        }
        if let Some(helpers) = self.same_file_functions(callee) {
            if let Some(t) = self.trace_helpers(helpers, None, depth) {
                return Some(t);
            }
            // A helper that encodes its argument (`base64url(bytes)`) keeps the argument's randomness.
            let enc = encoder_name(last)?;
            return self
                .trace(Ctx::<D>::arg(args, 0, "")?, depth + 1)
                .map(|t| t.encoded(Some(enc)));
        }
        // A function of another module: the project phase is asked what it returns.
        if self.ctx.env.is_empty() {
            if let Some(imported) = self.ctx.import_path(callee) {
                self.ctx
                    .asks
                    .borrow_mut()
                    .verifier_returns
                    .push((imported, Foreign::here(here)));
            }
        }
        if PASS_FUNCTIONS.contains(&last) || encoder_name(last).is_some() {
            let enc = encoder_name(last);
            return self
                .trace(Ctx::<D>::arg(args, 0, "")?, depth + 1)
                .map(|t| t.encoded(enc));
        }
        None
    }

    /// `"".join(pick() for _ in range(n))`, `"".join(choices(alphabet, k=n))`.
    pub(super) fn trace_join(&self, arg: Node<'t>, depth: usize) -> Option<Traced> {
        let Some((body, iterable)) = self.ctx.d.repeated(arg) else {
            return self.trace(arg, depth + 1);
        };
        let t = self.trace(body, depth + 1)?;
        if t.predictable() {
            return Some(t);
        }
        let count = self.range_count(iterable)?;
        let mut t = t;
        t.entropy.source = match t.entropy.source {
            EntropySource::CsprngBytes(n) => EntropySource::CsprngBytes(n.saturating_mul(count)),
            EntropySource::CsprngChars { count: c, alphabet } => EntropySource::CsprngChars {
                count: c.saturating_mul(count),
                alphabet,
            },
            EntropySource::Uuid { bits } => EntropySource::Uuid {
                bits: bits.saturating_mul(count),
            },
            EntropySource::Nanoid { size } => EntropySource::Nanoid {
                size: size.saturating_mul(count),
            },
            other => other,
        };
        t.span = span(arg);
        Some(t)
    }

    /// The number of items of `range(n)` / `range(a, b)`.
    pub(super) fn range_count(&self, iterable: Node<'t>) -> Option<u32> {
        let View::Call { callee, args, .. } = self.view(self.unwrap(iterable)) else {
            return None;
        };
        if self.ctx.callee_name(callee) != Some("range") {
            return None;
        }
        let n = |i| {
            Ctx::<D>::arg(&args, i, "")
                .and_then(|a| self.ctx.number_value(a, 0))
                .filter(|v| *v >= 0.0 && *v <= 1e6)
        };
        match args.len() {
            1 => n(0).map(|v| v as u32),
            2 => Some((n(1)? - n(0)?).max(0.0) as u32),
            _ => None,
        }
    }

    /// Applies `slice(start, end)` / `substr(start, length)` / `[start:end]`.
    pub(super) fn truncate(
        &self,
        mut t: Traced,
        node: Node<'t>,
        start: Option<Node<'t>>,
        end: Option<Node<'t>>,
        end_is_length: bool,
        from_end: bool,
    ) -> Traced {
        let num = |n: Option<Node<'t>>| n.and_then(|n| self.ctx.number_value(n, 0));
        let start = match start {
            None => Some(0.0),
            s => num(s),
        };
        // `v.slice(-16)`, `v.substr(-16)`, `v[-16:]`: the last 16 characters.
        let tail = match (start, end) {
            (Some(s), None) if s < 0.0 && from_end => Some(-s),
            _ => None,
        };
        let chars = match (tail, start, num(end)) {
            (Some(n), _, _) => n,
            (None, Some(start), Some(end)) if start >= 0.0 && end >= 0.0 => {
                if end_is_length {
                    end
                } else {
                    (end - start).max(0.0)
                }
            }
            _ => return t,
        };
        let chars = chars.min(1e6) as u32;
        let strong_before = !t.weak();
        let per_char = t.per_char.unwrap_or(6);
        let cut = Truncation {
            chars,
            bits_per_char: per_char,
        };
        t.entropy.truncated = Some(match t.entropy.truncated {
            Some(prev) if prev.chars * prev.bits_per_char < chars * per_char => prev,
            _ => cut,
        });
        if strong_before && t.weak() {
            t.span = span(node);
        }
        t
    }
}
