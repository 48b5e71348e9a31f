//! End-to-end tests of the binary: exit codes, formats, SARIF validity, determinism and bad input.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn exit_code_0_when_clean() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.js", GOOD_REQUEST);
    skillaudit()
        .args(["scan"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "no findings; 1 file scanned, 0 skipped, 0 errored",
        ));
}

#[test]
fn exit_code_1_with_findings_in_every_format() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.ts", BAD_REQUEST);
    for format in ["human", "json", "sarif", "github"] {
        skillaudit()
            .args(["scan", "--format", format])
            .arg(dir.path())
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "2 findings (1 high, 1 medium, 0 low)",
            ));
    }
}

#[test]
fn min_severity_filters_and_sets_the_exit_code() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "auth.ts",
        BAD_REQUEST.replace("    redirect_uri", "    state: s,\n    redirect_uri"),
    );
    // Only oauth-without-pkce (high) remains; with --min-severity high it is still reported.
    skillaudit()
        .args(["scan", "--min-severity", "high"])
        .arg(dir.path())
        .assert()
        .code(1);
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "auth.ts",
        GOOD_REQUEST.replace("    state,\n", ""),
    );
    // Only no-state-parameter (medium): below a high threshold the run passes.
    skillaudit()
        .args(["scan", "--min-severity", "high"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "1 finding not shown (below --min-severity high)",
        ));
    skillaudit()
        .args(["scan", "--min-severity", "medium"])
        .arg(dir.path())
        .assert()
        .code(1);
}

#[test]
fn exit_code_2_for_usage_errors_and_missing_paths() {
    skillaudit()
        .args(["scan", "--format", "xml"])
        .assert()
        .code(2);
    skillaudit()
        .args(["scan", "definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("definitely/not/here"));
    skillaudit()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("oauth-without-pkce"));
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.js", GOOD_REQUEST);
    skillaudit()
        .args(["scan", "--output", "/nonexistent-dir/report.json"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output"));
}

#[test]
fn exit_code_3_when_nothing_to_scan() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "README.md", "# nothing here");
    write(dir.path(), "node_modules/lib/auth.js", BAD_REQUEST);
    write(dir.path(), ".hidden/auth.js", BAD_REQUEST);
    skillaudit()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nothing to scan"));
}

#[test]
fn unreadable_file_gives_exit_code_2_without_findings() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ok.js", GOOD_REQUEST);
    // A directory named like a source file cannot be read as one.
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    let link = dir.path().join("sub/broken.js");
    std::os::unix::fs::symlink(dir.path().join("missing-target.js"), &link).unwrap();
    let out = scan_json(dir.path(), &["--follow", "."]);
    let json = out.json;
    assert_eq!(json["summary"]["files_scanned"], 1);
    assert_eq!(json["summary"]["files_errored"], 1, "{json:#}");
    assert_eq!(out.code, Some(2));
}

#[test]
fn excludes_gitignore_and_explicit_files() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "src/auth.js", BAD_REQUEST);
    write(dir.path(), "generated/auth.js", BAD_REQUEST);
    write(dir.path(), "vendor/auth.js", BAD_REQUEST);
    write(dir.path(), ".gitignore", "vendor/\n");
    let out = scan_json(dir.path(), &["--exclude", "generated/**", "."]);
    let json = out.json;
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/auth.js", "src/auth.js"]);
    // A file named on the command line is scanned even when ignored.
    let out = scan_json(dir.path(), &["vendor/auth.js"]);
    assert_eq!(out.json["summary"]["files_scanned"], 1);
}

#[test]
fn json_is_identical_for_one_and_eight_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |threads: &str| {
        skillaudit()
            .current_dir(root)
            .args(["scan", "fixtures", "--format", "json", "-j", threads])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    let eight = run("8");
    assert!(!one.is_empty());
    assert_eq!(
        String::from_utf8(one).unwrap(),
        String::from_utf8(eight).unwrap()
    );
}

