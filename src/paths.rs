//! Paths of scanned files: one base that every report is relative to, and the ways a path is shown.
//!
//! Internally a file is identified by its `PathBuf` relative to the [`Base`] (the raw bytes of its name,
//! never a lossy string), so two files whose names differ only in invalid UTF-8 bytes stay two files. Text is
//! made only when a path is rendered: [`display`] for JSON and SARIF messages, [`terminal`] for human and
//! GitHub output (control characters escaped), [`uri`] for SARIF URIs (the real bytes percent-encoded).

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// What reported paths are relative to: the repository root (the nearest directory holding `.git` at or above
/// the first scanned path), or else the working directory. So `scan .`, `scan $GITHUB_WORKSPACE` and
/// `scan /abs/path/f.ts` report the same paths and fingerprints.
#[derive(Clone, Debug)]
pub struct Base {
    /// Absolute, with symbolic links resolved.
    pub root: PathBuf,
    /// The working directory, absolute, with symbolic links resolved (human output is relative to it).
    pub cwd: PathBuf,
    /// Whether `root` was found from a `.git` (else it is the working directory).
    pub is_repository: bool,
}

impl Base {
    /// The base for a scan of `roots` (the first one decides).
    pub fn for_roots(roots: &[PathBuf]) -> Base {
        let cwd = std::env::current_dir()
            .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
            .unwrap_or_else(|_| PathBuf::from("/"));
        let repository = roots
            .first()
            .map(|r| absolute(r, &cwd))
            .and_then(|first| repository_root(&first));
        match repository {
            Some(root) => Base {
                root,
                cwd,
                is_repository: true,
            },
            None => Base {
                root: cwd.clone(),
                cwd,
                is_repository: false,
            },
        }
    }

    /// A base at a given directory (for tests and for callers that know their root).
    pub fn at(root: &Path) -> Base {
        Base {
            root: root.to_path_buf(),
            cwd: root.to_path_buf(),
            is_repository: false,
        }
    }

    /// The reported form of a path given on the command line: relative to the base when it lies inside it,
    /// else absolute. Symbolic links in the path are resolved when the path exists.
    pub fn relative(&self, path: &Path) -> PathBuf {
        let abs = absolute(path, &self.cwd);
        match abs.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => abs,
        }
    }

    /// The path a person at the terminal can open: relative to the working directory when the file is inside
    /// it, else absolute.
    pub fn from_cwd(&self, reported: &Path) -> PathBuf {
        if reported.is_absolute() {
            return reported.to_path_buf();
        }
        let abs = self.root.join(reported);
        match abs.strip_prefix(&self.cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => abs,
        }
    }
}

/// `path` made absolute against `cwd`, with symbolic links resolved when it exists and `.`/`..` folded
/// lexically when it does not.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    std::fs::canonicalize(&joined).unwrap_or_else(|_| normalize(&joined))
}

/// Folds `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The nearest directory at or above `path` that holds a `.git` (a directory, or a file in worktrees and
/// submodules).
fn repository_root(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A path as text: `/` between components on every platform, invalid UTF-8 bytes written as `\xNN` (so two
/// names that differ only there still read differently). Backslashes are separators only where the platform
/// says so: on Unix `a\b.ts` is one file name and stays as it is.
/// A key that sorts paths as `Path`'s own order does (component by component) without parsing components
/// at every comparison: the bytes, each separator made the smallest byte. Sorting tens of thousands of
/// paths by `Path::cmp` was a tenth of a whole default scan.
pub fn sort_key(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    bytes
        .into_iter()
        .map(|b| if b == b'/' { 0 } else { b })
        .collect()
}

/// `dir.join(rest)` for a relative `rest`, made in one allocation: the walk joins every file it finds onto
/// its directory's reported form, and `Path::join` was a twentieth of a default scan's instructions.
pub fn join(dir: &Path, rest: &Path) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let (d, r) = (dir.as_os_str().as_bytes(), rest.as_os_str().as_bytes());
        if !d.is_empty() && !r.is_empty() && !r.starts_with(b"/") {
            let mut out = Vec::with_capacity(d.len() + 1 + r.len());
            out.extend_from_slice(d);
            if !d.ends_with(b"/") {
                out.push(b'/');
            }
            out.extend_from_slice(r);
            return PathBuf::from(std::ffi::OsString::from_vec(out));
        }
    }
    dir.join(rest)
}

/// The order of [`sort_key`]s, without making them. The keys differ only in mapping `/` to the smallest
/// byte, so the first byte where the paths differ decides; the common prefix (the scanned directory and
/// more) is skipped eight bytes at a time.
pub fn compare(a: &Path, b: &Path) -> std::cmp::Ordering {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (a, b) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
        let n = a.len().min(b.len());
        let mut i = 0;
        while i + 8 <= n && a[i..i + 8] == b[i..i + 8] {
            i += 8;
        }
        while i < n && a[i] == b[i] {
            i += 1;
        }
        let key = |b: u8| if b == b'/' { 0 } else { b };
        match (a.get(i), b.get(i)) {
            (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
            _ => a.len().cmp(&b.len()),
        }
    }
    #[cfg(not(unix))]
    sort_key(a).cmp(&sort_key(b))
}

