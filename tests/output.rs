//! The formats people read: human and concise output, GitHub annotations and job summary, and the small
//! edges of the command line.

mod common;

use common::*;
use predicates::prelude::*;
use tempfile::TempDir;

fn run(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = skillaudit()
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A weak verifier made at the top of a function and sent 40 lines below.
fn far_apart(lines_between: usize) -> String {
    let pad: String = (0..lines_between)
        .map(|i| format!("  const pad{i} = {i};\n"))
        .collect();
    format!(
        "export function exchange(endpoint) {{\n  const v = Math.random().toString(36);\n{pad}  return {{ grant_type: \"authorization_code\", code_verifier: v }};\n}}\n"
    )
}

#[test]
fn far_apart_labels_are_separate_snippets() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "far.js", far_apart(40));
    let (code, out, _) = run(dir.path(), &["scan", "--color", "never", "far.js"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("Math.random()") && out.contains("code_verifier: v"),
        "{out}"
    );
    assert!(out.contains("used as the code verifier here"), "{out}");
    // Only the context lines around each label, not the 40 lines in between.
    assert!(!out.contains("pad20"), "{out}");
    assert_eq!(out.matches("╭─[far.js:").count(), 2, "{out}");
}

#[test]
fn docs_pointer_once_per_rule_and_fixes_in_the_file_language() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a.py",
        "import random\n\ndef begin():\n    code_verifier = str(random.random())\n    return code_verifier\n\n\ndef again():\n    code_verifier = str(random.random())\n    return code_verifier\n",
    );
    let (code, out, _) = run(dir.path(), &["scan", "--color", "never", "a.py"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        out.matches("weak-verifier-entropy (severity").count(),
        2,
        "{out}"
    );
    assert_eq!(out.matches("docs: `skillaudit explain").count(), 1, "{out}");
    assert!(
        out.contains("same fix as the first weak-verifier-entropy finding above"),
        "{out}"
    );
    assert!(out.contains("secrets.token_urlsafe(32)"), "{out}");
    // No Node-only advice in a Python finding.
    assert!(
        !out.contains("randomBytes") && !out.contains("Node"),
        "{out}"
    );
    // URLs are never broken across lines.
    assert!(
        out.contains(
            "https://github.com/skillaudit/skillaudit/blob/main/rules/weak-verifier-entropy.md"
        ),
        "{out}"
    );
}

#[test]
fn findings_on_one_line_most_severe_first() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "one.js",
        "export const u = (e) => `${e}?response_type=code&client_id=x`;\n",
    );
    let (_, out, _) = run(dir.path(), &["scan", "--format", "concise", "one.js"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("one.js:1:") && lines[0].contains(": high oauth-without-pkce "),
        "{out}"
    );
    assert!(lines[1].contains(": medium no-state-parameter "), "{out}");
}

#[test]
fn concise_is_one_line_per_finding_relative_to_the_working_directory() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), "pkg/src/auth.ts", BAD_REQUEST);
    let (code, out, err) = run(
        &dir.path().join("pkg"),
        &["scan", "--format", "concise", "src"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "src/auth.ts:3:5: high oauth-without-pkce authorization request with response_type=code has no code_challenge: a process that receives the redirect can redeem the code\n\
         src/auth.ts:3:5: medium no-state-parameter authorization request has no state parameter: the callback is not bound to the browser session that started it (login CSRF)\n",
        "{err}"
    );
}

