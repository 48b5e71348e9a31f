//! Evaluation of expressions to what the analyses need: strings folded into literal pieces and holes, and
//! the keys of parameter containers. Language-neutral: it sees only `View`s.

use tree_sitter::Node;

use super::{Arg, Ctx, Dialect, Entry, Key, StrPart, View, MAX_DEPTH};

/// How many expressions one fold may visit.
pub const FOLD_STEPS: usize = 2_000;

/// A piece of a folded string.
#[derive(Clone, Debug)]
pub enum Piece<'t> {
    /// Literal text and the node that holds it (for reporting).
    Lit(String, Option<Node<'t>>),
    /// A value not known statically.
    Hole,
}

/// A string expression folded into pieces: `base + "?response_type=" + RT` → [Hole, Lit("?response_type="),
/// Lit("code")].
#[derive(Clone, Debug, Default)]
pub struct Folded<'t> {
    pub pieces: Vec<Piece<'t>>,
}

/// The marker a hole becomes in `Folded::text`.
pub const HOLE: char = '\u{1}';

impl<'t> Folded<'t> {
    fn hole() -> Self {
        Folded {
            pieces: vec![Piece::Hole],
        }
    }

    fn lit(text: impl Into<String>, node: Option<Node<'t>>) -> Self {
        Folded {
            pieces: vec![Piece::Lit(text.into(), node)],
        }
    }

    fn extend(&mut self, other: Folded<'t>) {
        self.pieces.extend(other.pieces);
    }

    pub fn has_literal(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Lit(t, _) if !t.is_empty()))
    }

    /// The text with every hole as `HOLE`, and for each literal piece its start in that text and its node.
    pub fn text(&self) -> (String, Vec<(usize, Node<'t>)>) {
        let mut text = String::new();
        let mut nodes = Vec::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(t, node) => {
                    if let Some(n) = node {
                        nodes.push((text.len(), *n));
                    }
                    text.push_str(t);
                }
                Piece::Hole => text.push(HOLE),
            }
        }
        (text, nodes)
    }

    /// The node holding the literal text at `offset` of `text()`.
    pub fn node_at(nodes: &[(usize, Node<'t>)], offset: usize) -> Option<Node<'t>> {
        nodes
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map(|(_, n)| *n)
    }

    /// The whole value, when it has no holes.
    pub fn constant(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(t, _) => s.push_str(t),
                Piece::Hole => return None,
            }
        }
        Some(s)
    }

    /// Replaces format placeholders in literal pieces with holes (`%s`, `%(name)s`, `{}`, `{name}`).
    fn with_placeholders(self, brace: bool) -> Self {
        let mut out = Folded::default();
        for p in self.pieces {
            let Piece::Lit(text, node) = p else {
                out.pieces.push(Piece::Hole);
                continue;
            };
            let mut current = String::new();
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                let placeholder = if brace && c == '{' {
                    if chars.peek() == Some(&'{') {
                        chars.next();
                        current.push('{');
                        continue;
                    }
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                    }
                    true
                } else if !brace && c == '%' {
                    match chars.peek() {
                        Some('%') => {
                            chars.next();
                            current.push('%');
                            continue;
                        }
                        Some('(') => {
                            for c in chars.by_ref() {
                                if c == ')' {
                                    break;
                                }
                            }
                            chars.next();
                            true
                        }
                        Some(_) => {
                            chars.next();
                            true
                        }
                        None => false,
                    }
                } else if brace && c == '}' && chars.peek() == Some(&'}') {
                    chars.next();
                    current.push('}');
                    continue;
                } else {
                    false
                };
                if placeholder {
                    out.pieces
                        .push(Piece::Lit(std::mem::take(&mut current), node));
                    out.pieces.push(Piece::Hole);
                } else {
                    current.push(c);
                }
            }
            out.pieces.push(Piece::Lit(current, node));
        }
        out
    }
}

/// The keys of a parameter container.
#[derive(Clone, Debug, Default)]
pub struct Params<'t> {
    /// Key name, the key node, the value node.
    pub keys: Vec<(String, Node<'t>, Option<Node<'t>>)>,
    /// Some keys come from a source that cannot be read (a spread of an unknown object, a computed key).
    pub unknown: bool,
}

