//! Per-file results and the merged report: suppressions, thresholds, sorting, counts and the exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::facts::{Span, Suppression};
use crate::finding::{Confidence, Diagnostic, Severity};
use crate::paths::{self, Base};
use crate::rules;
use crate::source::{LineIndex, SkipReason};

/// A 1-based position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A located range in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub span: Span,
    pub start: Position,
    pub end: Position,
}

impl Location {
    fn new(index: &LineIndex, text: &str, span: Span) -> Self {
        let (line, column) = index.position(text, span.start);
        let (end_line, end_column) = index.position(text, span.end);
        Location {
            span,
            start: Position { line, column },
            end: Position {
                line: end_line,
                column: end_column,
            },
        }
    }
}

/// A finding with everything needed to show it.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: String,
    pub help: String,
    /// Relative to the report's base (see `paths::Base`).
    pub path: PathBuf,
    pub location: Location,
    pub related: Vec<(Location, String)>,
    /// Stable across edits elsewhere in the file: a hash of the rule, path, the trimmed text of the finding's line
    /// and how many identical (rule, line text) findings precede it in the file.
    pub fingerprint: String,
}

/// What happened to one candidate file.
#[derive(Clone, Debug)]
pub enum Outcome {
    Scanned {
        findings: Vec<Finding>,
        suppressed: usize,
        /// Whether the file was parsed (false when the prefilter showed it cannot match).
        parsed: bool,
    },
    Skipped(SkipReason),
    Error(String),
}

#[derive(Clone, Debug)]
pub struct FileResult {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// The text, kept only for files with findings (the human renderer shows their lines).
    pub source: Option<Arc<str>>,
    /// Problems with the file's suppression comments (unknown rule ids).
    pub warnings: Vec<String>,
}

/// Turns a rule's diagnostics on one file into findings: locate, suppress, fingerprint.
pub fn locate(
    path: &Path,
    text: &str,
    diagnostics: Vec<(&'static str, Diagnostic)>,
    suppressions: &[Suppression],
) -> (Vec<Finding>, usize, Vec<String>) {
    let index = LineIndex::new(text);
    let shown = paths::terminal(path);
    let mut warnings = Vec::new();
    // Lines each suppression applies to, with the rule ids it names (empty: all rules).
    let mut suppressed_lines: Vec<(usize, &[String])> = Vec::new();
    for s in suppressions {
        let (line, _) = index.position(text, s.span.start);
        for id in &s.rules {
            if !rules::is_known(id) {
                warnings.push(format!(
                    "{shown}:{line}: unknown rule id `{id}` in a skillaudit-ignore comment (run `skillaudit rules` for the list)"
                ));
            }
        }
        suppressed_lines.push((if s.trailing { line } else { line + 1 }, &s.rules));
    }
    let mut findings = Vec::new();
    let mut suppressed = 0;
    let mut seen: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for (rule_id, d) in diagnostics {
        let location = Location::new(&index, text, d.span);
        let line = location.start.line;
        if suppressed_lines
            .iter()
            .any(|(l, ids)| *l == line && (ids.is_empty() || ids.iter().any(|i| i == rule_id)))
        {
            suppressed += 1;
            continue;
        }
        let meta = rules::meta(rule_id).expect("registered rules have metadata");
        let line_text = index.line_text(text, line).trim().to_string();
        let nth = seen.entry((rule_id, line_text.clone())).or_insert(0);
        let mut hasher = Sha256::new();
        hasher.update(rule_id.as_bytes());
        hasher.update([0]);
        hasher.update(paths::display(path).as_bytes());
        hasher.update([0]);
        hasher.update(line_text.as_bytes());
        hasher.update([0]);
        hasher.update(nth.to_string().as_bytes());
        *nth += 1;
        let digest = hasher.finalize();
        let fingerprint = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        findings.push(Finding {
            rule_id,
            severity: meta.severity,
            confidence: meta.confidence,
            message: d.message,
            help: d.help,
            path: path.to_path_buf(),
            location,
            related: d
                .related
                .into_iter()
                .map(|(span, label)| (Location::new(&index, text, span), label))
                .collect(),
            fingerprint,
        });
    }
    (findings, suppressed, warnings)
}

/// Counts by outcome; they add up to the number of candidates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub files_scanned: usize,
    pub files_parsed: usize,
    pub files_skipped: usize,
    pub files_errored: usize,
    pub findings_high: usize,
    pub findings_medium: usize,
    pub findings_low: usize,
    pub suppressed: usize,
    /// Findings under `--min-severity`, not reported.
    pub below_threshold: usize,
}

impl Counts {
    pub fn findings(&self) -> usize {
        self.findings_high + self.findings_medium + self.findings_low
    }
}

#[derive(Clone, Debug)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Clone, Debug)]
pub struct Errored {
    pub path: PathBuf,
    pub message: String,
}

/// The whole result of a scan, in a deterministic order.
#[derive(Clone, Debug)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<Errored>,
    pub warnings: Vec<String>,
    pub counts: Counts,
    pub elapsed: Duration,
    /// Texts of the files with findings, by path.
    pub sources: BTreeMap<PathBuf, Arc<str>>,
    pub min_severity: Severity,
    /// What the paths are relative to.
    pub base: Base,
}

