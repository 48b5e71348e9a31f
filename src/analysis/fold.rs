//! String folding: an expression turned into literal pieces and holes (`base + "?response_type=" + RT` →
//! [Hole, "?response_type=", "code"]). Language-neutral: it sees only `View`s.
//!
//! Each expression is folded once per file. Its fold is kept in an arena as literal text borrowed from the
//! source, a hole, or the concatenation of other folds, so that a variable used in many strings, or a string
//! that doubles at every step (`a1 = a0 + a0; a2 = a1 + a1; …`), costs one entry per expression instead of
//! a copy per use. Only a caller that needs the pieces flattens them, and a flattened string keeps at most
//! `MAX_PIECES` pieces: the rest becomes one hole (unknown), which no rule reads as a finding.

use std::cell::RefCell;
use std::collections::HashMap;

use tree_sitter::Node;

use super::{Arg, Ctx, Dialect, StrPart, View, MAX_DEPTH};
use crate::summary::Value;

/// How many pieces a flattened string keeps; past that the rest is unknown. A real request URL has a few
/// dozen.
pub const MAX_PIECES: usize = 256;

/// The longest constant `string_value` gives; longer values are unknown (no key, method, response type or
/// verifier is that long).
pub const MAX_CONSTANT: usize = 64 * 1024;

/// A piece of a folded string.
#[derive(Clone, Debug)]
pub enum Piece<'t> {
    /// Literal text (raw source text) and the node that holds it (for reporting).
    Lit(&'t str, Option<Node<'t>>),
    /// A value not known statically.
    Hole,
}

/// A string expression flattened into pieces.
#[derive(Clone, Debug, Default)]
pub struct Folded<'t> {
    pub pieces: Vec<Piece<'t>>,
}

/// The marker a hole becomes in `Folded::text`.
pub const HOLE: char = '\u{1}';

impl<'t> Folded<'t> {
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

    /// Replaces format placeholders in literal pieces with holes (`%s`, `%(name)s`, `{}`, `{name}`); the
    /// escapes `%%`, `{{` and `}}` keep one character.
    fn with_placeholders(self, brace: bool) -> Self {
        let mut out = Folded::default();
        for p in self.pieces {
            let Piece::Lit(text, node) = p else {
                out.pieces.push(Piece::Hole);
                continue;
            };
            let bytes = text.as_bytes();
            let (mut start, mut i) = (0, 0);
            let lit = |out: &mut Folded<'t>, a: usize, b: usize| {
                out.pieces.push(Piece::Lit(&text[a..b], node));
            };
            while i < bytes.len() {
                let next = bytes.get(i + 1).copied();
                let skip = match (bytes[i], brace) {
                    // An escape: keep the first character, drop the second.
                    (b'{', true) if next == Some(b'{') => Some(false),
                    (b'}', true) if next == Some(b'}') => Some(false),
                    (b'%', false) if next == Some(b'%') => Some(false),
                    (b'{', true) => Some(true),
                    (b'%', false) if next.is_some() => Some(true),
                    _ => None,
                };
                match skip {
                    None => i += 1,
                    Some(false) => {
                        lit(&mut out, start, i + 1);
                        i += 2;
                        start = i;
                    }
                    Some(true) => {
                        lit(&mut out, start, i);
                        // The placeholder runs to `}`, or to the conversion character after `%` / `%(name)`.
                        let end = if brace {
                            text[i..]
                                .find('}')
                                .map(|e| i + e + 1)
                                .unwrap_or(bytes.len())
                        } else if next == Some(b'(') {
                            text[i..]
                                .find(')')
                                .map(|e| i + e + 2)
                                .unwrap_or(bytes.len())
                        } else {
                            i + 2
                        };
                        let end = end.min(bytes.len());
                        // Stay on a character boundary (the conversion character may be any character).
                        let end = (end..=bytes.len())
                            .find(|e| text.is_char_boundary(*e))
                            .unwrap_or(bytes.len());
                        out.pieces.push(Piece::Hole);
                        i = end;
                        start = end;
                    }
                }
            }
            lit(&mut out, start, bytes.len());
        }
        out
    }
}

/// An entry of the fold arena.
#[derive(Clone, Debug)]
enum Entry<'t> {
    Lit(&'t str, Option<Node<'t>>),
    Hole,
    Cat(Box<[Id]>),
}

