//! What a rule reports.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::facts::{Foreign, Span};

/// How bad a finding is if it is real. Ordered: `Low < Medium < High`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// How sure the rule is that the finding is real (a separate axis from severity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            other => Err(format!(
                "unknown severity `{other}` (expected low, medium or high)"
            )),
        }
    }
}

impl FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!(
                "unknown confidence `{other}` (expected low, medium or high)"
            )),
        }
    }
}

/// A rule's verdict on one place in one file, before the report attaches the path and line numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    /// A concrete fix.
    pub help: String,
    /// Other places that explain the finding (where a weak value is used as a verifier, say).
    pub related: Vec<(Span, String)>,
    /// Such places in other files of the project (the handler of another module that reads the value).
    pub elsewhere: Vec<(Foreign, String)>,
}

impl Diagnostic {
    /// A diagnostic must have a primary location, a message and a fix: the constructor takes all three.
    pub fn new(span: Span, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic {
            span,
            message: message.into(),
            help: help.into(),
            related: Vec::new(),
            elsewhere: Vec::new(),
        }
    }

    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    pub fn with_elsewhere(mut self, place: Foreign, label: impl Into<String>) -> Self {
        self.elsewhere.push((place, label.into()));
        self
    }
}
