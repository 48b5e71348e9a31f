//! What the scan does with hostile or unusual inputs and paths: every file accounted for, nothing hangs or
//! aborts, reported paths do not depend on how they were typed.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use tempfile::TempDir;

/// The JSON of a scan run from `cwd` with `args`.
fn json_from(cwd: &Path, args: &[&str]) -> JsonScan {
    scan_json(cwd, args)
}

fn paths_of(json: &serde_json::Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

fn kinds(json: &serde_json::Value) -> Vec<(String, String)> {
    pairs(json, "skipped", "path", "kind")
}

#[test]
fn directories_above_the_scan_root_never_make_files_test_code() {
    let dir = TempDir::new().unwrap();
    let proj = dir.path().join("home/ci/test/proj");
    write(&proj, "src/auth.ts", BAD_REQUEST);
    write(&proj, "tests/auth.ts", BAD_REQUEST);
    let out = json_from(dir.path(), &[proj.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.json["summary"]["files_scanned"], 1);
    // Inside the scanned directory, `tests/` still is test code.
    assert_eq!(kinds(&out.json).len(), 1);
    assert_eq!(kinds(&out.json)[0].1, "test-code");
    // Relative spelling, from inside the test directory.
    let out = json_from(&dir.path().join("home/ci/test"), &["proj"]);
    assert_eq!(out.json["summary"]["files_scanned"], 1);
}

/// SARIF locations, fingerprints and JSON paths are relative to the repository root whatever form the path
/// had and wherever the scan was started from.
#[test]
fn locations_and_fingerprints_do_not_depend_on_how_the_path_was_typed() {
    let dir = TempDir::new().unwrap();
    let repo = dir.path().join("work/repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(&repo, "pkg/src/auth.ts", BAD_REQUEST);
    let abs_file = repo.join("pkg/src/auth.ts");
    let pkg = repo.join("pkg");
    let runs: Vec<(&Path, Vec<String>)> = vec![
        (repo.as_path(), vec![".".into()]),
        (repo.as_path(), vec!["pkg/src/auth.ts".into()]),
        (repo.as_path(), vec!["./pkg/../pkg/src".into()]),
        (dir.path(), vec![abs_file.to_str().unwrap().to_string()]),
        (dir.path(), vec![repo.to_str().unwrap().to_string()]),
        (pkg.as_path(), vec!["src".into()]),
    ];
    let mut seen = Vec::new();
    for (cwd, args) in &runs {
        let out = skillaudit()
            .current_dir(cwd)
            .args(["scan", "--format", "sarif"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let sarif = json_of(&out.stdout);
        let run = &sarif["runs"][0];
        let result = &run["results"][0];
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        let base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            base.starts_with("file:///") && base.ends_with("/work/repo/"),
            "{base}"
        );
        seen.push((
            artifact["uri"].as_str().unwrap().to_string(),
            artifact["uriBaseId"].as_str().unwrap().to_string(),
            result["partialFingerprints"]["skillaudit/v1"]
                .as_str()
                .unwrap()
                .to_string(),
        ));
        let json = scan_json(cwd, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            paths_of(&json.json, "findings")[0],
            "pkg/src/auth.ts",
            "{args:?}"
        );
    }
    assert_eq!(seen[0].0, "pkg/src/auth.ts");
    assert_eq!(seen[0].1, "SRCROOT");
    for s in &seen {
        assert_eq!(s, &seen[0], "{runs:?}");
    }
}

#[test]
fn outside_a_repository_paths_are_relative_to_the_working_directory() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a/auth.ts", BAD_REQUEST);
    let rel = scan_json(dir.path(), &["a"]);
    let abs = scan_json(dir.path(), &[dir.path().join("a").to_str().unwrap()]);
    assert_eq!(paths_of(&rel.json, "findings")[0], "a/auth.ts");
    assert_eq!(rel.json["findings"], abs.json["findings"]);
}

#[test]
fn all_skipped_says_how_many_candidates_and_why() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.ts", BAD_REQUEST);
    write(dir.path(), "b.py", b"x = '\xff'\n");
    let out = scan_json(dir.path(), &["--max-file-size", "10", "."]);
    assert_eq!(out.code, Some(3));
    assert!(
        out.stderr
            .contains("2 candidate files were found, all skipped"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("1 too-large: file is"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 not-utf8"), "{}", out.stderr);
    assert!(!out.stderr.contains("no JavaScript"), "{}", out.stderr);
    let empty = TempDir::new().unwrap();
    let out = scan_json(empty.path(), &["."]);
    assert_eq!(out.code, Some(3));
    assert!(out
        .stderr
        .contains("no JavaScript, TypeScript or Python file"));
}

/// The shape that aborted the whole process in tree-sitter-python's scanner, beside a file with a finding:
/// it is skipped before parsing and the other file's finding is still reported.
#[test]
fn python_nested_past_what_its_grammar_survives_is_skipped_not_fatal() {
    let dir = TempDir::new().unwrap();
    let mut deep = String::new();
    for i in 0..520 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("if x:\n");
    }
    deep.push_str(&" ".repeat(520));
    deep.push_str("s = 'code_verifier'\n");
    write(dir.path(), "deep.py", &deep);
    // JavaScript and TypeScript scanners keep no state; deep templates and JSX are parsed or refused by
    // the nesting limit, never abort.
    let template = format!(
        "const t = {}x{};\n",
        "`${\n".repeat(600),
        "}`\n".repeat(600)
    );
    write(dir.path(), "deep_template.js", &template);
    let jsx = format!(
        "const v = {}code_verifier{};\n",
        "<a>\n".repeat(600),
        "</a>\n".repeat(600)
    );
    write(dir.path(), "deep.tsx", &jsx);
    write(dir.path(), "auth.ts", BAD_REQUEST);
    let out = scan_json(dir.path(), &["--no-prefilter", "."]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        kinds(&out.json).contains(&("deep.py".into(), "too-deep".into())),
        "{:?}",
        kinds(&out.json)
    );
    let reason = &out.json["skipped"][0]["reason"];
    assert!(
        reason.as_str().unwrap().contains("indentation levels"),
        "{reason}"
    );
    assert!(paths_of(&out.json, "findings").contains(&"auth.ts".to_string()));
    let c = &out.json["summary"];
    assert_eq!(
        c["files_scanned"].as_u64().unwrap() + c["files_skipped"].as_u64().unwrap(),
        4
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_skipped_not_read() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(d, "auth.ts", BAD_REQUEST);
    mkfifo(&d.join("pipe.ts"));
    std::fs::create_dir(d.join("sub")).unwrap();
    mkfifo(&d.join("sub/inner.js"));
    std::os::unix::fs::symlink("/dev/zero", d.join("sub/zero.js")).unwrap();
    // Named on the command line: it used to block forever in open().
    let out = skillaudit()
        .current_dir(d)
        .args(["scan", "--format", "json", "pipe.ts", "auth.ts"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out.stdout);
    assert_eq!(
        kinds(&json),
        [("pipe.ts".to_string(), "not-a-regular-file".to_string())]
    );
    // Inside a directory, and a link to a device with --follow: counted, not silently dropped.
    let out = skillaudit()
        .current_dir(d)
        .args(["scan", "--format", "json", "--follow", "sub"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let mut k = kinds(&json);
    k.sort();
    assert_eq!(
        k,
        [
            ("sub/inner.js".to_string(), "not-a-regular-file".to_string()),
            ("sub/zero.js".to_string(), "not-a-regular-file".to_string())
        ]
    );
    assert_eq!(out.status.code(), Some(3));
}

#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_stay_distinct_and_backslashes_stay_in_names() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    for name in [&b"bad\xff\xfe.ts"[..], b"bad\xff\xfd.ts", b"a\\b.ts"] {
        std::fs::write(d.join(OsStr::from_bytes(name)), BAD_REQUEST).unwrap();
    }
    let out = scan_json(d, &["."]);
    assert_eq!(out.json["summary"]["files_scanned"], 3, "{}", out.json);
    let mut found = paths_of(&out.json, "findings");
    found.dedup();
    assert_eq!(found, ["a\\b.ts", "bad\\xff\\xfd.ts", "bad\\xff\\xfe.ts"]);
    // SARIF percent-encodes the real bytes.
    let out = skillaudit()
        .current_dir(d)
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    let sarif = String::from_utf8(out.stdout).unwrap();
    assert!(sarif.contains("\"bad%FF%FE.ts\""), "{sarif}");
    assert!(sarif.contains("\"a%5Cb.ts\""), "{sarif}");
}

#[cfg(unix)]
#[test]
fn control_characters_in_names_and_lines_are_not_printed_raw() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let name = "evil\x1b[2J\x07.ts";
    let text = BAD_REQUEST.replace("client_id: clientId,", "client_id: \"\x1b]0;owned\x07\",");
    write(d, name, &text);
    for format in ["human", "concise", "github"] {
        let out = skillaudit()
            .current_dir(d)
            .args(["scan", "--color", "never", "--format", format, "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
                "{format} {what}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("evil\\x1b[2J\\x07.ts"),
            "{format}: {stdout}"
        );
    }
}

/// A TypeScript declaration file is scanned (read and counted) but never parsed: it holds types, not code
/// that runs, even when it is full of OAuth words.
#[test]
fn declaration_files_are_counted_but_not_parsed() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "src/auth.ts", BAD_REQUEST);
    write(dir.path(), "types/auth.d.ts", BAD_REQUEST);
    write(dir.path(), "types/auth.d.mts", BAD_REQUEST);
    let out = json_from(dir.path(), &["."]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(out.json["summary"]["files_scanned"], 3);
    assert_eq!(out.json["summary"]["files_parsed"], 1);
    let flagged: Vec<String> = paths_of(&out.json, "findings");
    assert!(flagged.iter().all(|p| p == "src/auth.ts"), "{flagged:?}");
    // Not a prefilter decision: the same without it.
    let out = json_from(dir.path(), &[".", "--no-prefilter"]);
    assert_eq!(out.json["summary"]["files_parsed"], 1);
    assert_eq!(paths_of(&out.json, "findings"), flagged);
}
