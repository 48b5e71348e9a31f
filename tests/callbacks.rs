//! state-not-verified through the whole scan pipeline (walk, project phase, locate), not only the per-file
//! analysis the fixture suite runs: every finding of its fixtures is reported on the line its expect comment
//! names, with its related locations in the same file.

mod common;

use std::path::Path;

use common::*;

fn expected_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut pending = false;
    for (i, line) in text.lines().enumerate() {
        if line.contains("skillaudit-expect:") {
            pending |= line.contains("state-not-verified");
            continue;
        }
        if pending {
            out.push(i + 1);
            pending = false;
        }
    }
    out
}

#[test]
fn findings_are_located_on_their_expected_lines_by_the_scan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/state-not-verified");
    let mut checked = 0;
    for lang in ["js", "ts", "py"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(lang))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let out = scan_json(
                file.parent().unwrap(),
                &[
                    "--select",
                    "state-not-verified",
                    file.file_name().unwrap().to_str().unwrap(),
                ],
            );
            let findings = out.json["findings"].as_array().unwrap();
            let mut lines: Vec<usize> = findings
                .iter()
                .map(|f| f["line"].as_u64().unwrap() as usize)
                .collect();
            lines.sort();
            assert_eq!(lines, expected_lines(&text), "{}", file.display());
            for f in findings {
                for r in f["related"].as_array().unwrap() {
                    assert_eq!(r["path"], f["path"], "{}", file.display());
                    assert!(r["line"].as_u64().unwrap() >= 1);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 18, "{checked}");
}
