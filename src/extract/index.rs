//! The one walk over a file's tree, and what it records for the analyses.
//!
//! Everything an analysis looks up by name is recorded here under the scope or class that owns it, so that a
//! lookup costs what the name's own scope holds, not what the whole file holds: a file with the same name in
//! 12,000 functions must not make each lookup visit 12,000 bindings.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{Binding, Class, ClassField, Dialect, MemberWrite, MAX_NESTING};
use crate::facts::{Span, Suppression};
use crate::lang::Preorder;
use crate::source::SkipReason;

/// What one pass over the tree collects for the analyses.
pub struct Index<'t> {
    pub calls: Vec<Node<'t>>,
    pub objects: Vec<Node<'t>>,
    pub strings: Vec<Node<'t>>,
    pub branches: Vec<Node<'t>>,
    pub ors: Vec<Node<'t>>,
    pub arrays: Vec<Node<'t>>,
    pub member_writes: Vec<MemberWrite<'t>>,
    /// Bindings by (scope id, name).
    pub bindings: HashMap<(usize, &'t str), Vec<Binding<'t>>>,
    /// Every binding with its scope, in source order.
    pub all_bindings: Vec<(Node<'t>, Binding<'t>)>,
    /// Positions in `all_bindings` by name, in source order.
    pub bindings_named: HashMap<&'t str, Vec<usize>>,
    /// The enclosing scope of each scope node (the module maps to itself).
    pub scope_parent: HashMap<usize, Node<'t>>,
    /// Positions in `all_bindings` by the id of their value node (`binding_of_value`).
    by_value: HashMap<usize, u32>,
    /// Functions defined in the file by name (last definition wins for lookups; all are kept), in source
    /// order.
    pub functions: HashMap<&'t str, Vec<Node<'t>>>,
    /// Functions that are not methods, by (id of the scope they are defined in, name).
    pub scoped_functions: HashMap<(usize, &'t str), Vec<Node<'t>>>,
    /// Methods (and function-valued class fields) by (id of their class, name). A class is the node
    /// `classes` maps its name to.
    pub methods: HashMap<(usize, &'t str), Vec<Node<'t>>>,
    /// The innermost class around each call made inside a class, by call id.
    pub call_class: HashMap<usize, usize>,
    /// Return statements by the id of their function.
    pub returns: HashMap<usize, Vec<Node<'t>>>,
    /// Names declared `global` inside functions (Python), by (scope id, name).
    pub globals: HashSet<(usize, &'t str)>,
    /// The module awaits at top level: an ES module run once as a script.
    pub top_level_await: bool,
    /// Names declared without a value, by (scope id, name).
    pub bare_declarations: HashSet<(usize, &'t str)>,
    /// The parent of every named node (anonymous nodes are leaves, so every parent is named), and
    /// identifiers by name in source order: recorded only when an analysis will run.
    pub parents: HashMap<usize, Node<'t>>,
    pub idents: HashMap<&'t str, Vec<Node<'t>>>,
    /// Classes defined in the file, by name.
    pub classes: HashMap<&'t str, Node<'t>>,
    /// Class fields with initialisers.
    pub fields: Vec<ClassField<'t>>,
    pub imports: HashMap<String, String>,
    pub suppressions: Vec<Suppression>,
}

impl<'t> Index<'t> {
    fn new() -> Self {
        Index {
            calls: Vec::new(),
            objects: Vec::new(),
            strings: Vec::new(),
            branches: Vec::new(),
            ors: Vec::new(),
            arrays: Vec::new(),
            member_writes: Vec::new(),
            bindings: HashMap::new(),
            all_bindings: Vec::new(),
            bindings_named: HashMap::new(),
            scope_parent: HashMap::new(),
            by_value: HashMap::new(),
            functions: HashMap::new(),
            scoped_functions: HashMap::new(),
            methods: HashMap::new(),
            call_class: HashMap::new(),
            returns: HashMap::new(),
            globals: HashSet::new(),
            top_level_await: false,
            bare_declarations: HashSet::new(),
            parents: HashMap::new(),
            idents: HashMap::new(),
            classes: HashMap::new(),
            fields: Vec::new(),
            imports: HashMap::new(),
            suppressions: Vec::new(),
        }
    }

    /// The binding whose value is this node (the last one, when several share it).
    pub fn binding_of_value(&self, value: usize) -> Option<&Binding<'t>> {
        self.by_value
            .get(&value)
            .map(|&i| &self.all_bindings[i as usize].1)
    }

    /// The bindings of a name anywhere in the file, in source order.
    pub fn bindings_named(&self, name: &str) -> impl Iterator<Item = &(Node<'t>, Binding<'t>)> {
        self.bindings_named
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.all_bindings[i])
    }
}

/// A stack of enclosing nodes with their depths, kept during the walk so that no node has to climb its
/// parents (tree-sitter finds a parent by walking down from the root).
struct Enclosing<'t>(Vec<(usize, Node<'t>)>);

impl<'t> Enclosing<'t> {
    /// Drops the entries that do not enclose a node at `depth`.
    fn leave(&mut self, depth: usize) {
        while self.0.last().is_some_and(|(d, _)| *d >= depth) {
            self.0.pop();
        }
    }

