//! The Markdown job summary for GitHub Actions (`GITHUB_STEP_SUMMARY`), written in every format: counts by
//! severity and rule, then a table of findings whose locations link to the file at the commit.

use std::collections::BTreeMap;

use crate::paths;
use crate::report::Report;

/// Rows of the findings table (the summary file is limited to 1 MiB; the rest is counted).
pub const MAX_ROWS: usize = 200;

/// Where a location links to: `{server}/{repository}/blob/{sha}/` when the Actions variables are there.
#[derive(Clone, Debug, Default)]
pub struct Links {
    pub blob_base: Option<String>,
}

impl Links {
    /// From `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and `GITHUB_SHA`.
    pub fn from_env() -> Links {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let blob_base = match (
            var("GITHUB_SERVER_URL"),
            var("GITHUB_REPOSITORY"),
            var("GITHUB_SHA"),
        ) {
            (Some(server), Some(repo), Some(sha)) => Some(format!(
                "{}/{repo}/blob/{sha}/",
                server.trim_end_matches('/')
            )),
            _ => None,
        };
        Links { blob_base }
    }
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in paths::escape_controls(s).chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report, links: &Links) -> String {
    let c = &report.counts;
    let mut out = String::from("## skillaudit\n\n");
    if c.findings() == 0 {
        out.push_str("No findings");
    } else {
        out.push_str(&format!(
            "**{} finding{}**: {} high, {} medium, {} low",
            c.findings(),
            if c.findings() == 1 { "" } else { "s" },
            c.findings_high,
            c.findings_medium,
            c.findings_low
        ));
    }
    out.push_str(&format!(
        " — {} files scanned, {} skipped, {} errored.\n\n",
        c.files_scanned, c.files_skipped, c.files_errored
    ));
    if c.findings() == 0 {
        return out;
    }
    let mut by_rule: BTreeMap<&str, (crate::finding::Severity, usize)> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry(f.rule_id).or_insert((f.severity, 0)).1 += 1;
    }
    out.push_str("| rule | severity | findings |\n|---|---|---:|\n");
    for (rule, (severity, n)) in &by_rule {
        out.push_str(&format!("| `{rule}` | {severity} | {n} |\n"));
    }
    out.push_str("\n| severity | rule | location | message |\n|---|---|---|---|\n");
    let mut findings: Vec<_> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings.iter().take(MAX_ROWS) {
        let path = paths::display(&f.path);
        let text = format!("{}:{}", path, f.location.start.line);
        let location = match (&links.blob_base, f.path.is_absolute()) {
            (Some(base), false) => format!(
                "[{}]({base}{}#L{})",
                cell(&text),
                paths::uri(&f.path),
                f.location.start.line
            ),
            _ => cell(&text),
        };
        out.push_str(&format!(
            "| {} | `{}` | {location} | {} |\n",
            f.severity,
            f.rule_id,
            cell(&f.message)
        ));
    }
    if findings.len() > MAX_ROWS {
        out.push_str(&format!(
            "\n{} more findings are in the full report.\n",
            findings.len() - MAX_ROWS
        ));
    }
    out
}