/// What is known of a fold without flattening it.
#[derive(Clone, Copy, Debug, Default)]
struct Info {
    /// Pieces and literal bytes once flattened (saturating).
    pieces: usize,
    bytes: usize,
    holes: bool,
}

type Id = u32;

/// The folds of one file: the arena, and the fold of each expression and variable asked for.
pub struct Folds<'t> {
    arena: RefCell<Vec<(Entry<'t>, Info)>>,
    /// By node id; `None` while the node is being folded (a cycle folds to a hole).
    by_node: RefCell<HashMap<usize, Option<Id>>>,
    /// Variables by (scope id, name).
    by_name: RefCell<HashMap<(usize, &'t str), Option<Id>>>,
    /// Expressions left to fold in this file, of `budget`: one budget per file, not per fold.
    steps: std::cell::Cell<usize>,
    /// Numbers by node id (`Ctx::folded_number`); `None` while the node is being folded or when it folds
    /// to no constant.
    numbers: RefCell<HashMap<usize, Option<f64>>>,
    budget: usize,
}

const HOLE_ID: Id = 0;

impl<'t> Folds<'t> {
    pub fn new(steps: usize) -> Self {
        Folds {
            arena: RefCell::new(vec![(
                Entry::Hole,
                Info {
                    pieces: 1,
                    bytes: 0,
                    holes: true,
                },
            )]),
            by_node: Default::default(),
            by_name: Default::default(),
            numbers: Default::default(),
            budget: steps,
            steps: std::cell::Cell::new(steps),
        }
    }

    /// The number an expression was folded to, if it was (`Some(None)`: no constant, or being folded).
    pub fn number(&self, node: usize) -> Option<Option<f64>> {
        self.numbers.borrow().get(&node).copied()
    }

    /// Remembers what an expression folds to as a number.
    pub fn set_number(&self, node: usize, value: Option<f64>) {
        self.numbers.borrow_mut().insert(node, value);
    }

    /// Takes one step of the file's budget; false when it is spent.
    pub fn step(&self) -> bool {
        let left = self.steps.get();
        if left == 0 {
            return false;
        }
        self.steps.set(left - 1);
        true
    }

    /// The steps spent so far: one per expression folded, whatever its uses.
    pub fn used(&self) -> usize {
        self.budget - self.steps.get()
    }

    fn push(&self, e: Entry<'t>) -> Id {
        let mut arena = self.arena.borrow_mut();
        let info = match &e {
            Entry::Lit(t, _) => Info {
                pieces: 1,
                bytes: t.len(),
                holes: false,
            },
            Entry::Hole => return HOLE_ID,
            Entry::Cat(ids) => ids.iter().fold(Info::default(), |acc, id| {
                let i = arena[*id as usize].1;
                Info {
                    pieces: acc.pieces.saturating_add(i.pieces),
                    bytes: acc.bytes.saturating_add(i.bytes),
                    holes: acc.holes || i.holes,
                }
            }),
        };
        arena.push((e, info));
        (arena.len() - 1) as Id
    }

    fn cat(&self, ids: Vec<Id>) -> Id {
        match ids.as_slice() {
            [one] => *one,
            _ => self.push(Entry::Cat(ids.into())),
        }
    }

    fn push_pieces(&self, f: Folded<'t>) -> Id {
        let ids = f
            .pieces
            .into_iter()
            .map(|p| match p {
                Piece::Lit(t, n) => self.push(Entry::Lit(t, n)),
                Piece::Hole => HOLE_ID,
            })
            .collect();
        self.cat(ids)
    }

    /// The pieces of a fold, about `max` of them at most. A part too large for what is left becomes one hole,
    /// and the parts after it are still read: in `${a}&state=${s}` with a huge `a`, `&state=` stays known.
    fn flatten(&self, id: Id, max: usize) -> Folded<'t> {
        let arena = self.arena.borrow();
        let mut out = Folded::default();
        partial(&arena, id, max, 0, &mut out);
        out
    }

    fn info(&self, id: Id) -> Info {
        self.arena.borrow()[id as usize].1
    }
}

