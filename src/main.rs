//! The `skillaudit` binary: arguments → run → exit code. Everything else is in the library.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use skillaudit::cli::{Cli, Color, Command, ScanArgs};
use skillaudit::discover::DiscoverOptions;
use skillaudit::render::{self, Format};
use skillaudit::scan::{self, ScanOptions};
use skillaudit::{lang, rules, source};

/// Exit code for usage and fatal errors.
const FATAL: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { FATAL } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules => list_rules(),
        Command::Explain { rule } => explain(&rule),
        Command::DebugTree { file } => debug(&file, true),
        Command::DebugFacts { file } => debug(&file, false),
    };
    ExitCode::from(code)
}

/// Writes to stdout; a closed pipe (`skillaudit ... | head`) is not an error.
fn print(text: &str) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn run_scan(args: ScanArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let threads = args
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    let opts = ScanOptions {
        discover: DiscoverOptions {
            excludes: args.exclude.clone(),
            follow_links: args.follow,
            threads,
            no_ignore: args.no_ignore,
        },
        max_file_size: args.max_file_size,
        prefilter: !args.no_prefilter,
        min_severity: args.min_severity,
        include_tests: args.include_tests,
    };
    let report = match scan::scan(&paths, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return FATAL;
        }
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let rendered = render::render(&report, args.format, color);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                eprintln!(
                    "error: cannot write the report to {}: {e}; choose a writable --output path",
                    path.display()
                );
                return FATAL;
            }
        }
        None => {
            if let Err(e) = print(&rendered) {
                eprintln!("error: cannot write the report: {e}");
                return FATAL;
            }
        }
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if args.format != Format::Human {
        for s in report.listed_skips() {
            eprintln!("skipped {}: {}", s.path, s.reason);
        }
        for e in &report.errors {
            eprintln!("error {}: {}", e.path, e.message);
        }
    }
    let verdict = report.verdict();
    eprintln!("skillaudit: {}", report.summary_line());
    match verdict {
        skillaudit::report::Verdict::NothingScanned => eprintln!(
            "skillaudit: nothing to scan: no JavaScript, TypeScript or Python file under the given paths (after .gitignore, hidden and dependency folders, and --exclude)"
        ),
        skillaudit::report::Verdict::Incomplete => eprintln!(
            "skillaudit: some files could not be read, so the scan cannot call the tree clean (see the errors above)"
        ),
        _ => {}
    }
    verdict.exit_code()
}

fn list_rules() -> u8 {
    let mut out = String::new();
    for m in rules::metas() {
        out.push_str(&format!(
            "{:<24} {:<7} {}\n",
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
            Some(t) => lang::outline(&t, &text),
            None => "parser gave up\n".into(),
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
