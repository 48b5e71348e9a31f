//! The entry points and invariants shared by the fuzz targets (`fuzz/fuzz_targets/*.rs` include this file with
//! `#[path]`) and the regression test (`tests/regression.rs`), so a crash found by the fuzzer replays in a plain
//! `cargo test` through exactly the same code.
//!
//! `check_file` does what `scan::scan_file` does to one file's bytes (classify, prefilter, parse, extract, rules,
//! locate) and `check_suppression` puts one comment next to a known finding. Every violated invariant panics
//! with a message that starts with the invariant's name.

#![allow(dead_code)] // each fuzz target uses only its own entry point

use std::collections::HashSet;

use skillaudit::facts::{FileFacts, Span, Suppression};
use skillaudit::finding::Diagnostic;
use skillaudit::lang::Lang;
use skillaudit::report;
use skillaudit::scan::{self, NotAnalysed};
use skillaudit::source::{self, Loaded, SkipReason};

/// The languages each file-level fuzz target runs its input through.
pub const JS: &[Lang] = &[Lang::JavaScript];
pub const TS: &[Lang] = &[Lang::TypeScript, Lang::Tsx];
pub const PY: &[Lang] = &[Lang::Python];

const MARKER: &str = "skillaudit-ignore";

/// Runs one file's bytes through `classify` and, when they are analysable text, through every language of
/// `langs`.
pub fn check_file(langs: &[Lang], bytes: &[u8]) {
    if let Some(text) = classify_checked(bytes) {
        for &lang in langs {
            check_text(lang, &text);
        }
    }
}

/// `classify`, and that its verdict follows from the bytes.
pub fn classify_checked(bytes: &[u8]) -> Option<String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match source::classify(bytes.to_vec()) {
        Loaded::Text(text) => {
            assert!(
                text.as_bytes() == body,
                "classify: the text is the bytes less a leading BOM"
            );
            assert!(!bytes.contains(&0), "classify: a NUL byte became text");
            Some(text)
        }
        Loaded::Skip(SkipReason::Binary) => {
            assert!(bytes.contains(&0), "classify: Binary without a NUL byte");
            None
        }
        Loaded::Skip(SkipReason::NotUtf8 { line }) => {
            assert!(
                std::str::from_utf8(body).is_err(),
                "classify: NotUtf8 for valid UTF-8"
            );
            let lines = 1 + body.iter().filter(|&&b| b == b'\n').count();
            assert!(
                (1..=lines).contains(&line),
                "classify: NotUtf8 names line {line} of {lines}"
            );
            None
        }
        Loaded::Skip(SkipReason::Minified { longest_line }) => {
            assert!(
                body.len() >= 32 * 1024,
                "classify: a {}-byte file called minified",
                body.len()
            );
            assert!(
                longest_line <= body.len(),
                "classify: longest line longer than the file"
            );
            None
        }
        Loaded::Skip(other) => panic!("classify: a reason bytes alone cannot give: {other:?}"),
    }
}

