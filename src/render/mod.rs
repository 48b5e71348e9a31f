//! Output formats, each over the same `Report`. miette lives only here.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod summary;

/// The output format of `skillaudit scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with the finding labelled (miette), then a summary.
    Human,
    /// One line per finding: `path:line:col: severity rule-id message` (for editors and grep).
    Concise,
    /// skillaudit's versioned JSON (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

/// How the terminal formats lay text out.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Colour in the human format.
    pub color: bool,
    /// Line width of the human format: the terminal's when writing to one, else a fixed width so that
    /// snapshots and pipes do not depend on the machine.
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            width: human::WIDTH,
        }
    }
}

/// Renders a report in a format.
pub fn render(report: &crate::report::Report, format: Format, style: Style) -> String {
    render_with(report, format, style, false)
}

/// [`render_with`] in pieces to be written one after another (the JSON report's skipped list is made in
/// parallel chunks).
pub fn render_parts(
    report: &crate::report::Report,
    format: Format,
    style: Style,
    show_suppressed: bool,
) -> Vec<String> {
    match format {
        Format::Json => json::render_parts(report),
        _ => vec![render_with(report, format, style, show_suppressed)],
    }
}

/// Renders a report; `show_suppressed` lists suppressed findings in the human and concise formats (JSON and
/// SARIF always carry them, marked).
pub fn render_with(
    report: &crate::report::Report,
    format: Format,
    style: Style,
    show_suppressed: bool,
) -> String {
    match format {
        Format::Human => human::render(report, style, show_suppressed),
        Format::Concise => concise::render(report, show_suppressed),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}