/// Appends the pieces of `id` to `out`, at most `budget` of them (a part that does not fit is one hole); returns
/// how many it appended. Parts that fit are expanded without recursion: folds share entries, so their nesting
/// is not bounded by the depth of one expression. Only the parts that do not fit recurse, `MAX_DEPTH` deep.
fn partial<'t>(
    arena: &[(Entry<'t>, Info)],
    id: Id,
    budget: usize,
    depth: usize,
    out: &mut Folded<'t>,
) -> usize {
    let (entry, info) = &arena[id as usize];
    if info.pieces <= budget {
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            match &arena[id as usize].0 {
                Entry::Lit(t, n) => out.pieces.push(Piece::Lit(t, *n)),
                Entry::Hole => out.pieces.push(Piece::Hole),
                Entry::Cat(ids) => stack.extend(ids.iter().rev()),
            }
        }
        return info.pieces;
    }
    let Entry::Cat(ids) = entry else {
        out.pieces.push(Piece::Hole);
        return 1;
    };
    if budget <= 1 || depth > MAX_DEPTH {
        out.pieces.push(Piece::Hole);
        return 1;
    }
    // Each part gets what is left but one piece for each part after it (a hole at least); when only one
    // piece is left for several parts, they become one hole together. A part never takes more than its
    // share, so at least one piece is left until the last part.
    let mut left = budget;
    for (i, &child) in ids.iter().enumerate() {
        let after = ids.len() - i - 1;
        if left == 1 && after > 0 {
            out.pieces.push(Piece::Hole);
            return budget;
        }
        let share = if left > after { left - after } else { 1 };
        left -= partial(arena, child, share, depth + 1, out);
    }
    budget - left
}

