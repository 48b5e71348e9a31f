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
    /// The bindings of one name in one scope, with the scope, in source order: each binding is stored once,
    /// here, and everything else refers to it by position.
    groups: Vec<(Node<'t>, Vec<Binding<'t>>)>,
    /// Positions in `groups` by (scope id, name).
    bindings: HashMap<(usize, &'t str), u32>,
    /// Every binding as (group, position in the group), in source order.
    order: Vec<(u32, u32)>,
    /// Positions in `order` by name, in source order.
    bindings_named: HashMap<&'t str, Vec<u32>>,
    /// The enclosing scope of each scope node (the module maps to itself).
    pub scope_parent: HashMap<usize, Node<'t>>,
    /// Positions in `order` by the id of their value node (`binding_of_value`).
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
    /// Every named node in preorder (so by start byte), the position of each one's parent in it
    /// (anonymous nodes are leaves, so every parent is named; `NO_PARENT` for the root), and identifiers by
    /// name as positions in it, in source order: recorded only when an analysis will run. Positions, not
    /// copies of `Node` (32 bytes), keep the index small on files with hundreds of thousands of nodes.
    nodes: Vec<Node<'t>>,
    starts: Vec<u32>,
    parents: Vec<u32>,
    idents: HashMap<&'t str, Vec<u32>>,
    /// Classes defined in the file, by name.
    pub classes: HashMap<&'t str, Node<'t>>,
    /// Class fields with initialisers.
    pub fields: Vec<ClassField<'t>>,
    pub imports: HashMap<String, String>,
    /// The imported names that are types only (see `Dialect::type_imports`).
    pub type_imports: Vec<String>,
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
            groups: Vec::new(),
            bindings: HashMap::new(),
            order: Vec::new(),
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
            nodes: Vec::new(),
            starts: Vec::new(),
            parents: Vec::new(),
            idents: HashMap::new(),
            classes: HashMap::new(),
            fields: Vec::new(),
            imports: HashMap::new(),
            type_imports: Vec::new(),
            suppressions: Vec::new(),
        }
    }

    fn binding_at(&self, (group, i): (u32, u32)) -> (Node<'t>, &Binding<'t>) {
        let (scope, bindings) = &self.groups[group as usize];
        (*scope, &bindings[i as usize])
    }

    /// The bindings of `name` in the scope with this id, in source order.
    pub fn bindings_in(&self, scope: usize, name: &str) -> Option<&[Binding<'t>]> {
        let &group = self.bindings.get(&(scope, name))?;
        Some(&self.groups[group as usize].1)
    }

    /// Every binding with its scope, in source order.
    pub fn all_bindings(&self) -> impl Iterator<Item = (Node<'t>, &Binding<'t>)> {
        self.order.iter().map(|&at| self.binding_at(at))
    }

    /// The binding whose value is this node (the last one, when several share it).
    pub fn binding_of_value(&self, value: usize) -> Option<&Binding<'t>> {
        let &i = self.by_value.get(&value)?;
        Some(self.binding_at(self.order[i as usize]).1)
    }

    /// The bindings of a name anywhere in the file, in source order.
    pub fn bindings_named(&self, name: &str) -> impl Iterator<Item = (Node<'t>, &Binding<'t>)> {
        self.bindings_named
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| self.binding_at(self.order[i as usize]))
    }

    /// Every named node of the file in preorder (empty when the index was built without the analyses'
    /// records): what a walk of the whole tree that skips anonymous nodes visits, without walking it again.
    pub fn named_nodes(&self) -> &[Node<'t>] {
        &self.nodes
    }

    /// A named node's parent (`None` for the root, for anonymous nodes, and when the index was built
    /// without the analyses' records).
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        let i = self.position(node)?;
        let p = self.parents[i];
        (p != NO_PARENT).then(|| self.nodes[p as usize])
    }

    /// The identifiers named `name` in the file, in source order (uses and bindings alike).
    pub fn idents(&self, name: &str) -> impl ExactSizeIterator<Item = Node<'t>> + '_ {
        self.idents
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| self.nodes[i as usize])
    }

    /// Where a named node is in `nodes`. Preorder sorts nodes by start byte (kept apart in `starts`, so that
    /// the search reads 4 bytes a step); the nodes that start at the same byte are a node and its first
    /// descendants, usually a few, read one by one. A longer run (a left-deep chain) is searched by end
    /// byte, longest first, which only zero-width nodes can break: then it is read one by one after all.
    fn position(&self, node: Node<'t>) -> Option<usize> {
        let (start, id) = (node.start_byte() as u32, node.id());
        let first = self.starts.partition_point(|&s| s < start);
        let found = |from: usize, to: usize| (from..to).find(|&i| self.nodes[i].id() == id);
        let short = self.starts[first..]
            .iter()
            .take(17)
            .take_while(|&&s| s == start)
            .count();
        if short <= 16 {
            return found(first, first + short);
        }
        let run = self.starts[first..].partition_point(|&s| s == start);
        let end = std::cmp::Reverse(node.end_byte());
        let nodes = &self.nodes[first..first + run];
        let at = first + nodes.partition_point(|n| std::cmp::Reverse(n.end_byte()) < end);
        let same = self.nodes[at..first + run]
            .iter()
            .take_while(|n| std::cmp::Reverse(n.end_byte()) == end)
            .count();
        found(at, at + same).or_else(|| found(first, first + run))
    }
}

