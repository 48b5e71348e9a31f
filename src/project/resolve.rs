//! Module resolution: which file of the scanned tree an imported name comes from. The one place that decides
//! it.
//!
//! A file's analyses name an import by a qualified string: the module specifier followed by the member path
//! (`./auth/client.js.oauth2Client`, `.config.DEFAULT_METHOD`, `pkg.tokens.make_verifier`). The module part
//! is the longest prefix (cut at a `.`) that resolves to a file; the rest is the member path inside it.
//!
//! - **JavaScript and TypeScript** go through `oxc_resolver` (the resolver of oxc and Rolldown, a port of
//!   webpack's enhanced-resolve), configured like TypeScript's bundler resolution: relative specifiers with
//!   extension and index inference (`./x` → `x.ts`, `x.tsx`, `x.js`, `x.mjs`, `x.cjs`, `x/index.*`), the
//!   `./x.js` specifier that names `x.ts`, package.json `exports` (and so a package's self-reference by its
//!   name), tsconfig `paths` and `baseUrl` (the nearest tsconfig.json, with `extends`). A tsconfig that
//!   cannot be loaded (it extends a shared config from a package that is not installed, as in a checkout
//!   before `npm install`, or it extends itself) does not stop the rest: the files under it are resolved
//!   without a tsconfig, so their relative specifiers still are.
//! - **Python** is resolved here: relative imports (`.x`, `..x`) from the importing file's package, and
//!   absolute imports of packages and modules found in a directory between the importing file and the
//!   scanned directory (the project root, `src/` layouts), with or without `__init__.py`.
//!
//! A name that resolves outside the scanned directories, into `node_modules` or a virtual environment, to a
//! file that was not scanned (excluded, test code) or to no file gives nothing: what cannot be resolved
//! gives no fact.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use oxc_resolver::{ResolveError, ResolveOptions, Resolver as JsResolver, TsconfigDiscovery};
use rustc_hash::FxHashSet;

/// Where an imported qualified name lives: a file of the scanned tree and the member path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub file: PathBuf,
    pub members: Vec<String>,
}

pub struct Resolver {
    /// The scanned directories, canonical: resolved files must be inside one.
    roots: Vec<PathBuf>,
    js: JsResolver,
    /// The same resolver without tsconfig (sharing its file system cache), for the importers whose tsconfig
    /// cannot be loaded.
    without_tsconfig: JsResolver,
    /// The directories of importers whose tsconfig could not be loaded: each is tried once (the resolver
    /// does not remember a tsconfig it failed to load, and read it again for every specifier).
    broken_tsconfig: Mutex<FxHashSet<PathBuf>>,
}

