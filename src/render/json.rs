//! The JSON format, version 1. These structs are the public, documented output (docs/json-output.md); they
//! are separate from the internal types so that internal changes do not change the output by accident.

use std::borrow::Cow;

use serde::Serialize;

use crate::paths;
use crate::report::Report;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Output<'a> {
    pub version: u32,
    pub tool: Tool,
    pub findings: Vec<Finding<'a>>,
    /// Findings suppressed by a comment or the baseline (same fields, `suppressed` set).
    pub suppressed: Vec<Finding<'a>>,
    pub skipped: Vec<FileIssue<'a>>,
    pub errors: Vec<FileIssue<'a>>,
    /// Problems with suppression comments.
    pub notices: Vec<NoticeOut<'a>>,
    pub summary: Summary,
}

#[derive(Serialize)]
pub struct SuppressedOut<'a> {
    /// `in-source` (a comment) or `baseline`.
    pub kind: &'static str,
    pub reason: Option<&'a str>,
}

#[derive(Serialize)]
pub struct NoticeOut<'a> {
    /// `error` or `warning`.
    pub level: &'static str,
    /// `bare-suppression`, `unknown-rule-id`, `suppression-without-reason`, `unused-suppression`.
    pub kind: &'static str,
    pub path: String,
    pub line: usize,
    pub message: &'a str,
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Finding<'a> {
    pub rule_id: &'a str,
    pub severity: &'static str,
    pub confidence: &'static str,
    pub message: &'a str,
    pub help: &'a str,
    /// Relative to the repository root (or the working directory outside a repository); see docs.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub related: Vec<Related<'a>>,
    pub fingerprint: &'a str,
    /// Only on entries of `suppressed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<SuppressedOut<'a>>,
}

#[derive(Serialize)]
pub struct Related<'a> {
    pub message: &'a str,
    /// The file it is in: the finding's, or another file of the project.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Serialize)]
pub struct FileIssue<'a> {
    pub path: Cow<'a, str>,
    /// A stable code (`too-large`, `not-utf8`, …; `io` for errors).
    pub kind: &'static str,
    pub reason: Reason<'a>,
}

/// Why a file was skipped or errored, written straight into the output: a default scan skips tens of
/// thousands of test files, and a `String` made for each was a quarter of the JSON rendering.
pub enum Reason<'a> {
    Skip(&'a crate::source::SkipReason),
    Text(&'a str),
}

impl Serialize for Reason<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Reason::Skip(reason) => s.collect_str(reason),
            Reason::Text(text) => s.serialize_str(text),
        }
    }
}

#[derive(Serialize)]
pub struct Summary {
    pub findings: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub suppressed: usize,
    pub baselined: usize,
    pub stale_baseline: usize,
    pub unused_suppressions: usize,
    pub below_threshold: usize,
    pub files_scanned: usize,
    pub files_parsed: usize,
    pub files_skipped: usize,
    pub files_errored: usize,
    pub min_severity: &'static str,
    pub min_confidence: &'static str,
    pub exit_code: u8,
    /// What the project phase did.
    pub project: crate::project::Linked,
}

fn finding(f: &crate::report::Finding) -> Finding<'_> {
    Finding {
        rule_id: f.rule_id,
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        message: &f.message,
        help: &f.help,
        path: paths::display(&f.path),
        line: f.location.start.line,
        column: f.location.start.column,
        end_line: f.location.end.line,
        end_column: f.location.end.column,
        related: f
            .related
            .iter()
            .map(|r| Related {
                message: &r.label,
                path: paths::display(r.path(&f.path)),
                line: r.location.start.line,
                column: r.location.start.column,
                end_line: r.location.end.line,
                end_column: r.location.end.column,
            })
            .collect(),
        fingerprint: &f.fingerprint,
        suppressed: f.suppressed.as_ref().map(|s| SuppressedOut {
            kind: s.kind.code(),
            reason: s.reason.as_deref(),
        }),
    }
}

/// The JSON report.
pub fn render(report: &Report) -> String {
    render_parts(report).concat()
}

/// The JSON report in pieces to be written one after another. A default scan lists tens of thousands of
/// skipped test files, most of the text: they are rendered in chunks on the scan's threads and go where
/// the report rendered without them has its empty list, and writing the pieces in turn saves copying
/// them into one string of several megabytes.
pub fn render_parts(report: &Report) -> Vec<String> {
    let serial = || vec![whole(output(report, skipped(&report.skipped)))];
    if report.skipped.len() < 2 * CHUNK || report.threads < 2 {
        return serial();
    }
    let text = whole(output(report, Vec::new()));
    // A top-level key, so at the start of a line with one level of indentation.
    const EMPTY: &str = "\n  \"skipped\": [],\n";
    let Some(at) = text.find(EMPTY) else {
        return serial();
    };
    let last = report.skipped.len().div_ceil(CHUNK) - 1;
    let work = || -> Vec<String> {
        use rayon::prelude::*;
        report
            .skipped
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, c)| chunk(c, i < last))
            .collect()
    };
    let chunks = match rayon::ThreadPoolBuilder::new()
        .num_threads(report.threads)
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    let mut parts = Vec::with_capacity(chunks.len() + 2);
    parts.push(format!("{}\n  \"skipped\": [\n", &text[..at]));
    parts.extend(chunks);
    parts.push(format!("\n  ],\n{}", &text[at + EMPTY.len()..]));
    parts
}