#[test]
fn json_findings_have_the_documented_fields() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.ts", BAD_REQUEST);
    let out = scan_json(dir.path(), &["auth.ts"]);
    let json = out.json;
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "skillaudit");
    // Sorted by path and line; on one line the most severe first.
    assert_eq!(json["findings"][1]["rule_id"], "no-state-parameter");
    let f = &json["findings"][0];
    assert_eq!(f["rule_id"], "oauth-without-pkce");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["path"], "auth.ts");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(3), Some(18))
    );
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    assert!(f["help"].as_str().unwrap().contains("S256"));
    assert_eq!(json["summary"]["exit_code"], 1);
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let fingerprints = |text: &str| {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "auth.ts", text);
        let out = scan_json(dir.path(), &["auth.ts"]);
        let json = out.json;
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["fingerprint"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints(BAD_REQUEST);
    let after = fingerprints(&format!(
        "// a new header comment\nimport x from \"y\";\n\n{BAD_REQUEST}"
    ));
    assert_eq!(before.len(), 2);
    assert_eq!(
        before.iter().map(|(f, _)| f).collect::<Vec<_>>(),
        after.iter().map(|(f, _)| f).collect::<Vec<_>>()
    );
    assert_eq!(after[0].1, before[0].1 + 3);
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (a copy of the OASIS SARIF 2.1.0 schema is kept in tests/data)",
                schema_path.display()
            )
        }))
        .unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the schema compiles");
    let dir = TempDir::new().unwrap();
    write(dir.path(), "src/auth.ts", BAD_REQUEST);
    write(dir.path(), "src/bad.py", b"x = '\xff'\n");
    // A suppressed finding and a notice (unused suppression): both must validate too.
    write(
        dir.path(),
        "src/other.js",
        BAD_REQUEST.replace(
            "    response_type: \"code\",",
            "    // skillaudit-ignore[no-state-parameter, pkce-plain-method]: PKCE covers it\n    response_type: \"code\",",
        ),
    );
    let out = skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let sarif = json_of(&out.stdout);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
    let run = &sarif["runs"][0];
    assert!(run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["suppressions"][0]["justification"] == "PKCE covers it"));
    assert!(run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["descriptor"]["id"] == "suppression/unused-suppression"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "oauth-without-pkce"
        && r["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "security")
        && r["properties"]["security-severity"].is_string()));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "oauth-without-pkce");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/auth.ts"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(result["partialFingerprints"]["skillaudit/v1"].is_string());
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .contains("src/bad.py")));
}

#[test]
fn github_annotations() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.ts", BAD_REQUEST);
    skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "github", "auth.ts"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "::error file=auth.ts,line=3,col=5,",
        ))
        .stdout(predicate::str::contains(
            "::warning file=auth.ts,line=3,col=5,",
        ));
}

#[test]
fn output_file_receives_the_report() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "auth.ts", BAD_REQUEST);
    let report = dir.path().join("out.json");
    skillaudit()
        .current_dir(dir.path())
        .args(["scan", "auth.ts", "--format", "json", "--output"])
        .arg(&report)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("2 findings"));
    assert_eq!(
        json_of(&std::fs::read(&report).unwrap())["summary"]["findings"],
        2
    );
}

#[test]
fn rules_and_explain() {
    skillaudit().arg("rules").assert().code(0).stdout(
        predicate::str::contains("oauth-without-pkce")
            .and(predicate::str::contains("no-state-parameter")),
    );
    skillaudit()
        .args(["explain", "pkce-plain-method"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("## Flagged example")
                .and(predicate::str::contains("## Fixed example")),
        );
    skillaudit()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"));
}

#[test]
fn suppression_comments() {
    let dir = TempDir::new().unwrap();
    let text = BAD_REQUEST.replace(
        "    response_type: \"code\",",
        "    // skillaudit-ignore: no-state-parameter, not-a-rule\n    response_type: \"code\",",
    );
    write(dir.path(), "auth.ts", text);
    let out = scan_json(dir.path(), &["auth.ts"]);
    let json = out.json;
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["oauth-without-pkce"]);
    assert_eq!(json["summary"]["suppressed"], 1);
    assert!(out.stderr.as_str().contains("unknown rule id `not-a-rule`"));
}

