//! Baselines: the findings a team has accepted, in a small versioned JSON file meant to be committed, so that
//! a scan fails only on new ones. No git needed: a finding is matched by its rule, its repository-relative
//! path and its content fingerprint (which does not change when lines are added above it or when the scan is
//! given an absolute path).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::paths;
use crate::report::{Report, Suppressed, SuppressionKind};

pub const VERSION: u32 = 1;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    pub findings: Vec<Entry>,
}

/// One accepted finding. `message` is for people reading the file; matching ignores it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
    #[serde(default)]
    pub message: String,
}

impl Entry {
    fn key(&self) -> (String, String, String) {
        (
            self.rule.clone(),
            self.path.clone(),
            self.fingerprint.clone(),
        )
    }
}

/// A baseline that could not be read.
#[derive(Debug)]
pub struct BaselineError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "baseline {}: {}; write a new one with `skillaudit scan --write-baseline {}`",
            paths::terminal(&self.path),
            self.message,
            paths::terminal(&self.path)
        )
    }
}

impl Baseline {
    /// The baseline of a report: its findings that count (suppressed ones are already accounted for).
    pub fn of(report: &Report) -> Baseline {
        let mut findings: Vec<Entry> = report
            .findings
            .iter()
            .chain(report.suppressed.iter().filter(
                |f| matches!(&f.suppressed, Some(s) if s.kind == SuppressionKind::Baseline),
            ))
            .map(|f| Entry {
                rule: f.rule_id.to_string(),
                path: paths::display(&f.path),
                fingerprint: f.fingerprint.clone(),
                message: f.message.clone(),
            })
            .collect();
        findings.sort();
        Baseline {
            version: VERSION,
            tool: "skillaudit".into(),
            findings,
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let err = |message: String| BaselineError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| err(format!("not a skillaudit baseline ({e})")))?;
        if baseline.version != VERSION {
            return Err(err(format!(
                "version {} is not the version {VERSION} this skillaudit reads",
                baseline.version
            )));
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let mut text = serde_json::to_string_pretty(self).expect("serialisable");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| BaselineError {
            path: path.to_path_buf(),
            message: format!("cannot write it: {e}"),
        })
    }

    /// Marks the report's findings that are in the baseline as suppressed (kind `baseline`), counts them and
    /// the entries that match nothing any more (stale), and returns the baseline without the stale entries.
    pub fn apply(&self, report: &mut Report, file: &Path) -> Baseline {
        // The entries not matched yet, by (rule, path, fingerprint): a finding takes one of its key's.
        let mut open: BTreeMap<(String, String, String), Vec<&Entry>> = BTreeMap::new();
        for e in &self.findings {
            open.entry(e.key()).or_default().push(e);
        }
        let mut findings: Vec<Entry> = Vec::new();
        let reason = format!(
            "in the baseline {}",
            paths::display(&report.base.relative(file))
        );
        let mut kept = Vec::new();
        for mut f in std::mem::take(&mut report.findings) {
            let key = (
                f.rule_id.to_string(),
                paths::display(&f.path),
                f.fingerprint.clone(),
            );
            match open.get_mut(&key).and_then(Vec::pop) {
                Some(entry) => {
                    findings.push(entry.clone());
                    f.suppressed = Some(Suppressed {
                        kind: SuppressionKind::Baseline,
                        reason: Some(reason.clone()),
                    });
                    report.suppressed.push(f);
                    report.counts.baselined += 1;
                }
                None => kept.push(f),
            }
        }
        report.findings = kept;
        report.count_findings();
        report.sort_suppressed();
        // An entry this run could not have matched (its file was not scanned, its rule did not run or is
        // below the thresholds) is neither stale nor pruned: a scan of a few files must not empty the file.
        let scanned: std::collections::BTreeSet<String> =
            report.scanned.iter().map(|p| paths::display(p)).collect();
        let checked = |e: &Entry| {
            scanned.contains(&e.path)
                && report.rules_run.iter().any(|r| *r == e.rule)
                && crate::rules::meta(&e.rule).is_some_and(|m| {
                    m.severity >= report.thresholds.min_severity
                        && m.confidence >= report.thresholds.min_confidence
                })
        };
        for e in open.into_values().flatten() {
            if checked(e) {
                report.counts.stale_baseline += 1;
            } else {
                findings.push(e.clone());
            }
        }
        findings.sort();
        Baseline {
            version: VERSION,
            tool: self.tool.clone(),
            findings,
        }
    }
}
