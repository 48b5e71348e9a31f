//! The rules: policy over facts. Each rule is one file; its metadata (severity, confidence, CWE, summary and
//! documentation) lives in `rules/<rule-id>.md`, embedded here, the single source for `explain`, SARIF rule
//! descriptors and the README table.

use std::sync::LazyLock;

use crate::facts::FileFacts;
use crate::finding::{Confidence, Diagnostic, Severity};

mod authorization_code_lifetime;
mod authorization_code_reusable;
mod challenge_compare_not_constant_time;
mod no_state_parameter;
mod oauth_without_pkce;
mod pkce_downgrade;
mod pkce_plain_method;
mod pkce_session_leak;
mod redirect_uri_not_validated;
mod state_not_verified;
mod weak_verifier_entropy;

/// A rule's behaviour. Its metadata is in `RuleMeta`, looked up by id.
pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>);
}

/// The one explicit registry, in the order `skillaudit rules` lists them.
pub static REGISTRY: &[&dyn Rule] = &[
    &oauth_without_pkce::OAuthWithoutPkce,
    &pkce_plain_method::PkcePlainMethod,
    &weak_verifier_entropy::WeakVerifierEntropy,
    &no_state_parameter::NoStateParameter,
    &pkce_session_leak::PkceSessionLeak,
    &state_not_verified::StateNotVerified,
    &authorization_code_reusable::AuthorizationCodeReusable,
    &pkce_downgrade::PkceDowngrade,
    &challenge_compare_not_constant_time::ChallengeCompareNotConstantTime,
    &redirect_uri_not_validated::RedirectUriNotValidated,
    &authorization_code_lifetime::AuthorizationCodeLifetime,
];

/// The embedded rule documents, by file name.
pub static DOCUMENTS: &[(&str, &str)] = &[
    (
        "oauth-without-pkce.md",
        include_str!("../../rules/oauth-without-pkce.md"),
    ),
    (
        "pkce-plain-method.md",
        include_str!("../../rules/pkce-plain-method.md"),
    ),
    (
        "weak-verifier-entropy.md",
        include_str!("../../rules/weak-verifier-entropy.md"),
    ),
    (
        "no-state-parameter.md",
        include_str!("../../rules/no-state-parameter.md"),
    ),
    (
        "pkce-session-leak.md",
        include_str!("../../rules/pkce-session-leak.md"),
    ),
    (
        "state-not-verified.md",
        include_str!("../../rules/state-not-verified.md"),
    ),
    (
        "authorization-code-reusable.md",
        include_str!("../../rules/authorization-code-reusable.md"),
    ),
    (
        "pkce-downgrade.md",
        include_str!("../../rules/pkce-downgrade.md"),
    ),
    (
        "challenge-compare-not-constant-time.md",
        include_str!("../../rules/challenge-compare-not-constant-time.md"),
    ),
    (
        "redirect-uri-not-validated.md",
        include_str!("../../rules/redirect-uri-not-validated.md"),
    ),
    (
        "authorization-code-lifetime.md",
        include_str!("../../rules/authorization-code-lifetime.md"),
    ),
];

/// Where a rule's documentation is published (the rule file in the repository).
pub const DOCS_BASE: &str = "https://github.com/skillaudit/skillaudit/blob/main/rules/";

/// A rule's metadata, read from the front matter of its document.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub cwe: String,
    pub summary: String,
    /// The Markdown after the front matter.
    pub body: &'static str,
}

impl RuleMeta {
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}{}.md", self.id)
    }

    /// The text of one `## Section` of the body, without its heading.
    pub fn section(&self, heading: &str) -> Option<&'static str> {
        let marker = format!("## {heading}\n");
        let start = self.body.find(&marker)? + marker.len();
        let rest = &self.body[start..];
        let end = rest.find("\n## ").map(|i| i + 1).unwrap_or(rest.len());
        Some(rest[..end].trim())
    }
}

