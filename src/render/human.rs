//! The human format: one miette graphical report per finding, then the skipped and errored files.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::finding::Severity;
use crate::report::{Finding, Report};

/// The width reports are laid out at (fixed, so output does not depend on the terminal).
pub const WIDTH: usize = 100;

struct Shown<'a> {
    finding: &'a Finding,
    source: NamedSource<String>,
    url: String,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
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
        Some(Box::new(format!(
            "{}\n  docs: `skillaudit explain {}` or {}",
            self.finding.help, self.finding.rule_id, self.url
        )))
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
        for (loc, label) in &self.finding.related {
            labels.push(LabeledSpan::new_with_span(
                Some(label.clone()),
                (loc.span.start, loc.span.end.saturating_sub(loc.span.start)),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for finding in &report.findings {
        let text = report
            .sources
            .get(&finding.path)
            .map(|s| s.to_string())
            .unwrap_or_default();
        let shown = Shown {
            finding,
            source: NamedSource::new(finding.path.clone(), text),
            url: crate::rules::meta(finding.rule_id)
                .map(|m| m.help_uri())
                .unwrap_or_default(),
        };
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                finding.path,
                finding.location.start.line,
                finding.location.start.column,
                finding.rule_id,
                finding.message
            ));
        }
        out.push('\n');
    }
    for s in report.listed_skips() {
        out.push_str(&format!("skipped {}: {}\n", s.path, s.reason));
    }
    let tests = report.skipped_tests();
    if tests > 0 {
        out.push_str(&format!(
            "skipped {tests} test file(s) (pass --include-tests to scan tests too)\n"
        ));
    }
    for e in &report.errors {
        out.push_str(&format!("error {}: {}\n", e.path, e.message));
    }
    out
}