/// Skipped files per chunk rendered in parallel.
const CHUNK: usize = 4096;

fn whole(output: Output) -> String {
    let mut s = serde_json::to_string_pretty(&output).expect("output structs serialise");
    s.push('\n');
    s
}

/// A chunk of the skipped list as entries of the top-level object's array, written as the pretty printer
/// writes them there (the chunk test compares the two): each entry's three fields, indented, and a comma
/// after the last entry when more follow. Written directly rather than printed and indented again: the
/// entries are most of a default scan's report. Strings go through serde_json's escaping unless they
/// need none.
fn chunk(entries: &[crate::report::Skipped], more: bool) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(entries.len() * 160);
    // The reason's text, kept while the reasons repeat (a run of skipped tests).
    let mut reason = String::new();
    let mut last: Option<&crate::source::SkipReason> = None;
    for (i, s) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        if last != Some(&s.reason) {
            reason.clear();
            let _ = write!(reason, "{}", s.reason);
            last = Some(&s.reason);
        }
        out.push_str("    {\n      \"path\": ");
        json_string(&mut out, &paths::shown(&s.path));
        out.push_str(",\n      \"kind\": ");
        json_string(&mut out, s.reason.code());
        out.push_str(",\n      \"reason\": ");
        json_string(&mut out, &reason);
        out.push_str("\n    }");
    }
    if more {
        out.push_str(",\n");
    }
    out
}

/// A JSON string as serde_json writes it: as it is when nothing in it needs escaping.
fn json_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).expect("strings serialise"));
    }
}

fn skipped(skipped: &[crate::report::Skipped]) -> Vec<FileIssue<'_>> {
    skipped
        .iter()
        .map(|s| FileIssue {
            path: paths::shown(&s.path),
            kind: s.reason.code(),
            reason: Reason::Skip(&s.reason),
        })
        .collect()
}

fn output<'a>(report: &'a Report, skipped: Vec<FileIssue<'a>>) -> Output<'a> {
    let c = &report.counts;
    Output {
        version: VERSION,
        tool: Tool {
            name: "skillaudit",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(finding).collect(),
        suppressed: report.suppressed.iter().map(finding).collect(),
        notices: report
            .notices
            .iter()
            .map(|n| NoticeOut {
                level: n.kind.level(),
                kind: n.kind.code(),
                path: paths::display(&n.path),
                line: n.line,
                message: &n.message,
            })
            .collect(),
        skipped,
        errors: report
            .errors
            .iter()
            .map(|e| FileIssue {
                path: paths::shown(&e.path),
                kind: "io",
                reason: Reason::Text(&e.message),
            })
            .collect(),
        summary: Summary {
            findings: c.findings(),
            high: c.findings_high,
            medium: c.findings_medium,
            low: c.findings_low,
            suppressed: c.suppressed,
            baselined: c.baselined,
            stale_baseline: c.stale_baseline,
            unused_suppressions: c.unused_suppressions,
            below_threshold: c.below_threshold,
            files_scanned: c.files_scanned,
            files_parsed: c.files_parsed,
            files_skipped: c.files_skipped,
            files_errored: c.files_errored,
            min_severity: report.thresholds.min_severity.as_str(),
            min_confidence: report.thresholds.min_confidence.as_str(),
            exit_code: report.verdict().exit_code(),
            project: report.linked,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use crate::report::{FileResult, Outcome, Report, Skipped, Thresholds};
    use crate::source::SkipReason;

    /// Rendering the skipped list in chunks on several threads gives the text of rendering it whole, with
    /// paths that need escaping and a number of entries that is no multiple of the chunk.
    #[test]
    fn chunked_rendering_is_the_whole_rendering() {
        let odd = [
            "src/\"quoted\".ts",
            "src/back\\slash.py",
            "src/tab\there.js",
            "src/ünï.ts",
            "src/ctl\u{1}\u{7f}.ts",
        ];
        let files: Vec<FileResult> = (0..3 * super::CHUNK + 17)
            .map(|i| FileResult {
                path: PathBuf::from(format!("tests/{i:06}/{}", odd[i % odd.len()])),
                outcome: Outcome::Skipped(match i % 7 {
                    0 => SkipReason::Binary,
                    3 => SkipReason::TooLarge {
                        size: i as u64,
                        limit: 7,
                    },
                    _ => SkipReason::TestCode,
                }),
                source: None,
                notices: Vec::new(),
            })
            .collect();
        let walk = vec![Skipped {
            path: PathBuf::from("link.ts"),
            reason: SkipReason::Symlink,
        }];
        let mut report = Report::build(
            files,
            walk,
            Vec::new(),
            Thresholds::default(),
            Duration::ZERO,
        );
        report.threads = 3;
        let whole = super::whole(super::output(&report, super::skipped(&report.skipped)));
        assert!(whole.matches("\"path\"").count() > 3 * super::CHUNK);
        assert_eq!(super::render(&report), whole);
        report.threads = 1;
        assert_eq!(super::render(&report), whole);
    }
}
