//! One file's diagnostics become findings: located, fingerprinted, matched against the file's suppression
//! comments; and the comments themselves are checked (unknown ids, no reason, bare, unused).

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::facts::Suppression;
use crate::finding::Diagnostic;
use crate::paths;
use crate::rules;
use crate::source::LineIndex;
use crate::suppress::Form;

use super::{Finding, Location, Notice, NoticeKind, Related, Suppressed, SuppressionKind};

/// What `locate` gives for one file.
#[derive(Debug, Default)]
pub struct Located {
    /// Every finding, suppressed ones marked.
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
}

/// A hash of the rule, the path, the trimmed text of the finding's line and how many identical (rule, line
/// text) findings precede it in the file: stable across edits elsewhere in the file.
fn fingerprint(rule_id: &str, path: &Path, line_text: &str, nth: usize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    hasher.update([0]);
    hasher.update(paths::display(path).as_bytes());
    hasher.update([0]);
    hasher.update(line_text.as_bytes());
    hasher.update([0]);
    hasher.update(nth.to_string().as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Turns the rules' diagnostics on one file into findings: locate, fingerprint, mark suppressed. `enabled`
/// says which rules ran on this file: a suppression naming only rules that did not run is not "unused".
pub fn locate(
    path: &Path,
    text: &str,
    diagnostics: Vec<(&'static str, Diagnostic)>,
    suppressions: &[Suppression],
    enabled: &dyn Fn(&str) -> bool,
) -> Located {
    let index = LineIndex::new(text);
    let mut notices = Vec::new();
    let notice = |line: usize, kind: NoticeKind, message: String| Notice {
        path: path.to_path_buf(),
        line,
        kind,
        message,
    };
    // The line each suppression applies to, and which of its ids were used.
    let mut applies: Vec<(usize, &Suppression, Vec<bool>)> = Vec::new();
    for s in suppressions {
        let (line, _) = index.position(text, s.span.start);
        let d = &s.directive;
        match d.form {
            Form::Bare => notices.push(notice(
                line,
                NoticeKind::BareSuppression,
                "`skillaudit-ignore` without rule ids suppresses nothing: name the rules, as in `skillaudit-ignore[no-state-parameter]: reason`".into(),
            )),
            _ if d.reason.is_none() => notices.push(notice(
                line,
                NoticeKind::NoReason,
                format!(
                    "suppression of {} gives no reason: add one, as in `skillaudit-ignore[{}]: why this is safe`",
                    d.rules.join(", "),
                    d.rules.join(", ")
                ),
            )),
            _ => {}
        }
        for id in &d.rules {
            if !rules::is_known(id) {
                notices.push(notice(
                    line,
                    NoticeKind::UnknownRule,
                    format!("unknown rule id `{id}` in a skillaudit-ignore comment (run `skillaudit rules` for the list)"),
                ));
            }
        }
        let target = if s.trailing { line } else { line + 1 };
        applies.push((target, s, vec![false; d.rules.len()]));
    }
    let mut findings = Vec::new();
    let mut seen: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for (rule_id, d) in diagnostics {
        let location = Location::new(&index, text, d.span);
        let line = location.start.line;
        let mut suppressed = None;
        for (_, s, used) in applies.iter_mut().filter(|(t, ..)| *t == line) {
            if let Some(i) = s.directive.rules.iter().position(|r| r == rule_id) {
                used[i] = true;
                suppressed.get_or_insert_with(|| Suppressed {
                    kind: SuppressionKind::InSource,
                    reason: s.directive.reason.clone(),
                });
            }
        }
        let meta = rules::meta(rule_id).expect("registered rules have metadata");
        let line_text = index.line_text(text, line).trim().to_string();
        let nth = seen.entry((rule_id, line_text.clone())).or_insert(0);
        let fingerprint = fingerprint(rule_id, path, &line_text, *nth);
        *nth += 1;
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
                .map(|(span, label)| Related {
                    path: None,
                    location: Location::new(&index, text, span),
                    label,
                })
                .chain(d.elsewhere.into_iter().map(|(at, label)| Related {
                    path: Some(at.path.clone()),
                    location: Location::elsewhere(&at),
                    label,
                }))
                .collect(),
            fingerprint,
            suppressed,
        });
    }
    for (target, s, used) in &applies {
        let unused: Vec<&str> = s
            .directive
            .rules
            .iter()
            .zip(used)
            .filter(|(id, used)| !**used && rules::is_known(id) && enabled(id))
            .map(|(id, _)| id.as_str())
            .collect();
        if !unused.is_empty() {
            let (line, _) = index.position(text, s.span.start);
            notices.push(notice(
                line,
                NoticeKind::UnusedSuppression,
                format!(
                    "unused suppression: no {} finding on line {target}; remove it, or move it to the line of the finding",
                    unused.join(" or ")
                ),
            ));
        }
    }
    Located { findings, notices }
}
