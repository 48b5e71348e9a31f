//! Runs every rule over every fixture and compares the findings with the `skillaudit-expect` comments.
//! All files are checked before failing, and each failure names the file, the line and what is Missing or
//! Extra. The whole suite runs with the prefilter on and off: the prefilter must not lose a finding.
//!
//! `fixtures/projects/<name>/` are multi-file projects: each is scanned as a whole (so that the project
//! phase links its modules), and the findings of every file are compared with that file's comments.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use skillaudit::lang::Lang;
use skillaudit::{report, rules, scan};

const MARKER: &str = "skillaudit-expect:";

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            // Projects are scanned whole, by `project_findings`.
            if path.file_name().is_some_and(|n| n == "projects") {
                continue;
            }
            fixture_files(&path, out);
        } else if Lang::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

/// Expected (line, rule) pairs, or errors for malformed comments.
fn expectations(text: &str) -> (BTreeMap<(usize, String), usize>, Vec<String>) {
    let mut expected = BTreeMap::new();
    let mut errors = Vec::new();
    let mut pending: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim_start();
        if let Some(at) = line.find(MARKER) {
            if !(trimmed.starts_with("//")
                || trimmed.starts_with('#')
                || trimmed.starts_with("{/*"))
            {
                errors.push(format!(
                    "line {line_no}: the expect comment must be on its own line"
                ));
            }
            for id in line[at + MARKER.len()..]
                .trim_end_matches("*/}")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                if !rules::is_known(id) {
                    errors.push(format!(
                        "line {line_no}: unknown rule id `{id}` in an expect comment"
                    ));
                }
                pending.push((line_no, id.to_string()));
            }
            continue;
        }
        for (_, id) in pending.drain(..) {
            *expected.entry((line_no, id)).or_insert(0) += 1;
        }
    }
    for (line_no, id) in pending {
        errors.push(format!(
            "line {line_no}: expect comment for `{id}` is not followed by code"
        ));
    }
    (expected, errors)
}

fn actual(path: &Path, text: &str, prefilter: bool) -> Found {
    let lang = Lang::from_path(path).unwrap();
    let (diagnostics, facts, _) = scan::analyze(lang, text, prefilter).expect("fixtures parse");
    let located = report::locate(path, text, diagnostics, &facts.suppressions, &|_| true);
    let findings = located
        .findings
        .into_iter()
        .filter(|f| f.suppressed.is_none());
    let mut out = Found::new();
    for f in findings {
        let e = out
            .entry((f.location.start.line, f.rule_id.to_string()))
            .or_insert((0, f.message.clone()));
        e.0 += 1;
    }
    out
}

type Found = BTreeMap<(usize, String), (usize, String)>;

/// The findings of a whole project, by file (relative to the project), with its thread count.
fn project_findings(dir: &Path, prefilter: bool, threads: usize) -> BTreeMap<PathBuf, Found> {
    let roots = vec![dir.to_path_buf()];
    let mut opts = scan::ScanOptions {
        prefilter,
        include_tests: true,
        ..Default::default()
    };
    opts.discover.base = skillaudit::paths::Base::for_roots(&roots);
    opts.discover.threads = threads;
    let report = scan::scan(&roots, &opts).expect("the project scans");
    let base = opts.discover.base.root.clone();
    let canonical = dir.canonicalize().unwrap();
    let mut out: BTreeMap<PathBuf, Found> = BTreeMap::new();
    for f in report.findings {
        let abs = base.join(&f.path);
        let rel = abs
            .strip_prefix(&canonical)
            .or_else(|_| abs.strip_prefix(dir))
            .unwrap_or(&f.path)
            .to_path_buf();
        let mut message = f.message.clone();
        for r in &f.related {
            message.push_str(&format!(
                " [related {}:{}]",
                r.path(Path::new("")).display(),
                r.location.start.line
            ));
        }
        let e = out
            .entry(rel)
            .or_default()
            .entry((f.location.start.line, f.rule_id.to_string()))
            .or_insert((0, message));
        e.0 += 1;
    }
    out
}

fn projects() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/projects");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Compares one file's expectations with what was found in it.
fn compare(rel: &str, text: &str, found: &Found, failures: &mut Vec<String>) {
    let (expected, errors) = expectations(text);
    for e in errors {
        failures.push(format!("{rel}: {e}"));
    }
    for ((line, rule), n) in &expected {
        let got = found
            .get(&(*line, rule.clone()))
            .map(|(n, _)| *n)
            .unwrap_or(0);
        if got < *n {
            failures.push(format!("{rel}:{line}: Missing {rule}"));
        }
    }
    for ((line, rule), (n, message)) in found {
        let want = expected.get(&(*line, rule.clone())).copied().unwrap_or(0);
        if *n > want {
            failures.push(format!("{rel}:{line}: Extra {rule}: {message}"));
        }
    }
}

