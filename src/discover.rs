//! Finding the files to scan: a parallel `ignore` walk that honours `.gitignore`, `.ignore` and
//! `.git/info/exclude`, skips hidden directories, `node_modules`, virtualenvs and `site-packages`, and returns
//! the candidates sorted, so that what follows does not depend on thread scheduling.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use crate::config::Globs;
use crate::lang::Lang;
use crate::paths::{self, Base};
use crate::source::SkipReason;

/// A file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path as reported, relative to the scan's [`Base`] (absolute when the file lies outside it): the
    /// file's identity in the report, its fingerprints and every output format.
    pub path: PathBuf,
    /// The path to open (as given on the command line joined with the walked part).
    pub fs_path: PathBuf,
    pub lang: Lang,
    /// Named on the command line (always scanned).
    pub explicit: bool,
    /// Test code by its path inside the scanned directory (see [`is_test_path`]); never set for a file named
    /// on the command line.
    pub test_code: bool,
}

/// Directory names that hold tests.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "e2e",
    "tap",
    "conformance",
];

/// Whether a path is test code: in a test directory, or named like a test (`*.test.ts`, `*.spec.js`,
/// `test_*.py`, `*_test.py`, `conftest.py`). Tests build deliberately incomplete OAuth requests to exercise
/// servers' error paths, so they are skipped unless `--include-tests` is given.
///
/// `inside` is the path *inside* the scanned directory: the directories above it (a CI workspace under
/// `/home/ci/test/`) never make a file test code.
pub fn is_test_path(inside: &Path) -> bool {
    // The text's segments (the common case, and without `Path::components`' parsing), or the components of
    // a path that is not UTF-8. The walk asks this of every file, so nothing is collected.
    let file = match paths::segments(inside) {
        Some(segments) => {
            let mut file = "";
            for segment in segments.filter(|s| !s.is_empty()) {
                if TEST_DIRS.contains(&file) {
                    return true;
                }
                file = segment;
            }
            file
        }
        None => {
            let mut parts = inside.iter().peekable();
            let mut file = "";
            while let Some(part) = parts.next() {
                let text = part.to_str();
                if parts.peek().is_none() {
                    file = text.unwrap_or("");
                } else if text.is_some_and(|t| TEST_DIRS.contains(&t)) {
                    return true;
                }
            }
            file
        }
    };
    let stem = file.split('.').next().unwrap_or("");
    file.contains(".test.")
        || file.contains(".spec.")
        || (file.ends_with(".py")
            && (stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest"))
}

/// Something found by the walk that is not scanned, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WalkIssue {
    Skipped {
        display: PathBuf,
        reason: SkipReasonOrd,
    },
    Error {
        display: PathBuf,
        message: String,
    },
}

/// `SkipReason` with an order for sorting (by code, then text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipReasonOrd(pub SkipReason);

impl PartialOrd for SkipReasonOrd {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SkipReasonOrd {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.code(), self.0.to_string()).cmp(&(other.0.code(), other.0.to_string()))
    }
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// The files named on the command line (files found in directories go to `walk`'s visitor).
    pub candidates: Vec<Candidate>,
    pub issues: Vec<WalkIssue>,
}

#[cfg(test)]
mod tests {
    use super::is_test_path;
    use std::path::Path;

    #[test]
    fn test_paths() {
        for p in [
            "src/__tests__/auth.ts",
            "tests/test_auth.py",
            "pkg/auth.test.ts",
            "a/auth.spec.js",
            "conftest.py",
            "auth_test.py",
            "test/x.js",
        ] {
            assert!(is_test_path(Path::new(p)), "{p}");
        }
        for p in [
            "src/auth.ts",
            "testing_utils.py",
            "src/latest/auth.js",
            "contest.py",
            "attestation.ts",
            "a/tests",
            "spec",
        ] {
            assert!(!is_test_path(Path::new(p)), "{p}");
        }
        assert!(is_test_path(Path::new("tests/unit/deep/x.ts")));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let path = |b: &'static [u8]| Path::new(std::ffi::OsStr::from_bytes(b));
            assert!(is_test_path(path(b"tests/\xff.py")));
            assert!(is_test_path(path(b"\xff/test_auth.py")));
            assert!(!is_test_path(path(b"\xff/src/auth.ts")));
        }
    }
}

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// What reported paths are relative to.
    pub base: Base,
    /// Exclude globs (gitignore syntax), each set relative to its own directory.
    pub excludes: Vec<Globs>,
    /// Apply excludes and test-code skipping to files named on the command line too, and skip named paths
    /// that do not exist.
    pub force_exclude: bool,
    pub follow_links: bool,
    pub threads: usize,
    /// Scan hidden files and directories and dependency folders too, and do not read ignore files.
    pub no_ignore: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            base: Base::for_roots(&[]),
            excludes: Vec::new(),
            force_exclude: false,
            follow_links: false,
            threads: 1,
            no_ignore: false,
        }
    }
}

