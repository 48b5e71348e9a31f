//! Reading a configuration file: `skillaudit.toml`, or the `[tool.skillaudit]` table of `pyproject.toml`.
//! Unknown keys, wrong types and unknown rule ids are errors that name the file, line and column, show the
//! line, and say what is allowed.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::paths;
use crate::rules;

use super::keys::KEYS;

/// A list of rule ids, each with its place in the file.
pub type RuleList = Spanned<Vec<Spanned<String>>>;

/// The keys of a configuration file, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub exclude: Option<Spanned<Vec<String>>>,
    pub include_tests: Option<Spanned<bool>>,
    pub min_severity: Option<Spanned<String>>,
    pub min_confidence: Option<Spanned<String>>,
    pub select: Option<RuleList>,
    pub ignore: Option<RuleList>,
    pub per_file_ignores: Option<Spanned<BTreeMap<String, RuleList>>>,
    pub max_file_size: Option<Spanned<Size>>,
    pub baseline: Option<Spanned<String>>,
}

/// `max-file-size`: a number of bytes or a string with a unit.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Size {
    Bytes(u64),
    Text(String),
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyTools>,
}

#[derive(Deserialize)]
struct PyTools {
    skillaudit: Option<RawConfig>,
}

/// A configuration file that was read.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
    pub raw: RawConfig,
}

impl ConfigFile {
    /// The 1-based line of a byte offset, for "where each setting came from".
    pub fn line_of(&self, offset: usize) -> usize {
        1 + self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
    }
}

/// A problem with a configuration file, located.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: String,
}

impl ConfigError {
    /// The error as a person reads it: `error: file:line:col: message`, then the line with the place
    /// labelled and what is allowed (rendered by miette).
    pub fn render(&self) -> String {
        let (line, col) = match &self.span {
            Some(span) => {
                let before = &self.text[..span.start.min(self.text.len())];
                let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
                let col = 1 + before.rsplit('\n').next().unwrap_or("").chars().count();
                (line, col)
            }
            None => (1, 1),
        };
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = paths::absolute(&self.path, &cwd);
        let name = paths::terminal(shown.strip_prefix(&cwd).unwrap_or(&shown));
        let mut out = format!("error: {name}:{line}:{col}: {}\n", self.message);
        let mut diagnostic =
            miette::MietteDiagnostic::new(self.message.clone()).with_help(self.help.clone());
        if let Some(span) = &self.span {
            diagnostic = diagnostic.with_label(miette::LabeledSpan::at(span.clone(), "here"));
        }
        let report = miette::Report::new(diagnostic)
            .with_source_code(miette::NamedSource::new(name, self.text.clone()));
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(crate::render::human::WIDTH)
                .with_break_words(false)
                .with_word_separator(textwrap::WordSeparator::AsciiSpace);
        let mut snippet = String::new();
        if handler.render_report(&mut snippet, report.as_ref()).is_ok() {
            out.push_str(&snippet);
        } else {
            out.push_str(&format!("  help: {}\n", self.help));
        }
        out
    }
}

fn allowed_keys() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

/// Reads and checks a configuration file. `pyproject.toml` files without a `[tool.skillaudit]` table give
/// `Ok(None)`.
pub fn read(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: String::new(),
        span: None,
        message: format!("cannot read the configuration file: {e}"),
        help: "check the path given to --config, or pass --no-config".into(),
    })?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let toml_error = |e: toml::de::Error, text: &str| ConfigError {
        path: path.to_path_buf(),
        text: text.to_string(),
        span: e.span(),
        message: e.message().trim().to_string(),
        help: format!(
            "the keys are: {}; the README's configuration reference says what each takes",
            allowed_keys()
        ),
    };
    let raw = if is_pyproject {
        let doc: PyProject = toml::from_str(&text).map_err(|e| toml_error(e, &text))?;
        match doc.tool.and_then(|t| t.skillaudit) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str(&text).map_err(|e| toml_error(e, &text))?
    };
    let file = ConfigFile {
        path: path.to_path_buf(),
        text,
        raw,
    };
    check_rule_ids(&file)?;
    Ok(Some(file))
}

/// Every rule id named in the file must be a rule.
fn check_rule_ids(file: &ConfigFile) -> Result<(), ConfigError> {
    let raw = &file.raw;
    let mut ids: Vec<&Spanned<String>> = Vec::new();
    for list in [&raw.select, &raw.ignore].into_iter().flatten() {
        ids.extend(list.get_ref());
    }
    if let Some(table) = &raw.per_file_ignores {
        for list in table.get_ref().values() {
            ids.extend(list.get_ref());
        }
    }
    for id in ids {
        if !rules::is_known(id.get_ref()) {
            return Err(ConfigError {
                path: file.path.clone(),
                text: file.text.clone(),
                span: Some(id.span()),
                message: format!("unknown rule id `{}`", id.get_ref()),
                help: format!(
                    "the rules are: {}",
                    rules::REGISTRY
                        .iter()
                        .map(|r| r.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// An error about one value of a file (a bad severity, a bad size).
pub fn value_error(
    file: &ConfigFile,
    span: Range<usize>,
    message: String,
    help: &str,
) -> ConfigError {
    ConfigError {
        path: file.path.clone(),
        text: file.text.clone(),
        span: Some(span),
        message,
        help: help.to_string(),
    }
}

/// The configuration file for a scan: the first `skillaudit.toml`, or `pyproject.toml` with a
/// `[tool.skillaudit]` table, in the directory of the first scanned path or a parent of it, up to `stop`
/// (the repository root, or the working directory outside a repository).
pub fn discover(start: &Path, stop: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let start = if start.is_dir() {
        start
    } else {
        match start.parent() {
            Some(p) => p,
            None => return Ok(None),
        }
    };
    for dir in start.ancestors() {
        let own = dir.join("skillaudit.toml");
        if own.is_file() {
            return read(&own);
        }
        let py = dir.join("pyproject.toml");
        if py.is_file() {
            if let Some(found) = read(&py)? {
                return Ok(Some(found));
            }
        }
        if dir == stop || !dir.starts_with(stop) {
            break;
        }
    }
    Ok(None)
}