/// Parses the front matter (`---`, `key: value` lines, `---`) of one rule document.
pub fn parse_document(file: &str, text: &'static str) -> Result<RuleMeta, String> {
    let err = |what: &str| format!("rules/{file}: {what}");
    let rest = text
        .strip_prefix("---\n")
        .ok_or_else(|| err("must start with a `---` front matter line"))?;
    let end = rest
        .find("\n---\n")
        .ok_or_else(|| err("front matter is not closed by a `---` line"))?;
    let mut fields = std::collections::BTreeMap::new();
    for line in rest[..end].lines() {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| err(&format!("front matter line `{line}` is not `key: value`")))?;
        fields.insert(key.trim(), value.trim().to_string());
    }
    let mut take = |key: &str| {
        fields
            .remove(key)
            .ok_or_else(|| err(&format!("front matter has no `{key}`")))
    };
    let meta = RuleMeta {
        id: take("id")?,
        name: take("name")?,
        severity: take("severity")?.parse().map_err(|e: String| err(&e))?,
        confidence: take("confidence")?.parse().map_err(|e: String| err(&e))?,
        cwe: take("cwe")?,
        summary: take("summary")?,
        body: &rest[end + 5..],
    };
    if format!("{}.md", meta.id) != file {
        return Err(err(&format!(
            "id `{}` does not match the file name",
            meta.id
        )));
    }
    Ok(meta)
}

static METAS: LazyLock<Vec<RuleMeta>> = LazyLock::new(|| {
    DOCUMENTS
        .iter()
        .map(|(file, text)| parse_document(file, text).unwrap_or_else(|e| panic!("{e}")))
        .collect()
});

/// All rule metadata, in registry order.
pub fn metas() -> impl Iterator<Item = &'static RuleMeta> {
    REGISTRY
        .iter()
        .map(|r| meta(r.id()).expect("every registered rule has a document (tested)"))
}

/// The metadata of one rule.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    METAS.iter().find(|m| m.id == id)
}

/// Whether `id` names a rule.
pub fn is_known(id: &str) -> bool {
    REGISTRY.iter().any(|r| r.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scan finishes a module without facts without running the rules (`scan::finish`): none may
    /// find anything in no facts.
    #[test]
    fn no_rule_finds_anything_without_facts() {
        let facts = crate::facts::FileFacts::default();
        let mut out = Vec::new();
        for rule in REGISTRY.iter() {
            rule.check(&facts, &mut out);
            assert!(out.is_empty(), "{} found {out:?}", rule.id());
        }
    }

    #[test]
    fn registry_and_documents_agree() {
        let registered: Vec<&str> = REGISTRY.iter().map(|r| r.id()).collect();
        let documented: Vec<String> = DOCUMENTS
            .iter()
            .map(|(file, text)| parse_document(file, text).unwrap().id)
            .collect();
        let mut a = registered.clone();
        a.sort();
        let mut b: Vec<&str> = documented.iter().map(|s| s.as_str()).collect();
        b.sort();
        assert_eq!(a, b, "the registry and rules/*.md must list the same rules");
        let on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        for file in &on_disk {
            assert!(
                DOCUMENTS.iter().any(|(f, _)| f == file),
                "rules/{file} exists but is not embedded in DOCUMENTS"
            );
        }
    }

    #[test]
    fn every_document_has_the_required_sections() {
        for meta in metas() {
            for section in [
                "What it flags",
                "Why it matters",
                "Flagged example",
                "Fixed example",
                "Not flagged",
                "References",
            ] {
                let text = meta.section(section).unwrap_or("");
                assert!(
                    !text.is_empty(),
                    "rules/{}.md lacks `## {section}`",
                    meta.id
                );
            }
            assert!(
                meta.cwe.starts_with("CWE-"),
                "{}: cwe `{}`",
                meta.id,
                meta.cwe
            );
            assert!(!meta.summary.is_empty());
        }
    }

    #[test]
    fn front_matter_errors_name_the_file() {
        let e = parse_document("x.md", "no front matter").unwrap_err();
        assert!(e.contains("rules/x.md"), "{e}");
        let e = parse_document("x.md", "---\nid: y\n---\n").unwrap_err();
        assert!(e.contains("no `name`"), "{e}");
    }
}