/// The parent of the root in `Index::parents`.
const NO_PARENT: u32 = u32::MAX;

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
    // Enclosing named nodes, as positions in `ix.nodes`.
    let mut named: Vec<(usize, u32)> = Vec::new();
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
            while named.last().is_some_and(|(d, _)| *d >= depth) {
                named.pop();
            }
            ix.parents.push(named.last().map_or(NO_PARENT, |(_, p)| *p));
            named.push((depth, ix.nodes.len() as u32));
            ix.nodes.push(node);
            ix.starts.push(node.start_byte() as u32);
        }
        scopes.leave(depth);
        functions.leave(depth);
        while classes.last().is_some_and(|(d, _, _)| *d >= depth) {
            classes.pop();
        }
        // Punctuation and keywords (half the nodes) are none of what follows; some share a named kind's
        // name (the `function` and `class` keywords), which is no reason to ask.
        if !node.is_named() {
            continue;
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
            Class::Ident(name) if for_analysis => ix
                .idents
                .entry(name)
                .or_default()
                .push(ix.nodes.len() as u32 - 1),
            Class::Ident(_) | Class::Other => {}
        }
        if d.branch(node).is_some() {
            ix.branches.push(node);
        }
        found.clear();
        d.bindings(node, src, &mut found);
        for b in found.drain(..) {
            let at = ix.order.len() as u32;
            let groups = &mut ix.groups;
            let group = *ix.bindings.entry((scope.id(), b.name)).or_insert_with(|| {
                groups.push((scope, Vec::new()));
                groups.len() as u32 - 1
            });
            let members = &mut ix.groups[group as usize].1;
            ix.order.push((group, members.len() as u32));
            members.push(b);
            ix.bindings_named.entry(b.name).or_default().push(at);
            ix.by_value.insert(b.value.id(), at);
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
        d.type_imports(node, src, &mut ix.type_imports);
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

#[cfg(test)]
mod tests {
    use crate::lang::{Lang, Preorder};
    use crate::syntax::{js::Js, py::Py, Dialect};

    /// Every named node's parent from the table is tree-sitter's own, and every identifier is listed
    /// under its name, on shapes with long runs of nodes that start at the same byte (left-deep chains)
    /// and zero-width nodes (error recovery).
    fn check<D: Dialect>(d: &D, lang: Lang, src: &str) {
        let tree = crate::lang::parse(lang, src).unwrap();
        let root = tree.root_node();
        let ix = super::index(d, root, src, true).unwrap();
        let mut named = 0;
        for node in Preorder::new(root) {
            if !node.is_named() {
                assert_eq!(ix.parent(node), None);
                continue;
            }
            named += 1;
            assert_eq!(ix.parent(node), node.parent(), "{node:?} in {src:?}");
        }
        assert_eq!(ix.nodes.len(), named);
        let uses: Vec<_> = ix.idents("a").map(|n| n.start_byte()).collect();
        assert!(uses.windows(2).all(|w| w[0] < w[1]) && !uses.is_empty());
    }

    #[test]
    fn parents_of_long_same_start_runs_and_zero_width_nodes() {
        let chain = vec!["a"; 300].join(" + ");
        let js = Js {
            lang: Lang::JavaScript,
        };
        check(
            &js,
            Lang::JavaScript,
            &format!("x = {chain};\nf(a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s);\n"),
        );
        check(
            &js,
            Lang::JavaScript,
            "a = (b + ;\nif (a { a(\nconst = a;\n",
        );
        check(
            &Py,
            Lang::Python,
            &format!("x = {chain}\nf(a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r)\n"),
        );
        check(&Py, Lang::Python, "def f(:\n  a = (\nclass :\n  a\n");
    }
}
