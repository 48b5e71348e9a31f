//! Languages, their grammars, and the per-thread parser cache.
//!
//! This module and `crate::analysis` are the only places that know about tree-sitter.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::sync::LazyLock;

use tree_sitter::{Language, Parser, Tree};

use crate::source::SkipReason;

pub mod guard;

/// A supported source language. TSX has its own grammar; `.jsx` is parsed by the JavaScript grammar, which
/// understands JSX.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    JavaScript,
    TypeScript,
    Tsx,
    Python,
}

/// The one extension table: every other place that needs to know which files are scanned asks it.
pub const EXTENSIONS: &[(&str, Lang)] = &[
    ("js", Lang::JavaScript),
    ("mjs", Lang::JavaScript),
    ("cjs", Lang::JavaScript),
    ("jsx", Lang::JavaScript),
    ("ts", Lang::TypeScript),
    ("mts", Lang::TypeScript),
    ("cts", Lang::TypeScript),
    ("tsx", Lang::Tsx),
    ("py", Lang::Python),
];

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::JavaScript, Lang::TypeScript, Lang::Tsx, Lang::Python];

    /// The language of a path, by its extension (case-sensitive, as ripgrep's type table is).
    pub fn from_path(path: &Path) -> Option<Lang> {
        let of = |ext: &[u8]| {
            EXTENSIONS
                .iter()
                .find(|(e, _)| e.as_bytes() == ext)
                .map(|(_, l)| *l)
        };
        // The walk asks this of every file it meets: the bytes after the name's last dot, where the name
        // is a plain one (`Path::extension` takes the path apart into components first).
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let bytes = path.as_os_str().as_bytes();
            let name = bytes.rsplit(|b| *b == b'/').next().unwrap_or(bytes);
            if !name.is_empty() && name != b"." && name != b".." {
                let dot = name.iter().rposition(|b| *b == b'.')?;
                return if dot == 0 { None } else { of(&name[dot + 1..]) };
            }
        }
        of(path.extension()?.to_str()?.as_bytes())
    }

    /// Whether a path is a TypeScript declaration file (`x.d.ts`, `x.d.mts`, `x.d.cts`): ambient types
    /// and signatures, no code that runs, so nothing a rule looks for (the largest declaration files,
    /// `lib.dom.d.ts` and Node's `crypto.d.ts`, are full of `verifier`s and `challenge`s).
    pub fn is_declaration(path: &Path) -> bool {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| [".d.ts", ".d.mts", ".d.cts"].iter().any(|e| n.ends_with(e)))
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Python => "python",
        }
    }

    /// Whether the JavaScript-family extractor serves this language.
    pub fn is_js_family(self) -> bool {
        !matches!(self, Lang::Python)
    }

    pub fn grammar(self) -> Language {
        match self {
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Node kind names by kind id, per language. `Node::kind` measures and UTF-8-checks a C string on every call,
/// which the extractors, asking each node several times, paid for on every node.
static KIND_NAMES: LazyLock<[Vec<&'static str>; 4]> = LazyLock::new(|| {
    Lang::ALL.map(|lang| {
        // Lives as long as the table that borrows its names: once per language, for the process.
        let grammar: &'static Language = Box::leak(Box::new(lang.grammar()));
        (0..grammar.node_kind_count())
            .map(|id| grammar.node_kind_for_id(id as u16).unwrap_or(""))
            .collect()
    })
});

thread_local! {
    /// The kind names of the language being extracted on this thread (see `NodeKind`).
    static CURRENT_KINDS: Cell<&'static [&'static str]> = const { Cell::new(&[]) };
}

/// Makes `NodeKind::k` answer for `lang` on this thread until the guard is dropped.
pub fn kinds_for(lang: Lang) -> KindsGuard {
    let table: &'static [&'static str] = &KIND_NAMES[lang.index()];
    let previous = CURRENT_KINDS.with(|c| c.replace(table));
    if !std::ptr::eq(previous, table) {
        FIELD_IDS.with(|ids| ids.borrow_mut().clear());
    }
    KindsGuard {
        previous,
        _not_send: std::marker::PhantomData,
    }
}

pub struct KindsGuard {
    previous: &'static [&'static str],
    /// The guard restores this thread's table: it must be dropped on the thread that made it.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for KindsGuard {
    fn drop(&mut self) {
        let current = CURRENT_KINDS.with(|c| c.replace(self.previous));
        if !std::ptr::eq(current, self.previous) {
            FIELD_IDS.with(|ids| ids.borrow_mut().clear());
        }
    }
}

/// `node.k()`: the node's kind from the table of the language set by `kinds_for` (falls back to
/// `Node::kind` outside extraction).
pub trait NodeKind<'t> {
    fn k(&self) -> &'t str;
}

impl<'t> NodeKind<'t> for tree_sitter::Node<'t> {
    #[inline]
    fn k(&self) -> &'t str {
        let id = self.kind_id() as usize;
        CURRENT_KINDS
            .with(|c| c.get().get(id).copied())
            .unwrap_or_else(|| self.kind())
    }
}

