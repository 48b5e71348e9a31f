//! Finding the files to scan: a parallel `ignore` walk that honours `.gitignore`, `.ignore` and
//! `.git/info/exclude`, skips hidden directories, `node_modules`, virtualenvs and `site-packages`, and returns
//! the candidates sorted, so that what follows does not depend on thread scheduling.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

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
    let mut parts: Vec<&OsStr> = inside.iter().collect();
    let file = parts.pop().and_then(OsStr::to_str).unwrap_or("");
    if parts
        .iter()
        .any(|p| p.to_str().is_some_and(|p| TEST_DIRS.contains(&p)))
    {
        return true;
    }
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
        ] {
            assert!(!is_test_path(Path::new(p)), "{p}");
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    pub excludes: Vec<String>,
    pub follow_links: bool,
    pub threads: usize,
    /// Scan hidden files and directories and dependency folders too, and do not read ignore files.
    pub no_ignore: bool,
}

/// Directory names that hold other people's code, skipped by default.
const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "__pypackages__",
    "bower_components",
];

fn is_dependency_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    DEPENDENCY_DIRS.contains(&name) || path.join("pyvenv.cfg").is_file()
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
    base: &Base,
    opts: &DiscoverOptions,
    visit: &(dyn Fn(Candidate) + Sync),
) -> Result<Discovery, DiscoverError> {
    let mut overrides =
        OverrideBuilder::new(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
    for glob in &opts.excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| DiscoverError::BadGlob(glob.clone(), glob_message(&e)))?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| DiscoverError::BadGlob(opts.excludes.join(" "), glob_message(&e)))?;

    let found = Mutex::new(Discovery::default());
    // Each scanned directory as given, with its reported form.
    let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|e| DiscoverError::Missing(root.clone(), e))?;
        if meta.is_dir() {
            dirs.push((root.clone(), base.relative(root)));
            continue;
        }
        // An explicitly named file is always scanned, whatever the ignore files and excludes say; but only a
        // regular file is read (a FIFO would block the scan forever, a device never ends).
        let path = base.relative(root);
        let mut d = found.lock().unwrap_or_else(|e| e.into_inner());
        let lang = Lang::from_path(root);
        match lang {
            Some(lang) if meta.is_file() => d.candidates.push(Candidate {
                path,
                fs_path: root.clone(),
                lang,
                explicit: true,
                test_code: false,
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

    // The reported form of a walked path, and the part of it inside its scanned directory.
    let reported = |path: &Path| -> (PathBuf, PathBuf) {
        for (dir, rel) in &dirs {
            if let Ok(inside) = path.strip_prefix(dir) {
                return (rel.join(inside), inside.to_path_buf());
            }
        }
        (base.relative(path), path.to_path_buf())
    };

    if let Some(((first, _), rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for (dir, _) in rest {
            builder.add(dir);
        }
        let no_ignore = opts.no_ignore;
        builder
            .threads(opts.threads)
            .follow_links(opts.follow_links)
            .overrides(overrides)
            .hidden(!no_ignore)
            .git_ignore(!no_ignore)
            .git_exclude(!no_ignore)
            .git_global(false)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            // Honour .gitignore even outside a git repository (a downloaded tarball, a fixture folder).
            .require_git(false)
            .filter_entry(move |entry| {
                no_ignore
                    || !(entry.depth() > 0
                        && entry.file_type().is_some_and(|t| t.is_dir())
                        && is_dependency_dir(entry.path()))
            });
        builder.build_parallel().run(|| {
            let found = &found;
            let reported = &reported;
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
                        let (path, inside) = reported(fs_path);
                        let reason = if file_type.is_file() {
                            visit(Candidate {
                                test_code: is_test_path(&inside),
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
fn walk_error(err: ignore::Error, reported: &dyn Fn(&Path) -> (PathBuf, PathBuf)) -> WalkIssue {
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
        .map(|p| reported(p).0)
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
