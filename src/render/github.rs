//! GitHub Actions workflow commands: one annotation per finding (high → error, medium → warning,
//! low → notice), and a warning per file that could not be scanned.

use crate::finding::Severity;
use crate::report::Report;

/// Escapes a workflow-command message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.severity {
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low => "notice",
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&f.path),
            f.location.start.line,
            f.location.start.column,
            f.location.end.line,
            f.location.end.column,
            escape_property(&format!("skillaudit {} ({})", f.rule_id, f.severity)),
            escape_data(&format!("{} Fix: {}", f.message, f.help)),
        ));
    }
    for s in report.listed_skips() {
        out.push_str(&format!(
            "::notice file={},title=skillaudit skipped a file::{}\n",
            escape_property(&s.path),
            escape_data(&s.reason.to_string())
        ));
    }
    for e in &report.errors {
        out.push_str(&format!(
            "::warning file={},title=skillaudit could not scan a file::{}\n",
            escape_property(&e.path),
            escape_data(&e.message)
        ));
    }
    out
}