/// What one analysed text gave, for tests that want to look further.
pub struct Checked {
    pub diagnostics: Vec<(&'static str, Diagnostic)>,
    pub facts: FileFacts,
    pub findings: Vec<report::Finding>,
    pub suppressed: usize,
    /// Unknown-rule-id notices.
    pub warnings: Vec<report::Notice>,
}

/// Analyses `text` with the prefilter on, off, and off again, and checks the results against each other and
/// against the text. Returns the full analysis, or `None` when the text was skipped (too deep).
pub fn check_text(lang: Lang, text: &str) -> Option<Checked> {
    let filtered = scan::analyze(lang, text, true);
    let full = scan::analyze(lang, text, false);
    let again = scan::analyze(lang, text, false);
    assert!(
        format!("{full:?}") == format!("{again:?}"),
        "determinism: analysing the same {lang:?} text twice gave different results"
    );
    for result in [&filtered, &full] {
        if let Err(NotAnalysed::Failed(message)) = result {
            panic!("parse: tree-sitter gave up on a {lang:?} text: {message}");
        }
    }
    match (&filtered, &full) {
        (Ok((d1, f1, true)), Ok((d2, f2, true))) => {
            assert!(
                d1 == d2 && format!("{f1:?}") == format!("{f2:?}"),
                "prefilter: a parsed text gave different results with the prefilter on and off"
            );
        }
        (Ok((d1, f1, false)), Ok((d2, _, true))) => {
            assert!(
                d1.is_empty() && f1.suppressions.is_empty(),
                "prefilter: an unparsed text has results"
            );
            assert!(
                d2.is_empty(),
                "prefilter: the prefilter skipped a {lang:?} text that has findings: {d2:?}"
            );
        }
        (Ok((_, _, false)), Err(NotAnalysed::Skipped(_))) => {}
        (Err(NotAnalysed::Skipped(a)), Err(NotAnalysed::Skipped(b))) => {
            assert!(
                a == b,
                "prefilter: different skip reasons with the prefilter on and off"
            );
        }
        (a, b) => panic!(
            "prefilter: with the prefilter on the {lang:?} text gave {}, off {}",
            outcome(a),
            outcome(b)
        ),
    }
    match full {
        Ok((diagnostics, facts, parsed)) => {
            assert!(
                parsed,
                "prefilter: analyse without the prefilter did not parse"
            );
            Some(check_analysis(lang, text, diagnostics, facts))
        }
        Err(NotAnalysed::Skipped(
            SkipReason::TooDeep { .. } | SkipReason::TooManyIndentLevels { .. },
        )) => None,
        Err(other) => panic!("analyse: unexpected outcome for a {lang:?} text: {other:?}"),
    }
}

fn outcome(r: &Result<scan::Analysis, NotAnalysed>) -> String {
    match r {
        Ok((d, _, parsed)) => format!("Ok({} diagnostics, parsed: {parsed})", d.len()),
        Err(e) => format!("{e:?}"),
    }
}

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "span: {what} {span:?} is not within the {}-byte text",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "span: {what} {span:?} is not on char boundaries"
    );
}