impl<'t, D: Dialect> Ctx<'t, '_, D> {
    /// Folds a string expression. Anything not known statically becomes a hole.
    pub fn fold(&self, node: Node<'t>, _depth: usize) -> Folded<'t> {
        let id = self.fold_id(node, 0);
        self.folds.flatten(id, MAX_PIECES)
    }

    /// The constant string value of an expression, if it has one.
    pub fn string_value(&self, node: Node<'t>) -> Option<String> {
        let id = self.fold_id(node, 0);
        let info = self.folds.info(id);
        if info.holes || info.bytes > MAX_CONSTANT || info.pieces > MAX_PIECES {
            return None;
        }
        self.folds.flatten(id, MAX_PIECES).constant()
    }

    /// Whether an expression has a constant string value (without building it).
    pub fn is_constant(&self, node: Node<'t>) -> bool {
        let info = self.folds.info(self.fold_id(node, 0));
        !info.holes && info.bytes <= MAX_CONSTANT && info.pieces <= MAX_PIECES
    }

    /// The fold of an expression: from the memo, or folded now (once per expression and file).
    fn fold_id(&self, node: Node<'t>, depth: usize) -> Id {
        if let Some(known) = self.folds.by_node.borrow().get(&node.id()) {
            return known.unwrap_or(HOLE_ID);
        }
        let left = self.folds.steps.get();
        // Too deep for one evaluation, or the file's budget is spent: unknown, and not remembered (the
        // same node may be reached from closer by another fold).
        if depth > MAX_DEPTH || left == 0 {
            return HOLE_ID;
        }
        self.folds.steps.set(left - 1);
        self.folds.by_node.borrow_mut().insert(node.id(), None);
        let id = self.fold_new(node, depth);
        self.folds.by_node.borrow_mut().insert(node.id(), Some(id));
        id
    }

    fn fold_new(&self, node: Node<'t>, depth: usize) -> Id {
        let folds = &self.folds;
        let sub = |n: Node<'t>| self.fold_id(n, depth + 1);
        match self.view(node) {
            View::Str(parts) => {
                let ids = parts
                    .iter()
                    .map(|&part| match part {
                        StrPart::Text(t, n) => folds.push(Entry::Lit(t, Some(n))),
                        StrPart::Hole(e) => sub(e),
                        StrPart::Opaque => HOLE_ID,
                    })
                    .collect();
                folds.cat(ids)
            }
            View::Adjacent(nodes) => folds.cat(nodes.iter().copied().map(sub).collect()),
            View::Add(a, b) => folds.cat(vec![sub(a), sub(b)]),
            View::Percent(fmt, _) => self.placeholders(sub(fmt), false),
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
                        self.placeholders(sub(object), true)
                    }
                    View::Member {
                        object,
                        property: "toString" | "trim" | "strip" | "toLowerCase" | "lower" | "concat",
                    } => {
                        let mut ids = vec![sub(object)];
                        if self.callee_name(callee) == Some("concat") {
                            for a in args.iter().copied() {
                                if let Arg::Positional(n) = a {
                                    ids.push(sub(n));
                                }
                            }
                        }
                        folds.cat(ids)
                    }
                    _ => HOLE_ID,
                }
            }
            View::Ident(name) => self.fold_ident(name, node, depth),
            View::Member { .. } => self.fold_imported(node),
            View::Wrapped(inner) => sub(inner),
            View::Number(_) => folds.push(Entry::Lit(self.text(node), Some(node))),
            _ => HOLE_ID,
        }
    }

    /// A constant string another module defines (`import { AUTH_BASE } from "./config"`), as the project
    /// phase found it.
    fn fold_imported(&self, node: Node<'t>) -> Id {
        let Some(q) = self.import_path(node) else {
            return HOLE_ID;
        };
        match self.imported_value(&q) {
            Some(Value::Str(s)) => self.folds.push(Entry::Lit(s, None)),
            _ => HOLE_ID,
        }
    }

    fn placeholders(&self, id: Id, brace: bool) -> Id {
        let flat = self.folds.flatten(id, MAX_PIECES);
        self.folds.push_pieces(flat.with_placeholders(brace))
    }

    /// Folds a variable: its single value, or its initial value followed by every `+=` in source order. Once
    /// per variable, however many times it is used.
    fn fold_ident(&self, name: &'t str, at: Node<'t>, depth: usize) -> Id {
        let Some((scope, bindings)) = self.lookup(name, at) else {
            return self.fold_imported(at);
        };
        let key = (scope.id(), name);
        if let Some(known) = self.folds.by_name.borrow().get(&key) {
            return known.unwrap_or(HOLE_ID);
        }
        self.folds.by_name.borrow_mut().insert(key, None);
        let sub = |n: Node<'t>| self.fold_id(n, depth + 1);
        let id = match bindings {
            [only] if !only.append && only.field.is_none() => sub(only.value),
            [first, rest @ ..]
                if !first.append && first.field.is_none() && rest.iter().all(|b| b.append) =>
            {
                let ids = std::iter::once(first)
                    .chain(rest)
                    .map(|b| sub(b.value))
                    .collect();
                self.folds.cat(ids)
            }
            _ => HOLE_ID,
        };
        self.folds.by_name.borrow_mut().insert(key, Some(id));
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits<'a>(f: &Folded<'a>) -> Vec<Option<&'a str>> {
        f.pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(t, _) => Some(*t),
                Piece::Hole => None,
            })
            .collect()
    }

    #[test]
    fn placeholders_become_holes_and_escapes_keep_one_character() {
        let f = |s: &'static str, brace| {
            Folded {
                pieces: vec![Piece::Lit(s, None)],
            }
            .with_placeholders(brace)
        };
        let percent = f("a=%s&b=%(name)s&c=100%%", false);
        assert_eq!(
            lits(&percent),
            [
                Some("a="),
                None,
                Some("&b="),
                None,
                Some("&c=100%"),
                Some("")
            ]
        );
        assert_eq!(percent.text().0, "a=\u{1}&b=\u{1}&c=100%");
        let brace = f("{base}?x={}&y={{z}}", true);
        assert_eq!(brace.text().0, "\u{1}?x=\u{1}&y={z}");
        assert_eq!(f("plain", true).constant().as_deref(), Some("plain"));
    }

    #[test]
    fn a_part_too_large_becomes_a_hole_and_the_parts_after_it_stay() {
        let folds = Folds::new(1_000);
        // `big` doubles 20 times: a million pieces.
        let mut big = folds.push(Entry::Lit("k", None));
        for _ in 0..20 {
            big = folds.cat(vec![big, big]);
        }
        let tail = folds.push(Entry::Lit("&state=s", None));
        let head = folds.push(Entry::Lit("?a=", None));
        let url = folds.cat(vec![head, big, tail]);
        let flat = folds.flatten(url, 16);
        assert!(flat.pieces.len() <= 16, "{}", flat.pieces.len());
        let (text, _) = flat.text();
        assert!(text.starts_with("?a="), "{text}");
        assert!(text.ends_with("&state=s"), "{text}");
        // More parts than pieces: the parts that do not fit become one hole.
        let many = folds.cat(vec![head; 40]);
        let flat = folds.flatten(many, 8);
        assert_eq!(flat.pieces.len(), 8);
        assert!(matches!(flat.pieces.last(), Some(Piece::Hole)));
    }
}
