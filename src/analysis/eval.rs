//! Evaluation of expressions to what the analyses need: numbers and the keys of parameter containers
//! (strings are folded in `fold`). Language-neutral: it sees only `View`s.

use tree_sitter::Node;

use super::{Arg, Ctx, Dialect, Entry, Key, View, MAX_DEPTH};

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
                let candidates = self.ix.bindings_named(property);
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
                // Simple products and sums of constants (short expressions: a long one is not read as text).
                let text = self.text(node);
                if text.len() > 64 {
                    return None;
                }
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

    /// The constant number an expression folds to: literals, names bound once, numbers imported from
    /// another module of the project, and `*`, `/`, `+`, `-` of them (`60 * 60 * 1000`, `CODE_TTL * 1000`).
    /// Each expression is folded once per file and charged to the file's fold budget: names whose values
    /// share sub-expressions (`a1 = (a0 * a0) * (a0 * a0)`, then `a2` of `a1`, …) cost their size, not the
    /// size of the tree they unfold to.
    pub fn folded_number(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        let node = self.unwrap(node);
        if let Some(known) = self.folds.number(node.id()) {
            return known;
        }
        if depth > MAX_DEPTH || !self.folds.step() {
            return None;
        }
        // A cycle through names folds to nothing.
        self.folds.set_number(node.id(), None);
        let value = self.folded_number_new(node, depth);
        self.folds.set_number(node.id(), value);
        value
    }

    fn folded_number_new(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if let Some((l, op, r)) = self.d.arithmetic(node) {
            let (a, b) = (
                self.folded_number(l, depth + 1)?,
                self.folded_number(r, depth + 1)?,
            );
            return match op {
                '*' => Some(a * b),
                '+' => Some(a + b),
                '-' => Some(a - b),
                '/' if b != 0.0 => Some(a / b),
                _ => None,
            };
        }
        match self.view(node) {
            View::Number(n) => Some(n),
            View::Ident(name) => {
                if let Some(q) = self.import_path(node) {
                    return match self.imported_value(&q) {
                        Some(crate::summary::Value::Number(n)) => Some(*n),
                        _ => None,
                    };
                }
                let v = self.resolve_ident(name, node)?;
                self.folded_number(v, depth + 1)
            }
            View::Member { .. } => match self.import_path(node) {
                Some(q) => match self.imported_value(&q) {
                    Some(crate::summary::Value::Number(n)) => Some(*n),
                    _ => None,
                },
                None => self.number_value(node, depth),
            },
            _ => self.number_value(node, depth),
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
        for e in entries.iter().copied() {
            match e {
                Entry::Pair(Key::Name(k, key), value) => {
                    params.add(k.to_string(), key, Some(value))
                }
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
