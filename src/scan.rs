//! The scan pipeline: walk → (on the walker's threads, per file) read → prefilter → parse → extract → rules →
//! report.
//! Each file is read once, parsed once and walked once for all rules; its tree is dropped before the worker
//! takes the next file, so memory is bounded by the thread count and the largest file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rayon::prelude::*;

use crate::discover::{self, Candidate, DiscoverError, DiscoverOptions, WalkIssue};
use crate::facts::FileFacts;
use crate::finding::Diagnostic;
use crate::lang::Lang;
use crate::prefilter::Mentions;
use crate::project::{self, Module, Parts, TreeBudget};
use crate::report::{self, Errored, FileResult, Outcome, Report, Skipped, Tally, Thresholds};
use crate::source::LineIndex;
use crate::source::{self, SkipReason};
use crate::{analysis, prefilter, rules};

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub discover: DiscoverOptions,
    pub max_file_size: u64,
    pub prefilter: bool,
    pub thresholds: Thresholds,
    /// Scan test code too (see `discover::is_test_path`).
    pub include_tests: bool,
    /// The rules that run.
    pub rules: Vec<&'static str>,
    /// Rules not to run on some files.
    pub per_file_ignores: PerFileIgnores,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            discover: DiscoverOptions::default(),
            max_file_size: 2 * 1024 * 1024,
            prefilter: true,
            thresholds: Thresholds::default(),
            include_tests: false,
            rules: rules::REGISTRY.iter().map(|r| r.id()).collect(),
            per_file_ignores: PerFileIgnores::default(),
        }
    }
}

/// `per-file-ignores`: globs relative to a directory, each with the rules not to run on what it matches.
#[derive(Clone, Debug, Default)]
pub struct PerFileIgnores {
    root: PathBuf,
    entries: Vec<(globset::GlobMatcher, Vec<String>)>,
}