/// Bad input: every file is accounted for, nothing panics or overflows, and the good file is still scanned.
#[test]
fn bad_input_is_accounted_for_and_the_scan_goes_on() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "good.ts", BAD_REQUEST);
    write(
        d,
        "latin1.py",
        b"name = '\xe9t\xe9'\nresponse_type = 'code'\n",
    );
    write(d, "bundle.js", "var a=1;".repeat(20 * 1024 * 1024 / 8));
    write(d, "binary.ts", b"\x00\x01\x02response_type\x00");
    write(d, "empty.js", "");
    write(
        d,
        "broken.js",
        "function ( { response_type: \"code\", client_id: x \n const = ;",
    );
    // Deeply nested expressions, one level per line (so they are not mistaken for minified code).
    write(
        d,
        "deep.js",
        format!(
            "const x = {}1{};\n",
            "(\n".repeat(100_000),
            ")\n".repeat(100_000)
        ),
    );
    write(
        d,
        "deep.py",
        format!("x = {}1{}\n", "[\n".repeat(100_000), "]\n".repeat(100_000)),
    );
    write(
        d,
        "deep_string.js",
        format!(
            "const q = {}\"?response_type=code\"{};\n",
            "(\"a\" +\n".repeat(100_000),
            ")\n".repeat(100_000)
        ),
    );
    write(
        d,
        "crlf.js",
        format!(
            "\u{feff}// first\r\n\r\n{}",
            BAD_REQUEST.replace('\n', "\r\n")
        ),
    );
    std::os::unix::fs::symlink(d, d.join("loop")).unwrap();
    let out = scan_json(
        d,
        &[
            "--follow",
            "--no-prefilter",
            "--max-file-size",
            "32MiB",
            ".",
        ],
    );
    let stderr = out.stderr.as_str();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = out.json;
    let skipped: Vec<(String, String)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |path: &str, kind: &str| skipped.iter().any(|(p, k)| p == path && k == kind);
    assert!(has("latin1.py", "not-utf8"), "{skipped:?}");
    assert!(has("bundle.js", "minified"), "{skipped:?}");
    assert!(has("binary.ts", "binary"), "{skipped:?}");
    assert!(
        skipped.iter().any(|(_, k)| k == "symlink-loop"),
        "{skipped:?}"
    );
    for deep in ["deep.js", "deep.py", "deep_string.js"] {
        assert!(has(deep, "too-deep"), "{skipped:?}");
    }
    let summary = &json["summary"];
    // good, empty, broken (syntax errors are still scanned), crlf
    assert_eq!(summary["files_scanned"], 4, "{json:#}");
    assert_eq!(summary["files_errored"], 0, "{json:#}");
    // CRLF and a BOM do not shift lines: the finding is on line 5 of crlf.js (2 lines added above line 3).
    let crlf: Vec<u64> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "crlf.js")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(crlf, [5, 5]);
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "good.ts"));
    // A too-large file is skipped with its reason under the default limit.
    let out = scan_json(d, &["bundle.js"]);
    assert_eq!(out.json["skipped"][0]["kind"], "too-large");
    assert_eq!(out.code, Some(3));
}

#[test]
fn symlinks_are_not_followed_by_default() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "real/auth.js", BAD_REQUEST);
    std::os::unix::fs::symlink(dir.path().join("real/auth.js"), dir.path().join("link.js"))
        .unwrap();
    let out = scan_json(dir.path(), &["."]);
    let json = out.json;
    assert_eq!(json["summary"]["files_scanned"], 1);
    assert_eq!(json["skipped"][0]["kind"], "symlink");
}

#[test]
fn test_code_is_skipped_unless_asked_for() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "src/auth.ts", GOOD_REQUEST);
    write(dir.path(), "test/authorize.test.ts", BAD_REQUEST);
    write(
        dir.path(),
        "tests/test_flow.py",
        "q = '?response_type=code&client_id=x'\n",
    );
    let out = scan_json(dir.path(), &["."]);
    let json = out.json;
    assert_eq!(out.code, Some(0));
    assert_eq!(json["summary"]["files_skipped"], 2);
    assert_eq!(json["skipped"][0]["kind"], "test-code");
    let out = scan_json(dir.path(), &["--include-tests", "."]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.json["summary"]["files_scanned"], 3);
}

#[test]
fn a_file_reached_twice_is_reported_once() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "src/auth.js", BAD_REQUEST);
    let once = scan_json(dir.path(), &["src/auth.js"]);
    let findings = once.json["findings"].as_array().unwrap().len();
    assert!(findings > 0, "{}", once.json);
    // The same file named twice, and named inside a directory that is also scanned.
    for args in [
        &["src/auth.js", "./src/auth.js"][..],
        &["src", "src/auth.js"][..],
        &["src", "./src"][..],
    ] {
        let twice = scan_json(dir.path(), args);
        assert_eq!(twice.json["summary"]["files_scanned"], 1, "{args:?}");
        assert_eq!(
            twice.json["findings"].as_array().unwrap().len(),
            findings,
            "{args:?}"
        );
    }
}
