//! `skillaudit scan`: arguments → scan → reports → exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{Color, ScanArgs};
use crate::discover::DiscoverOptions;
use crate::paths;
use crate::render::{self, summary, Format, Style};
use crate::report::{Report, Verdict};
use crate::scan::{self, ScanOptions};

/// Exit code for usage and fatal errors.
pub const FATAL: u8 = 2;

/// Writes to stdout; a closed pipe (`skillaudit ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

pub fn scan(args: ScanArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
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
    let style = Style {
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
        width: if to_terminal {
            terminal_size::terminal_size()
                .map(|(w, _)| usize::from(w.0).clamp(40, 400))
                .unwrap_or(render::human::WIDTH)
        } else {
            render::human::WIDTH
        },
    };
    let rendered = render::render(&report, args.format, style);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                eprintln!(
                    "error: cannot write the report to {}: {e}; choose a writable --output path",
                    paths::terminal(path)
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
    if let Err(code) = write_step_summary(&report) {
        return code;
    }
    for w in &report.warnings {
        eprintln!("warning: {}", paths::escape_controls(w));
    }
    if args.format != Format::Human {
        for s in report.listed_skips() {
            eprintln!(
                "skipped {}: {}",
                paths::terminal(&report.base.from_cwd(&s.path)),
                s.reason
            );
        }
        for e in &report.errors {
            eprintln!(
                "error {}: {}",
                paths::terminal(&report.base.from_cwd(&e.path)),
                paths::escape_controls(&e.message)
            );
        }
    }
    let verdict = report.verdict();
    eprintln!("skillaudit: {}", report.summary_line());
    match verdict {
        Verdict::NothingScanned => eprintln!("skillaudit: {}", nothing_scanned(&report)),
        Verdict::Incomplete => eprintln!(
            "skillaudit: some files could not be read, so the scan cannot call the tree clean (see the errors above)"
        ),
        _ => {}
    }
    verdict.exit_code()
}

/// Appends the Markdown job summary when GitHub Actions asks for one (`GITHUB_STEP_SUMMARY`).
fn write_step_summary(report: &Report) -> Result<(), u8> {
    let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    let text = summary::render(report, &summary::Links::from_env());
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    written.map_err(|e| {
        eprintln!(
            "error: cannot append the job summary to GITHUB_STEP_SUMMARY={}: {e}",
            paths::terminal(std::path::Path::new(&file))
        );
        FATAL
    })
}

/// Why nothing was scanned: no candidate at all, or candidates that were all skipped (and why).
pub fn nothing_scanned(report: &Report) -> String {
    if report.skipped.is_empty() {
        return "nothing to scan: no JavaScript, TypeScript or Python file under the given paths (after .gitignore, hidden and dependency folders, and --exclude)".into();
    }
    let mut by_reason: Vec<(&'static str, usize, String)> = Vec::new();
    for s in &report.skipped {
        match by_reason
            .iter_mut()
            .find(|(code, ..)| *code == s.reason.code())
        {
            Some(entry) => entry.1 += 1,
            None => by_reason.push((s.reason.code(), 1, s.reason.to_string())),
        }
    }
    by_reason.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let n = report.skipped.len();
    let mut text = format!(
        "nothing scanned: {n} candidate file{} found, all skipped:",
        if n == 1 { " was" } else { "s were" }
    );
    for (code, count, example) in by_reason {
        text.push_str(&format!("\n  {count} {code}: {example}"));
    }
    text
}
