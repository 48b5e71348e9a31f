//! The `skillaudit` binary: arguments → run → exit code. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;

use skillaudit::cli::{Cli, Command, RulesFormat};
use skillaudit::run::{print, FATAL};
use skillaudit::{lang, rules, scan, source};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { FATAL } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Scan(args) => skillaudit::run::scan(args),
        Command::Config {
            reference: true, ..
        } => {
            let text = skillaudit::config::keys::reference();
            if print(&text).is_err() {
                FATAL
            } else {
                0
            }
        }
        Command::Config { scan, .. } => skillaudit::run::config(scan),
        Command::Rules { format } => list_rules(format),
        Command::Libraries { format } => list_libraries(format),
        Command::Explain { rule } => explain(&rule),
        Command::DebugTree { file } => debug(&file, true),
        Command::DebugFacts { file } => debug(&file, false),
    };
    ExitCode::from(code)
}

fn list_rules(format: RulesFormat) -> u8 {
    let mut out = String::new();
    if format == RulesFormat::Json {
        let list: Vec<serde_json::Value> = rules::metas()
            .map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "name": m.name,
                    "severity": m.severity.as_str(),
                    "confidence": m.confidence.as_str(),
                    "cwe": m.cwe,
                    "summary": m.summary,
                    "help_uri": m.help_uri(),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&list).expect("serialisable");
        text.push('\n');
        return if print(&text).is_err() { FATAL } else { 0 };
    }
    // The id column is as wide as the longest id (challenge-compare-not-constant-time is 35).
    let width = rules::metas().map(|m| m.id.len()).max().unwrap_or(0);
    for m in rules::metas() {
        out.push_str(&format!(
            "{:<width$} {:<7} {}\n",
            m.id,
            m.severity.as_str(),
            m.summary
        ));
    }
    out.push_str("\nRun `skillaudit explain RULE-ID` for a rule's documentation.\n");
    if print(&out).is_err() {
        return FATAL;
    }
    0
}

/// The library catalogue: the same table as `docs/libraries.md`, or JSON.
fn list_libraries(format: RulesFormat) -> u8 {
    let text = if format == RulesFormat::Json {
        let mut t =
            serde_json::to_string_pretty(&skillaudit::libraries::json()).expect("serialisable");
        t.push('\n');
        t
    } else {
        skillaudit::libraries::markdown_table()
    };
    if print(&text).is_err() {
        FATAL
    } else {
        0
    }
}

fn explain(id: &str) -> u8 {
    let Some(m) = rules::meta(id).filter(|m| rules::is_known(&m.id)) else {
        let known: Vec<&str> = rules::REGISTRY.iter().map(|r| r.id()).collect();
        eprintln!(
            "error: unknown rule `{id}`; the rules are: {}",
            known.join(", ")
        );
        return FATAL;
    };
    let text = format!(
        "# {} ({} severity, {} confidence, {})\n\n{}\n\n{}\n",
        m.id,
        m.severity,
        m.confidence.as_str(),
        m.cwe,
        m.summary,
        m.body.trim()
    );
    if print(&text).is_err() {
        return FATAL;
    }
    0
}

fn debug(file: &std::path::Path, tree: bool) -> u8 {
    let Some(lang) = lang::Lang::from_path(file) else {
        eprintln!(
            "error: {}: not a JavaScript, TypeScript or Python file",
            file.display()
        );
        return FATAL;
    };
    let text = match source::load(file, u64::MAX) {
        Ok(source::Loaded::Text(t)) => t,
        Ok(source::Loaded::Skip(r)) => {
            eprintln!("error: {}: {r}", file.display());
            return FATAL;
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            return FATAL;
        }
    };
    let out = if tree {
        match lang::parse(lang, &text) {
            Ok(t) => lang::outline(&t, &text),
            Err(e) => format!("not parsed: {e:?}\n"),
        }
    } else {
        match scan::facts_of(lang, &text) {
            Ok(facts) => format!("{facts:#?}\n"),
            Err(e) => format!("not analysed: {e:?}\n"),
        }
    };
    let _ = print(&out);
    0
}
