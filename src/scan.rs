//! The scan pipeline: walk → (on the walker's threads, per file) read → prefilter → parse → extract → rules →
//! report.
//! Each file is read once, parsed once and walked once for all rules; its tree is dropped before the worker
//! takes the next file, so memory is bounded by the thread count and the largest file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::discover::{self, Candidate, DiscoverError, DiscoverOptions, WalkIssue};
use crate::facts::FileFacts;
use crate::finding::Diagnostic;
use crate::lang::Lang;
use crate::prefilter::Mentions;
use crate::report::{self, Errored, FileResult, Outcome, Report, Skipped, Thresholds};
use crate::source::{self, Loaded, SkipReason};
use crate::{analysis, prefilter, rules};

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub discover: DiscoverOptions,
    pub max_file_size: u64,
    pub prefilter: bool,
    pub thresholds: Thresholds,
    /// Scan test code too (see `discover::is_test_path`).
    pub include_tests: bool,
    /// The rules that run.
    pub rules: Vec<&'static str>,
    /// Rules not to run on some files.
    pub per_file_ignores: PerFileIgnores,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            discover: DiscoverOptions::default(),
            max_file_size: 2 * 1024 * 1024,
            prefilter: true,
            thresholds: Thresholds::default(),
            include_tests: false,
            rules: rules::REGISTRY.iter().map(|r| r.id()).collect(),
            per_file_ignores: PerFileIgnores::default(),
        }
    }
}

/// `per-file-ignores`: globs relative to a directory, each with the rules not to run on what it matches.
#[derive(Clone, Debug, Default)]
pub struct PerFileIgnores {
    root: PathBuf,
    entries: Vec<(globset::GlobMatcher, Vec<String>)>,
}