/// Compiled exclude sets.
struct Excludes {
    sets: Vec<(PathBuf, Gitignore)>,
}

impl Excludes {
    fn new(globs: &[Globs]) -> Result<Excludes, DiscoverError> {
        let mut sets = Vec::new();
        for set in globs.iter().filter(|g| !g.globs.is_empty()) {
            let mut builder = GitignoreBuilder::new(&set.root);
            for glob in &set.globs {
                // gitignore matching reads a broken glob as literal text; a typo in an exclude is an error.
                let pattern = glob.strip_prefix('!').unwrap_or(glob);
                globset::Glob::new(pattern.trim_start_matches('/'))
                    .map_err(|e| DiscoverError::BadGlob(glob.clone(), e.kind().to_string()))?;
                builder
                    .add_line(None, glob)
                    .map_err(|e| DiscoverError::BadGlob(glob.clone(), glob_message(&e)))?;
            }
            let matcher = builder
                .build()
                .map_err(|e| DiscoverError::BadGlob(set.globs.join(" "), glob_message(&e)))?;
            sets.push((set.root.clone(), matcher));
        }
        Ok(Excludes { sets })
    }

    /// Whether an absolute path (or, with `parents`, one of its directories) is excluded.
    fn excludes(&self, abs: &Path, is_dir: bool, parents: bool) -> bool {
        self.sets.iter().any(|(root, m)| {
            let Ok(rel) = abs.strip_prefix(root) else {
                return false;
            };
            if rel.as_os_str().is_empty() {
                return false;
            }
            if parents {
                m.matched_path_or_any_parents(rel, is_dir).is_ignore()
            } else {
                m.matched(rel, is_dir).is_ignore()
            }
        })
    }
}

/// Directory names that hold other people's code, skipped by default.
/// Directories of installed dependencies, by name. A virtualenv's packages are in its `site-packages`;
/// looking for `pyvenv.cfg` in every directory instead cost a system call per directory (a twentieth of a
/// default scan) to skip the few scripts in a virtualenv's `bin/`.
const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "__pypackages__",
    "bower_components",
];

fn is_dependency_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    DEPENDENCY_DIRS.contains(&name)
}

/// Fatal problems with the arguments themselves.
#[derive(Debug)]
pub enum DiscoverError {
    Missing(PathBuf, std::io::Error),
    BadGlob(String, String),
}

/// The message of a glob error without the `!` that skillaudit adds to make an exclude.
fn glob_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Glob { err, .. } => err.clone(),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => glob_message(err),
        other => other.to_string(),
    }
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::Missing(p, e) => {
                write!(
                    f,
                    "{}: {e}; check the path given to `skillaudit scan`",
                    paths::terminal(p)
                )
            }
            DiscoverError::BadGlob(g, e) => write!(
                f,
                "--exclude {g:?} is not a valid glob ({e}); globs use gitignore syntax, e.g. 'tests/**' or '*.spec.ts'"
            ),
        }
    }
}

