//! The catalogue as people read it: the Markdown table of `docs/libraries.md` and `skillaudit libraries`,
//! and the JSON of `skillaudit libraries --format json`.

use super::{Adds, Library, CATALOGUE};

/// What a library adds by default to the requests it builds: the strongest of its flows (a library whose
/// interactive flow adds PKCE and whose URL helper does not is listed with both).
fn adds(lib: &Library, part: fn(&super::Flow) -> Adds) -> String {
    let flows: Vec<&super::Flow> = lib.flows.iter().filter(|f| f.request).collect();
    let Some(first) = flows.first() else {
        return "caller builds the URL".into();
    };
    let first = part(first).describe();
    if flows.iter().all(|f| part(f).describe() == first) {
        return first;
    }
    flows
        .iter()
        .map(|f| format!("`{}`: {}", f.call.name(), part(f).describe()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn default_method(lib: &Library) -> &'static str {
    if lib.flows.iter().any(|f| f.method_default == Some("plain")) {
        "plain"
    } else {
        "-"
    }
}

fn calls(lib: &Library) -> String {
    let names: Vec<String> = lib
        .flows
        .iter()
        .map(|f| match f.call.name() {
            "" if !f.request => String::new(),
            "" => "(default export)".to_string(),
            n => format!("`{n}`"),
        })
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}

/// The exchange calls and whether each checks the returned state.
fn exchanges(lib: &Library) -> String {
    if lib.exchanges.is_empty() {
        return "-".into();
    }
    lib.exchanges
        .iter()
        .map(|e| format!("`{}`: {}", e.call.name(), e.checks.describe()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table: library, ecosystem, packages, calls, what it adds (PKCE, state), the default method, and
/// whether its exchanges check the returned state.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| library | ecosystem | packages | flow calls | PKCE (S256) | state | method when none is named | exchange checks state |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for l in CATALOGUE {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            l.name,
            l.ecosystem.as_str(),
            l.packages
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            calls(l),
            adds(l, |f| f.pkce),
            adds(l, |f| f.state),
            default_method(l),
            exchanges(l),
        ));
    }
    out
}

/// The catalogue as JSON (name, ecosystem, packages, modules, what it adds by default, calls).
pub fn json() -> serde_json::Value {
    let list: Vec<serde_json::Value> = CATALOGUE
        .iter()
        .map(|l| {
            let flows: Vec<serde_json::Value> = l
                .flows
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "call": f.call.name(),
                        "builds_request": f.request,
                        "pkce": f.pkce.describe(),
                        "state": f.state.describe(),
                        "nonce": f.nonce.describe(),
                        "method_option": f.method_option,
                        "method_default": f.method_default,
                    })
                })
                .collect();
            let exchanges: Vec<serde_json::Value> = l
                .exchanges
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "call": e.call.name(),
                        "validates_response": e.is_validator(),
                        "checks_state": e.checks.describe(),
                    })
                })
                .collect();
            serde_json::json!({
                "name": l.name,
                "ecosystem": l.ecosystem.as_str(),
                "packages": l.packages,
                "modules": l.modules,
                "adds_by_default": {
                    "pkce": l.flows.iter().any(|f| f.request && f.pkce.by_default()),
                    "state": l.flows.iter().any(|f| f.request && f.state.by_default()),
                    "nonce": l.flows.iter().any(|f| f.request && f.nonce.by_default()),
                },
                "flows": flows,
                "exchanges": exchanges,
                "verified": l.verified,
            })
        })
        .collect();
    serde_json::Value::Array(list)
}
