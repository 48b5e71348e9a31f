//! The constant value of an expression, as far as this file (and the library catalogue) tells: strings
//! folded from their pieces, lists of them, booleans and null, followed through variables, constants, class
//! constants (`Cls.PLAIN`, `static PLAIN = …`, `self.DEFAULT_METHOD`), enum-like objects
//! (`const Methods = { PLAIN: "plain" }`, `Object.freeze({...})`, Python `Enum` members and their `.value`)
//! and the named constants libraries export (`CodeChallengeMethod.Plain`).
//!
//! `Ctx::value_of` is the one place a name is turned into a constant; `Ctx::imported_constant` is where a
//! name bound by an import gets its value: the catalogue's constants, then the project phase's answer
//! (`Ctx::imported_value`).

use tree_sitter::Node;

use super::{Ctx, Dialect, Entry, Key, View, MAX_DEPTH};

/// A constant value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constant {
    Str(String),
    /// A list, tuple or set of constant strings.
    Strs(Vec<String>),
    Bool(bool),
    /// `null`, `undefined`, `None`.
    Null,
    Unknown,
}

impl<'t, D: Dialect> Ctx<'t, '_, D> {
    /// The constant value of an expression.
    pub fn value_of(&self, node: Node<'t>, depth: usize) -> Constant {
        if depth > MAX_DEPTH {
            return Constant::Unknown;
        }
        let node = self.unwrap(node);
        if let Some(s) = self.string_value(node) {
            return Constant::Str(s);
        }
        match self.view(node) {
            View::Bool(b) => Constant::Bool(b),
            View::Array(items) => {
                let mut out = Vec::new();
                for i in items.iter().take(32) {
                    match self.value_of(*i, depth + 1) {
                        Constant::Str(s) => out.push(s),
                        _ => return Constant::Unknown,
                    }
                }
                Constant::Strs(out)
            }
            View::Ident("null" | "undefined" | "None") => Constant::Null,
            View::Ident(name) => {
                if let Some(q) = self.import_path(node) {
                    return self.imported_constant(&q);
                }
                match self.resolve_ident(name, node) {
                    Some(v) if v.id() != node.id() => self.value_of(v, depth + 1),
                    _ => Constant::Unknown,
                }
            }
            View::Member { object, property } => self.member_value(node, object, property, depth),
            // `Object.freeze({...})` is the object.
            View::Call { callee, args, .. }
                if self.callee_name(callee) == Some("freeze") && args.len() == 1 =>
            {
                match args[0] {
                    super::Arg::Positional(n) => self.value_of(n, depth + 1),
                    _ => Constant::Unknown,
                }
            }
            _ => {
                let text = self.text(node);
                if text == "None" || text == "null" {
                    Constant::Null
                } else {
                    Constant::Unknown
                }
            }
        }
    }

    /// The value of a name bound by an import, by its qualified name (`google-auth-library.
    /// CodeChallengeMethod.Plain`, `./config.DEFAULT_METHOD`): a constant a catalogued library exports, or
    /// what the project phase found in the module that defines it (`Ctx::imported_value`, which also
    /// records the question for the project phase when it has no answer yet).
    pub fn imported_constant(&self, q: &str) -> Constant {
        if let Some(v) = crate::libraries::method_constant(q) {
            return Constant::Str(v.to_string());
        }
        match self.imported_value(q) {
            Some(crate::summary::Value::Str(s)) => Constant::Str(s.clone()),
            Some(crate::summary::Value::List(items)) => {
                let mut out = Vec::new();
                for i in items {
                    match i {
                        crate::summary::Value::Str(s) => out.push(s.clone()),
                        _ => return Constant::Unknown,
                    }
                }
                Constant::Strs(out)
            }
            _ => Constant::Unknown,
        }
    }

    fn member_value(
        &self,
        node: Node<'t>,
        object: Node<'t>,
        property: &'t str,
        depth: usize,
    ) -> Constant {
        // `Method.PLAIN.value` (Python `Enum`) is the member's value.
        if property == "value" {
            return self.value_of(object, depth + 1);
        }
        let object = self.unwrap(object);
        // `CodeChallengeMethod.Plain`, `config.methods.PLAIN` of an imported module.
        if let Some(q) = self.import_path(node) {
            return self.imported_constant(&q);
        }
        if let View::Ident(name) = self.view(object) {
            // A class: its static field or class-body constant.
            if let Some(&class) = self.ix.classes.get(name) {
                if let Some(v) = self.class_constant(class, property, depth) {
                    return v;
                }
            }
            // An enum-like object.
            if let Some(v) = self.resolve_ident(name, object) {
                let v = self.unwrap(v);
                let v = match self.view(v) {
                    View::Call { callee, args, .. }
                        if self.callee_name(callee) == Some("freeze") =>
                    {
                        match args.first() {
                            Some(super::Arg::Positional(n)) => self.unwrap(*n),
                            _ => v,
                        }
                    }
                    _ => v,
                };
                if let View::Object(entries) = self.view(v) {
                    for e in entries.iter().copied() {
                        if let Entry::Pair(Key::Name(k, _), value) = e {
                            if k == property {
                                return self.value_of(value, depth + 1);
                            }
                        }
                    }
                    return Constant::Unknown;
                }
            }
        }
        let _ = node;
        // `self.DEFAULT_METHOD`, `Cls.CONSTANT` of a class defined elsewhere in the file: the one literal
        // bound to that name in the file (literals only: following each candidate would fan out).
        let mut found: Option<Constant> = None;
        let literals = self
            .ix
            .bindings_named(property)
            .map(|(_, b)| b.value)
            .chain(
                self.ix
                    .fields
                    .iter()
                    .filter(|f| f.name == property)
                    .map(|f| f.value),
            );
        // More candidates than a handful: not a constant worth the look (and bounded work per question).
        for v in literals.take(16) {
            let value = match self.string_value(v) {
                Some(s) => Constant::Str(s),
                None => return Constant::Unknown,
            };
            if found.as_ref().is_some_and(|f| *f != value) {
                return Constant::Unknown;
            }
            found = Some(value);
        }
        found.unwrap_or(Constant::Unknown)
    }

    /// A constant defined in a class: a static field (`static PLAIN = "plain"`) or a class-body assignment
    /// (`PLAIN = "plain"` in a Python class, an `Enum` member).
    fn class_constant(&self, class: Node<'t>, property: &str, depth: usize) -> Option<Constant> {
        let inside =
            |n: Node| class.start_byte() <= n.start_byte() && n.end_byte() <= class.end_byte();
        if let Some(f) = self
            .ix
            .fields
            .iter()
            .find(|f| f.name == property && inside(f.target))
        {
            return Some(self.value_of(f.value, depth + 1));
        }
        if let Some([only]) = self.ix.bindings_in(class.id(), property) {
            return Some(self.value_of(only.value, depth + 1));
        }
        None
    }

    /// The constant string an expression has, when it is one (a challenge method, an option's value).
    pub fn method_value(&self, node: Node<'t>, depth: usize) -> Option<String> {
        match self.value_of(node, depth) {
            Constant::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether an expression is a constant that turns an option off: `false`, `null`/`None`, `""`, `0`.
    pub fn is_falsy(&self, node: Node<'t>) -> bool {
        match self.value_of(node, 0) {
            Constant::Bool(false) | Constant::Null => true,
            Constant::Str(s) => s.is_empty() || s == "0" && self.number_value(node, 0) == Some(0.0),
            _ => self.number_value(node, 0) == Some(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Constant;
    use crate::analysis::{fold, index, js, py, Ctx, Dialect};
    use crate::lang::Lang;

    /// The value of every binding named `r…` in `src`, in source order.
    fn values<D: Dialect>(d: &D, lang: Lang, src: &str) -> Vec<(String, Constant)> {
        let env = crate::summary::Env::default();
        let tree = crate::lang::parse(lang, src).unwrap();
        let _kinds = crate::lang::kinds_for(lang);
        let root = tree.root_node();
        let ctx = Ctx {
            d,
            src,
            root,
            ix: index::index(d, root, src, true).unwrap(),
            mentions: crate::prefilter::mentions(src),
            scopes: Default::default(),
            views: Default::default(),
            folds: fold::Folds::new(10_000),
            env: &env,
            asks: Default::default(),
            holders: Default::default(),
        };
        ctx.ix
            .all_bindings()
            .filter(|(_, b)| b.name.starts_with('r'))
            .map(|(_, b)| (b.name.to_string(), ctx.value_of(b.value, 0)))
            .collect()
    }

    fn plain(name: &str) -> (String, Constant) {
        (name.to_string(), Constant::Str("plain".into()))
    }

    #[test]
    fn constants_class_constants_enums_and_library_constants() {
        let src = r#"
import { CodeChallengeMethod } from "google-auth-library";
const A = "plain";
const M = Object.freeze({ P: "plain", S: "S256" });
class C { static D = "plain"; }
enum E { X = "plain" }
const r1 = A;
const r2 = M.P;
const r3 = C.D;
const r4 = E.X;
const r5 = CodeChallengeMethod.Plain;
const r6 = ["S256", A];
const r7 = unknown.thing;
"#;
        let got = values(
            &js::Js {
                lang: Lang::TypeScript,
            },
            Lang::TypeScript,
            src,
        );
        assert_eq!(
            got,
            vec![
                plain("r1"),
                plain("r2"),
                plain("r3"),
                plain("r4"),
                plain("r5"),
                (
                    "r6".into(),
                    Constant::Strs(vec!["S256".into(), "plain".into()])
                ),
                ("r7".into(), Constant::Unknown),
            ]
        );
    }

    #[test]
    fn python_enum_members_and_class_attributes() {
        let src = r#"
from enum import Enum

class Method(str, Enum):
    PLAIN = "plain"

class PKCE:
    DEFAULT_METHOD = "plain"

r1 = Method.PLAIN.value
r2 = Method.PLAIN
r3 = PKCE.DEFAULT_METHOD
r4 = None
r5 = True
"#;
        let got = values(&py::Py, Lang::Python, src);
        assert_eq!(
            got,
            vec![
                plain("r1"),
                plain("r2"),
                plain("r3"),
                ("r4".into(), Constant::Null),
                ("r5".into(), Constant::Bool(true)),
            ]
        );
    }
}
