//! `skillaudit scan`: arguments → scan → reports → exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::cli::{Color, ScanArgs};
use crate::config::Settings;
use crate::discover::DiscoverOptions;
use crate::paths::{self, Base};
use crate::render::{self, summary, Format, Style};
use crate::report::{Report, Thresholds, Verdict};
use crate::scan::{self, PerFileIgnores, ScanOptions};

/// Exit code for usage and fatal errors.
pub const FATAL: u8 = 2;

/// Writes to stdout; a closed pipe (`skillaudit ... | head`) is not an error.
pub fn print(text: &str) -> Result<(), std::io::Error> {
    print_parts(&[text])
}

/// Writes the pieces of a text to standard output in turn (a closed pipe is no error).
fn print_parts(parts: &[impl AsRef<str>]) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    let written = parts
        .iter()
        .try_for_each(|p| out.write_all(p.as_ref().as_bytes()))
        .and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The options of a scan from its settings.
fn options(args: &ScanArgs, settings: &Settings, base: Base) -> Result<ScanOptions, String> {
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let (pfi_root, pfi) = &settings.per_file_ignores.value;
    Ok(ScanOptions {
        discover: DiscoverOptions {
            base,
            excludes: vec![settings.exclude.value.clone()],
            force_exclude: args.force_exclude,
            follow_links: args.follow,
            threads,
            no_ignore: args.no_ignore,
        },
        max_file_size: settings.max_file_size.value,
        prefilter: !args.no_prefilter,
        thresholds: Thresholds {
            min_severity: settings.min_severity.value,
            min_confidence: settings.min_confidence.value,
        },
        include_tests: settings.include_tests.value,
        rules: settings.rules(),
        per_file_ignores: PerFileIgnores::new(pfi_root, pfi)?,
    })
}

/// The roots and settings of a `scan` or `config` run.
fn setup(args: &ScanArgs) -> Result<(Vec<PathBuf>, Base, Settings), u8> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let base = Base::for_roots(&roots);
    match Settings::resolve(args, &roots, &base) {
        Ok(settings) => Ok((roots, base, settings)),
        Err(e) => {
            eprint!("{}", e.render());
            Err(FATAL)
        }
    }
}

/// `skillaudit config`.
pub fn config(args: ScanArgs) -> u8 {
    match setup(&args) {
        Ok((_, base, settings)) => {
            if print(&settings.describe(&base.cwd)).is_err() {
                return FATAL;
            }
            0
        }
        Err(code) => code,
    }
}

fn style(to_terminal: bool, color: Color) -> Style {
    Style {
        color: match color {
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
    }
}

fn write_file(path: &Path, parts: &[String], what: &str) -> Result<(), u8> {
    let written = std::fs::File::create(path)
        .and_then(|mut file| parts.iter().try_for_each(|p| file.write_all(p.as_bytes())));
    written.map_err(|e| {
        eprintln!(
            "error: cannot write {what} to {}: {e}; choose a writable path",
            paths::terminal(path)
        );
        FATAL
    })
}

pub fn scan(args: ScanArgs) -> u8 {
    let (roots, base, settings) = match setup(&args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = match options(&args, &settings, base) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return FATAL;
        }
    };
    // Not freed: the process ends when this returns, and freeing a report of tens of thousands of paths
    // one by one is time the user waits for.
    let mut report = std::mem::ManuallyDrop::new(match scan::scan(&roots, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return FATAL;
        }
    });
    if let Some(file) = &settings.baseline.value {
        let baseline = match Baseline::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {e}");
                return FATAL;
            }
        };
        let pruned = baseline.apply(&mut report, file);
        if args.prune_baseline {
            if let Err(e) = pruned.write(file) {
                eprintln!("error: {e}");
                return FATAL;
            }
            eprintln!(
                "skillaudit: pruned {} stale entr{} from {}",
                report.counts.stale_baseline,
                if report.counts.stale_baseline == 1 {
                    "y"
                } else {
                    "ies"
                },
                paths::terminal(file)
            );
        }
    } else if args.prune_baseline {
        eprintln!("error: --prune-baseline needs a baseline (--baseline FILE or `baseline` in the configuration)");
        return FATAL;
    }
    if let Some(file) = &args.write_baseline {
        if let Err(e) = Baseline::of(&report).write(file) {
            eprintln!("error: {e}");
            return FATAL;
        }
        let n = report.findings.len() + report.counts.baselined;
        eprintln!(
            "skillaudit: wrote {n} finding{} to the baseline {}",
            if n == 1 { "" } else { "s" },
            paths::terminal(file)
        );
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = style(to_terminal, args.color);
    let rendered = render::render_parts(&report, args.format, style, args.show_suppressed);
    match &args.output {
        Some(path) => {
            if let Err(code) = write_file(path, &rendered, "the report (--output)") {
                return code;
            }
        }
        None => {
            if let Err(e) = print_parts(&rendered) {
                eprintln!("error: cannot write the report: {e}");
                return FATAL;
            }
        }
    }
    for (format, path) in &args.report {
        let text = render::render_parts(&report, *format, Style::default(), args.show_suppressed);
        if let Err(code) = write_file(
            path,
            &text,
            &format!("the {} report (--report)", format.name()),
        ) {
            return code;
        }
    }
    if let Err(code) = write_step_summary(&report) {
        return code;
    }
    for n in &report.notices {
        eprintln!(
            "{}: {}:{}: {}",
            n.kind.level(),
            paths::terminal(&report.base.from_cwd(&n.path)),
            n.line,
            paths::escape_controls(&n.message)
        );
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
    let mut verdict = report.verdict();
    if args.write_baseline.is_some() && verdict == Verdict::Findings {
        // The findings were just accepted.
        verdict = Verdict::Clean;
    }
    eprintln!("skillaudit: {}", report.summary_line());
    if verdict == Verdict::NothingScanned && args.force_exclude {
        // pre-commit passed only files the configuration leaves out: nothing to check is a pass.
        eprintln!("skillaudit: nothing to scan among the files given (--force-exclude)");
        return 0;
    }
    match verdict {
        Verdict::NothingScanned => eprintln!("skillaudit: {}", nothing_scanned(&report)),
        Verdict::Incomplete => eprintln!(
            "skillaudit: some files could not be read, so the scan cannot call the tree clean (see the errors above)"
        ),
        _ => {}
    }
    if args.report_unused_suppressions
        && report.counts.unused_suppressions > 0
        && matches!(verdict, Verdict::Clean | Verdict::Incomplete)
    {
        eprintln!(
            "skillaudit: {} unused suppression{} (--report-unused-suppressions)",
            report.counts.unused_suppressions,
            if report.counts.unused_suppressions == 1 {
                ""
            } else {
                "s"
            }
        );
        return Verdict::Findings.exit_code();
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
