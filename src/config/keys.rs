//! The configuration keys, documented once: the README's configuration reference is generated from this
//! table (and a test checks that it is), and errors about unknown keys list these names.

/// One configuration key.
pub struct Key {
    pub name: &'static str,
    /// The TOML type.
    pub kind: &'static str,
    pub default: &'static str,
    /// The command-line flag that overrides it, if any.
    pub flag: &'static str,
    pub doc: &'static str,
}

pub const KEYS: &[Key] = &[
    Key {
        name: "exclude",
        kind: "array of strings",
        default: "`[]`",
        flag: "`--exclude`",
        doc: "Paths to leave out, in gitignore syntax, relative to the directory of the configuration file.",
    },
    Key {
        name: "include-tests",
        kind: "boolean",
        default: "`false`",
        flag: "`--include-tests`",
        doc: "Scan test code too (test directories, `*.test.*`, `*.spec.*`, `test_*.py`).",
    },
    Key {
        name: "min-severity",
        kind: "`\"low\"`, `\"medium\"` or `\"high\"`",
        default: "`\"low\"`",
        flag: "`--min-severity`",
        doc: "Report and fail only on findings of at least this severity.",
    },
    Key {
        name: "min-confidence",
        kind: "`\"low\"`, `\"medium\"` or `\"high\"`",
        default: "`\"low\"`",
        flag: "`--min-confidence`",
        doc: "Report and fail only on findings of at least this confidence.",
    },
    Key {
        name: "select",
        kind: "array of rule ids",
        default: "every rule",
        flag: "`--select`",
        doc: "Run only these rules.",
    },
    Key {
        name: "ignore",
        kind: "array of rule ids",
        default: "`[]`",
        flag: "`--ignore`",
        doc: "Do not run these rules (applied after `select`).",
    },
    Key {
        name: "per-file-ignores",
        kind: "table: glob → array of rule ids",
        default: "`{}`",
        flag: "",
        doc: "Rules not to run on the files a glob matches (relative to the directory of the configuration file; a glob without `/` matches the file name at any depth).",
    },
    Key {
        name: "max-file-size",
        kind: "integer (bytes) or string (`\"4MiB\"`)",
        default: "`\"2MiB\"`",
        flag: "`--max-file-size`",
        doc: "Skip files larger than this (1 byte to 1 GiB).",
    },
    Key {
        name: "baseline",
        kind: "string (path)",
        default: "none",
        flag: "`--baseline`",
        doc: "A baseline file (relative to the configuration file): report and fail only on findings not in it.",
    },
];

/// The README's configuration reference, as Markdown.
pub fn reference() -> String {
    let mut out =
        String::from("| key | type | default | flag | meaning |\n|---|---|---|---|---|\n");
    for k in KEYS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            k.name, k.kind, k.default, k.flag, k.doc
        ));
    }
    out
}
