//! The concise format: one line per finding, `path:line:col: severity rule-id message`, the form editors'
//! quickfix lists and grep read. Paths are relative to the working directory, control characters escaped.

use crate::paths;
use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {} {}\n",
            paths::terminal(&report.base.from_cwd(&f.path)),
            f.location.start.line,
            f.location.start.column,
            f.severity,
            f.rule_id,
            paths::escape_controls(&f.message),
        ));
    }
    out
}
