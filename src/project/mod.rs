//! The project phase: after every file has been analysed on its own, the questions those analyses could
//! not answer alone (`Asks`) are answered from the summaries of the modules they import, and each file that
//! gets answers is analysed once more with them (`Env`).
//!
//! - `resolve` decides which file an imported name comes from.
//! - `link` follows a name through re-exports to its value, parsing a module the prefilter skipped only when
//!   a value is needed from it (once per scan), and builds each module's `Env`.
//!
//! The phase is deterministic: modules are visited in path order and every map is ordered, so the output
//! does not depend on the thread count.

use std::path::PathBuf;
use std::sync::Arc;

use crate::facts::FileFacts;
use crate::lang::Lang;
use crate::summary::{Asks, Env, ModuleSummary};

pub mod flows;
mod link;
mod packages;
pub mod resolve;

pub use link::{link, Linked};

/// One scanned file, as the project phase sees it.
#[derive(Debug)]
pub struct Module {
    /// Relative to the report base (as in findings).
    pub path: PathBuf,
    /// Where to read it.
    pub fs_path: PathBuf,
    /// `fs_path` made absolute and spelled lexically (no system call): how the project phase finds a
    /// resolved file among the modules. Spelled by the first pass, on the walk's threads; moved out by
    /// `link`.
    pub abs: PathBuf,
    pub lang: Lang,
    /// The text, kept for files that were analysed (they may be analysed again).
    pub text: Option<Arc<str>>,
    /// Whether the file was parsed.
    pub parsed: bool,
    /// What its analyses found and what the project phase knows of it: `None` for the many files that
    /// were neither analysed nor linked (a scan holds one `Module` per file until the end).
    pub parts: Option<Box<Parts>>,
}

#[derive(Debug, Default)]
pub struct Parts {
    pub facts: FileFacts,
    /// `None` until the file is summarised.
    pub summary: Option<ModuleSummary>,
    pub asks: Asks,
    /// What the project phase found for it.
    pub env: Env,
    /// The first pass's tree of a module that asked something, kept (within a budget per scan, see
    /// `TreeBudget`) so that analysing it again with the answers does not parse it again.
    pub tree: Option<tree_sitter::Tree>,
}

/// How much source the trees kept for a second analysis may cover in one scan: a tree takes about 30 times
/// its text (a budget of 1 MB raised the peak memory of `--include-tests --no-prefilter` on the benchmark
/// corpus from 69 to 99 MB), and the modules that are analysed again are a few among those that ask.
pub struct TreeBudget(std::sync::atomic::AtomicUsize);

impl TreeBudget {
    /// The source bytes whose trees a scan keeps.
    const BYTES: usize = 256 << 10;

    pub fn new() -> Self {
        TreeBudget(std::sync::atomic::AtomicUsize::new(Self::BYTES))
    }

    /// Whether the tree of a text of `len` bytes may be kept (and if so, takes its share).
    pub fn take(&self, len: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.0
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(len))
            .is_ok()
    }
}

impl Default for TreeBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl Module {
    pub fn parts_mut(&mut self) -> &mut Parts {
        self.parts.get_or_insert_with(Default::default)
    }

    pub fn summary(&self) -> Option<&ModuleSummary> {
        self.parts.as_ref()?.summary.as_ref()
    }

    pub fn has_asks(&self) -> bool {
        self.parts.as_ref().is_some_and(|p| !p.asks.is_empty())
    }

    /// The text kept from the first pass, or read again (a file the prefilter skipped).
    pub fn text_or_read(&self, max_file_size: u64) -> Option<Arc<str>> {
        match &self.text {
            Some(t) => Some(t.clone()),
            None => match crate::source::load(&self.fs_path, max_file_size) {
                Ok(crate::source::Loaded::Text(t)) => Some(Arc::from(t)),
                _ => None,
            },
        }
    }

    pub fn has_env(&self) -> bool {
        self.parts.as_ref().is_some_and(|p| !p.env.is_empty())
    }
}