const JS_EXTENSIONS: &[&str] = &[".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

impl Resolver {
    /// A resolver for files under `roots` (the scanned paths; a file stands for its directory).
    pub fn new(roots: &[PathBuf]) -> Self {
        let roots = roots
            .iter()
            .filter_map(|r| {
                let r = r.canonicalize().ok()?;
                Some(if r.is_file() {
                    r.parent()?.to_path_buf()
                } else {
                    r
                })
            })
            .collect();
        let options = ResolveOptions {
            extensions: JS_EXTENSIONS.iter().map(|e| e.to_string()).collect(),
            extension_alias: vec![
                (
                    ".js".into(),
                    vec![".ts".into(), ".tsx".into(), ".js".into()],
                ),
                (".jsx".into(), vec![".tsx".into(), ".jsx".into()]),
                (".mjs".into(), vec![".mts".into(), ".mjs".into()]),
                (".cjs".into(), vec![".cts".into(), ".cjs".into()]),
            ],
            condition_names: vec!["node".into(), "import".into(), "require".into()],
            main_fields: vec!["module".into(), "main".into()],
            tsconfig: Some(TsconfigDiscovery::Auto),
            builtin_modules: true,
            ..ResolveOptions::default()
        };
        let js = JsResolver::new(options.clone());
        let without_tsconfig = js.clone_with_options(ResolveOptions {
            tsconfig: None,
            ..options
        });
        Resolver {
            roots,
            js,
            without_tsconfig,
            broken_tsconfig: Mutex::default(),
        }
    }

    /// Resolves a qualified name imported by `importer` (an absolute, canonical path).
    pub fn resolve(&self, importer: &Path, js: bool, qualified: &str) -> Option<Resolved> {
        if js {
            self.resolve_js(importer, qualified)
        } else {
            self.resolve_py(importer, qualified)
        }
    }

    /// The scanned directory a file is in.
    fn root_of(&self, file: &Path) -> Option<&Path> {
        self.roots
            .iter()
            .filter(|r| file.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
            .map(PathBuf::as_path)
    }

    fn inside(&self, file: &Path) -> bool {
        self.root_of(file).is_some()
            && !file.components().any(|c| {
                matches!(c, Component::Normal(n) if n == "node_modules" || n == "site-packages")
            })
    }

    fn resolve_js(&self, importer: &Path, qualified: &str) -> Option<Resolved> {
        let dir = importer.parent().unwrap_or(importer);
        let known_broken = self
            .broken_tsconfig
            .lock()
            .map_or(true, |set| set.contains(dir));
        if !known_broken {
            match self.resolve_js_with(&self.js, importer, qualified) {
                Ok(found) => return found,
                Err(BrokenTsconfig) => {
                    if let Ok(mut set) = self.broken_tsconfig.lock() {
                        set.insert(dir.to_path_buf());
                    }
                }
            }
        }
        self.resolve_js_with(&self.without_tsconfig, importer, qualified)
            .unwrap_or(None)
    }

    /// [`Self::resolve_js`] with one resolver; `Err` when the importer's tsconfig cannot be loaded.
    fn resolve_js_with(
        &self,
        resolver: &JsResolver,
        importer: &Path,
        qualified: &str,
    ) -> Result<Option<Resolved>, BrokenTsconfig> {
        // The module part is the longest prefix that resolves; a bare package (`express.Router`) fails fast
        // in the resolver's cache.
        let mut cut = Some(qualified.len());
        while let Some(end) = cut {
            let specifier = &qualified[..end];
            if !specifier.is_empty() {
                match resolver.resolve_file(importer, specifier) {
                    Ok(found) => {
                        let file = found.full_path();
                        if !self.inside(&file) {
                            return Ok(None);
                        }
                        let members = qualified[end..]
                            .split('.')
                            .filter(|m| !m.is_empty())
                            .map(str::to_string)
                            .collect();
                        return Ok(Some(Resolved { file, members }));
                    }
                    Err(e) if is_tsconfig_error(&e) => return Err(BrokenTsconfig),
                    Err(_) => {}
                }
            }
            cut = specifier.rfind('.');
        }
        Ok(None)
    }

    fn resolve_py(&self, importer: &Path, qualified: &str) -> Option<Resolved> {
        // (defined below)

        let dots = qualified.bytes().take_while(|b| *b == b'.').count();
        let parts: Vec<&str> = qualified[dots..]
            .split('.')
            .filter(|p| !p.is_empty())
            .collect();
        let dir = importer.parent()?;
        if dots > 0 {
            // `.x` is the importing file's package, each further dot one package up.
            let mut base = dir.to_path_buf();
            for _ in 1..dots {
                base = base.parent()?.to_path_buf();
            }
            return self.walk_py(&base, &parts, true);
        }
        // Absolute: the directories from the importing file's up to the scanned directory, nearest first.
        let root = self.root_of(importer)?;
        let mut at = Some(dir);
        while let Some(d) = at {
            if !d.starts_with(root) {
                break;
            }
            if let Some(found) = self.walk_py(d, &parts, false) {
                return Some(found);
            }
            at = d.parent();
        }
        None
    }

    /// Follows `parts` from `base` through packages to a module file; what is left are members. `base` is a
    /// package itself for a relative import (its `__init__.py` defines names), a search directory otherwise.
    fn walk_py(&self, base: &Path, parts: &[&str], base_is_package: bool) -> Option<Resolved> {
        let mut dir = base.to_path_buf();
        for (i, part) in parts.iter().enumerate() {
            let module = dir.join(format!("{part}.py"));
            let package = dir.join(part);
            if package.is_dir() {
                dir = package;
                continue;
            }
            if module.is_file() {
                return self.found(module, &parts[i + 1..]);
            }
            // Not a module of this directory: the rest names members of the package's `__init__.py`.
            if i == 0 && !base_is_package {
                return None;
            }
            let init = dir.join("__init__.py");
            return init
                .is_file()
                .then(|| self.found(init, &parts[i..]))
                .flatten();
        }
        // The whole name is a package: its `__init__.py` (a namespace package has none, and no values).
        let init = dir.join("__init__.py");
        (init.is_file() && !parts.is_empty())
            .then(|| self.found(init, &[]))
            .flatten()
    }

    fn found(&self, file: PathBuf, members: &[&str]) -> Option<Resolved> {
        let file = file.canonicalize().ok()?;
        self.inside(&file).then(|| Resolved {
            file,
            members: members.iter().map(|m| m.to_string()).collect(),
        })
    }
}

/// The importer's tsconfig could not be loaded.
struct BrokenTsconfig;

/// Whether a resolution failed on the tsconfig rather than on the specifier.
fn is_tsconfig_error(e: &ResolveError) -> bool {
    match e {
        ResolveError::TsconfigNotFound(_)
        | ResolveError::TsconfigSelfReference(_)
        | ResolveError::TsconfigCircularExtend(_)
        | ResolveError::TsconfigLoadFailed { .. } => true,
        ResolveError::Json(j) => j
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("tsconfig")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn resolve(dir: &Path, importer: &str, q: &str) -> Option<(String, Vec<String>)> {
        let root = dir.canonicalize().unwrap();
        let r = Resolver::new(std::slice::from_ref(&root));
        let importer = root.join(importer);
        let js = importer.extension().is_none_or(|e| e != "py");
        r.resolve(&importer, js, q).map(|found| {
            let rel = found.file.strip_prefix(&root).unwrap();
            (rel.to_string_lossy().replace('\\', "/"), found.members)
        })
    }

    fn m(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn relative_specifiers_infer_extensions_and_index_files() {
        let dir = tree(&[
            ("src/routes.ts", ""),
            ("src/auth/client.ts", ""),
            ("src/util/index.js", ""),
            ("src/legacy.cjs", ""),
            ("src/view.tsx", ""),
        ]);
        let d = dir.path();
        assert_eq!(
            resolve(d, "src/routes.ts", "./auth/client.oauth2Client"),
            Some(("src/auth/client.ts".into(), m(&["oauth2Client"])))
        );
        assert_eq!(
            resolve(d, "src/routes.ts", "./util.random.make"),
            Some(("src/util/index.js".into(), m(&["random", "make"])))
        );
        assert_eq!(
            resolve(d, "src/routes.ts", "./legacy"),
            Some(("src/legacy.cjs".into(), m(&[])))
        );
        assert_eq!(
            resolve(d, "src/routes.ts", "./view.Page"),
            Some(("src/view.tsx".into(), m(&["Page"])))
        );
    }

    #[test]
    fn a_js_specifier_names_the_typescript_file() {
        let dir = tree(&[("src/a.ts", ""), ("src/pkce.ts", "")]);
        assert_eq!(
            resolve(dir.path(), "src/a.ts", "./pkce.js.makeVerifier"),
            Some(("src/pkce.ts".into(), m(&["makeVerifier"])))
        );
    }

    #[test]
    fn tsconfig_paths_and_package_self_reference() {
        let dir = tree(&[
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }"#,
            ),
            (
                "package.json",
                r#"{ "name": "my-mcp", "exports": { "./auth": "./src/auth.ts" } }"#,
            ),
            ("src/auth.ts", ""),
            ("src/lib/oauth.ts", ""),
            ("src/app.ts", ""),
        ]);
        let d = dir.path();
        assert_eq!(
            resolve(d, "src/app.ts", "@/lib/oauth.client"),
            Some(("src/lib/oauth.ts".into(), m(&["client"])))
        );
        assert_eq!(
            resolve(d, "src/app.ts", "my-mcp/auth.verifier"),
            Some(("src/auth.ts".into(), m(&["verifier"])))
        );
    }

    /// A checkout before `npm install`: the tsconfig extends a shared config from a package that is not
    /// there. Relative specifiers still resolve (the tsconfig's own `paths` cannot be read without its base).
    #[test]
    fn a_tsconfig_extending_a_missing_package_leaves_relative_specifiers_alone() {
        let dir = tree(&[
            (
                "examples/tsconfig.json",
                r#"{ "extends": "@acme/tsconfig", "compilerOptions": { "paths": { "*": ["./*"] } } }"#,
            ),
            ("examples/oauth/client.ts", ""),
            ("examples/oauth/pkce.ts", ""),
            ("examples/common/auth.ts", ""),
        ]);
        let d = dir.path();
        assert_eq!(
            resolve(d, "examples/oauth/client.ts", "./pkce.js.makeVerifier"),
            Some(("examples/oauth/pkce.ts".into(), m(&["makeVerifier"])))
        );
        assert_eq!(
            resolve(d, "examples/oauth/client.ts", "../common/auth.REDIRECT_URI"),
            Some(("examples/common/auth.ts".into(), m(&["REDIRECT_URI"])))
        );
        // A tsconfig that extends itself is as unreadable.
        let dir = tree(&[
            ("tsconfig.json", r#"{ "extends": "./tsconfig.json" }"#),
            ("a.ts", ""),
            ("b.ts", ""),
        ]);
        assert_eq!(
            resolve(dir.path(), "a.ts", "./b.x"),
            Some(("b.ts".into(), m(&["x"])))
        );
    }

    #[test]
    fn packages_builtins_and_missing_files_give_nothing() {
        let dir = tree(&[
            ("src/app.ts", ""),
            (
                "node_modules/openid-client/package.json",
                r#"{ "name": "openid-client", "main": "index.js" }"#,
            ),
            ("node_modules/openid-client/index.js", ""),
        ]);
        let d = dir.path();
        assert_eq!(resolve(d, "src/app.ts", "openid-client.Issuer"), None);
        assert_eq!(resolve(d, "src/app.ts", "crypto.randomBytes"), None);
        assert_eq!(resolve(d, "src/app.ts", "./missing.x"), None);
    }

    #[test]
    fn python_relative_imports() {
        let dir = tree(&[
            ("app/__init__.py", ""),
            ("app/routes/__init__.py", ""),
            ("app/routes/callback.py", ""),
            ("app/pkce.py", ""),
            ("app/store.py", ""),
        ]);
        let d = dir.path();
        assert_eq!(
            resolve(d, "app/routes/callback.py", "..pkce.make_verifier"),
            Some(("app/pkce.py".into(), m(&["make_verifier"])))
        );
        assert_eq!(
            resolve(d, "app/pkce.py", ".store.VERIFIER"),
            Some(("app/store.py".into(), m(&["VERIFIER"])))
        );
        // `from .. import pkce` (qualified `..pkce`) names the module itself.
        assert_eq!(
            resolve(d, "app/routes/callback.py", "..pkce"),
            Some(("app/pkce.py".into(), m(&[])))
        );
        // `from .. import oauth` where `oauth` is defined in the package's `__init__.py`.
        assert_eq!(
            resolve(d, "app/routes/callback.py", "..oauth"),
            Some(("app/__init__.py".into(), m(&["oauth"])))
        );
    }

    #[test]
    fn python_absolute_imports_with_and_without_init_files() {
        let dir = tree(&[
            ("src/server/__init__.py", ""),
            ("src/server/main.py", ""),
            ("src/server/auth/tokens.py", ""),
            ("scripts/run.py", ""),
        ]);
        let d = dir.path();
        // `auth` has no `__init__.py` (a namespace package); `src/` is found above the importer.
        assert_eq!(
            resolve(d, "src/server/main.py", "server.auth.tokens.make"),
            Some(("src/server/auth/tokens.py".into(), m(&["make"])))
        );
        assert_eq!(resolve(d, "scripts/run.py", "server.main.x"), None);
        assert_eq!(resolve(d, "src/server/main.py", "os.path.join"), None);
    }

    #[test]
    fn import_cycles_resolve_each_way() {
        let dir = tree(&[("a.ts", ""), ("b.ts", "")]);
        let d = dir.path();
        assert_eq!(resolve(d, "a.ts", "./b.x").unwrap().0, "b.ts");
        assert_eq!(resolve(d, "b.ts", "./a.y").unwrap().0, "a.ts");
    }
}
