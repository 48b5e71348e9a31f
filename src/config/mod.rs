//! The settings of a scan: defaults, then the configuration file (`skillaudit.toml` or `[tool.skillaudit]`
//! in `pyproject.toml`), then the command line, each setting remembering where it came from.

use std::path::{Path, PathBuf};

use crate::cli::ScanArgs;
use crate::finding::{Confidence, Severity};
use crate::paths::{self, Base};
use crate::rules;

mod file;
pub mod keys;

pub use file::{ConfigError, ConfigFile};

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File { path: PathBuf, line: usize },
    Flag(&'static str),
}

impl Source {
    /// How `skillaudit config` names it: file paths relative to the working directory.
    fn describe(&self, cwd: &Path) -> String {
        match self {
            Source::Default => "default".into(),
            Source::File { path, line } => {
                let shown = path.strip_prefix(cwd).unwrap_or(path);
                format!("{}:{line}", paths::terminal(shown))
            }
            Source::Flag(flag) => (*flag).into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting {
            value,
            source: Source::Default,
        }
    }
}

/// Globs and the directory they are relative to.
#[derive(Clone, Debug, Default)]
pub struct Globs {
    pub root: PathBuf,
    pub globs: Vec<String>,
}

/// `per-file-ignores`: glob → rule ids.
pub type IgnoreTable = Vec<(String, Vec<String>)>;

/// Every setting in force for one run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    pub exclude: Setting<Globs>,
    pub include_tests: Setting<bool>,
    pub min_severity: Setting<Severity>,
    pub min_confidence: Setting<Confidence>,
    /// `None`: every rule.
    pub select: Setting<Option<Vec<String>>>,
    pub ignore: Setting<Vec<String>>,
    /// Glob → rule ids, relative to the directory in the pair.
    pub per_file_ignores: Setting<(PathBuf, IgnoreTable)>,
    pub max_file_size: Setting<u64>,
    pub baseline: Setting<Option<PathBuf>>,
}

/// A problem with the settings: a bad file (located), or a bad flag value.
#[derive(Debug)]
pub enum SettingsError {
    File(ConfigError),
    Flag(String),
}

impl SettingsError {
    pub fn render(&self) -> String {
        match self {
            SettingsError::File(e) => e.render(),
            SettingsError::Flag(m) => format!("error: {m}\n"),
        }
    }
}

impl From<ConfigError> for SettingsError {
    fn from(e: ConfigError) -> Self {
        SettingsError::File(e)
    }
}

