//! Output formats, each over the same `Report`. miette lives only here.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// The output format of `skillaudit scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with the finding labelled (miette), then a summary.
    Human,
    /// skillaudit's versioned JSON (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// Renders a report in a format. `color` applies to the human format only.
pub fn render(report: &crate::report::Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}