thread_local! {
    /// Field ids by the address of their (static) name, for the language set by `kinds_for`.
    static FIELD_IDS: RefCell<Vec<(usize, usize, Option<std::num::NonZeroU16>)>> =
        const { RefCell::new(Vec::new()) };
}

/// `node.child_by_field_name(name)` without its cost: tree-sitter finds a field id by comparing the name with
/// every field name of the grammar, and the extractors ask for fields on most nodes they look at. Ids are
/// remembered per thread by the name's address (names are string literals) until the language changes.
pub fn field<'t>(node: tree_sitter::Node<'t>, name: &'static str) -> Option<tree_sitter::Node<'t>> {
    let key = (name.as_ptr() as usize, name.len());
    let cached = FIELD_IDS.with(|ids| {
        ids.borrow()
            .iter()
            .find(|(p, l, _)| (*p, *l) == key)
            .map(|(_, _, id)| *id)
    });
    let id = match cached {
        Some(id) => id,
        None => {
            let id = node.language().field_id_for_name(name);
            if CURRENT_KINDS.with(|c| !c.get().is_empty()) {
                FIELD_IDS.with(|ids| ids.borrow_mut().push((key.0, key.1, id)));
            }
            id
        }
    };
    node.child_by_field_id(id?.get())
}

thread_local! {
    /// One parser per language per worker thread, created on first use and reused for every file.
    static PARSERS: RefCell<[Option<Parser>; 4]> = const { RefCell::new([None, None, None, None]) };
}

/// Why a text was not parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Refused before parsing: the grammar could not survive it (see [`guard`]).
    Refused(SkipReason),
    /// tree-sitter gave up (it does not on syntax errors: those become ERROR nodes in the tree).
    GaveUp,
}

/// Parses `text` with the thread's cached parser for `lang`, after [`guard::check`].
pub fn parse(lang: Lang, text: &str) -> Result<Tree, ParseError> {
    guard::check(lang, text).map_err(ParseError::Refused)?;
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let slot = &mut parsers[lang.index()];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&lang.grammar())
                .expect("bundled grammar ABI is supported by the tree-sitter library");
            *slot = Some(parser);
        }
        let parser = slot.as_mut().expect("initialised above");
        parser.reset();
        parser.parse(text, None).ok_or(ParseError::GaveUp)
    })
}

/// Pre-order iteration over every node of a tree with a `TreeCursor`: no recursion, so a 100,000-deep
/// expression cannot overflow the stack.
pub struct Preorder<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    done: bool,
    depth: usize,
    next_depth: usize,
}

impl<'t> Preorder<'t> {
    pub fn new(node: tree_sitter::Node<'t>) -> Self {
        Preorder {
            cursor: node.walk(),
            done: false,
            depth: 0,
            next_depth: 0,
        }
    }

    /// The depth of the node last returned (0 for the starting node).
    pub fn depth(&self) -> usize {
        self.depth
    }
}

impl<'t> Iterator for Preorder<'t> {
    type Item = tree_sitter::Node<'t>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        self.depth = self.next_depth;
        if self.cursor.goto_first_child() {
            self.next_depth += 1;
        } else {
            loop {
                if self.cursor.goto_next_sibling() {
                    break;
                }
                // `goto_parent` stops at the node the cursor was created on, so a sub-tree walk stays inside it.
                if !self.cursor.goto_parent() {
                    self.done = true;
                    break;
                }
                self.next_depth -= 1;
            }
        }
        Some(node)
    }
}

/// Prints a tree as an indented outline (a debugging aid behind `skillaudit debug-tree`).
pub fn outline(tree: &Tree, text: &str) -> String {
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        let field = cursor
            .field_name()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        let snippet = if node.child_count() == 0 {
            format!(" {:?}", &text[node.byte_range()])
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{:indent$}{field}{} [{}:{}]{snippet}\n",
            "",
            node.kind(),
            node.start_position().row + 1,
            node.start_position().column + 1,
            indent = depth * 2
        ));
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, EXTENSIONS};
    use std::path::Path;

    /// The byte-level reading of the extension gives `Path::extension`'s answer.
    #[test]
    fn from_path_reads_the_extension_as_path_does() {
        let by_components = |p: &Path| {
            let ext = p.extension()?.to_str()?;
            EXTENSIONS.iter().find(|(e, _)| *e == ext).map(|(_, l)| *l)
        };
        for p in [
            "a/b.ts",
            "x.d.ts",
            ".ts",
            "a/.py",
            "a.b/c",
            "a/b.",
            "dir/",
            "a.ts/",
            "a/..",
            "a/.",
            "noext",
            "archive.tar.py",
            "a/.hidden.tsx",
            "/abs/m.mjs",
            "",
            ".",
            "..",
            "a.TS",
        ] {
            let p = Path::new(p);
            assert_eq!(Lang::from_path(p), by_components(p), "{p:?}");
        }
        assert_eq!(Lang::from_path(Path::new("src/x.py")), Some(Lang::Python));
    }
}
