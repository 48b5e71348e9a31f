//! The human format: one miette graphical report per finding, then the skipped and errored files.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::finding::Severity;
use crate::paths;
use crate::report::{Finding, Report};

use super::Style;

/// The width reports are laid out at when not writing to a terminal (fixed, so output does not depend on the
/// machine).
pub const WIDTH: usize = 100;

struct Shown<'a> {
    finding: &'a Finding,
    /// Shared by every finding of the file (not copied per finding).
    source: NamedSource<Arc<String>>,
    help: String,
    message: String,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{} (severity {}, confidence {})",
            self.finding.rule_id,
            self.finding.severity,
            self.finding.confidence.as_str()
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::High => miette::Severity::Error,
            Severity::Medium => miette::Severity::Warning,
            Severity::Low => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = &self.finding.location.span;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(self.finding.rule_id.to_string()),
            (primary.start, primary.end.saturating_sub(primary.start)),
        )];
        for r in self.finding.related.iter().filter(|r| r.path.is_none()) {
            let loc = &r.location;
            labels.push(LabeledSpan::new_with_span(
                Some(paths::escape_controls(&r.label).into_owned()),
                (loc.span.start, loc.span.end.saturating_sub(loc.span.start)),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// The source as miette shows it: control characters and bidirectional overrides replaced by visible
/// characters of the same UTF-8 length, so that byte offsets still point at the same places and a crafted
/// line cannot move the cursor or reorder what the reader sees.
fn printable(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c != '\n' && c != '\t' && paths::is_hazard(c))
    {
        return text.to_string();
    }
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            c if paths::is_hazard(c) => match c.len_utf8() {
                1 => '?',
                2 => '\u{bf}',   // ¿
                _ => '\u{fffd}', // �
            },
            c => c,
        })
        .collect()
}

pub fn render(report: &Report, style: Style, show_suppressed: bool) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        // A URL or identifier broken across lines cannot be clicked or searched for.
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_context_lines(1);
    let mut out = String::new();
    let mut texts: HashMap<&Path, Arc<String>> = HashMap::new();
    // The help of the first finding of each rule: later ones with the same fix point back to it.
    let mut first_help: HashMap<&str, &str> = HashMap::new();
    let suppressed: &[Finding] = if show_suppressed {
        &report.suppressed
    } else {
        &[]
    };
    for finding in report.findings.iter().chain(suppressed) {
        let text: Arc<String> = texts
            .entry(finding.path.as_path())
            .or_insert_with(|| {
                Arc::new(
                    report
                        .sources
                        .get(&finding.path)
                        .map(|s| printable(s))
                        .unwrap_or_default(),
                )
            })
            .clone();
        let mut help = match first_help.get(finding.rule_id) {
            Some(h) if *h == finding.help => format!(
                "same fix as the first {} finding above (`skillaudit explain {}`)",
                finding.rule_id, finding.rule_id
            ),
            Some(_) => finding.help.clone(),
            None => {
                first_help.insert(finding.rule_id, &finding.help);
                format!(
                    "{}\n  docs: `skillaudit explain {}` or {}",
                    finding.help,
                    finding.rule_id,
                    crate::rules::meta(finding.rule_id)
                        .map(|m| m.help_uri())
                        .unwrap_or_default()
                )
            }
        };
        // Places in other files cannot be drawn on this file's snippet: they are listed, openable from here.
        let elsewhere: Vec<String> = finding
            .related
            .iter()
            .filter_map(|r| {
                let path = r.path.as_deref()?;
                Some(format!(
                    "  see {}:{}:{}: {}",
                    paths::terminal(&report.base.from_cwd(path)),
                    r.location.start.line,
                    r.location.start.column,
                    paths::escape_controls(&r.label)
                ))
            })
            .collect();
        if !elsewhere.is_empty() {
            help = format!("{help}\n{}", elsewhere.join("\n"));
        }
        if let Some(s) = &finding.suppressed {
            help = format!(
                "suppressed ({}): {}\n{help}",
                s.kind.code(),
                s.reason.as_deref().unwrap_or("no reason given")
            );
        }
        let name = paths::terminal(&report.base.from_cwd(&finding.path));
        let shown = Shown {
            finding,
            source: NamedSource::new(name.clone(), text),
            help,
            message: paths::escape_controls(&finding.message).into_owned(),
        };
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                name,
                finding.location.start.line,
                finding.location.start.column,
                finding.rule_id,
                shown.message
            ));
        }
        out.push('\n');
    }
    for s in report.listed_skips() {
        out.push_str(&format!(
            "skipped {}: {}\n",
            paths::terminal(&report.base.from_cwd(&s.path)),
            s.reason
        ));
    }
    let tests = report.skipped_tests();
    if tests > 0 {
        out.push_str(&format!(
            "skipped {tests} test file{} (pass --include-tests to scan tests too)\n",
            if tests == 1 { "" } else { "s" }
        ));
    }
    let hidden = report.suppressed.len();
    if hidden > 0 && !show_suppressed {
        out.push_str(&format!(
            "{hidden} suppressed finding{} not shown (--show-suppressed lists them)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    for e in &report.errors {
        out.push_str(&format!(
            "error {}: {}\n",
            paths::terminal(&report.base.from_cwd(&e.path)),
            paths::escape_controls(&e.message)
        ));
    }
    out
}
