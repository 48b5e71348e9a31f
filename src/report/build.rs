//! Building a report: each file's result tallied as it comes (skips, errors, findings, counts), then the
//! whole put in the report's order.
//!
//! A scan tallies in two parts: the files its first pass finished with (tens of thousands of skipped
//! tests, tallied on one thread while the project phase runs on the other), then the modules the project
//! phase analysed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::{
    merge_skips, order, Counts, Errored, FileResult, Finding, Notice, NoticeKind, Outcome, Report,
    Skipped, Thresholds,
};
use crate::paths::{self, Base};

/// A walk through paths in path order, asked about paths in path order: whether it holds each.
struct Cursor<'a, I: Iterator<Item = &'a Path>> {
    paths: std::iter::Peekable<I>,
}

impl<'a, I: Iterator<Item = &'a Path>> Cursor<'a, I> {
    fn new(paths: I) -> Self {
        Cursor {
            paths: paths.peekable(),
        }
    }

    /// Whether `path` is among the paths (each asked path no smaller than the one before).
    fn holds(&mut self, path: &Path) -> bool {
        while self
            .paths
            .next_if(|p| paths::compare(p, path).is_lt())
            .is_some()
        {}
        self.paths
            .peek()
            .is_some_and(|p| paths::compare(p, path).is_eq())
    }
}

/// A report being built.
#[derive(Debug)]
pub struct Tally {
    thresholds: Thresholds,
    counts: Counts,
    findings: Vec<Finding>,
    suppressed: Vec<Finding>,
    /// In path order.
    skipped: Vec<Skipped>,
    /// In path order.
    errors: Vec<Errored>,
    notices: Vec<Notice>,
    sources: BTreeMap<PathBuf, Arc<str>>,
    /// In path order.
    scanned: Vec<PathBuf>,
}