impl<'t> Params<'t> {
    pub fn get(&self, name: &str) -> Option<&(String, Node<'t>, Option<Node<'t>>)> {
        self.keys.iter().find(|(k, _, _)| k == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn add(&mut self, name: String, key: Node<'t>, value: Option<Node<'t>>) {
        self.keys.push((name, key, value));
    }

    pub fn merge(&mut self, other: Params<'t>) {
        self.keys.extend(other.keys);
        self.unknown |= other.unknown;
    }
}

impl<'t, D: Dialect> Ctx<'t, '_, D> {
    /// Folds a string expression. Anything not known statically becomes a hole.
    pub fn fold(&self, node: Node<'t>, depth: usize) -> Folded<'t> {
        // A string built from a variable used several times, itself built the same way, doubles at every
        // level: one fold visits at most `FOLD_STEPS` expressions; past that the rest is unknown.
        if depth == 0 {
            self.fold_steps.set(FOLD_STEPS);
        }
        let left = self.fold_steps.get();
        if depth > MAX_DEPTH || left == 0 {
            return Folded::hole();
        }
        self.fold_steps.set(left - 1);
        match self.view(node) {
            View::Str(parts) => {
                let mut out = Folded::default();
                for part in parts {
                    match part {
                        StrPart::Text(t, n) => out.pieces.push(Piece::Lit(t.to_string(), Some(n))),
                        StrPart::Hole(e) => out.extend(self.fold(e, depth + 1)),
                        StrPart::Opaque => out.pieces.push(Piece::Hole),
                    }
                }
                out
            }
            View::Adjacent(nodes) => {
                let mut out = Folded::default();
                for n in nodes {
                    out.extend(self.fold(n, depth + 1));
                }
                out
            }
            View::Add(a, b) => {
                let mut out = self.fold(a, depth + 1);
                out.extend(self.fold(b, depth + 1));
                out
            }
            View::Percent(fmt, _) => self.fold(fmt, depth + 1).with_placeholders(false),
            View::Call { callee, args, .. } => {
                let callee = self.unwrap(callee);
                match self.view(callee) {
                    View::Member {
                        object,
                        property: "format",
                    } if matches!(
                        self.view(self.unwrap(object)),
                        View::Str(_) | View::Adjacent(_)
                    ) =>
                    {
                        self.fold(object, depth + 1).with_placeholders(true)
                    }
                    View::Member {
                        object,
                        property: "toString" | "trim" | "strip" | "toLowerCase" | "lower" | "concat",
                    } => {
                        let mut out = self.fold(object, depth + 1);
                        if self.callee_name(callee) == Some("concat") {
                            for a in args {
                                if let Arg::Positional(n) = a {
                                    out.extend(self.fold(n, depth + 1));
                                }
                            }
                        }
                        out
                    }
                    _ => Folded::hole(),
                }
            }
            View::Ident(name) => self.fold_ident(name, node, depth),
            View::Wrapped(inner) => self.fold(inner, depth + 1),
            View::Number(_) => Folded::lit(self.text(node), Some(node)),
            _ => Folded::hole(),
        }
    }

    /// Folds a variable: its single value, or its initial value followed by every `+=` in source order.
    fn fold_ident(&self, name: &'t str, at: Node<'t>, depth: usize) -> Folded<'t> {
        let Some((_, bindings)) = self.lookup(name, at) else {
            return Folded::hole();
        };
        match bindings {
            [only] if !only.append && only.field.is_none() => self.fold(only.value, depth + 1),
            [first, rest @ ..]
                if !first.append && first.field.is_none() && rest.iter().all(|b| b.append) =>
            {
                let mut out = self.fold(first.value, depth + 1);
                for b in rest {
                    out.extend(self.fold(b.value, depth + 1));
                }
                out
            }
            _ => Folded::hole(),
        }
    }

    /// The constant string value of an expression, if it has one.
    pub fn string_value(&self, node: Node<'t>) -> Option<String> {
        self.fold(node, 0).constant()
    }

    /// The constant number value of an expression, if it has one (`32`, `SIZE` bound to 32, `16 * 2`).
    pub fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Number(n) => Some(n),
            View::Ident(name) => self
                .resolve_ident(name, node)
                .and_then(|v| self.number_value(v, depth + 1)),
            View::Member { object, property } => {
                // `Cls.CONSTANT`: a class or module constant bound by a simple assignment.
                let _ = object;
                let candidates = self
                    .ix
                    .all_bindings
                    .iter()
                    .filter(|(_, b)| b.name == property);
                // Only literal values: following each candidate's own bindings would fan out once per
                // binding of the same name at every level.
                let values: Vec<f64> = candidates
                    .filter_map(|(_, b)| match self.view(self.unwrap(b.value)) {
                        View::Number(n) => Some(n),
                        _ => None,
                    })
                    .collect();
                match values.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
            _ => {
                // Simple products and sums of constants.
                let text = self.text(node);
                for (op, f) in [
                    ('*', (|a, b| a * b) as fn(f64, f64) -> f64),
                    ('+', |a, b| a + b),
                ] {
                    if let Some((l, r)) = text.split_once(op) {
                        if let (Ok(a), Ok(b)) = (
                            l.trim().replace('_', "").parse::<f64>(),
                            r.trim().replace('_', "").parse::<f64>(),
                        ) {
                            return Some(f(a, b));
                        }
                    }
                }
                // A negative literal (`-16`).
                text.strip_prefix('-')
                    .and_then(|t| t.trim().replace('_', "").parse::<f64>().ok())
                    .map(|v| -v)
            }
        }
    }

    /// The keys of an object literal or dict (following spreads of local objects).
    pub fn object_params(&self, node: Node<'t>, depth: usize) -> Option<Params<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        let View::Object(entries) = self.view(node) else {
            return match self.view(node) {
                View::Ident(name) => self
                    .resolve_ident(name, node)
                    .and_then(|v| self.object_params(v, depth + 1)),
                _ => None,
            };
        };
        let mut params = Params::default();
        for e in entries {
            match e {
                Entry::Pair(Key::Name(k, key), value) => params.add(k, key, Some(value)),
                Entry::Pair(Key::Unknown, _) => params.unknown = true,
                Entry::Spread(inner) => match self.object_params(inner, depth + 1) {
                    Some(p) => params.merge(p),
                    None => params.unknown = true,
                },
            }
        }
        Some(params)
    }

    /// The keyword arguments of a call as parameters (`dict(response_type="code")`, `f(**kw)` is unknown).
    pub fn keyword_params(&self, args: &[Arg<'t>]) -> Params<'t> {
        let mut params = Params::default();
        for a in args {
            match a {
                Arg::Keyword(k, v) => params.add(k.to_string(), *v, Some(*v)),
                Arg::Spread(_) => params.unknown = true,
                Arg::Positional(_) => {}
            }
        }
        params
    }

    /// Whether a `response_type` value asks for an authorization code (`code`, `code id_token`).
    pub fn is_code_response(value: &str) -> bool {
        value
            .split([' ', '+', ','])
            .chain(value.split("%20"))
            .any(|w| w == "code")
    }
}