#[test]
fn github_keeps_the_most_severe_within_its_limits_and_says_how_many_more() {
    let dir = TempDir::new().unwrap();
    // 12 files with a high and a medium finding each, plus skipped files (notices).
    for i in 0..12 {
        write(dir.path(), &format!("auth{i:02}.ts"), BAD_REQUEST);
    }
    for i in 0..12 {
        write(dir.path(), &format!("bad{i:02}.py"), b"x = '\xff'\n");
    }
    let (code, out, _) = run(dir.path(), &["scan", "--format", "github", "."]);
    assert_eq!(code, Some(1));
    let count = |level: &str| out.lines().filter(|l| l.starts_with(level)).count();
    assert_eq!(count("::error "), 10, "{out}");
    assert_eq!(count("::warning "), 10, "{out}");
    assert_eq!(count("::notice "), 10, "{out}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("::notice title=skillaudit::"), "{last}");
    // 24 findings + 12 skips = 36 annotations, 29 shown.
    assert!(last.contains("7 more annotations not shown"), "{last}");
    // The first error is the first high finding by path.
    assert!(
        out.lines()
            .next()
            .unwrap()
            .starts_with("::error file=auth00.ts,line=3"),
        "{out}"
    );
}

#[test]
fn step_summary_is_appended_in_every_format() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), "src/a|uth.ts", BAD_REQUEST);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    for format in ["json", "human"] {
        let out = skillaudit()
            .current_dir(dir.path())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", "acme/mcp")
            .env("GITHUB_SHA", "0123abc")
            .args(["scan", "--format", format, "src"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
    }
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("# earlier step\n## skillaudit\n"),
        "{text}"
    );
    assert_eq!(text.matches("## skillaudit").count(), 2);
    assert!(
        text.contains("**2 findings**: 1 high, 1 medium, 0 low"),
        "{text}"
    );
    assert!(
        text.contains("| `oauth-without-pkce` | high | 1 |"),
        "{text}"
    );
    assert!(
        text.contains(
            "[src/a\\|uth.ts:3](https://github.com/acme/mcp/blob/0123abc/src/a%7Cuth.ts#L3)"
        ),
        "{text}"
    );
}

#[test]
fn usage_errors_are_clear() {
    let dir = TempDir::new().unwrap();
    // An unknown flag: the usage line must not read as if the suggested flag were required.
    let (code, _, err) = run(dir.path(), &["scan", "--foo"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("Usage: skillaudit scan [OPTIONS] [PATHS]..."),
        "{err}"
    );
    assert!(!err.contains("scan --follow"), "{err}");
    let (code, _, err) = run(dir.path(), &["scan", "--exclude", "[", "."]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--exclude \"[\" is not a valid glob"), "{err}");
    assert!(!err.contains("!["), "{err}");
    for args in [
        &["scan", "-j", "0", "."][..],
        &["scan", "-j", "99999", "."],
        &["scan", "--max-file-size", "0", "."],
        &["scan", "--max-file-size", "5000G", "."],
    ] {
        let (code, _, err) = run(dir.path(), args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("error: invalid value"), "{args:?}: {err}");
    }
}

#[test]
fn rules_as_json() {
    let out = skillaudit()
        .args(["rules", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"oauth-without-pkce\""));
    let list = json_of(&out.get_output().stdout);
    let list = list.as_array().unwrap();
    assert!(list.len() >= 5);
    for r in list {
        for key in ["id", "severity", "confidence", "cwe", "summary", "help_uri"] {
            assert!(r[key].is_string(), "{key}: {r}");
        }
    }
}

/// A mistake that spans two modules: the finding is in the module that makes the verifier, and every
/// machine format points at the other file's handler that reads it.
#[test]
fn findings_across_files_name_the_other_file_in_json_and_sarif() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "src/pkce.js",
        "import { randomBytes } from \"node:crypto\";\nexport const codeVerifier = randomBytes(32).toString(\"base64url\");\n",
    );
    write(
        dir.path(),
        "src/routes/token.js",
        "import { codeVerifier } from \"../pkce.js\";\n\nexport async function token(req) {\n  return fetch(\"https://idp/token\", { method: \"POST\", body: new URLSearchParams({ grant_type: \"authorization_code\", code: req.query.code, code_verifier: codeVerifier }) });\n}\n",
    );
    let scan = scan_json(dir.path(), &["."]);
    assert_eq!(scan.code, Some(1), "{}", scan.stderr);
    let findings = scan.json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule_id"], "pkce-session-leak");
    assert_eq!(f["path"], "src/pkce.js");
    assert_eq!(f["line"], 2);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("src/routes/token.js"));
    assert_eq!(f["related"][0]["path"], "src/routes/token.js");
    assert_eq!(f["related"][0]["line"], 4);
    let out = skillaudit()
        .current_dir(dir.path())
        .args(["scan", "--format", "sarif", "."])
        .output()
        .unwrap();
    let sarif = json_of(&out.stdout);
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "src/routes/token.js");
    assert_eq!(related["region"]["startLine"], 4);
    // Named alone, the module has no importer in the scan: nothing to link, no finding.
    let alone = scan_json(dir.path(), &["src/pkce.js"]);
    assert_eq!(alone.code, Some(0), "{}", alone.json);
}
