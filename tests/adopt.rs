//! What a team needs to adopt the tool: configuration, rule selection, suppressions with reasons,
//! baselines, several reports from one run, pre-commit's way of passing files.

mod common;

use std::path::Path;

use common::*;
use tempfile::TempDir;

/// A repository with one file holding a high and a medium finding on line 3.
fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), "src/auth.ts", BAD_REQUEST);
    dir
}

fn rules_of(json: &serde_json::Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn configuration_is_found_up_to_the_repository_root_and_flags_override_it() {
    let dir = repo();
    write(
        dir.path(),
        "skillaudit.toml",
        "ignore = [\"no-state-parameter\"]\nmin-severity = \"medium\"\n",
    );
    // From a subdirectory, scanning a path below it: the file at the root applies.
    let out = scan_json(&dir.path().join("src"), &["."]);
    assert_eq!(rules_of(&out.json, "findings"), ["oauth-without-pkce"]);
    // Flags override the file.
    let out = scan_json(dir.path(), &["--ignore", "oauth-without-pkce", "."]);
    assert_eq!(rules_of(&out.json, "findings"), ["no-state-parameter"]);
    let out = scan_json(dir.path(), &["--no-config", "."]);
    assert_eq!(rules_of(&out.json, "findings").len(), 2);
    // pyproject.toml's [tool.skillaudit] is read when there is no skillaudit.toml.
    std::fs::remove_file(dir.path().join("skillaudit.toml")).unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.skillaudit]\nselect = [\"no-state-parameter\"]\n",
    );
    let out = scan_json(dir.path(), &["."]);
    assert_eq!(rules_of(&out.json, "findings"), ["no-state-parameter"]);
    // `skillaudit config` says what is in force and where it came from.
    let out = skillaudit()
        .current_dir(dir.path())
        .args(["config", "--min-severity", "high"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("pyproject.toml"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("select") && l.contains("pyproject.toml:5")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("min-severity")
            && l.contains("\"high\"")
            && l.ends_with("# --min-severity")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("include-tests") && l.ends_with("# default")),
        "{text}"
    );
}

#[test]
fn configuration_errors_name_file_line_and_column() {
    let dir = repo();
    for (content, expect) in [
        (
            "exclude = []\nmin-severty = \"high\"\n",
            "skillaudit.toml:2:1: unknown field `min-severty`",
        ),
        ("include-tests = \"yes\"\n", "skillaudit.toml:1:17:"),
        (
            "select = [\"oauth-without-pkce\", \"no-such-rule\"]\n",
            "skillaudit.toml:1:33: unknown rule id `no-such-rule`",
        ),
        (
            "min-severity = \"severe\"\n",
            "skillaudit.toml:1:16: unknown severity `severe`",
        ),
        (
            "[per-file-ignores]\n\"scripts/**\" = [\"nope\"]\n",
            "skillaudit.toml:2:17: unknown rule id `nope`",
        ),
    ] {
        write(dir.path(), "skillaudit.toml", content);
        let out = scan_json_raw(dir.path(), &["."]);
        assert_eq!(out.0, Some(2), "{content}: {}", out.1);
        assert!(out.1.contains(expect), "{content}: {}", out.1);
        assert!(out.1.contains("help:"), "{}", out.1);
    }
    // Unknown rule ids on the command line too.
    std::fs::remove_file(dir.path().join("skillaudit.toml")).unwrap();
    let out = scan_json_raw(dir.path(), &["--select", "oauth-without-pkce,nope", "."]);
    assert_eq!(out.0, Some(2));
    assert!(
        out.1.contains("--select nope: unknown rule id"),
        "{}",
        out.1
    );
}

/// (exit code, stderr) of a scan whose stdout may not be JSON.
fn scan_json_raw(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = scan_output(dir, args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn selection_per_file_ignores_and_confidence() {
    let dir = repo();
    write(dir.path(), "scripts/login.ts", BAD_REQUEST);
    write(
        dir.path(),
        "skillaudit.toml",
        "exclude = [\"vendor/\"]\n[per-file-ignores]\n\"scripts/**\" = [\"oauth-without-pkce\"]\n",
    );
    write(dir.path(), "vendor/x.ts", BAD_REQUEST);
    let out = scan_json(dir.path(), &["."]);
    let found = pairs(&out.json, "findings", "path", "rule_id");
    assert_eq!(
        found,
        [
            (
                "scripts/login.ts".to_string(),
                "no-state-parameter".to_string()
            ),
            ("src/auth.ts".to_string(), "oauth-without-pkce".to_string()),
            ("src/auth.ts".to_string(), "no-state-parameter".to_string()),
        ]
    );
    // Comma lists and repeated flags; a high confidence threshold keeps only high-confidence rules.
    let out = scan_json(
        dir.path(),
        &[
            "--select",
            "oauth-without-pkce,no-state-parameter",
            "--select",
            "pkce-plain-method",
            "src",
        ],
    );
    assert_eq!(rules_of(&out.json, "findings").len(), 2);
    let out = scan_json(dir.path(), &["--min-confidence", "high", "src"]);
    for f in out.json["findings"].as_array().unwrap() {
        assert_eq!(f["confidence"], "high", "{f}");
    }
}

#[test]
fn suppressions_say_why_and_stay_in_the_reports() {
    let dir = repo();
    let text = BAD_REQUEST.replace(
        "    response_type: \"code\",",
        "    // skillaudit-ignore[no-state-parameter]: PKCE protects this loopback flow (RFC 9700 2.1)\n    response_type: \"code\",",
    );
    let text = format!(
        "{text}// skillaudit-ignore[pkce-plain-method]: nothing to suppress here\nexport const x = 1;\n// skillaudit-ignore\nexport const y = 2;\n"
    );
    write(dir.path(), "src/auth.ts", &text);
    let out = scan_json(dir.path(), &["."]);
    assert_eq!(out.code, Some(1));
    assert_eq!(rules_of(&out.json, "findings"), ["oauth-without-pkce"]);
    assert_eq!(rules_of(&out.json, "suppressed"), ["no-state-parameter"]);
    let s = &out.json["suppressed"][0]["suppressed"];
    assert_eq!(s["kind"], "in-source");
    assert_eq!(
        s["reason"],
        "PKCE protects this loopback flow (RFC 9700 2.1)"
    );
    let notices = pairs(&out.json, "notices", "kind", "level");
    assert_eq!(
        notices,
        [
            ("unused-suppression".to_string(), "warning".to_string()),
            ("bare-suppression".to_string(), "error".to_string()),
        ]
    );
    assert!(
        out.stderr
            .contains("warning: src/auth.ts:10: unused suppression"),
        "{}",
        out.stderr
    );
    assert_eq!(out.json["summary"]["suppressed"], 1);
    // SARIF: the suppressed result is there, with its justification; the notices are notifications.
    let sarif = skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    let sarif = json_of(&sarif.stdout);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "PKCE protects this loopback flow (RFC 9700 2.1)"
    );
    // Human output counts them; --show-suppressed lists them.
    let human = skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--color", "never", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains("1 suppressed finding not shown"),
        "{stdout}"
    );
    let human = skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--color", "never", "--show-suppressed", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains("suppressed (in-source): PKCE protects"),
        "{stdout}"
    );
}