/// `path` inside `dir` when `path` was made by joining onto `dir`, as the walker makes every entry of a root:
/// a byte comparison, where `Path::strip_prefix` walks and compares the components of both (a twelfth of
/// the default scan when a dozen roots were tried in turn for every file). None when the bytes differ;
/// `Path::strip_prefix` may still succeed on another spelling of the same directory.
pub fn inside<'p>(path: &'p Path, dir: &Path) -> Option<&'p Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
        let rest = p.strip_prefix(d)?;
        let rest = if d.ends_with(b"/") || rest.is_empty() {
            rest
        } else {
            rest.strip_prefix(b"/")?
        };
        Some(Path::new(OsStr::from_bytes(rest)))
    }
    #[cfg(not(unix))]
    {
        path.strip_prefix(dir).ok()
    }
}

/// The segments of a path as text, split at its separators (empty and `.` segments included), without
/// `Path::components`' parsing; None when the path is not UTF-8.
pub fn segments(path: &Path) -> Option<impl Iterator<Item = &str>> {
    let text = path.to_str()?;
    Some(text.split(|c| c == '/' || (std::path::MAIN_SEPARATOR == '\\' && c == '\\')))
}

/// Whether resolving `.` and `..` by spelling would leave `path` as it is (the components compare equal):
/// it has no `..` segment and does not start with `.`. Text only; false where the path is not UTF-8 or
/// the platform separates with `\\`, so the caller takes the path apart after all.
pub fn is_lexical(path: &Path) -> bool {
    let Some(mut segments) = segments(path).filter(|_| std::path::MAIN_SEPARATOR == '/') else {
        return false;
    };
    let text = path.to_str().unwrap_or_default();
    !(text == "." || text.starts_with("./") || segments.any(|s| s == ".."))
}

/// A path with `.` and `..` components resolved by spelling alone. A path with none (every path the
/// walker makes under a clean root) is returned as it is, without taking it apart.
pub fn lexical(path: PathBuf) -> PathBuf {
    if is_lexical(&path) {
        return path;
    }
    by_components(&path)
}