fn check_analysis(
    lang: Lang,
    text: &str,
    diagnostics: Vec<(&'static str, Diagnostic)>,
    facts: FileFacts,
) -> Checked {
    for (rule, d) in &diagnostics {
        check_span(text, d.span, &format!("{rule} finding"));
        for (span, _) in &d.related {
            check_span(text, *span, &format!("{rule} related location"));
        }
        assert!(
            !d.message.is_empty() && !d.help.is_empty(),
            "diagnostic: {rule} without a message or a fix"
        );
    }
    for r in &facts.requests {
        check_span(text, r.span, "request fact");
    }
    for p in &facts.plain_methods {
        check_span(text, p.span, "plain-method fact");
    }
    for v in &facts.verifier_sources {
        check_span(text, v.span, "verifier-source fact");
        if let Some(used) = v.used_at {
            check_span(text, used, "verifier-source use");
        }
    }
    for w in &facts.verifier_writes {
        check_span(text, w.span, "verifier-write fact");
    }
    check_suppressions(lang, text, &facts.suppressions);

    let located = report::locate(
        std::path::Path::new("input"),
        text,
        diagnostics.clone(),
        &facts.suppressions,
        &|_| true,
    );
    let suppressed = located
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let findings: Vec<_> = located
        .findings
        .into_iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    let warnings: Vec<_> = located
        .notices
        .into_iter()
        .filter(|n| n.kind == report::NoticeKind::UnknownRule)
        .collect();
    assert!(
        findings.len() + suppressed == diagnostics.len(),
        "locate: {} findings + {suppressed} suppressed != {} diagnostics",
        findings.len(),
        diagnostics.len()
    );
    let lines = 1 + text.bytes().filter(|&b| b == b'\n').count();
    let mut fingerprints = HashSet::new();
    for f in &findings {
        let l = &f.location;
        for p in [l.start, l.end] {
            assert!(
                (1..=lines).contains(&p.line) && p.column >= 1,
                "locate: position {p:?} outside the {lines}-line text"
            );
        }
        assert!(l.start <= l.end, "locate: a location ends before it starts");
        assert!(
            fingerprints.insert(f.fingerprint.clone()),
            "locate: two findings in one file share the fingerprint {}",
            f.fingerprint
        );
    }
    let unknown = facts
        .suppressions
        .iter()
        .flat_map(|s| &s.directive.rules)
        .filter(|id| !skillaudit::rules::is_known(id))
        .count();
    assert!(
        warnings.len() == unknown,
        "locate: {} warnings for {unknown} unknown rule ids",
        warnings.len()
    );
    Checked {
        diagnostics,
        facts,
        findings,
        suppressed,
        warnings,
    }
}

fn check_suppressions(lang: Lang, text: &str, suppressions: &[Suppression]) {
    let mut previous_end = 0;
    for s in suppressions {
        check_span(text, s.span, "suppression");
        assert!(
            s.span.start >= previous_end,
            "suppression: comments out of order or overlapping"
        );
        previous_end = s.span.end;
        let comment = &text[s.span.start..s.span.end];
        assert!(
            comment.contains(MARKER),
            "suppression: a comment without `{MARKER}`: {comment:?}"
        );
        // tree-sitter-javascript can start a comment node at the whitespace before it (`/ // x`: the node
        // is ` // x`; also U+00A0, U+2028, U+3000, U+FEFF), so that is allowed; Annex B's HTML-like comments
        // are comments too.
        let bare = comment.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let opener = if lang == Lang::Python {
            bare.starts_with('#')
        } else {
            ["//", "/*", "<!--", "-->"]
                .iter()
                .any(|o| bare.starts_with(o))
        };
        assert!(
            opener,
            "suppression: a {lang:?} suppression that is not a comment: {comment:?}"
        );
        for id in &s.directive.rules {
            assert!(
                !id.is_empty()
                    && !id.starts_with("--")
                    && !id.contains(|c: char| c.is_whitespace() || c == ',' || c == ']'),
                "suppression: malformed rule id {id:?}"
            );
            assert!(
                comment.contains(id.as_str()),
                "suppression: rule id {id:?} is not in the comment"
            );
        }
    }
    assert!(
        suppressions.len() <= text.matches(MARKER).count(),
        "suppression: more suppressions than `{MARKER}` markers"
    );
}

/// Where `check_suppression` puts the comment, and in which language.
#[derive(Clone, Copy, Debug)]
pub enum Placement {
    JsLineAbove,
    JsLineTrailing,
    JsBlockAbove,
    JsBlockTrailing,
    PyAbove,
    PyTrailing,
}

impl Placement {
    pub const ALL: [Placement; 6] = [
        Placement::JsLineAbove,
        Placement::JsLineTrailing,
        Placement::JsBlockAbove,
        Placement::JsBlockTrailing,
        Placement::PyAbove,
        Placement::PyTrailing,
    ];

    fn lang(self) -> Lang {
        match self {
            Placement::PyAbove | Placement::PyTrailing => Lang::Python,
            _ => Lang::JavaScript,
        }
    }

    fn trailing(self) -> bool {
        matches!(
            self,
            Placement::JsLineTrailing | Placement::JsBlockTrailing | Placement::PyTrailing
        )
    }

    /// The comment holding `body` on one line, with whatever would end it early taken out.
    fn comment(self, body: &str) -> String {
        let one_line: String = body
            .chars()
            .filter(|&c| c != '\0')
            .map(|c| match c {
                '\n' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
                c => c,
            })
            .collect();
        match self {
            Placement::JsBlockAbove | Placement::JsBlockTrailing => {
                format!("/*{}*/", one_line.replace("*/", "* /"))
            }
            Placement::PyAbove | Placement::PyTrailing => format!("#{one_line}"),
            _ => format!("//{one_line}"),
        }
    }

    /// A program with one `oauth-without-pkce` finding on the line of `response_type` and `comment` at the end
    /// of that line or on the line above. Returns the program and the comment's byte offset.
    fn program(self, comment: &str) -> (String, usize) {
        let (head, indent, key, tail) = if self.lang() == Lang::Python {
            (
                "query = urlencode({\n",
                "    ",
                "\"response_type\": \"code\",",
                "    \"client_id\": \"c\",\n    \"state\": state,\n})\n",
            )
        } else {
            (
                "const params = new URLSearchParams({\n",
                "  ",
                "response_type: \"code\",",
                "  client_id: \"c\",\n  state,\n});\n",
            )
        };
        if self.trailing() {
            let line = format!("{head}{indent}{key} ");
            (format!("{line}{comment}\n{tail}"), line.len())
        } else {
            let line = format!("{head}{indent}");
            (
                format!("{line}{comment}\n{indent}{key}\n{tail}"),
                line.len(),
            )
        }
    }
}

type Baseline = (Vec<(&'static str, String)>, usize);

/// Per placement, the findings (rule, message) of the template without a comment and the line of the first.
/// Computed once: the fuzz target would otherwise analyse the same template on every input.
fn baseline() -> &'static [Baseline] {
    static BASELINE: std::sync::OnceLock<Vec<Baseline>> = std::sync::OnceLock::new();
    BASELINE.get_or_init(|| {
        Placement::ALL
            .iter()
            .map(|p| {
                let (program, _) = p.program("");
                let base = check_text(p.lang(), &program).expect("the template is not too deep");
                assert!(
                    base.diagnostics.len() == 1 && base.diagnostics[0].0 == "oauth-without-pkce",
                    "template: the {p:?} template must have one oauth-without-pkce finding: {:?}",
                    base.diagnostics
                );
                let found = base
                    .diagnostics
                    .iter()
                    .map(|(r, d)| (*r, d.message.clone()))
                    .collect();
                (found, base.findings[0].location.start.line)
            })
            .collect()
    })
}

/// The suppression target: the first byte picks the placement, the rest is the comment's text. The comment
/// must be parsed as exactly one suppression when it holds the marker and none otherwise, must not change
/// what is found, and must suppress the finding exactly when it names no rule or names its rule.
pub fn check_suppression(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let placement = Placement::ALL[selector as usize % Placement::ALL.len()];
    check_comment_strict(placement, &String::from_utf8_lossy(body));
}

/// `check_suppression` for one placement and comment text.
pub fn check_comment(placement: Placement, body: &str) {
    let lang = placement.lang();
    let (expected, expected_line) = &baseline()[placement as usize];
    let comment = placement.comment(body);
    let (program, at) = placement.program(&comment);
    let Some(checked) = check_text(lang, &program) else {
        panic!("suppression: one comment made the {lang:?} template too deep")
    };
    let found: Vec<_> = checked
        .diagnostics
        .iter()
        .map(|(r, d)| (*r, d.message.as_str()))
        .collect();
    assert!(
        found.len() == expected.len()
            && found
                .iter()
                .zip(expected)
                .all(|(f, e)| f.0 == e.0 && f.1 == e.1),
        "suppression: a comment changed the findings: {found:?}"
    );
    let finding_line = |c: &Checked| {
        c.findings
            .first()
            .map(|f| f.location.start.line)
            .unwrap_or(0)
    };
    match checked.facts.suppressions.as_slice() {
        [] => {
            assert!(
                skillaudit::suppress::after_marker(&comment).is_none(),
                "suppression: a `{MARKER}` comment was not parsed: {comment:?}"
            );
            assert!(
                checked.suppressed == 0 && checked.findings.len() == 1,
                "suppression: suppressed without a suppression"
            );
            assert!(
                finding_line(&checked) == *expected_line,
                "suppression: a comment moved the finding"
            );
        }
        [s] => {
            assert!(
                comment.contains(MARKER),
                "suppression: a suppression without the marker"
            );
            assert!(
                s.span == Span::new(at, at + comment.len()),
                "suppression: span {:?} is not the comment's {at}..{}",
                s.span,
                at + comment.len()
            );
            assert!(
                s.trailing == placement.trailing(),
                "suppression: trailing = {} for {placement:?}",
                s.trailing
            );
            // Only a comment that names the rule suppresses it: no comment is a blanket.
            let applies = s.directive.rules.iter().any(|r| r == "oauth-without-pkce");
            assert!(
                checked.suppressed == usize::from(applies)
                    && checked.findings.len() == usize::from(!applies),
                "suppression: rules {:?} suppressed {} findings",
                s.directive.rules,
                checked.suppressed
            );
        }
        more => panic!("suppression: one comment gave {} suppressions", more.len()),
    }
}

/// `check_comment`, and also that a comment naming something after `skillaudit-ignore:` is never read as an
/// empty list (which once suppressed every rule without a warning: `skillaudit-ignore: No-State-Parameter`).
pub fn check_comment_strict(placement: Placement, body: &str) {
    check_comment(placement, body);
    let comment = placement.comment(body);
    let (program, _) = placement.program(&comment);
    let checked = check_text(placement.lang(), &program).expect("checked above");
    for s in &checked.facts.suppressions {
        assert!(
            !list_read_as_blanket(&comment, s),
            "suppression: the rule list of {comment:?} was read as empty and suppressed something"
        );
    }
}

/// An empty rule list that is not reported as a bare suppression would be a silent blanket.
fn list_read_as_blanket(comment: &str, s: &Suppression) -> bool {
    comment.contains(MARKER)
        && s.directive.rules.is_empty()
        && s.directive.form != skillaudit::suppress::Form::Bare
}