#[test]
fn unused_suppressions_can_fail_the_run_and_reasonless_ones_warn() {
    let dir = repo();
    write(dir.path(), "src/auth.ts", GOOD_REQUEST);
    write(
        dir.path(),
        "src/other.py",
        "# skillaudit-ignore: no-state-parameter\nx = 1\n",
    );
    let out = scan_json(dir.path(), &["."]);
    assert_eq!(out.code, Some(0));
    assert!(out.stderr.contains("gives no reason"), "{}", out.stderr);
    assert!(out.stderr.contains("unused suppression"), "{}", out.stderr);
    let out = scan_json(dir.path(), &["--report-unused-suppressions", "."]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.json["summary"]["unused_suppressions"], 1);
    // A suppression naming a rule that did not run is not unused.
    let out = scan_json(
        dir.path(),
        &[
            "--report-unused-suppressions",
            "--ignore",
            "no-state-parameter",
            ".",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let dir = repo();
    let d = dir.path();
    let out = scan_json(d, &["--write-baseline", "skillaudit-baseline.json", "."]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let baseline = json_of(&std::fs::read(d.join("skillaudit-baseline.json")).unwrap());
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    assert_eq!(baseline["findings"][0]["path"], "src/auth.ts");
    // Lines added above, and an absolute path: nothing new.
    write(d, "src/auth.ts", format!("// a comment\n\n{BAD_REQUEST}"));
    let abs = d.join("src").to_str().unwrap().to_string();
    let out = scan_json(d, &["--baseline", "skillaudit-baseline.json", &abs]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.json["summary"]["baselined"], 2);
    assert_eq!(out.json["suppressed"][0]["suppressed"]["kind"], "baseline");
    // A new finding fails, alone.
    write(d, "src/new.ts", BAD_REQUEST);
    let out = scan_json(d, &["--baseline", "skillaudit-baseline.json", "."]);
    assert_eq!(out.code, Some(1));
    let paths: Vec<&str> = out.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/new.ts", "src/new.ts"]);
    // The baseline named in the configuration file is relative to that file, wherever the scan starts.
    write(
        d,
        "skillaudit.toml",
        "baseline = \"skillaudit-baseline.json\"\n",
    );
    let out = scan_json(&d.join("src"), &["auth.ts"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.json["summary"]["baselined"], 2);
    std::fs::remove_file(d.join("skillaudit.toml")).unwrap();
    // Fixing a baselined finding makes its entry stale; scanning another file alone does not.
    write(d, "src/auth.ts", GOOD_REQUEST);
    let out = scan_json(d, &["--baseline", "skillaudit-baseline.json", "src/new.ts"]);
    assert_eq!(out.json["summary"]["stale_baseline"], 0);
    let out = scan_json(
        d,
        &[
            "--baseline",
            "skillaudit-baseline.json",
            "--prune-baseline",
            "src/auth.ts",
        ],
    );
    assert_eq!(out.json["summary"]["stale_baseline"], 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("pruned 2 stale entries"),
        "{}",
        out.stderr
    );
    let baseline = json_of(&std::fs::read(d.join("skillaudit-baseline.json")).unwrap());
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn one_run_writes_several_reports_with_one_exit_code() {
    let dir = repo();
    let d = dir.path();
    let run = || {
        skillaudit()
            .current_dir(d)
            .args(["scan", "--format", "concise"])
            .args([
                "--report",
                "sarif=out/skillaudit.sarif",
                "--report",
                "json=out.json",
                ".",
            ])
            .output()
            .unwrap()
    };
    // The directory of a report must exist: that is an error, exit 2.
    assert_eq!(run().status.code(), Some(2));
    std::fs::create_dir(d.join("out")).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let sarif = json_of(&std::fs::read(d.join("out/skillaudit.sarif")).unwrap());
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    let json = json_of(&std::fs::read(d.join("out.json")).unwrap());
    assert_eq!(json["summary"]["exit_code"], 1);
    let bad = skillaudit()
        .current_dir(d)
        .args(["scan", "--report", "xml=out.xml", "."])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format `xml`"));
}

#[test]
fn force_exclude_applies_excludes_and_test_paths_to_named_files() {
    let dir = repo();
    let d = dir.path();
    write(d, "generated/api.ts", BAD_REQUEST);
    write(d, "tests/auth.test.ts", BAD_REQUEST);
    write(d, "skillaudit.toml", "exclude = [\"generated/\"]\n");
    // Without --force-exclude a named file is always scanned.
    let out = scan_json(d, &["generated/api.ts"]);
    assert_eq!(out.code, Some(1));
    // pre-commit passes file names, some of them gone.
    let out = scan_json(
        d,
        &[
            "--force-exclude",
            "generated/api.ts",
            "tests/auth.test.ts",
            "gone.ts",
            "src/auth.ts",
        ],
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.json["summary"]["files_scanned"], 1);
    let kinds: Vec<(&str, &str)> = out.json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("gone.ts", "not-found"),
            ("tests/auth.test.ts", "test-code")
        ]
    );
}
