//! Per-file results and the merged report: suppressions, thresholds, baselines, sorting, counts and the exit
//! code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::facts::Span;
use crate::finding::{Confidence, Severity};
use crate::paths::Base;
use crate::source::{LineIndex, SkipReason};

mod build;
mod locate;

pub use build::Tally;
pub use locate::{locate, Located};

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
    /// The location of a place in another file, positioned where it was found.
    pub fn elsewhere(at: &crate::summary::Foreign) -> Self {
        Location {
            span: at.span,
            start: Position {
                line: at.line,
                column: at.column,
            },
            end: Position {
                line: at.end_line,
                column: at.end_column,
            },
        }
    }

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

/// Another place that explains a finding: in the finding's file (`path` is `None`) or in another file of
/// the project.
#[derive(Clone, Debug)]
pub struct Related {
    pub path: Option<PathBuf>,
    pub location: Location,
    pub label: String,
}

impl Related {
    /// The file it is in, given the finding's.
    pub fn path<'a>(&'a self, finding: &'a Path) -> &'a Path {
        self.path.as_deref().unwrap_or(finding)
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
    pub related: Vec<Related>,
    /// Stable across edits elsewhere in the file: a hash of the rule, path, the trimmed text of the finding's line
    /// and how many identical (rule, line text) findings precede it in the file.
    pub fingerprint: String,
    /// Set when a comment or the baseline suppresses it: it stays in the reports, marked.
    pub suppressed: Option<Suppressed>,
}

/// Why a finding is not counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub kind: SuppressionKind,
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A `skillaudit-ignore` comment (SARIF `inSource`).
    InSource,
    /// An entry of the baseline file (SARIF `external`).
    Baseline,
}

impl SuppressionKind {
    pub fn sarif(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::Baseline => "external",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "in-source",
            SuppressionKind::Baseline => "baseline",
        }
    }
}

/// Something wrong with a suppression comment, reported beside the findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub path: PathBuf,
    pub line: usize,
    pub kind: NoticeKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeKind {
    /// A bare `skillaudit-ignore`: suppresses nothing.
    BareSuppression,
    UnknownRule,
    NoReason,
    UnusedSuppression,
}

impl NoticeKind {
    /// A stable code for JSON and SARIF.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::BareSuppression => "bare-suppression",
            NoticeKind::UnknownRule => "unknown-rule-id",
            NoticeKind::NoReason => "suppression-without-reason",
            NoticeKind::UnusedSuppression => "unused-suppression",
        }
    }

    /// `error` for a comment that does not do what its author meant, else `warning`.
    pub fn level(self) -> &'static str {
        match self {
            NoticeKind::BareSuppression | NoticeKind::UnknownRule => "error",
            NoticeKind::NoReason | NoticeKind::UnusedSuppression => "warning",
        }
    }
}

/// What is reported and fails the run.
#[derive(Clone, Copy, Debug)]
pub struct Thresholds {
    pub min_severity: Severity,
    pub min_confidence: Confidence,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_severity: Severity::Low,
            min_confidence: Confidence::Low,
        }
    }
}