impl Tally {
    /// The results of files given in path order ([`crate::paths::sort_key`]); of a file given twice, the
    /// first result counts.
    pub fn of_sorted(files: impl IntoIterator<Item = FileResult>, thresholds: Thresholds) -> Tally {
        let mut files = files.into_iter().peekable();
        let mut tally = Tally {
            thresholds,
            counts: Counts::default(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            skipped: Vec::with_capacity(files.size_hint().0),
            errors: Vec::new(),
            notices: Vec::new(),
            sources: BTreeMap::new(),
            scanned: Vec::new(),
        };
        while let Some(file) = files.next() {
            // Reported paths are normal already: the bytes compare, without parsing components.
            while files
                .next_if(|n| n.path.as_os_str() == file.path.as_os_str())
                .is_some()
            {}
            debug_assert!(files
                .peek()
                .is_none_or(|n| paths::compare(&file.path, &n.path).is_le()));
            tally.add(file);
        }
        tally
    }

    /// Adds the results of more files, in path order, but for the files this tally has already: its own
    /// results come first (a file named on the command line may be found in a directory too).
    pub fn then(self, files: impl IntoIterator<Item = FileResult>) -> Tally {
        // Both in path order: each list is read once alongside (not searched for every file).
        let mut skipped = Cursor::new(self.skipped.iter().map(|s| s.path.as_path()));
        let mut errors = Cursor::new(self.errors.iter().map(|e| e.path.as_path()));
        let mut scanned = Cursor::new(self.scanned.iter().map(PathBuf::as_path));
        let later = Tally::of_sorted(
            files.into_iter().filter(|f| {
                !(skipped.holds(&f.path) || errors.holds(&f.path) || scanned.holds(&f.path))
            }),
            self.thresholds,
        );
        self.merged(later)
    }

    /// The walk's own skips and errors (links not followed, unreadable directories) added.
    pub fn with_walk(mut self, walk_skipped: Vec<Skipped>, walk_errors: Vec<Errored>) -> Tally {
        self.skipped = merge_skips(self.skipped, walk_skipped);
        self.errors.extend(walk_errors);
        self.errors
            .sort_by(|a, b| paths::compare(&a.path, &b.path).then(a.message.cmp(&b.message)));
        self
    }

    /// Both tallies' results as one, the lists merged in path order.
    fn merged(mut self, later: Tally) -> Tally {
        let by_path = |a: &Path, b: &Path| paths::compare(a, b).is_le();
        self.counts.files_scanned += later.counts.files_scanned;
        self.counts.files_parsed += later.counts.files_parsed;
        self.counts.below_threshold += later.counts.below_threshold;
        self.findings.extend(later.findings);
        self.suppressed.extend(later.suppressed);
        self.notices.extend(later.notices);
        self.sources.extend(later.sources);
        self.skipped = super::merge(self.skipped, later.skipped, |a, b| {
            by_path(&a.path, &b.path)
        });
        self.errors = super::merge(self.errors, later.errors, |a, b| by_path(&a.path, &b.path));
        self.scanned = super::merge(self.scanned, later.scanned, |a, b| by_path(a, b));
        self
    }

    /// Adds one file's result.
    fn add(&mut self, file: FileResult) {
        self.notices.extend(file.notices);
        match file.outcome {
            Outcome::Scanned {
                findings: found,
                parsed,
            } => {
                self.counts.files_scanned += 1;
                self.counts.files_parsed += parsed as usize;
                let mut kept = false;
                for f in found {
                    if f.severity < self.thresholds.min_severity
                        || f.confidence < self.thresholds.min_confidence
                    {
                        self.counts.below_threshold += 1;
                        continue;
                    }
                    kept = true;
                    if f.suppressed.is_some() {
                        self.suppressed.push(f);
                    } else {
                        self.findings.push(f);
                    }
                }
                if kept {
                    if let Some(src) = file.source {
                        self.sources.insert(file.path.clone(), src);
                    }
                }
                self.scanned.push(file.path);
            }
            Outcome::Skipped(reason) => self.skipped.push(Skipped {
                path: file.path,
                reason,
            }),
            Outcome::Error(message) => self.errors.push(Errored {
                path: file.path,
                message,
            }),
        }
    }

    /// The report.
    pub fn into_report(self, elapsed: Duration) -> Report {
        let Tally {
            thresholds,
            mut counts,
            mut findings,
            mut suppressed,
            skipped,
            mut errors,
            mut notices,
            sources,
            scanned,
        } = self;
        findings.sort_by(order);
        suppressed.sort_by(order);
        notices.sort_by(|a, b| (&a.path, a.line, a.kind).cmp(&(&b.path, b.line, b.kind)));
        counts.suppressed = suppressed.len();
        counts.unused_suppressions = notices
            .iter()
            .filter(|n| n.kind == NoticeKind::UnusedSuppression)
            .count();
        errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        counts.files_skipped = skipped.len();
        counts.files_errored = errors.len();
        let mut report = Report {
            scanned,
            rules_run: Vec::new(),
            linked: Default::default(),
            threads: 1,
            findings,
            suppressed,
            skipped,
            errors,
            notices,
            counts,
            elapsed,
            sources,
            thresholds,
            base: Base::at(Path::new("")),
        };
        report.count_findings();
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SkipReason;

    fn result(path: &str, outcome: Outcome) -> FileResult {
        FileResult {
            path: PathBuf::from(path),
            outcome,
            source: None,
            notices: Vec::new(),
        }
    }

    fn scanned(path: &str) -> FileResult {
        result(
            path,
            Outcome::Scanned {
                findings: Vec::new(),
                parsed: true,
            },
        )
    }

    #[test]
    fn later_results_keep_path_order_and_lose_to_earlier_ones() {
        let first = Tally::of_sorted(
            [
                result("a/x.ts", Outcome::Skipped(SkipReason::TestCode)),
                result("a/x.ts", Outcome::Error("second".into())),
                result("c.ts", Outcome::Error("unreadable".into())),
                result("e.ts", Outcome::Skipped(SkipReason::Binary)),
            ],
            Thresholds::default(),
        );
        let report = first
            .then([
                scanned("a/x.ts"),
                scanned("b.ts"),
                scanned("d.ts"),
                scanned("e.ts"),
            ])
            .into_report(Duration::ZERO);
        let skipped: Vec<_> = report.skipped.iter().map(|s| s.path.clone()).collect();
        assert_eq!(skipped, [PathBuf::from("a/x.ts"), PathBuf::from("e.ts")]);
        let errors: Vec<_> = report.errors.iter().map(|e| e.path.clone()).collect();
        assert_eq!(errors, [PathBuf::from("c.ts")]);
        assert_eq!(
            report.scanned,
            [PathBuf::from("b.ts"), PathBuf::from("d.ts")]
        );
        assert_eq!(
            (report.counts.files_scanned, report.counts.files_parsed),
            (2, 2)
        );
        assert_eq!(
            (report.counts.files_skipped, report.counts.files_errored),
            (2, 1)
        );
    }
}
