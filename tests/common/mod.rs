//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

pub fn skillaudit() -> Command {
    let mut cmd = Command::cargo_bin("skillaudit").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

pub const BAD_REQUEST: &str = r#"export function login(endpoint, clientId) {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: "http://127.0.0.1:8765/callback",
  });
  return `${endpoint}?${params}`;
}
"#;

pub const GOOD_REQUEST: &str = r#"export function login(endpoint, clientId, state, challenge) {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  return `${endpoint}?${params}`;
}
"#;

pub fn json_of(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output).expect("valid JSON")
}

/// What `skillaudit scan --format json ARGS…` run in a directory gave.
pub struct JsonScan {
    pub code: Option<i32>,
    pub json: serde_json::Value,
    pub stderr: String,
}

/// What `skillaudit scan --format json ARGS…` run in a directory printed, whether or not it is JSON.
pub fn scan_output(dir: &Path, args: &[&str]) -> std::process::Output {
    skillaudit()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap()
}

pub fn scan_json(dir: &Path, args: &[&str]) -> JsonScan {
    let out = scan_output(dir, args);
    JsonScan {
        code: out.status.code(),
        json: json_of(&out.stdout),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Two string fields of every entry of a JSON array (`findings`, `skipped`, `notices` …).
pub fn pairs(json: &serde_json::Value, array: &str, a: &str, b: &str) -> Vec<(String, String)> {
    json[array]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[a].as_str().unwrap().to_string(),
                e[b].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