/// Rule ids given on the command line (comma lists split), each checked.
fn flag_rules(flag: &str, ids: &[String]) -> Result<Vec<String>, SettingsError> {
    let mut out = Vec::new();
    for id in ids.iter().flat_map(|s| s.split(',')).map(str::trim) {
        if id.is_empty() {
            continue;
        }
        if !rules::is_known(id) {
            let known: Vec<&str> = rules::REGISTRY.iter().map(|r| r.id()).collect();
            return Err(SettingsError::Flag(format!(
                "{flag} {id}: unknown rule id; the rules are: {}",
                known.join(", ")
            )));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

impl Settings {
    /// Defaults, then the configuration file (unless `--no-config`), then the flags.
    pub fn resolve(
        args: &ScanArgs,
        roots: &[PathBuf],
        base: &Base,
    ) -> Result<Settings, SettingsError> {
        let file = if args.no_config {
            None
        } else if let Some(path) = &args.config {
            Some(file::read(path)?.ok_or_else(|| {
                SettingsError::Flag(format!(
                    "--config {}: pyproject.toml has no [tool.skillaudit] table",
                    paths::terminal(path)
                ))
            })?)
        } else {
            let first = roots
                .first()
                .map(|r| paths::absolute(r, &base.cwd))
                .unwrap_or_else(|| base.cwd.clone());
            file::discover(&first, &base.root)?
        };
        let mut s = Settings {
            file: file.as_ref().map(|f| f.path.clone()),
            exclude: Setting::default(Globs::default()),
            include_tests: Setting::default(false),
            min_severity: Setting::default(Severity::Low),
            min_confidence: Setting::default(Confidence::Low),
            select: Setting::default(None),
            ignore: Setting::default(Vec::new()),
            per_file_ignores: Setting::default((PathBuf::new(), Vec::new())),
            max_file_size: Setting::default(2 * 1024 * 1024),
            baseline: Setting::default(None),
        };
        if let Some(f) = &file {
            s.apply_file(f, &base.cwd)?;
        }
        s.apply_flags(args, base)?;
        Ok(s)
    }

    fn apply_file(&mut self, f: &ConfigFile, cwd: &Path) -> Result<(), SettingsError> {
        let dir = paths::absolute(f.path.parent().unwrap_or(Path::new("")), cwd);
        let src = |span: std::ops::Range<usize>| Source::File {
            path: f.path.clone(),
            line: f.line_of(span.start),
        };
        let raw = &f.raw;
        if let Some(v) = &raw.exclude {
            self.exclude = Setting {
                value: Globs {
                    root: dir.clone(),
                    globs: v.get_ref().clone(),
                },
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.include_tests {
            self.include_tests = Setting {
                value: *v.get_ref(),
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.min_severity {
            let value = v.get_ref().parse().map_err(|e: String| {
                file::value_error(f, v.span(), e, "use \"low\", \"medium\" or \"high\"")
            })?;
            self.min_severity = Setting {
                value,
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.min_confidence {
            let value = v.get_ref().parse().map_err(|e: String| {
                file::value_error(f, v.span(), e, "use \"low\", \"medium\" or \"high\"")
            })?;
            self.min_confidence = Setting {
                value,
                source: src(v.span()),
            };
        }
        let ids = |list: &toml::Spanned<Vec<toml::Spanned<String>>>| -> Vec<String> {
            list.get_ref().iter().map(|s| s.get_ref().clone()).collect()
        };
        if let Some(v) = &raw.select {
            self.select = Setting {
                value: Some(ids(v)),
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.ignore {
            self.ignore = Setting {
                value: ids(v),
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.per_file_ignores {
            let table: IgnoreTable = v
                .get_ref()
                .iter()
                .map(|(glob, list)| (glob.clone(), ids(list)))
                .collect();
            self.per_file_ignores = Setting {
                value: (dir.clone(), table),
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.max_file_size {
            let parsed = match v.get_ref() {
                file::Size::Bytes(n) => crate::cli::parse_size(&n.to_string()),
                file::Size::Text(t) => crate::cli::parse_size(t),
            };
            let value = parsed.map_err(|e| {
                file::value_error(
                    f,
                    v.span(),
                    e,
                    "use a number of bytes or a size like \"4MiB\"",
                )
            })?;
            self.max_file_size = Setting {
                value,
                source: src(v.span()),
            };
        }
        if let Some(v) = &raw.baseline {
            self.baseline = Setting {
                value: Some(dir.join(v.get_ref())),
                source: src(v.span()),
            };
        }
        Ok(())
    }

    fn apply_flags(&mut self, args: &ScanArgs, base: &Base) -> Result<(), SettingsError> {
        if !args.exclude.is_empty() {
            self.exclude = Setting {
                value: Globs {
                    root: base.cwd.clone(),
                    globs: args.exclude.clone(),
                },
                source: Source::Flag("--exclude"),
            };
        }
        if args.include_tests {
            self.include_tests = Setting {
                value: true,
                source: Source::Flag("--include-tests"),
            };
        }
        if let Some(v) = args.min_severity {
            self.min_severity = Setting {
                value: v,
                source: Source::Flag("--min-severity"),
            };
        }
        if let Some(v) = args.min_confidence {
            self.min_confidence = Setting {
                value: v,
                source: Source::Flag("--min-confidence"),
            };
        }
        if !args.select.is_empty() {
            self.select = Setting {
                value: Some(flag_rules("--select", &args.select)?),
                source: Source::Flag("--select"),
            };
        }
        if !args.ignore.is_empty() {
            self.ignore = Setting {
                value: flag_rules("--ignore", &args.ignore)?,
                source: Source::Flag("--ignore"),
            };
        }
        if let Some(v) = args.max_file_size {
            self.max_file_size = Setting {
                value: v,
                source: Source::Flag("--max-file-size"),
            };
        }
        if let Some(v) = &args.baseline {
            self.baseline = Setting {
                value: Some(v.clone()),
                source: Source::Flag("--baseline"),
            };
        }
        Ok(())
    }

    /// The rules that run (registry order).
    pub fn rules(&self) -> Vec<&'static str> {
        rules::REGISTRY
            .iter()
            .map(|r| r.id())
            .filter(|id| {
                self.select
                    .value
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|x| x == id))
                    && !self.ignore.value.iter().any(|x| x == id)
            })
            .collect()
    }

    /// `skillaudit config`: every setting, its value and where it came from.
    pub fn describe(&self, cwd: &Path) -> String {
        let list = |v: &[String]| {
            let quoted: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut rows: Vec<(&str, String, &Source)> = vec![
            (
                "exclude",
                list(&self.exclude.value.globs),
                &self.exclude.source,
            ),
            (
                "include-tests",
                self.include_tests.value.to_string(),
                &self.include_tests.source,
            ),
            (
                "min-severity",
                format!("{:?}", self.min_severity.value.as_str()),
                &self.min_severity.source,
            ),
            (
                "min-confidence",
                format!("{:?}", self.min_confidence.value.as_str()),
                &self.min_confidence.source,
            ),
            (
                "select",
                match &self.select.value {
                    Some(v) => list(v),
                    None => "every rule".into(),
                },
                &self.select.source,
            ),
            ("ignore", list(&self.ignore.value), &self.ignore.source),
        ];
        let pfi: Vec<String> = self
            .per_file_ignores
            .value
            .1
            .iter()
            .map(|(g, ids)| format!("{g:?} = {}", list(ids)))
            .collect();
        rows.push((
            "per-file-ignores",
            format!("{{{}}}", pfi.join(", ")),
            &self.per_file_ignores.source,
        ));
        rows.push((
            "max-file-size",
            self.max_file_size.value.to_string(),
            &self.max_file_size.source,
        ));
        let shown = |p: &Path| {
            let abs = paths::absolute(p, cwd);
            paths::display(abs.strip_prefix(cwd).unwrap_or(&abs))
        };
        rows.push((
            "baseline",
            match &self.baseline.value {
                Some(p) => format!("{:?}", shown(p)),
                None => "none".into(),
            },
            &self.baseline.source,
        ));
        let mut out = match &self.file {
            Some(p) => format!(
                "configuration file: {}\n\n",
                paths::escape_controls(&shown(p))
            ),
            None => "configuration file: none (defaults and flags only)\n\n".into(),
        };
        for (key, value, source) in rows {
            out.push_str(&format!(
                "{key:<17} = {value:<32} # {}\n",
                source.describe(cwd)
            ));
        }
        out.push_str(&format!("\nrules that run: {}\n", self.rules().join(", ")));
        out
    }
}
