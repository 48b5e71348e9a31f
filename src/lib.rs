//! skillaudit: finds OAuth PKCE mistakes in MCP servers and clients written in JavaScript, TypeScript and
//! Python. See `DESIGN` in the repository for the pipeline; `scan::scan` is the entry point.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod entropy;
pub mod facts;
pub mod finding;
pub mod lang;
pub mod paths;
pub mod prefilter;
pub mod project;
pub mod render;
pub mod report;
pub mod rules;
pub mod run;
pub mod scan;
pub mod source;
pub mod summary;
pub mod suppress;
pub mod syntax;
