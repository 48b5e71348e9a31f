//! Hostile inputs, replayed on stable without libFuzzer: every file of `tests/data/fuzz-regressions/<target>/`
//! goes through the same entry point as the fuzz target of that name (`fuzz/fuzz_targets/<target>.rs`) and the
//! same invariants (`tests/fuzz_harness`), and so do large inputs generated here at run time (committed corpus
//! files stay a few KB).
//!
//! Inputs that still crash are listed in `KNOWN_OPEN` / `KNOWN_OPEN_GENERATED` and skipped with a note, so the
//! suite stays green until their fix lands; `cargo test --test regression -- --ignored` runs them.
//! Delete an entry when its fix lands.

mod fuzz_harness;

use std::path::{Path, PathBuf};

use fuzz_harness::{Placement, JS, PY, TS};
use skillaudit::lang::Lang;

/// Corpus files (relative to the corpus directory) that still fail, with what fails. Their names start with
/// `known-open-`, which `scripts/fuzz.sh` leaves out of its seeds.
const KNOWN_OPEN: &[(&str, &str)] = &[];

/// Generated inputs (by name in `generated`) that still fail, with what fails.
///
/// The Python ones that aborted the process in tree-sitter-python's external scanner (its serialisation
/// writes 1,025 bytes with 384+ indentation levels and an odd number of open strings) are refused before
/// parsing now (`lang::guard`): they run below and must come out as skipped, not abort.
const KNOWN_OPEN_GENERATED: &[(&str, &str)] = &[(
    "ts-300000-unclosed-type-arguments",
    "slow and memory-hungry in tree-sitter-typescript itself: repeated `a<` keeps GLR stack versions alive \
     (about 2.4 KB of memory per input byte in a release build, 243 MB for 300 KB; the parse is linear in \
     progress checks), nearly all of it in the parse, which the parse floor pays too",
)];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions")
}

/// The entry point of each fuzz target, by its name (the corpus's folder names).
fn target(name: &str) -> fn(&[u8]) {
    match name {
        "fuzz_js" => |b| fuzz_harness::check_file(JS, b),
        "fuzz_ts" => |b| fuzz_harness::check_file(TS, b),
        "fuzz_py" => |b| fuzz_harness::check_file(PY, b),
        "fuzz_suppressions" => fuzz_harness::check_suppression,
        other => panic!("tests/data/fuzz-regressions/{other}: no fuzz target of that name"),
    }
}

fn corpus() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(corpus_dir()).expect("the regression corpus exists") {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let rel = file
                .strip_prefix(corpus_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, file));
        }
    }
    files.sort();
    files
}

fn known_open(list: &[(&'static str, &'static str)], name: &str) -> Option<&'static str> {
    list.iter().find(|(n, _)| *n == name).map(|(_, why)| *why)
}

#[test]
fn corpus_files_pass_their_targets() {
    let files = corpus();
    assert!(!files.is_empty());
    for (rel, path) in &files {
        if let Some(why) = known_open(KNOWN_OPEN, rel) {
            eprintln!("note: skipping known-open {rel}: {why}");
            continue;
        }
        let folder = rel.split('/').next().unwrap();
        let bytes = std::fs::read(path).unwrap();
        eprintln!("{rel} ({} bytes)", bytes.len());
        target(folder)(&bytes);
    }
}

#[test]
fn corpus_files_stay_small_and_known_open_entries_exist() {
    for (rel, path) in corpus() {
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(
            size <= 8 * 1024,
            "{rel} is {size} bytes: minimise it or generate it in tests/regression.rs"
        );
    }
    for (rel, _) in KNOWN_OPEN {
        assert!(
            corpus_dir().join(rel).is_file(),
            "KNOWN_OPEN names a missing file {rel}"
        );
    }
    for (rel, _) in corpus() {
        let open = rel.rsplit('/').next().unwrap().starts_with("known-open-");
        assert_eq!(
            open,
            known_open(KNOWN_OPEN, &rel).is_some(),
            "{rel}: a file is listed in KNOWN_OPEN exactly when its name starts with known-open-"
        );
    }
    let names: Vec<_> = generated().into_iter().map(|g| g.0).collect();
    for (name, _) in KNOWN_OPEN_GENERATED {
        assert!(
            names.contains(name),
            "KNOWN_OPEN_GENERATED names no generated input {name}"
        );
    }
}