/// [`lexical`]'s work, component by component.
fn by_components(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

pub fn display(path: &Path) -> String {
    shown(path).into_owned()
}

/// [`display`], borrowing the path's own text when that is already the form shown.
pub fn shown(path: &Path) -> Cow<'_, str> {
    // Already in the form the components would give (no repeated separator, no `.` inside or at the end,
    // no trailing separator): the text itself.
    if let Some(text) = path.to_str() {
        if std::path::MAIN_SEPARATOR == '/'
            && !text.contains("//")
            && !text.contains("/./")
            && !text.ends_with('/')
            && !text.ends_with("/.")
        {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::new();
    for (i, part) in path.iter().enumerate() {
        if i > 0 && !out.ends_with('/') {
            out.push('/');
        }
        push_lossless(&mut out, part);
    }
    if std::path::MAIN_SEPARATOR == '\\' {
        out = out.replace('\\', "/");
    }
    Cow::Owned(out)
}

fn push_lossless(out: &mut String, part: &OsStr) {
    for chunk in os_bytes(part).utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
}

#[cfg(unix)]
fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
fn os_bytes(s: &OsStr) -> Cow<'_, [u8]> {
    match s.to_string_lossy() {
        Cow::Borrowed(t) => Cow::Borrowed(t.as_bytes()),
        Cow::Owned(t) => Cow::Owned(t.into_bytes()),
    }
}

/// A path as a URI reference: the real bytes of the name, percent-encoded where RFC 3986 asks (unreserved
/// characters and `/` stay).
pub fn uri(path: &Path) -> String {
    let mut out = String::new();
    for (i, part) in path.iter().enumerate() {
        if i > 0 && !out.ends_with('/') {
            out.push('/');
        }
        if part == "/" {
            continue;
        }
        for &b in os_bytes(part).iter() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Text safe to print on a terminal or in a workflow command: control characters (C0, DEL, C1) and the
/// bidirectional overrides that reorder what a reader sees are written as escapes (`\x1b`, `\u{202e}`).
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hazard) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_hazard(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// A path for a terminal: [`display`], then [`escape_controls`].
pub fn terminal(path: &Path) -> String {
    escape_controls(&display(path)).into_owned()
}

/// Characters that can move the cursor, rewrite the screen or reorder text when printed.
pub fn is_hazard(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_of_an_already_normal_path_is_its_text_and_others_are_normalised() {
        use std::path::Path;
        for (path, shown) in [
            ("src/auth.ts", "src/auth.ts"),
            ("./src/auth.ts", "./src/auth.ts"),
            ("/abs/x.py", "/abs/x.py"),
            ("src//auth.ts", "src/auth.ts"),
            ("src/./auth.ts", "src/auth.ts"),
            ("src/", "src"),
            ("src/.", "src"),
            (".", "."),
        ] {
            assert_eq!(super::display(Path::new(path)), shown, "{path}");
        }
    }

    /// `is_lexical` says yes only where resolving `.` and `..` by spelling gives an equal path.
    #[cfg(unix)]
    #[test]
    fn is_lexical_only_where_spelling_changes_nothing() {
        use std::path::Path;
        for (path, lexical) in [
            ("/abs/src/auth.ts", true),
            ("src/auth.ts", true),
            ("/abs//src/./auth.ts", true),
            ("/abs/src/", true),
            ("/abs/../src/auth.ts", false),
            ("src/..", false),
            ("./src/auth.ts", false),
            (".", false),
            ("/abs/..hidden/x.ts", true),
        ] {
            let p = Path::new(path);
            assert_eq!(super::is_lexical(p), lexical, "{path}");
            if lexical {
                assert_eq!(super::by_components(p), p, "{path}");
            } else {
                assert_ne!(super::by_components(p), p, "{path}");
            }
        }
    }

    #[test]
    fn join_is_paths_own() {
        for (dir, rest) in [
            ("src", "auth.ts"),
            ("/abs/root/", "a/b.py"),
            ("", "x.ts"),
            ("src", ""),
            ("src", "/abs.ts"),
            ("a//b", "c"),
        ] {
            let (dir, rest) = (Path::new(dir), Path::new(rest));
            assert_eq!(super::join(dir, rest), dir.join(rest), "{dir:?} {rest:?}");
            assert_eq!(
                super::join(dir, rest).as_os_str(),
                dir.join(rest).as_os_str(),
                "{dir:?} {rest:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn inside_compares_bytes_and_needs_a_separator() {
        use std::path::Path;
        let p = Path::new("/tmp/corpus/a/src/x.ts");
        assert_eq!(
            super::inside(p, Path::new("/tmp/corpus/a")),
            Some(Path::new("src/x.ts"))
        );
        assert_eq!(
            super::inside(p, Path::new("/tmp/corpus/a/")),
            Some(Path::new("src/x.ts"))
        );
        assert_eq!(super::inside(p, Path::new("/tmp/corpus/ab")), None);
        assert_eq!(super::inside(p, Path::new("/tmp/corpus/b")), None);
        assert_eq!(super::inside(p, p), Some(Path::new("")));
        let segments: Vec<&str> = super::segments(Path::new("a/tests/x.test.ts"))
            .unwrap()
            .collect();
        assert_eq!(segments, ["a", "tests", "x.test.ts"]);
    }

    use super::*;

    #[test]
    fn sort_keys_order_paths_as_components_do() {
        let mut paths: Vec<PathBuf> = [
            "a-b", "a/b", "ab", "a/b/c", "a", "b.ts", "a.ts", "/x", "a/b-c", "a/b/d",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_key = paths.clone();
        paths.sort();
        by_key.sort_by_cached_key(|p| sort_key(p));
        assert_eq!(paths, by_key);
        let mut compared = by_key.clone();
        compared.reverse();
        compared.sort_by(|a, b| compare(a, b));
        assert_eq!(paths, compared);
        // Long shared prefixes (compared eight bytes at a time) and every pair both ways.
        let long: Vec<PathBuf> = [
            "/scan/root/pkg/a-b",
            "/scan/root/pkg/a/b",
            "/scan/root/pkg/a",
            "/scan/root/pkg/ab",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        for a in paths.iter().chain(&long) {
            for b in paths.iter().chain(&long) {
                assert_eq!(compare(a, b), sort_key(a).cmp(&sort_key(b)), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn display_keeps_backslashes_and_invalid_bytes_apart() {
        assert_eq!(display(Path::new("src/a\\b.ts")), "src/a\\b.ts");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = display(Path::new(OsStr::from_bytes(b"bad\xff\xfe.ts")));
            let b = display(Path::new(OsStr::from_bytes(b"bad\xff\xfd.ts")));
            assert_eq!(a, "bad\\xff\\xfe.ts");
            assert_ne!(a, b);
            assert_eq!(
                uri(Path::new(OsStr::from_bytes(b"d/bad\xff.ts"))),
                "d/bad%FF.ts"
            );
        }
        assert_eq!(uri(Path::new("/abs/a b.ts")), "/abs/a%20b.ts");
    }

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
        assert!(matches!(escape_controls("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn relative_to_the_base_whatever_form_the_path_had() {
        let dir = tempfile::TempDir::new().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/f.ts"), "").unwrap();
        let base = Base::at(&root);
        assert_eq!(base.relative(&root.join("src/f.ts")), Path::new("src/f.ts"));
        assert_eq!(base.relative(Path::new("src/f.ts")), Path::new("src/f.ts"));
        assert_eq!(
            base.relative(Path::new("./src/../src/f.ts")),
            Path::new("src/f.ts")
        );
        assert_eq!(base.relative(&root), Path::new(""));
        assert!(base.relative(Path::new("/elsewhere/x.ts")).is_absolute());
    }
}