fn check_projects(prefilter: bool) -> (Vec<String>, usize) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in projects() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let found = project_findings(&dir, prefilter, 1);
        let mut files = Vec::new();
        fixture_files(&dir, &mut files);
        for path in &files {
            let rel = path.strip_prefix(&dir).unwrap().to_path_buf();
            let text = std::fs::read_to_string(path).unwrap();
            let empty = Found::new();
            let label = format!("projects/{name}/{}", rel.display());
            compare(
                &label,
                &text,
                found.get(&rel).unwrap_or(&empty),
                &mut failures,
            );
            checked += 1;
        }
        for rel in found.keys() {
            if !files.iter().any(|p| p.strip_prefix(&dir).unwrap() == rel) {
                failures.push(format!(
                    "projects/{name}: findings in {} are not checked",
                    rel.display()
                ));
            }
        }
        let expects_nothing = files.iter().all(|p| {
            expectations(&std::fs::read_to_string(p).unwrap())
                .0
                .is_empty()
        });
        if name.starts_with("near_miss") != expects_nothing {
            failures.push(format!(
                "projects/{name}: near_miss projects and only they must expect no findings"
            ));
        }
    }
    (failures, checked)
}

#[test]
fn projects_match_expectations_with_the_prefilter_on_and_off() {
    for prefilter in [true, false] {
        let (failures, checked) = check_projects(prefilter);
        assert!(checked > 10, "{checked} project files");
        assert!(
            failures.is_empty(),
            "{} problem(s) in {checked} project files (prefilter {prefilter}):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn project_findings_do_not_depend_on_the_thread_count() {
    for dir in projects() {
        assert_eq!(
            project_findings(&dir, true, 1),
            project_findings(&dir, true, 4),
            "{}",
            dir.display()
        );
    }
}

fn check_all(prefilter: bool) -> (Vec<String>, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    assert!(!files.is_empty(), "no fixtures under {}", root.display());
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        let found = actual(path, &text, prefilter);
        compare(&rel, &text, &found, &mut failures);
        let (expected, _) = expectations(&text);
        if rel.contains("near_miss") && !expected.is_empty() {
            failures.push(format!("{rel}: a near-miss file must not expect findings"));
        }
        checked += 1;
    }
    (failures, checked)
}

#[test]
fn fixtures_match_expectations() {
    let (failures, checked) = check_all(true);
    assert!(
        failures.is_empty(),
        "{} problem(s) in {checked} fixture files:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn prefilter_is_lossless_on_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    fixture_files(&root, &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            actual(&path, &text, true),
            actual(&path, &text, false),
            "{}: findings differ with the prefilter on and off",
            path.display()
        );
    }
}

#[test]
fn every_rule_has_flagged_and_near_miss_fixtures_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in rules::REGISTRY {
        for lang in ["js", "ts", "py"] {
            let dir = root.join(rule.id()).join(lang);
            let names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap_or_else(|_| panic!("missing {}", dir.display()))
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                names.iter().any(|n| n.starts_with("flagged")),
                "{}: no flagged file",
                dir.display()
            );
            assert!(
                names.iter().any(|n| n.starts_with("near_miss")),
                "{}: no near_miss file",
                dir.display()
            );
            let mut flagged_expectations = 0;
            for n in names.iter().filter(|n| n.starts_with("flagged")) {
                let text = std::fs::read_to_string(dir.join(n)).unwrap();
                flagged_expectations += expectations(&text)
                    .0
                    .keys()
                    .filter(|(_, id)| id == rule.id())
                    .count();
            }
            assert!(
                flagged_expectations > 0,
                "{}: flagged files expect no {} finding",
                dir.display(),
                rule.id()
            );
        }
    }
}

#[test]
fn readme_rule_table_matches_the_rule_documents() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for meta in rules::metas() {
        let row = format!(
            "| [`{id}`](rules/{id}.md) | {} | {} |",
            meta.severity.as_str(),
            meta.summary,
            id = meta.id
        );
        assert!(
            readme.contains(&row),
            "README.md lacks the rule table row:\n{row}"
        );
    }
}
