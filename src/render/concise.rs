//! The concise format: one line per finding, `path:line:col: severity rule-id message`, the form editors'
//! quickfix lists and grep read. Paths are relative to the working directory, control characters escaped.

use crate::paths;
use crate::report::Report;

/// With `show_suppressed`, suppressed findings follow, each marked `(suppressed: reason)`.
pub fn render(report: &Report, show_suppressed: bool) -> String {
    let mut out = String::new();
    let suppressed: &[_] = if show_suppressed {
        &report.suppressed
    } else {
        &[]
    };
    for f in report.findings.iter().chain(suppressed) {
        let mark = match &f.suppressed {
            Some(s) => format!(
                " (suppressed: {})",
                s.reason.as_deref().unwrap_or("no reason given")
            ),
            None => String::new(),
        };
        out.push_str(&format!(
            "{}:{}:{}: {} {} {}{}\n",
            paths::terminal(&report.base.from_cwd(&f.path)),
            f.location.start.line,
            f.location.start.column,
            f.severity,
            f.rule_id,
            paths::escape_controls(&f.message),
            paths::escape_controls(&mark),
        ));
    }
    out
}