    fn top(&self) -> Option<(usize, Node<'t>)> {
        self.0.last().copied()
    }
}

/// One walk over the tree. `for_analysis`: also record what only the analyses use (parents, identifiers).
pub fn index<'t, D: Dialect>(
    d: &D,
    root: Node<'t>,
    src: &'t str,
    for_analysis: bool,
) -> Result<Index<'t>, SkipReason> {
    let mut ix = Index::new();
    let mut found = Vec::new();
    let mut globals = Vec::new();
    let mut scopes = Enclosing(Vec::new());
    let mut functions = Enclosing(Vec::new());
    let mut named = Enclosing(Vec::new());
    // Classes, each with the class it belongs to: a class body nested right in its declaration is the same
    // class (`class_declaration` > `class_body` in JavaScript).
    let mut classes: Vec<(usize, Node<'t>, Node<'t>)> = Vec::new();
    let mut walk = Preorder::new(root);
    while let Some(node) = walk.next() {
        let depth = walk.depth();
        if depth > MAX_NESTING {
            return Err(SkipReason::TooDeep { limit: MAX_NESTING });
        }
        if for_analysis && node.is_named() {
            named.leave(depth);
            if let Some((_, p)) = named.top() {
                ix.parents.insert(node.id(), p);
            }
            named.0.push((depth, node));
        }
        scopes.leave(depth);
        functions.leave(depth);
        while classes.last().is_some_and(|(d, _, _)| *d >= depth) {
            classes.pop();
        }
        let scope = scopes.top().map(|s| s.1).unwrap_or(root);
        let function = functions.top();
        let class = classes.last().copied();
        if d.is_scope(node) {
            ix.scope_parent.insert(node.id(), scope);
            scopes.0.push((depth, node));
        }
        if d.is_function(node) {
            functions.0.push((depth, node));
        }
        if d.is_class(node) {
            let owner = match class {
                Some((cd, _, owner)) if cd + 1 == depth => owner,
                _ => node,
            };
            classes.push((depth, node, owner));
        }
        if d.is_comment(node) {
            if let Some(s) = suppression(node, src) {
                ix.suppressions.push(s);
            }
            continue;
        }
        if !node.is_named() {
            continue;
        }
        match d.class(node, src) {
            Class::Call => {
                if let Some((_, _, owner)) = class {
                    ix.call_class.insert(node.id(), owner.id());
                }
                ix.calls.push(node)
            }
            Class::Object => ix.objects.push(node),
            Class::Str => ix.strings.push(node),
            Class::Or => ix.ors.push(node),
            Class::Array => ix.arrays.push(node),
            Class::Ident(name) if for_analysis => ix.idents.entry(name).or_default().push(node),
            Class::Ident(_) | Class::Other => {}
        }
        if d.branch(node).is_some() {
            ix.branches.push(node);
        }
        found.clear();
        d.bindings(node, src, &mut found);
        for b in found.drain(..) {
            ix.bindings.entry((scope.id(), b.name)).or_default().push(b);
            ix.bindings_named
                .entry(b.name)
                .or_default()
                .push(ix.all_bindings.len());
            ix.by_value
                .insert(b.value.id(), ix.all_bindings.len() as u32);
            ix.all_bindings.push((scope, b));
        }
        if let Some(w) = d.member_write(node) {
            ix.member_writes.push(w);
        }
        if let Some((name, f)) = d.function_def(node, src) {
            ix.functions.entry(name).or_default().push(f);
            // A method: defined in a class with no function between the class and the definition.
            match class {
                Some((cd, _, owner)) if function.is_none_or(|(fd, _)| fd < cd) => {
                    ix.methods.entry((owner.id(), name)).or_default().push(f)
                }
                _ => ix
                    .scoped_functions
                    .entry((scope.id(), name))
                    .or_default()
                    .push(f),
            }
        }
        if d.is_return(node) {
            if let Some((_, f)) = function {
                ix.returns.entry(f.id()).or_default().push(node);
            }
        }
        if !ix.top_level_await && function.is_none() && d.is_await(node) {
            ix.top_level_await = true;
        }
        if let Some(name) = d.bare_declaration(node, src) {
            ix.bare_declarations.insert((scope.id(), name));
        }
        if let Some(name) = d.class_name(node, src) {
            ix.classes.insert(name, node);
        }
        if let Some(f) = d.class_field(node, src) {
            ix.fields.push(f);
        }
        globals.clear();
        d.globals(node, src, &mut globals);
        ix.globals
            .extend(globals.drain(..).map(|g| (scope.id(), g)));
        d.imports(node, src, &mut ix.imports);
    }
    Ok(ix)
}

/// A `skillaudit-ignore` comment (its text is read by `crate::suppress`).
fn suppression(node: Node, src: &str) -> Option<Suppression> {
    let directive = crate::suppress::parse(&src[node.byte_range()])?;
    let line_start = src[..node.start_byte()]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let trailing = !src[line_start..node.start_byte()].trim().is_empty();
    Some(Suppression {
        span: Span::new(node.start_byte(), node.end_byte()),
        directive,
        trailing,
    })
}
