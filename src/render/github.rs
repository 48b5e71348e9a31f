//! GitHub Actions workflow commands: one annotation per finding (high → error, medium → warning,
//! low → notice), and one per file that could not be scanned.
//!
//! GitHub shows at most 10 annotations of each level per step and drops the rest silently, so the most
//! severe findings come first, each level stops at its limit, and one closing notice says how many were left
//! out and where to see them.

use crate::finding::Severity;
use crate::paths;
use crate::report::Report;

/// Annotations GitHub shows per level and step.
pub const PER_LEVEL: usize = 10;

/// Escapes a workflow-command message (`%`, CR, LF) after escaping other control characters.
fn escape_data(s: &str) -> String {
    paths::escape_controls(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Notice,
    Warning,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

pub fn render(report: &Report) -> String {
    let mut annotations: Vec<(Level, String)> = Vec::new();
    let mut findings: Vec<_> = report.findings.iter().collect();
    // Most severe first; the report's order (path, line) within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings {
        let level = match f.severity {
            Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low => Level::Notice,
        };
        annotations.push((
            level,
            format!(
                "file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&paths::display(&f.path)),
                f.location.start.line,
                f.location.start.column,
                f.location.end.line,
                f.location.end.column,
                escape_property(&format!("skillaudit {} ({})", f.rule_id, f.severity)),
                escape_data(&format!("{} Fix: {}", f.message, f.help)),
            ),
        ));
    }
    for n in &report.notices {
        annotations.push((
            if n.kind.level() == "error" {
                Level::Error
            } else {
                Level::Warning
            },
            format!(
                "file={},line={},title={}::{}",
                escape_property(&paths::display(&n.path)),
                n.line,
                escape_property(&format!("skillaudit {}", n.kind.code())),
                escape_data(&n.message)
            ),
        ));
    }
    for e in &report.errors {
        annotations.push((
            Level::Warning,
            format!(
                "file={},title=skillaudit could not scan a file::{}",
                escape_property(&paths::display(&e.path)),
                escape_data(&e.message)
            ),
        ));
    }
    for s in report.listed_skips() {
        annotations.push((
            Level::Notice,
            format!(
                "file={},title=skillaudit skipped a file::{}",
                escape_property(&paths::display(&s.path)),
                escape_data(&s.reason.to_string())
            ),
        ));
    }
    let mut per_level = [0usize; 3];
    for (level, _) in &annotations {
        per_level[*level as usize] += 1;
    }
    // When anything is left out, the closing notice takes one notice's place.
    let notice_room = if per_level.iter().any(|&n| n > PER_LEVEL) {
        PER_LEVEL - 1
    } else {
        PER_LEVEL
    };
    let mut shown = [0usize; 3];
    let mut left_out = 0;
    let mut out = String::new();
    for (level, text) in &annotations {
        let room = if *level == Level::Notice {
            notice_room
        } else {
            PER_LEVEL
        };
        let n = &mut shown[*level as usize];
        if *n >= room {
            left_out += 1;
            continue;
        }
        *n += 1;
        out.push_str(&format!("::{} {text}\n", level.name()));
    }
    if left_out > 0 {
        out.push_str(&format!(
            "::notice title=skillaudit::{}\n",
            escape_data(&format!(
                "{left_out} more annotation{} not shown: GitHub shows {PER_LEVEL} per level and step. \
                 See the job summary, the SARIF upload in the Security tab, or run `skillaudit scan` locally.",
                if left_out == 1 { "" } else { "s" }
            ))
        ));
    }
    out
}
