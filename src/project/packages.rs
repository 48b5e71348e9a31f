//! Where a module's package is, for the project phase's searches across files: the files that may call a
//! module's helpers, and those that may read its module-level verifiers. (`flows` has its own, language-blind
//! notion of a package for joining an authorization side with its token endpoint.)

use std::path::{Path, PathBuf};

/// The nearest directory above a file that holds a package manifest (`package.json` for JavaScript,
/// `pyproject.toml`, `setup.py` or `setup.cfg` for Python), else the file's top directory.
pub(super) fn package_root(file: &Path, js: bool) -> PathBuf {
    let manifests: &[&str] = if js {
        &["package.json"]
    } else {
        &["pyproject.toml", "setup.py", "setup.cfg"]
    };
    let mut dir = file.parent();
    while let Some(d) = dir {
        if manifests.iter().any(|m| d.join(m).is_file()) {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    file.parent().map(|p| p.to_path_buf()).unwrap_or_default()
}

/// Where the callers of a module's functions may be: its package root, or for a Python module outside any
/// manifest the directory above its top package (`app/oauth/__init__.py` is called from `app/views.py`).
pub(super) fn callers_root(file: &Path, js: bool) -> PathBuf {
    let root = package_root(file, js);
    if js || file.parent().is_some_and(|p| p != root) {
        return root;
    }
    let mut top = root;
    for _ in 0..32 {
        if !top.join("__init__.py").is_file() {
            break;
        }
        match top.parent() {
            Some(p) => top = p.to_path_buf(),
            None => break,
        }
    }
    top
}
