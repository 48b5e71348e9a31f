//! Finding the files to scan: a parallel `ignore` walk that honours `.gitignore`, `.ignore` and
//! `.git/info/exclude`, skips hidden directories, `node_modules`, virtualenvs and `site-packages`, and returns
//! the candidates sorted, so that what follows does not depend on thread scheduling.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::lang::Lang;
use crate::source::SkipReason;

/// A file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path as reported: as given on the command line joined with the walked part, `/`-separated, without a
    /// leading `./`.
    pub display: String,
    pub path: PathBuf,
    pub lang: Lang,
    /// Named on the command line (always scanned).
    pub explicit: bool,
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
pub fn is_test_path(display: &str) -> bool {
    let mut parts = display.split('/').collect::<Vec<_>>();
    let file = parts.pop().unwrap_or("");
    if parts.iter().any(|p| TEST_DIRS.contains(p)) {
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
        display: String,
        reason: SkipReasonOrd,
    },
    Error {
        display: String,
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
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "src/auth.ts",
            "testing_utils.py",
            "src/latest/auth.js",
            "contest.py",
            "attestation.ts",
        ] {
            assert!(!is_test_path(p), "{p}");
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

/// The display form of a path: `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let mut s = path.to_string_lossy().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    s
}

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

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::Missing(p, e) => {
                write!(
                    f,
                    "{}: {e}; check the path given to `skillaudit scan`",
                    display_path(p)
                )
            }
            DiscoverError::BadGlob(g, e) => write!(f, "--exclude {g:?} is not a valid glob: {e}"),
        }
    }
}

/// Walks `roots`, handing each file found in a directory to `visit` on the walker's own threads as soon as it
/// is found (so reading and scanning overlap with the walk, as in ripgrep). Files named on the command line are
/// returned as `candidates` instead, with every walk issue (sorted).
pub fn walk(
    roots: &[PathBuf],
    opts: &DiscoverOptions,
    visit: &(dyn Fn(Candidate) + Sync),
) -> Result<Discovery, DiscoverError> {
    let mut overrides =
        OverrideBuilder::new(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
    for glob in &opts.excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| DiscoverError::BadGlob(glob.clone(), e.to_string()))?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| DiscoverError::BadGlob(opts.excludes.join(" "), e.to_string()))?;

    let found = Mutex::new(Discovery::default());
    let mut dirs = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|e| DiscoverError::Missing(root.clone(), e))?;
        if meta.is_dir() {
            dirs.push(root.clone());
            continue;
        }
        // An explicitly named file is always scanned, whatever the ignore files and excludes say.
        let display = display_path(root);
        let mut d = found.lock().unwrap();
        match Lang::from_path(root) {
            Some(lang) => d.candidates.push(Candidate {
                display,
                path: root.clone(),
                lang,
                explicit: true,
            }),
            None => d.issues.push(WalkIssue::Skipped {
                display,
                reason: SkipReasonOrd(SkipReason::NotSupported),
            }),
        }
    }

    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for dir in rest {
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
            Box::new(move |entry| {
                let issue = match entry {
                    Ok(entry) => {
                        let Some(file_type) = entry.file_type() else {
                            return WalkState::Continue;
                        };
                        let path = entry.path();
                        let Some(lang) = Lang::from_path(path) else {
                            return WalkState::Continue;
                        };
                        let display = display_path(path);
                        if file_type.is_file() {
                            visit(Candidate {
                                display,
                                path: path.to_path_buf(),
                                lang,
                                explicit: false,
                            });
                            return WalkState::Continue;
                        }
                        if file_type.is_symlink() {
                            WalkIssue::Skipped {
                                display,
                                reason: SkipReasonOrd(SkipReason::Symlink),
                            }
                        } else {
                            return WalkState::Continue;
                        }
                    }
                    Err(err) => walk_error(err),
                };
                found.lock().unwrap().issues.push(issue);
                WalkState::Continue
            })
        });
    }

    let mut d = found.into_inner().unwrap();
    d.issues.sort();
    d.issues.dedup();
    Ok(d)
}

/// Turns a walk error into a skip (loops) or an error, keeping the path it concerns.
fn walk_error(err: ignore::Error) -> WalkIssue {
    fn path_of(err: &ignore::Error) -> Option<String> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(display_path(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(display_path(child)),
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
    let display = path_of(&err).unwrap_or_else(|| "<walk>".to_string());
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
