//! The GitHub Action's shell steps, the pre-commit hook's command, and the README's generated
//! configuration reference.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use tempfile::TempDir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A PATH whose first entry holds the skillaudit binary under test.
fn path_with_binary() -> String {
    let bin = assert_cmd::cargo::cargo_bin("skillaudit");
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `scripts/action.sh STEP` as the action does, with temporary GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
fn action(
    step: &str,
    cwd: &Path,
    inputs: &[(&str, &str)],
) -> (Option<i32>, String, String, String) {
    let out_file = cwd.join("github_output");
    let summary = cwd.join("step_summary.md");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(root().join("scripts/action.sh"))
        .arg(step)
        .current_dir(cwd)
        .env("PATH", path_with_binary())
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_OUTPUT", &out_file)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("SKILLAUDIT_ROOT", cwd.join("no-such-root"))
        .env_remove("GITHUB_PATH");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(&out_file).unwrap_or_default(),
        std::fs::read_to_string(&summary).unwrap_or_default(),
    )
}

#[test]
fn action_yml_runs_the_tested_script() {
    let yml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for step in ["version", "install", "scan"] {
        assert!(
            yml.contains(&format!(
                "bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" {step}"
            )),
            "{step}"
        );
    }
    for input in [
        "paths",
        "min-severity",
        "args",
        "sarif-file",
        "fail-on-findings",
    ] {
        assert!(yml.contains(&format!("\n  {input}:\n")), "{input}");
        let env = format!("INPUT_{}", input.to_uppercase().replace('-', "_"));
        assert!(yml.contains(&env), "{env}");
    }
    assert!(yml.contains("actions/cache@"));
}

#[test]
fn action_scan_writes_outputs_sarif_and_summary_and_keeps_the_exit_code() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(d, "src/auth.ts", BAD_REQUEST);
    let (code, stdout, outputs, summary) = action(
        "scan",
        d,
        &[
            ("INPUT_PATHS", "src"),
            ("INPUT_MIN_SEVERITY", "medium"),
            ("INPUT_SARIF_FILE", "out.sarif"),
        ],
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("::error file=src/auth.ts,line=3"),
        "{stdout}"
    );
    assert!(
        outputs.contains("exit-code=1\n") && outputs.contains("sarif-file=out.sarif\n"),
        "{outputs}"
    );
    assert!(
        summary.contains("## skillaudit") && summary.contains("oauth-without-pkce"),
        "{summary}"
    );
    let sarif = json_of(&std::fs::read(d.join("out.sarif")).unwrap());
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    // fail-on-findings: false passes the step but still reports the code.
    let (code, _, outputs, _) = action(
        "scan",
        d,
        &[
            ("INPUT_PATHS", "src"),
            ("INPUT_FAIL_ON_FINDINGS", "false"),
            ("INPUT_ARGS", "--min-severity high"),
        ],
    );
    assert_eq!(code, Some(0));
    assert!(outputs.lines().any(|l| l == "exit-code=1"), "{outputs}");
    // A usage error fails whatever fail-on-findings says.
    let (code, ..) = action(
        "scan",
        d,
        &[
            ("INPUT_FAIL_ON_FINDINGS", "false"),
            ("INPUT_ARGS", "--no-such-flag"),
        ],
    );
    assert_eq!(code, Some(2));
}

#[test]
fn action_version_and_install_skip_when_the_binary_matches() {
    let dir = TempDir::new().unwrap();
    let (code, _, outputs, _) = action("version", dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(outputs, format!("version={}\n", env!("CARGO_PKG_VERSION")));
    let (code, stdout, ..) = action("install", dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains(&format!(
            "skillaudit {} is installed",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
}

#[test]
fn pre_commit_hook_command_passes_when_every_named_file_is_left_out() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("an entry");
    assert!(entry.starts_with("skillaudit scan --force-exclude"));
    assert!(hooks.contains("language: rust"));
    let args: Vec<&str> = entry.split_whitespace().skip(1).collect();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(d, "tests/auth.test.ts", BAD_REQUEST);
    write(d, "src/auth.ts", BAD_REQUEST);
    let run = |files: &[&str]| {
        skillaudit()
            .current_dir(d)
            .args(&args)
            .args(files)
            .output()
            .unwrap()
    };
    assert_eq!(
        run(&["tests/auth.test.ts", "deleted.py"]).status.code(),
        Some(0)
    );
    let out = run(&["tests/auth.test.ts", "src/auth.ts"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn readme_configuration_reference_is_generated_from_the_keys() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = "<!-- configuration-reference: generated from src/config/keys.rs -->\n";
    let end = "<!-- end of configuration-reference -->";
    let from = readme
        .find(start)
        .expect("README has the configuration reference")
        + start.len();
    let to = readme[from..].find(end).expect("the reference ends") + from;
    assert_eq!(
        &readme[from..to],
        skillaudit::config::keys::reference(),
        "regenerate the README's configuration reference from src/config/keys.rs"
    );
}