/// What happened to one candidate file.
#[derive(Clone, Debug)]
pub enum Outcome {
    Scanned {
        /// Every finding, suppressed ones marked.
        findings: Vec<Finding>,
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
    /// Problems with the file's suppression comments.
    pub notices: Vec<Notice>,
}

/// The report's order: by file and line; on one line the most severe first.
/// Skips in path order, then by kind: `files` is in that order already (one per path), `walk` is sorted
/// and merged in.
fn merge_skips(files: Vec<Skipped>, mut walk: Vec<Skipped>) -> Vec<Skipped> {
    let cmp = |a: &Skipped, b: &Skipped| {
        crate::paths::compare(&a.path, &b.path).then_with(|| a.reason.code().cmp(b.reason.code()))
    };
    walk.sort_by(cmp);
    merge(files, walk, |a, b| cmp(a, b).is_le())
}

/// Merges two sorted lists; `take_first(a, b)`: whether `a` (from `first`) goes before `b`.
fn merge<T>(first: Vec<T>, second: Vec<T>, take_first: impl Fn(&T, &T) -> bool) -> Vec<T> {
    if second.is_empty() {
        return first;
    }
    let mut out = Vec::with_capacity(first.len() + second.len());
    let (mut first, mut second) = (first.into_iter().peekable(), second.into_iter().peekable());
    while let (Some(a), Some(b)) = (first.peek(), second.peek()) {
        let next = if take_first(a, b) {
            first.next()
        } else {
            second.next()
        };
        out.extend(next);
    }
    out.extend(first);
    out.extend(second);
    out
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
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
    /// Findings suppressed by comments.
    pub suppressed: usize,
    /// Findings in the baseline.
    pub baselined: usize,
    /// Baseline entries that match no finding any more.
    pub stale_baseline: usize,
    /// Findings under `--min-severity` or `--min-confidence`, not reported.
    pub below_threshold: usize,
    /// Suppression comments that suppress nothing (`unused-suppression` notices).
    pub unused_suppressions: usize,
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
    /// The findings that count: not suppressed, at or above the thresholds.
    pub findings: Vec<Finding>,
    /// Findings suppressed by a comment or the baseline, at or above the thresholds.
    pub suppressed: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<Errored>,
    /// Problems with suppression comments, sorted by path and line.
    pub notices: Vec<Notice>,
    pub counts: Counts,
    pub elapsed: Duration,
    /// Texts of the files with findings, by path.
    pub sources: BTreeMap<PathBuf, Arc<str>>,
    pub thresholds: Thresholds,
    /// What the paths are relative to.
    pub base: Base,
    /// The files that were scanned (a baseline entry of another file is not stale).
    pub scanned: Vec<PathBuf>,
    /// The rules that ran.
    pub rules_run: Vec<&'static str>,
    /// What the project phase did.
    pub linked: crate::project::Linked,
    /// The threads the scan used (rendering may use as many).
    pub threads: usize,
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
    /// Merges per-file results and walk issues into a report. `files` are in path order
    /// ([`crate::paths::sort_key`]), a file reached twice with the result to keep first.
    pub fn build(
        files: impl IntoIterator<Item = FileResult>,
        walk_skipped: Vec<Skipped>,
        walk_errors: Vec<Errored>,
        thresholds: Thresholds,
        elapsed: Duration,
    ) -> Report {
        Tally::of_sorted(files, thresholds)
            .with_walk(walk_skipped, walk_errors)
            .into_report(elapsed)
    }

    pub fn sort_suppressed(&mut self) {
        self.suppressed.sort_by(order);
    }

    /// Recounts the findings by severity (after a change to which are suppressed).
    pub fn count_findings(&mut self) {
        let c = &mut self.counts;
        (c.findings_high, c.findings_medium, c.findings_low) = (0, 0, 0);
        for f in &self.findings {
            match f.severity {
                Severity::High => c.findings_high += 1,
                Severity::Medium => c.findings_medium += 1,
                Severity::Low => c.findings_low += 1,
            }
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
        if c.baselined > 0 {
            s.push_str(&format!("; {} in the baseline", c.baselined));
        }
        if c.stale_baseline > 0 {
            s.push_str(&format!(
                "; {} baseline entr{} no longer match (--prune-baseline drops them)",
                c.stale_baseline,
                if c.stale_baseline == 1 { "y" } else { "ies" }
            ));
        }
        if c.below_threshold > 0 {
            let t = &self.thresholds;
            let below = match (t.min_severity, t.min_confidence) {
                (s, Confidence::Low) => format!("--min-severity {s}"),
                (Severity::Low, c) => format!("--min-confidence {}", c.as_str()),
                (s, c) => format!("--min-severity {s} or --min-confidence {}", c.as_str()),
            };
            s.push_str(&format!(
                "; {} finding{} not shown (below {below})",
                c.below_threshold,
                if c.below_threshold == 1 { "" } else { "s" },
            ));
        }
        s.push_str(&format!(" in {:.2}s", self.elapsed.as_secs_f64()));
        s
    }
}