/// How a scan ends, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// At least one file scanned, no finding at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// No findings, but some files could not be read: the tree cannot be called clean.
    Incomplete,
    /// No file of a supported language after filtering.
    NothingScanned,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::Findings => 1,
            Verdict::Incomplete => 2,
            Verdict::NothingScanned => 3,
        }
    }
}

impl Report {
    /// Merges per-file results (in any order) and walk issues into a report.
    pub fn build(
        mut files: Vec<FileResult>,
        walk_skipped: Vec<Skipped>,
        walk_errors: Vec<Errored>,
        min_severity: Severity,
        elapsed: Duration,
    ) -> Report {
        // Stable: of a file reached twice (named twice, or named and inside a scanned directory), the first
        // result given is the one kept.
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        let mut counts = Counts::default();
        let mut findings = Vec::new();
        let mut skipped = walk_skipped;
        let mut errors = walk_errors;
        let mut warnings = Vec::new();
        let mut sources = BTreeMap::new();
        for file in files {
            warnings.extend(file.warnings);
            match file.outcome {
                Outcome::Scanned {
                    findings: found,
                    suppressed,
                    parsed,
                } => {
                    counts.files_scanned += 1;
                    counts.files_parsed += parsed as usize;
                    counts.suppressed += suppressed;
                    let mut kept = false;
                    for f in found {
                        if f.severity < min_severity {
                            counts.below_threshold += 1;
                            continue;
                        }
                        match f.severity {
                            Severity::High => counts.findings_high += 1,
                            Severity::Medium => counts.findings_medium += 1,
                            Severity::Low => counts.findings_low += 1,
                        }
                        kept = true;
                        findings.push(f);
                    }
                    if kept {
                        if let Some(src) = file.source {
                            sources.insert(file.path.clone(), src);
                        }
                    }
                }
                Outcome::Skipped(reason) => skipped.push(Skipped {
                    path: file.path,
                    reason,
                }),
                Outcome::Error(message) => errors.push(Errored {
                    path: file.path,
                    message,
                }),
            }
        }
        // By file and line; on one line the most severe first.
        findings.sort_by(|a, b| {
            (
                &a.path,
                a.location.start.line,
                std::cmp::Reverse(a.severity),
                a.location.start.column,
                a.rule_id,
                &a.message,
            )
                .cmp(&(
                    &b.path,
                    b.location.start.line,
                    std::cmp::Reverse(b.severity),
                    b.location.start.column,
                    b.rule_id,
                    &b.message,
                ))
        });
        skipped.sort_by(|a, b| (&a.path, a.reason.code()).cmp(&(&b.path, b.reason.code())));
        errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        counts.files_skipped = skipped.len();
        counts.files_errored = errors.len();
        Report {
            findings,
            skipped,
            errors,
            warnings,
            counts,
            elapsed,
            sources,
            min_severity,
            base: Base::at(Path::new("")),
        }
    }

    /// Skipped files worth listing one by one: all but test code, which a repository has many of and which
    /// `skipped_tests` counts instead. (JSON and SARIF still list every skip.)
    pub fn listed_skips(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped
            .iter()
            .filter(|s| s.reason != SkipReason::TestCode)
    }

    /// How many test files were skipped (see `discover::is_test_path`).
    pub fn skipped_tests(&self) -> usize {
        self.skipped
            .iter()
            .filter(|s| s.reason == SkipReason::TestCode)
            .count()
    }

    pub fn verdict(&self) -> Verdict {
        if self.counts.findings() > 0 {
            Verdict::Findings
        } else if self.counts.files_errored > 0 {
            Verdict::Incomplete
        } else if self.counts.files_scanned == 0 {
            Verdict::NothingScanned
        } else {
            Verdict::Clean
        }
    }

    /// The one-line summary every format ends with on stderr.
    pub fn summary_line(&self) -> String {
        let c = &self.counts;
        let mut s = if c.findings() == 0 {
            "no findings".to_string()
        } else {
            format!(
                "{} finding{} ({} high, {} medium, {} low)",
                c.findings(),
                if c.findings() == 1 { "" } else { "s" },
                c.findings_high,
                c.findings_medium,
                c.findings_low
            )
        };
        s.push_str(&format!(
            "; {} file{} scanned, {} skipped, {} errored",
            c.files_scanned,
            if c.files_scanned == 1 { "" } else { "s" },
            c.files_skipped,
            c.files_errored
        ));
        if c.suppressed > 0 {
            s.push_str(&format!("; {} suppressed", c.suppressed));
        }
        if c.below_threshold > 0 {
            s.push_str(&format!(
                "; {} lower-severity finding{} hidden by --min-severity {}",
                c.below_threshold,
                if c.below_threshold == 1 { "" } else { "s" },
                self.min_severity
            ));
        }
        s.push_str(&format!(" in {:.2}s", self.elapsed.as_secs_f64()));
        s
    }
}