/// Large hostile inputs, built here so the repository holds no large file: (name, languages, bytes). Lines are
/// kept short so that `classify` does not skip them as minified and they reach the parser.
fn generated() -> Vec<(&'static str, &'static [Lang], Vec<u8>)> {
    let deep = 100_000;
    let nest = |open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", lines(open, deep), lines(close, deep)).into_bytes()
    };
    vec![
        ("js-deep-parens", JS, nest("(", "x", ")")),
        ("js-deep-calls", JS, nest("f(", "response_type", ")")),
        ("js-deep-arrays", JS, nest("[", "code_verifier", "]")),
        ("js-deep-objects", JS, nest("({a: ", "'plain'", "})")),
        (
            "js-deep-unclosed-brackets",
            JS,
            lines("[{(", deep).into_bytes(),
        ),
        (
            "js-long-plus-chain",
            JS,
            format!("const code_verifier = a{};\n", lines("+a", deep)).into_bytes(),
        ),
        (
            "js-deep-template-literals",
            JS,
            nest("`${", "response_type", "}`"),
        ),
        (
            "js-deep-unclosed-templates",
            JS,
            lines("`${", deep).into_bytes(),
        ),
        ("ts-deep-parens", TS, nest("(", "x as any", ")")),
        (
            "ts-deep-generics",
            TS,
            format!("type T = {}B{};\n", lines("A<", deep), lines(">", deep)).into_bytes(),
        ),
        (
            "ts-unclosed-type-aliases",
            TS,
            lines("type T = A<", deep / 10).into_bytes(),
        ),
        ("py-deep-parens", PY, nest("(", "1", ")")),
        ("py-deep-lists", PY, nest("[", "'plain'", "]")),
        ("py-deep-calls", PY, nest("f(", "response_type", ")")),
        (
            "py-long-plus-chain",
            PY,
            format!("code_verifier = (a{})\n", lines(" + a", deep)).into_bytes(),
        ),
        (
            "py-deep-unclosed-brackets",
            PY,
            lines("[{(", deep).into_bytes(),
        ),
        ("py-deep-fstrings", PY, nest("f'{", "response_type", "}'")),
        // Just below the scanner's limits: must pass.
        (
            "py-510-indent-levels-with-string",
            PY,
            py_indented(510, "s = \"plain\""),
        ),
        (
            "py-383-indent-levels-255-open-fstrings",
            PY,
            py_indented(383, &format!("s = {}", "f\"{".repeat(255))),
        ),
        // Known open (see KNOWN_OPEN_GENERATED).
        (
            "ts-300000-unclosed-type-arguments",
            TS,
            lines("a<", 300_000).into_bytes(),
        ),
        (
            "py-511-indent-levels-with-string",
            PY,
            py_indented(511, "s = \"plain\""),
        ),
        (
            "py-384-indent-levels-255-open-fstrings",
            PY,
            py_indented(384, &format!("s = {}", "f\"{".repeat(255))),
        ),
    ]
}

/// `count` copies of `piece`, 50 to a line.
fn lines(piece: &str, count: usize) -> String {
    let mut out = String::with_capacity(piece.len() * count + count / 50);
    for i in 0..count {
        out.push_str(piece);
        if i % 50 == 49 {
            out.push('\n');
        }
    }
    out
}

/// `levels` nested `if` blocks, one more space each, with `innermost` in the deepest.
fn py_indented(levels: usize, innermost: &str) -> Vec<u8> {
    let mut text = String::from("def f():\n");
    for level in 1..levels {
        text.push_str(&" ".repeat(level));
        text.push_str("if code_verifier:\n");
    }
    text.push_str(&" ".repeat(levels));
    text.push_str(innermost);
    text.push('\n');
    text.into_bytes()
}

#[test]
fn generated_hostile_inputs_pass() {
    for (name, langs, bytes) in generated() {
        if let Some(why) = known_open(KNOWN_OPEN_GENERATED, name) {
            eprintln!("note: skipping known-open generated input {name}: {why}");
            continue;
        }
        assert!(
            fuzz_harness::classify_checked(&bytes).is_some(),
            "{name} must reach the parser, not be skipped by classify"
        );
        // No time is asserted (performance is measured in the benchmarks); a hang fails CI by its limit.
        eprintln!("{name} ({} bytes)", bytes.len());
        fuzz_harness::check_file(langs, &bytes);
    }
}

#[test]
fn every_suppression_placement_suppresses_its_finding() {
    for placement in Placement::ALL {
        fuzz_harness::check_comment_strict(placement, " skillaudit-ignore");
        fuzz_harness::check_comment_strict(placement, " skillaudit-ignore: oauth-without-pkce");
        fuzz_harness::check_comment_strict(
            placement,
            " skillaudit-ignore: no-state-parameter, not-a-rule",
        );
        fuzz_harness::check_comment_strict(placement, " an ordinary comment");
    }
}

#[test]
#[ignore = "runs the known-open inputs, which are still slow"]
fn known_open_inputs() {
    for (rel, why) in KNOWN_OPEN {
        eprintln!("{rel}: {why}");
        let folder = rel.split('/').next().unwrap();
        target(folder)(&std::fs::read(corpus_dir().join(rel)).unwrap());
    }
    for (name, langs, bytes) in generated() {
        if let Some(why) = known_open(KNOWN_OPEN_GENERATED, name) {
            eprintln!("{name}: {why}");
            fuzz_harness::check_file(langs, &bytes);
        }
    }
}