impl PerFileIgnores {
    /// Compiles the table; a glob without `/` matches the file name at any depth.
    pub fn new(root: &Path, table: &[(String, Vec<String>)]) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (glob, ids) in table {
            let pattern = if glob.contains('/') {
                glob.trim_start_matches("./").to_string()
            } else {
                format!("**/{glob}")
            };
            let matcher = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("per-file-ignores: {glob:?} is not a valid glob ({e})"))?
                .compile_matcher();
            entries.push((matcher, ids.clone()));
        }
        Ok(PerFileIgnores {
            root: root.to_path_buf(),
            entries,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `rule` is ignored for the file at `abs` (an absolute path).
    pub fn ignores(&self, abs: &Path, rule: &str) -> bool {
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        self.entries
            .iter()
            .any(|(m, ids)| ids.iter().any(|i| i == rule) && m.is_match(rel))
    }
}

/// Why a text could not be analysed.
#[derive(Debug)]
pub enum NotAnalysed {
    Skipped(SkipReason),
    Failed(String),
}

/// Extracts facts from a source text (parsing it with the thread's parser).
pub fn facts_of(lang: Lang, text: &str) -> Result<FileFacts, NotAnalysed> {
    facts_with(lang, text, prefilter::mentions(text))
}

fn facts_with(lang: Lang, text: &str, mentions: Mentions) -> Result<FileFacts, NotAnalysed> {
    let tree = parse(lang, text)?;
    analysis::extract(lang, &tree, text, mentions).map_err(NotAnalysed::Skipped)
}

fn parse(lang: Lang, text: &str) -> Result<tree_sitter::Tree, NotAnalysed> {
    crate::lang::parse(lang, text).map_err(|e| match e {
        crate::lang::ParseError::Refused(reason) => NotAnalysed::Skipped(reason),
        crate::lang::ParseError::GaveUp => NotAnalysed::Failed(
            "the parser gave up on this file; please report it with the file attached".into(),
        ),
    })
}

/// Runs every rule over a file's facts, in registry order.
pub fn run_rules(facts: &FileFacts) -> Vec<(&'static str, Diagnostic)> {
    run_selected(facts, &|_| true)
}

/// Runs the rules that `enabled` accepts, in registry order.
pub fn run_selected(
    facts: &FileFacts,
    enabled: &dyn Fn(&str) -> bool,
) -> Vec<(&'static str, Diagnostic)> {
    let mut all = Vec::new();
    let mut out = Vec::new();
    for rule in rules::REGISTRY.iter().filter(|r| enabled(r.id())) {
        rule.check(facts, &mut out);
        all.extend(out.drain(..).map(|d| (rule.id(), d)));
    }
    all
}

/// Analyses one text: the diagnostics of every rule, the suppressions, and whether it was parsed.
pub type Analysis = (Vec<(&'static str, Diagnostic)>, FileFacts, bool);

pub fn analyze(lang: Lang, text: &str, use_prefilter: bool) -> Result<Analysis, NotAnalysed> {
    analyze_with(lang, text, use_prefilter, &|_| true)
}

/// [`analyze`] with only the rules `enabled` accepts.
pub fn analyze_with(
    lang: Lang,
    text: &str,
    use_prefilter: bool,
    enabled: &dyn Fn(&str) -> bool,
) -> Result<Analysis, NotAnalysed> {
    // Without the prefilter every file is parsed and indexed; the extractors still look only where their
    // words are (they define where `"plain"` and `verifier` mean PKCE at all). A file the prefilter rules
    // out is still parsed when it holds a suppression comment, so that an unused one is reported.
    let mentions = prefilter::mentions(text);
    if use_prefilter && !mentions.needs_parse() {
        return Ok((Vec::new(), FileFacts::default(), false));
    }
    let facts = facts_with(lang, text, mentions)?;
    Ok((run_selected(&facts, enabled), facts, true))
}

/// glibc gives every thread that allocates its own arena (up to 8 per core), and each keeps the high-water
/// mark of the parse trees it held: on the benchmark corpus with `--include-tests --no-prefilter` that was
/// a third of the peak memory (91 MB, 71 MB with one arena per worker). One arena per worker thread keeps
/// allocation uncontended and the memory bounded by the thread count.
fn limit_malloc_arenas(threads: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let arenas = i32::try_from(threads.max(1)).unwrap_or(i32::MAX);
        // SAFETY: mallopt only sets an allocator parameter; it is safe to call at any time.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = threads;
}

/// What the first, per-file pass gives: a finished result (skipped, failed) or a module for the project
/// phase.
enum Pass {
    Done(FileResult),
    Module(Box<Module>),
}

/// The first pass's results, kept apart as they come.
#[derive(Default)]
struct Passes {
    done: Vec<FileResult>,
    // Boxed, as the project phase takes them: sorting them moves pointers, not modules.
    #[allow(clippy::vec_box)]
    modules: Vec<Box<Module>>,
}

impl Passes {
    fn push(&mut self, pass: Pass) {
        match pass {
            Pass::Done(r) => self.done.push(r),
            Pass::Module(m) => self.modules.push(m),
        }
    }

    /// These results, then `later`'s (moved only when both have some).
    fn then(mut self, later: Passes) -> Passes {
        fn append<T>(mut first: Vec<T>, later: Vec<T>) -> Vec<T> {
            if first.is_empty() {
                return later;
            }
            first.extend(later);
            first
        }
        self.done = append(self.done, later.done);
        self.modules = append(self.modules, later.modules);
        self
    }
}

/// A file that the first pass finishes with (skipped, or it could not be read or parsed).
fn finished(path: PathBuf, outcome: Outcome) -> Pass {
    Pass::Done(FileResult {
        path,
        outcome,
        source: None,
        notices: Vec::new(),
    })
}

/// The first pass over one candidate file: read, prefilter, parse, analyse and summarise. Never panics on
/// bad input: every outcome is a `FileResult` or a `Module`. Takes the candidate by value: its paths move
/// into the result (a default scan skips tens of thousands of test files, each once copied).
/// What the first pass shares across files: the budget of kept trees and the working directory (relative
/// paths are made absolute against it).
struct FirstPass {
    trees: TreeBudget,
    cwd: PathBuf,
}

fn first_pass(candidate: Candidate, opts: &ScanOptions, shared: &FirstPass) -> Pass {
    if !opts.include_tests && candidate.test_code {
        return finished(candidate.path, Outcome::Skipped(SkipReason::TestCode));
    }
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buf| {
        let pass = match source::load_into(&candidate.fs_path, opts.max_file_size, buf) {
            Ok(Ok(text)) => analyse_text(candidate, opts, text, shared),
            Ok(Err(reason)) => finished(candidate.path, Outcome::Skipped(reason)),
            Err(e) => finished(
                candidate.path,
                Outcome::Error(format!("cannot read the file: {e}")),
            ),
        };
        // A buffer grown by one large file is not kept for the rest of the scan.
        if buf.capacity() > 256 * 1024 {
            *buf = Vec::new();
        }
        pass
    })
}

/// The first pass over a file's text.
fn analyse_text(candidate: Candidate, opts: &ScanOptions, text: &str, shared: &FirstPass) -> Pass {
    let Candidate {
        path,
        fs_path,
        lang,
        ..
    } = candidate;
    let abs = crate::paths::lexical(if fs_path.is_absolute() {
        fs_path.clone()
    } else {
        shared.cwd.join(&fs_path)
    });
    let mut module = Module {
        path,
        fs_path,
        abs,
        lang,
        text: None,
        parsed: false,
        parts: None,
    };
    let path = &module.path;
    // A declaration file is read (its reading errors count) but holds no code a rule could judge, with
    // the prefilter or without.
    if Lang::is_declaration(path) {
        return Pass::Module(Box::new(module));
    }
    let mentions = prefilter::mentions(text);
    if opts.prefilter && !mentions.needs_parse() {
        return Pass::Module(Box::new(module));
    }
    match parse_and_analyze(lang, text, mentions) {
        Ok((mut analysed, tree)) => {
            let index = LineIndex::new(text);
            analysed.summary.place(path, text, &index);
            analysed.asks.place(path, text, &index);
            let keep = !analysed.facts.is_empty() || !analysed.asks.is_empty();
            let summary = mentions.any().then_some(analysed.summary);
            if keep || summary.is_some() {
                let asked = !analysed.asks.is_empty();
                module.parts = Some(Box::new(Parts {
                    facts: analysed.facts,
                    summary,
                    asks: analysed.asks,
                    env: Default::default(),
                    tree: (asked && shared.trees.take(text.len())).then_some(tree),
                }));
            }
            module.parsed = true;
            // The text is kept only for what may be located or analysed again; the project phase reads
            // any other file again if it needs it.
            module.text = keep.then(|| Arc::from(text));
            Pass::Module(Box::new(module))
        }
        Err(NotAnalysed::Skipped(reason)) => finished(module.path, Outcome::Skipped(reason)),
        Err(NotAnalysed::Failed(message)) => finished(module.path, Outcome::Error(message)),
    }
}

fn parse_and_analyze(
    lang: Lang,
    text: &str,
    mentions: Mentions,
) -> Result<(analysis::Analysed, tree_sitter::Tree), NotAnalysed> {
    let tree = parse(lang, text)?;
    // Files with OAuth words are summarised now (they are the ones that ask); any other is summarised only
    // if the project phase needs a value from it.
    let analysed = analysis::analyze_module(
        lang,
        &tree,
        text,
        mentions,
        &Default::default(),
        mentions.any(),
    )
    .map_err(NotAnalysed::Skipped)?;
    Ok((analysed, tree))
}

/// The last pass over one module, after the project phase: rules, locations, suppressions.
fn finish(module: Module, opts: &ScanOptions) -> FileResult {
    let Module {
        path,
        text,
        parsed,
        parts,
        ..
    } = module;
    // Most modules hold nothing (no fact, no suppression): no rule finds anything there, and there is
    // nothing to locate.
    let Some(parts) = parts else {
        return FileResult {
            path,
            outcome: Outcome::Scanned {
                findings: Vec::new(),
                parsed,
            },
            source: None,
            notices: Vec::new(),
        };
    };
    let facts = parts.facts;
    // Only files a per-file-ignores glob could match pay for the absolute path.
    let abs = (!opts.per_file_ignores.is_empty()).then(|| opts.discover.base.root.join(&path));
    let enabled = |id: &str| {
        opts.rules.contains(&id)
            && !abs
                .as_ref()
                .is_some_and(|abs| opts.per_file_ignores.ignores(abs, id))
    };
    let diagnostics = run_selected(&facts, &enabled);
    let text = text.unwrap_or_else(|| Arc::from(""));
    let located = report::locate(&path, &text, diagnostics, &facts.suppressions, &enabled);
    let source = (!located.findings.is_empty()).then_some(text);
    FileResult {
        path,
        outcome: Outcome::Scanned {
            findings: located.findings,
            parsed,
        },
        source,
        notices: located.notices,
    }
}

/// Runs `f` on the scan's pool (on the calling thread when there is none), so that its parallel
/// iterators use the scan's thread count.
fn in_pool<R: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Scans the given roots. Files found in directories are scanned on the walker's threads while the walk goes
/// on; files named on the command line on a pool of the same size. Results are sorted by path afterwards, so
/// the output does not depend on scheduling.
pub fn scan(roots: &[PathBuf], opts: &ScanOptions) -> Result<Report, DiscoverError> {
    limit_malloc_arenas(opts.discover.threads);
    let start = Instant::now();
    let walked = Mutex::new(Passes::default());
    let shared = FirstPass {
        trees: TreeBudget::new(),
        cwd: std::env::current_dir().unwrap_or_default(),
    };
    let found = discover::walk(roots, &opts.discover, &|c| {
        let pass = first_pass(c, opts, &shared);
        walked.lock().unwrap_or_else(|e| e.into_inner()).push(pass);
    })?;
    let mut walk_skipped = Vec::new();
    let mut walk_errors = Vec::new();
    for issue in found.issues {
        match issue {
            WalkIssue::Skipped { display, reason } => walk_skipped.push(Skipped {
                path: display,
                reason: reason.0,
            }),
            WalkIssue::Error { display, message } => walk_errors.push(Errored {
                path: display,
                message,
            }),
        }
    }
    let threads = opts.discover.threads;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("skillaudit-{i}"))
        .build()
        .ok();
    // Explicit files first: a file reached twice keeps its first result, and an explicit file is scanned
    // even when it is test code.
    let explicit: Vec<Pass> = in_pool(&pool, || {
        found
            .candidates
            .into_par_iter()
            .map(|c| first_pass(c, opts, &shared))
            .collect()
    });
    let mut passes = Passes::default();
    for pass in explicit {
        passes.push(pass);
    }
    let Passes {
        mut done,
        mut modules,
    } = passes.then(walked.into_inner().unwrap_or_else(|e| e.into_inner()));
    let by_path = |r: &FileResult| crate::paths::sort_key(&r.path);
    let thresholds = opts.thresholds;
    // The project phase, on modules in path order so that it does not depend on scheduling. The sort is
    // stable, so of a file reached twice the first one stays.
    in_pool(&pool, || {
        modules.par_sort_by_cached_key(|m| crate::paths::sort_key(&m.path))
    });
    modules.dedup_by(|later, first| later.path.as_os_str() == first.path.as_os_str());
    // The files finished in the first pass (tens of thousands of skipped tests) are put in order while the
    // project phase runs, which is mostly one thread's work; the modules come out of it in order.
    let (tally, (linked, analysed)) = in_pool(&pool, || {
        rayon::join(
            move || {
                done.par_sort_by_cached_key(by_path);
                Tally::of_sorted(done, thresholds).with_walk(walk_skipped, walk_errors)
            },
            || {
                let linked = project::link(&mut modules, roots, opts.max_file_size);
                project::flows::join(&mut modules, opts.max_file_size);
                let analysed: Vec<FileResult> =
                    modules.into_par_iter().map(|m| finish(*m, opts)).collect();
                (linked, analysed)
            },
        )
    });
    let mut report = tally.then(analysed).into_report(start.elapsed());
    report.base = opts.discover.base.clone();
    report.rules_run = opts.rules.clone();
    report.linked = linked;
    report.threads = threads;
    Ok(report)
}