impl PerFileIgnores {
    /// Compiles the table; a glob without `/` matches the file name at any depth.
    pub fn new(root: &Path, table: &[(String, Vec<String>)]) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (glob, ids) in table {
            let pattern = if glob.contains('/') {
                glob.trim_start_matches("./").to_string()
            } else {
                format!("**/{glob}")
            };
            let matcher = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("per-file-ignores: {glob:?} is not a valid glob ({e})"))?
                .compile_matcher();
            entries.push((matcher, ids.clone()));
        }
        Ok(PerFileIgnores {
            root: root.to_path_buf(),
            entries,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `rule` is ignored for the file at `abs` (an absolute path).
    pub fn ignores(&self, abs: &Path, rule: &str) -> bool {
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        self.entries
            .iter()
            .any(|(m, ids)| ids.iter().any(|i| i == rule) && m.is_match(rel))
    }
}

/// Why a text could not be analysed.
#[derive(Debug)]
pub enum NotAnalysed {
    Skipped(SkipReason),
    Failed(String),
}

/// Extracts facts from a source text (parsing it with the thread's parser).
pub fn facts_of(lang: Lang, text: &str) -> Result<FileFacts, NotAnalysed> {
    facts_with(lang, text, prefilter::mentions(text))
}

fn facts_with(lang: Lang, text: &str, mentions: Mentions) -> Result<FileFacts, NotAnalysed> {
    let tree = crate::lang::parse(lang, text).map_err(|e| match e {
        crate::lang::ParseError::Refused(reason) => NotAnalysed::Skipped(reason),
        crate::lang::ParseError::GaveUp => NotAnalysed::Failed(
            "the parser gave up on this file; please report it with the file attached".into(),
        ),
    })?;
    let mut facts = analysis::extract(lang, &tree, text, mentions).map_err(NotAnalysed::Skipped)?;
    facts.family = if lang.is_js_family() {
        crate::facts::Family::JavaScript
    } else {
        crate::facts::Family::Python
    };
    Ok(facts)
}

/// Runs every rule over a file's facts, in registry order.
pub fn run_rules(facts: &FileFacts) -> Vec<(&'static str, Diagnostic)> {
    run_selected(facts, &|_| true)
}

/// Runs the rules that `enabled` accepts, in registry order.
pub fn run_selected(
    facts: &FileFacts,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<(&'static str, Diagnostic)> {
    let mut all = Vec::new();
    let mut out = Vec::new();
    for rule in rules::REGISTRY.iter().filter(|r| enabled(r.id())) {
        rule.check(facts, &mut out);
        all.extend(out.drain(..).map(|d| (rule.id(), d)));
    }
    all
}

/// Analyses one text: the diagnostics of every rule, the suppressions, and whether it was parsed.
pub type Analysis = (Vec<(&'static str, Diagnostic)>, FileFacts, bool);

pub fn analyze(lang: Lang, text: &str, use_prefilter: bool) -> Result<Analysis, NotAnalysed> {
    analyze_with(lang, text, use_prefilter, &|_| true)
}

/// [`analyze`] with only the rules `enabled` accepts.
pub fn analyze_with(
    lang: Lang,
    text: &str,
    use_prefilter: bool,
    enabled: &dyn Fn(&str) -> bool,
) -> Result<Analysis, NotAnalysed> {
    // Without the prefilter every file is parsed and indexed; the extractors still look only where their
    // words are (they define where `"plain"` and `verifier` mean PKCE at all). A file the prefilter rules
    // out is still parsed when it holds a suppression comment, so that an unused one is reported.
    let mentions = prefilter::mentions(text);
    if use_prefilter && !mentions.needs_parse() {
        return Ok((Vec::new(), FileFacts::default(), false));
    }
    let facts = facts_with(lang, text, mentions)?;
    Ok((run_selected(&facts, enabled), facts, true))
}

/// Scans one candidate file. Never panics on bad input: every outcome is a `FileResult`.
pub fn scan_file(candidate: &Candidate, opts: &ScanOptions) -> FileResult {
    let path = candidate.path.clone();
    let result = |outcome| FileResult {
        path: path.clone(),
        outcome,
        source: None,
        notices: Vec::new(),
    };
    if !opts.include_tests && candidate.test_code {
        return result(Outcome::Skipped(SkipReason::TestCode));
    }
    // Only files a per-file-ignores glob could match pay for the absolute path.
    let abs =
        (!opts.per_file_ignores.is_empty()).then(|| opts.discover.base.root.join(&candidate.path));
    let enabled = |id: &str| {
        opts.rules.contains(&id)
            && !abs
                .as_ref()
                .is_some_and(|abs| opts.per_file_ignores.ignores(abs, id))
    };
    let text = match source::load(&candidate.fs_path, opts.max_file_size) {
        Ok(Loaded::Text(text)) => text,
        Ok(Loaded::Skip(reason)) => return result(Outcome::Skipped(reason)),
        Err(e) => return result(Outcome::Error(format!("cannot read the file: {e}"))),
    };
    match analyze_with(candidate.lang, &text, opts.prefilter, &enabled) {
        Ok((diagnostics, facts, parsed)) => {
            let located = report::locate(&path, &text, diagnostics, &facts.suppressions, &enabled);
            let source = (!located.findings.is_empty()).then(|| Arc::<str>::from(text));
            FileResult {
                path,
                outcome: Outcome::Scanned {
                    findings: located.findings,
                    parsed,
                },
                source,
                notices: located.notices,
            }
        }
        Err(NotAnalysed::Skipped(reason)) => result(Outcome::Skipped(reason)),
        Err(NotAnalysed::Failed(message)) => result(Outcome::Error(message)),
    }
}

/// Scans the given roots. Files found in directories are scanned on the walker's threads while the walk goes
/// on; files named on the command line on a pool of the same size. Results are sorted by path afterwards, so
/// the output does not depend on scheduling.
pub fn scan(roots: &[PathBuf], opts: &ScanOptions) -> Result<Report, DiscoverError> {
    let start = Instant::now();
    let walked = Mutex::new(Vec::new());
    let found = discover::walk(roots, &opts.discover, &|c| {
        let result = scan_file(&c, opts);
        walked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(result);
    })?;
    let mut walk_skipped = Vec::new();
    let mut walk_errors = Vec::new();
    for issue in found.issues {
        match issue {
            WalkIssue::Skipped { display, reason } => walk_skipped.push(Skipped {
                path: display,
                reason: reason.0,
            }),
            WalkIssue::Error { display, message } => walk_errors.push(Errored {
                path: display,
                message,
            }),
        }
    }
    let work = || {
        found
            .candidates
            .par_iter()
            .map(|c| scan_file(c, opts))
            .collect::<Vec<_>>()
    };
    let mut results = match rayon::ThreadPoolBuilder::new()
        .num_threads(opts.discover.threads)
        .thread_name(|i| format!("skillaudit-{i}"))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    // Explicit files first: `Report::build` keeps the first result of a file reached twice, and an explicit
    // file is scanned even when it is test code.
    results.extend(walked.into_inner().unwrap_or_else(|e| e.into_inner()));
    let mut report = Report::build(
        results,
        walk_skipped,
        walk_errors,
        opts.thresholds,
        start.elapsed(),
    );
    report.base = opts.discover.base.clone();
    report.rules_run = opts.rules.clone();
    Ok(report)
}
