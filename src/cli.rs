//! Command-line arguments (clap) and their translation into a scan configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::{Confidence, Severity};
use crate::render::Format;

const EXAMPLES: &str = "\
Examples:
  skillaudit scan                          scan the current directory
  skillaudit scan ./server ./client        scan two trees
  skillaudit scan . --format sarif --output skillaudit.sarif
  skillaudit scan . --min-severity high    fail only on high-severity findings
  skillaudit scan . --exclude 'tests/**'   leave a folder out
  skillaudit rules                         list the rules
  skillaudit libraries                     the OAuth libraries skillaudit knows
  skillaudit explain oauth-without-pkce    what a rule flags, why, and how to fix it

Exit codes: 0 clean, 1 findings, 2 usage error or unreadable files, 3 nothing to scan.";

#[derive(Debug, Parser)]
#[command(
    name = "skillaudit",
    version,
    about = "Finds OAuth PKCE mistakes in MCP servers and clients (JavaScript, TypeScript, Python)",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for PKCE and OAuth mistakes.
    #[command(after_help = EXAMPLES, override_usage = "skillaudit scan [OPTIONS] [PATHS]...")]
    Scan(ScanArgs),
    /// List the rules: id, severity and summary.
    Rules {
        /// `text` (a table) or `json` (id, name, severity, confidence, CWE, summary, docs URL).
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// List the OAuth libraries skillaudit models: ecosystem, packages, and what each adds by default.
    Libraries {
        /// `text` (a table) or `json` (every entry with its flows, options and exchanges).
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Print a rule's documentation: what it flags, why it matters, flagged and fixed examples.
    Explain {
        /// The rule id (see `skillaudit rules`).
        rule: String,
    },
    /// Print the settings in force (defaults, configuration file, flags) and where each came from.
    Config {
        /// Print the reference of every configuration key (Markdown) instead.
        #[arg(long)]
        reference: bool,
        #[command(flatten)]
        scan: ScanArgs,
    },
    /// Print the syntax tree of a file (for developing skillaudit).
    #[command(hide = true)]
    DebugTree { file: PathBuf },
    /// Print the facts extracted from a file (for developing skillaudit).
    #[command(hide = true)]
    DebugFacts { file: PathBuf },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory). A file named here is always scanned.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,

    /// Write the report to FILE instead of standard output (the summary still goes to standard error).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write a report in FORMAT to FILE (repeatable: `--report sarif=out.sarif --report json=out.json`).
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub report: Vec<(Format, PathBuf)>,

    /// Report and fail only on findings of at least this severity [default: low].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_severity: Option<Severity>,

    /// Report and fail only on findings of at least this confidence [default: low].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<Confidence>,

    /// Run only these rules (repeatable, or a comma list).
    #[arg(long, value_name = "RULE")]
    pub select: Vec<String>,

    /// Do not run these rules (repeatable, or a comma list).
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Leave out paths matching GLOB (gitignore syntax, relative to the working directory; repeatable).
    /// Replaces the configuration file's `exclude`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Apply excludes and test-code skipping to files named on the command line too, and skip named paths
    /// that do not exist (for pre-commit and editors, which pass file names).
    #[arg(long)]
    pub force_exclude: bool,

    /// Read settings from FILE instead of looking for skillaudit.toml or pyproject.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read any configuration file.
    #[arg(long)]
    pub no_config: bool,

    /// Report and fail only on findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the findings of this scan in FILE as the baseline (the scan then passes).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Rewrite the baseline without the entries that no longer match a finding.
    #[arg(long)]
    pub prune_baseline: bool,

    /// List suppressed and baselined findings too (human and concise formats).
    #[arg(long)]
    pub show_suppressed: bool,

    /// Fail (exit 1) when a suppression comment suppresses nothing.
    #[arg(long)]
    pub report_unused_suppressions: bool,

    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Skip files larger than this (bytes, or with a K/M/G suffix; 1 byte to 1 GiB) [default: 2MiB].
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_file_size: Option<u64>,

    /// When to use colour in the human format (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: Color,

    /// Parse every file, even those the literal prefilter shows cannot match (for debugging; slower).
    #[arg(long)]
    pub no_prefilter: bool,

    /// Scan test code too (test directories, *.test.*, *.spec.*, test_*.py), which is skipped by default.
    #[arg(long)]
    pub include_tests: bool,

    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Do not read .gitignore/.ignore files and do not skip hidden or dependency directories.
    #[arg(long)]
    pub no_ignore: bool,
}

/// Parses `--report FORMAT=FILE`.
pub fn parse_report(s: &str) -> Result<(Format, PathBuf), String> {
    let (format, file) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FORMAT=FILE (e.g. sarif=skillaudit.sarif)"))?;
    let format = <Format as ValueEnum>::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}` (human, concise, json, sarif or github)")
    })?;
    if file.is_empty() {
        return Err(format!("`{s}` names no file"));
    }
    Ok((format, PathBuf::from(file)))
}

/// The largest `--max-file-size`: a source file over 1 GiB is not source.
pub const MAX_FILE_SIZE_LIMIT: u64 = 1024 * 1024 * 1024;

/// Parses `-j N`: at least one thread, at most 1024.
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of threads (try -j 4)"))?;
    match n {
        0 => Err("at least one thread is needed (leave -j out to use every core)".into()),
        1..=1024 => Ok(n),
        _ => Err(format!(
            "{n} threads is more than the 1024 skillaudit allows"
        )),
    }
}

/// Parses `2MiB`, `512K`, `1048576`: at least one byte, at most [`MAX_FILE_SIZE_LIMIT`].
pub fn parse_size(s: &str) -> Result<u64, String> {
    let n = parse_size_unbounded(s)?;
    if n == 0 {
        return Err("a size of 0 would skip every file; use at least 1 byte".into());
    }
    if n > MAX_FILE_SIZE_LIMIT {
        return Err(format!(
            "`{s}` is over the 1GiB limit (source files are far smaller; the default is 2MiB)"
        ));
    }
    Ok(n)
}

fn parse_size_unbounded(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (try 2MiB, 512K or a number of bytes)"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("2MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3X").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("2G").is_err());
        assert!(parse_size("99999999999999999999").is_err());
        assert_eq!(parse_size("1G"), Ok(MAX_FILE_SIZE_LIMIT));
        assert_eq!(parse_threads("8"), Ok(8));
        assert!(parse_threads("0").is_err());
        assert!(parse_threads("100000").is_err());
    }
}