/// Walks `roots`, handing each file found in a directory to `visit` on the walker's own threads as soon as it
/// is found (so reading and scanning overlap with the walk, as in ripgrep). Files named on the command line are
/// returned as `candidates` instead, with every walk issue (sorted). Reported paths are relative to `base`.
pub fn walk(
    roots: &[PathBuf],
    opts: &DiscoverOptions,
    visit: &(dyn Fn(Candidate) + Sync),
) -> Result<Discovery, DiscoverError> {
    let base = &opts.base;
    let excludes = Arc::new(Excludes::new(&opts.excludes)?);
    let found = Mutex::new(Discovery::default());
    // Each scanned directory as given, with its reported form.
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        let meta =
            match std::fs::metadata(root) {
                Ok(meta) => meta,
                // pre-commit and editors name files that may have gone since.
                Err(e) if opts.force_exclude && e.kind() == std::io::ErrorKind::NotFound => {
                    found.lock().unwrap_or_else(|e| e.into_inner()).issues.push(
                        WalkIssue::Skipped {
                            display: base.relative(root),
                            reason: SkipReasonOrd(SkipReason::NotFound),
                        },
                    );
                    continue;
                }
                Err(e) => return Err(DiscoverError::Missing(root.clone(), e)),
            };
        if meta.is_dir() {
            dirs.push((root.clone(), base.relative(root)));
            continue;
        }
        // An explicitly named file is scanned whatever the ignore files and excludes say (unless
        // --force-exclude); but only a regular file is read (a FIFO would block the scan forever).
        let path = base.relative(root);
        let abs = base.root.join(&path);
        if opts.force_exclude && excludes.excludes(&abs, false, true) {
            continue;
        }
        let mut d = found.lock().unwrap_or_else(|e| e.into_inner());
        let lang = Lang::from_path(root);
        match lang {
            Some(lang) if meta.is_file() => d.candidates.push(Candidate {
                test_code: opts.force_exclude && is_test_path(&path),
                path,
                fs_path: root.clone(),
                lang,
                explicit: true,
            }),
            _ => d.issues.push(WalkIssue::Skipped {
                display: path,
                reason: SkipReasonOrd(if meta.is_file() {
                    SkipReason::NotSupported
                } else {
                    SkipReason::NotRegularFile
                }),
            }),
        }
    }

    let reported = Arc::new(Reporter {
        dirs,
        base: base.clone(),
    });

    if let Some(((first, _), rest)) = reported.dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for (dir, _) in rest {
            builder.add(dir);
        }
        let no_ignore = opts.no_ignore;
        let (root, filter_reported) = (base.root.clone(), reported.clone());
        builder
            .threads(opts.threads)
            .follow_links(opts.follow_links)
            .hidden(!no_ignore)
            .git_ignore(!no_ignore)
            .git_exclude(!no_ignore)
            .git_global(false)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            // Honour .gitignore even outside a git repository (a downloaded tarball, a fixture folder).
            .require_git(false)
            .filter_entry(move |entry| {
                if entry.depth() == 0 {
                    return true;
                }
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if !no_ignore && is_dir && is_dependency_dir(entry.path()) {
                    return false;
                }
                if excludes.sets.is_empty() {
                    return true;
                }
                let (path, _) = filter_reported.report(entry.path());
                !excludes.excludes(&root.join(path), is_dir, false)
            });
        builder.build_parallel().run(|| {
            let found = &found;
            let reported = &*reported;
            Box::new(move |entry| {
                let issue = match entry {
                    Ok(entry) => {
                        let Some(file_type) = entry.file_type() else {
                            return WalkState::Continue;
                        };
                        if file_type.is_dir() {
                            return WalkState::Continue;
                        }
                        let fs_path = entry.path();
                        let Some(lang) = Lang::from_path(fs_path) else {
                            return WalkState::Continue;
                        };
                        let (path, inside) = reported.report(fs_path);
                        let reason = if file_type.is_file() {
                            visit(Candidate {
                                test_code: is_test_path(inside),
                                path,
                                fs_path: fs_path.to_path_buf(),
                                lang,
                                explicit: false,
                            });
                            return WalkState::Continue;
                        } else if file_type.is_symlink() {
                            SkipReason::Symlink
                        } else {
                            // A FIFO, socket or device (or, with --follow, a link to one).
                            SkipReason::NotRegularFile
                        };
                        WalkIssue::Skipped {
                            display: path,
                            reason: SkipReasonOrd(reason),
                        }
                    }
                    Err(err) => walk_error(err, reported),
                };
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .issues
                    .push(issue);
                WalkState::Continue
            })
        });
    }

    let mut d = found.into_inner().unwrap_or_else(|e| e.into_inner());
    d.issues.sort();
    d.issues.dedup();
    Ok(d)
}

/// Turns a walk error into a skip (loops) or an error, keeping the path it concerns.
/// The reported form of walked paths.
struct Reporter {
    /// Each scanned directory as given, with its reported form.
    dirs: Vec<(PathBuf, PathBuf)>,
    base: Base,
}

impl Reporter {
    /// The reported form of a walked path, and the part of it inside its scanned directory (the path itself
    /// when it is in none).
    fn report<'p>(&self, path: &'p Path) -> (PathBuf, &'p Path) {
        // The walker joins every entry onto the root it came from: the bytes say which (the first given, as
        // with nested roots); another spelling of the same directory falls back to comparing components.
        let found = self
            .dirs
            .iter()
            .find_map(|(dir, rel)| Some((rel, paths::inside(path, dir)?)))
            .or_else(|| {
                self.dirs
                    .iter()
                    .find_map(|(dir, rel)| Some((rel, path.strip_prefix(dir).ok()?)))
            });
        match found {
            Some((rel, inside)) => (paths::join(rel, inside), inside),
            None => (self.base.relative(path), path),
        }
    }
}

fn walk_error(err: ignore::Error, reported: &Reporter) -> WalkIssue {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    fn is_loop(err: &ignore::Error) -> bool {
        match err {
            ignore::Error::Loop { .. } => true,
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
            _ => false,
        }
    }
    let display = path_of(&err)
        .map(|p| reported.report(p).0)
        .unwrap_or_else(|| PathBuf::from("<walk>"));
    if is_loop(&err) {
        WalkIssue::Skipped {
            display,
            reason: SkipReasonOrd(SkipReason::SymlinkLoop),
        }
    } else {
        WalkIssue::Error {
            display,
            message: err.to_string(),
        }
    }
}
