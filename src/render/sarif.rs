//! SARIF 2.1.0 (validated against the OASIS schema in tests; accepted by GitHub code scanning).

use serde_json::{json, Value};

use std::path::Path;

use crate::finding::Severity;
use crate::paths;
use crate::report::{Location, Report};
use crate::rules;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity`: a CVSS-like score that orders alerts (high ≥ 7.0, medium ≥ 4.0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "8.1",
        Severity::Medium => "5.4",
        Severity::Low => "3.1",
    }
}

/// An artifact location: paths inside the base against `%SRCROOT%` (the repository root, or the working
/// directory), others as file URIs. The URI holds the real bytes of the name, percent-encoded.
fn artifact(path: &Path) -> Value {
    if path.is_absolute() {
        json!({ "uri": format!("file://{}", paths::uri(path)) })
    } else {
        json!({ "uri": paths::uri(path), "uriBaseId": "SRCROOT" })
    }
}

fn region(loc: &Location) -> Value {
    json!({
        "startLine": loc.start.line,
        "startColumn": loc.start.column,
        "endLine": loc.end.line,
        "endColumn": loc.end.column,
    })
}

fn rule_descriptors() -> Vec<Value> {
    rules::metas()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.name,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.section("What it flags").unwrap_or(&m.summary) },
                "help": {
                    "text": format!("{}\n\n{}", m.summary, m.help_uri()),
                    "markdown": m.body.trim(),
                },
                "helpUri": m.help_uri(),
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": {
                    "tags": ["security", m.cwe, format!("external/cwe/{}", m.cwe.to_ascii_lowercase())],
                    "precision": m.confidence.as_str(),
                    "security-severity": security_severity(m.severity),
                },
            })
        })
        .collect()
}

pub fn render(report: &Report) -> String {
    let rule_index = |id: &str| {
        rules::REGISTRY
            .iter()
            .position(|r| r.id() == id)
            .unwrap_or(0)
    };
    let results: Vec<Value> = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .map(|f| {
            let mut result = json!({
                "ruleId": f.rule_id,
                "ruleIndex": rule_index(f.rule_id),
                "level": level(f.severity),
                "message": { "text": format!("{}. Fix: {}", f.message, f.help) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": artifact(&f.path), "region": region(&f.location) }
                }],
                "partialFingerprints": { "skillaudit/v1": f.fingerprint },
                "properties": { "confidence": f.confidence.as_str() },
            });
            if !f.related.is_empty() {
                result["relatedLocations"] = f
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        json!({
                            "id": i + 1,
                            "physicalLocation": { "artifactLocation": artifact(r.path(&f.path)), "region": region(&r.location) },
                            "message": { "text": r.label },
                        })
                    })
                    .collect::<Vec<_>>()
                    .into();
            }
            if let Some(s) = &f.suppressed {
                let mut suppression = json!({ "kind": s.kind.sarif(), "status": "accepted" });
                if let Some(reason) = &s.reason {
                    suppression["justification"] = reason.as_str().into();
                }
                result["suppressions"] = json!([suppression]);
            }
            result
        })
        .collect();
    let mut notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": "note",
                "message": { "text": format!("skipped {}: {}", paths::display(&s.path), s.reason) },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact(&s.path) } }],
                "descriptor": { "id": format!("skipped/{}", s.reason.code()) },
            })
        })
        .collect();
    notifications.extend(report.notices.iter().map(|n| {
        json!({
            "level": n.kind.level(),
            "message": { "text": format!("{}:{}: {}", paths::display(&n.path), n.line, n.message) },
            "locations": [{ "physicalLocation": {
                "artifactLocation": artifact(&n.path),
                "region": { "startLine": n.line },
            } }],
            "descriptor": { "id": format!("suppression/{}", n.kind.code()) },
        })
    }));
    notifications.extend(report.errors.iter().map(|e| {
        json!({
            "level": "error",
            "message": { "text": format!("could not scan {}: {}", paths::display(&e.path), e.message) },
            "locations": [{ "physicalLocation": { "artifactLocation": artifact(&e.path) } }],
            "descriptor": { "id": "error/io" },
        })
    }));
    let root = format!(
        "file://{}/",
        paths::uri(&report.base.root).trim_end_matches('/')
    );
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "skillaudit",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/skillaudit/skillaudit",
                    "rules": rule_descriptors(),
                }
            },
            "originalUriBaseIds": { "SRCROOT": { "uri": root } },
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
                "properties": {
                    "filesScanned": report.counts.files_scanned,
                    "filesParsed": report.counts.files_parsed,
                    "filesSkipped": report.counts.files_skipped,
                    "filesErrored": report.counts.files_errored,
                },
            }],
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("serialisable");
    s.push('\n');
    s
}
