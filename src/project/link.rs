//! Linking: each ask of each module answered from the summaries of the modules it imports, following
//! re-exports and barrels, then every module that got answers analysed again with them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::packages::{callers_root, package_root};
use super::resolve::Resolver;
use super::Module;
use crate::analysis::{self, Analysed};
use crate::source::LineIndex;
use crate::summary::{Asks, Env, Foreign, ModuleSummary, Value};
use crate::{lang, prefilter};

/// How many re-exports one lookup follows.
const MAX_HOPS: usize = 8;
/// Files read per scan to find the readers of module-level verifiers the prefilter skipped.
const MAX_READER_FILES: usize = 5_000;
/// Files read per scan to find the callers of helpers that exchange a code.
const MAX_CALLER_FILES: usize = 5_000;

/// What the phase did (`summary.project` in JSON output).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Linked {
    /// Imported names looked up.
    pub lookups: usize,
    /// Files parsed only because another module needed a value from them.
    pub parsed_on_demand: usize,
    /// Files analysed again with answers.
    pub reanalysed: usize,
}

/// Where an imported name leads: the module and the member path inside it.
type Target = (usize, Vec<String>);

struct Linker<'m> {
    modules: &'m mut [Box<Module>],
    resolver: Resolver,
    /// Module index by absolute path, and by canonical path once one was needed.
    by_path: FxHashMap<PathBuf, usize>,
    canonical: Option<FxHashMap<PathBuf, usize>>,
    /// Each importing module's canonical path, found once however many names it imports.
    importers: HashMap<usize, Option<PathBuf>>,
    /// `resolve`'s answers by (importing module, qualified name).
    resolved: HashMap<(usize, String), Option<Target>>,
    max_file_size: u64,
    stats: Linked,
}

/// Answers the asks of `modules` and analyses again every module that got answers. `roots` are the scanned
/// paths: only scanned files inside them are linked. Its parallel work runs on the current rayon pool
/// (the scan's).
pub fn link(modules: &mut [Box<Module>], roots: &[PathBuf], max_file_size: u64) -> Linked {
    let helpers = modules
        .iter()
        .any(|m| m.summary().is_some_and(|s| !s.exchanges.is_empty()));
    if !helpers && !modules.iter().any(|m| m.has_asks()) {
        return Linked::default();
    }
    // Modules by absolute path, spelled lexically by the first pass (`Module::abs`); `canonical` is filled
    // only when a resolved file is not found that way (a symbolic link in the way). In module order, so
    // that of two modules spelled the same the last one counts. The paths move into the table: nothing
    // else reads them.
    let mut by_path = FxHashMap::with_capacity_and_hasher(modules.len(), Default::default());
    by_path.extend(
        modules
            .iter_mut()
            .enumerate()
            .map(|(i, m)| (std::mem::take(&mut m.abs), i)),
    );
    let mut linker = Linker {
        modules,
        resolver: Resolver::new(roots),
        by_path,
        canonical: None,
        importers: HashMap::new(),
        resolved: HashMap::new(),
        max_file_size,
        stats: Linked::default(),
    };
    linker.answer();
    let mut stats = linker.stats;
    stats.reanalysed = reanalyse(linker.modules, max_file_size);
    stats
}

impl Linker<'_> {
    fn answer(&mut self) {
        self.ask_callers();
        self.summarise_imported();
        let mut envs: Vec<Env> = vec![Env::default(); self.modules.len()];
        let mut module_verifiers: BTreeMap<(usize, String), ()> = BTreeMap::new();
        for i in 0..self.modules.len() {
            let asks = match self.modules[i].parts.as_mut() {
                Some(p) => std::mem::take(&mut p.asks),
                None => continue,
            };
            for q in &asks.values {
                if let Some(v) = self.value(i, q) {
                    envs[i].imported.insert(q.clone(), v);
                }
            }
            for (q, used) in &asks.verifier_returns {
                if let Some((target, name)) = self.definition(i, q) {
                    envs[target]
                        .verifier_returns
                        .entry(name)
                        .or_insert_with(|| used.clone());
                }
            }
            for (q, position, at) in &asks.verifier_args {
                if let Some((target, name)) = self.definition(i, q) {
                    envs[target]
                        .verifier_params
                        .entry(name)
                        .or_default()
                        .entry(*position)
                        .or_insert_with(|| at.clone());
                }
            }
            for name in &asks.module_verifiers {
                module_verifiers.insert((i, name.clone()), ());
            }
            for (q, position, _) in &asks.exchange_args {
                let Some((target, name)) = self.definition(i, q) else {
                    continue;
                };
                let helper = self
                    .summary(target)
                    .and_then(|s| s.exchanges.get(&name))
                    .filter(|e| e.param == *position && !e.handles_state)
                    .cloned();
                if let Some(helper) = helper {
                    envs[i].exchange_calls.entry(q.clone()).or_insert(helper);
                }
            }
            self.modules[i].parts_mut().asks = asks;
        }
        if !module_verifiers.is_empty() {
            self.summarise_readers(module_verifiers.keys());
            // Who reads each module-level verifier from a function: every import read in a function,
            // followed to its definition (modules are in path order, so the first reader is stable).
            for i in 0..self.modules.len() {
                let reads: Vec<(String, Foreign)> = match self.modules[i].summary() {
                    Some(s) => s
                        .read_in_functions
                        .iter()
                        .map(|(q, f)| (q.clone(), f.clone()))
                        .collect(),
                    None => continue,
                };
                for (q, read) in reads {
                    let Some((target, name)) = self.definition(i, &q) else {
                        continue;
                    };
                    if target != i && module_verifiers.contains_key(&(target, name.clone())) {
                        envs[target].read_elsewhere.entry(name).or_insert(read);
                    }
                }
            }
        }
        for (m, env) in self.modules.iter_mut().zip(envs) {
            if !env.is_empty() {
                m.parts_mut().env = env;
            }
        }
    }

    /// The modules the asks name first that the prefilter skipped are summarised up front, in parallel
    /// (one by one, as the lookups reach them, they were most of the phase's time). What a re-export leads
    /// to further is summarised when a lookup gets there, as before; the result is the same either way.
    fn summarise_imported(&mut self) {
        let mut wanted = std::collections::BTreeSet::new();
        for i in 0..self.modules.len() {
            let Some(parts) = self.modules[i].parts.as_ref() else {
                continue;
            };
            let asks = &parts.asks;
            let names: Vec<String> = asks
                .values
                .iter()
                .chain(asks.verifier_returns.iter().map(|(q, _)| q))
                .chain(asks.verifier_args.iter().map(|(q, _, _)| q))
                .chain(asks.exchange_args.iter().map(|(q, _, _)| q))
                .cloned()
                .collect();
            for q in names {
                // A lookup reads the target's summary when it names something in it.
                if let Some((target, members)) = self.resolve(i, &q) {
                    if !members.is_empty() && self.modules[target].summary().is_none() {
                        wanted.insert(target);
                    }
                }
            }
        }
        if wanted.is_empty() {
            return;
        }
        let modules = &*self.modules;
        let max_file_size = self.max_file_size;
        let summaries: Vec<(usize, Option<ModuleSummary>)> = wanted
            .into_iter()
            .collect::<Vec<_>>()
            .into_par_iter()
            .with_max_len(1)
            .map(|i| (i, summarise(&modules[i], max_file_size)))
            .collect();
        for (i, summary) in summaries {
            if summary.is_some() {
                self.stats.parsed_on_demand += 1;
            }
            self.modules[i].parts_mut().summary = Some(summary.unwrap_or_default());
        }
    }

    /// A callback that passes the code to a helper need not say anything about an exchange, so the
    /// prefilter (or the callbacks analysis, which runs only where an exchange is named) skipped it: the
    /// files of the helper's package and language that contain a helper's name, and were not analysed for
    /// callbacks, are analysed for their asks. Bounded: this runs only when some module has such a helper,
    /// and reads `MAX_CALLER_FILES` files at most per scan.
    fn ask_callers(&mut self) {
        let mut wanted: BTreeMap<(PathBuf, bool), Vec<String>> = BTreeMap::new();
        for m in self.modules.iter() {
            let Some(s) = m.summary() else { continue };
            let names = s
                .exchanges
                .iter()
                .filter(|(_, e)| !e.handles_state)
                .map(|(n, _)| n.clone());
            let js = m.lang.is_js_family();
            wanted
                .entry((callers_root(&m.fs_path, js), js))
                .or_default()
                .extend(names);
        }
        wanted.retain(|_, names| !names.is_empty());
        if wanted.is_empty() {
            return;
        }
        let found = self.containing(
            |m| {
                let js = m.lang.is_js_family();
                wanted
                    .iter()
                    .filter(|((root, j), _)| *j == js && m.fs_path.starts_with(root))
                    .flat_map(|(_, names)| names.iter().cloned())
                    .collect()
            },
            // A file that names an exchange was analysed for callbacks already, and asked.
            |text| !prefilter::mentions(text).exchange,
            MAX_CALLER_FILES,
        );
        // Parsed in parallel, recorded in module order.
        let modules = &*self.modules;
        let analysed: Vec<(usize, Asks)> = found
            .into_par_iter()
            .with_max_len(1)
            .filter_map(|(i, text)| {
                let m = &modules[i];
                let mut asks = analyse_with(m.lang, &text, &Env::default(), false, true)?.asks;
                if asks.exchange_args.is_empty() {
                    return None;
                }
                asks.place(&m.path, &text, &LineIndex::new(&text));
                Some((i, asks))
            })
            .collect();
        for (i, asks) in analysed {
            self.stats.parsed_on_demand += 1;
            self.modules[i]
                .parts_mut()
                .asks
                .exchange_args
                .extend(asks.exchange_args);
        }
    }

    /// Handlers that read a module-level verifier or singleton need not say anything about OAuth
    /// (`oauthClient.exchange(code)`), so the prefilter skipped them: the files of the same package that
    /// contain one of the names are parsed for their summary. Bounded: this runs only for modules with
    /// such a name (rare), and looks at `MAX_READER_FILES` files at most per scan.
    fn summarise_readers<'a>(&mut self, pending: impl Iterator<Item = &'a (usize, String)>) {
        let mut wanted: BTreeMap<PathBuf, Vec<(bool, String)>> = BTreeMap::new();
        for (m, name) in pending {
            let module = &self.modules[*m];
            let root = package_root(&module.fs_path, module.lang.is_js_family());
            wanted
                .entry(root)
                .or_default()
                .push((module.lang.is_js_family(), name.clone()));
        }
        let found = self.containing(
            |m| {
                if m.summary().is_some() {
                    return Vec::new();
                }
                let js = m.lang.is_js_family();
                wanted
                    .iter()
                    .filter(|(root, _)| m.fs_path.starts_with(root))
                    .flat_map(|(_, names)| names.iter().filter(|(j, _)| *j == js))
                    .map(|(_, n)| n.clone())
                    .collect()
            },
            |_| true,
            MAX_READER_FILES,
        );
        for (i, _) in found {
            self.summary(i);
        }
    }

    /// The modules (in path order) that `names` gives names for and whose text contains one of them and
    /// passes `keep`, with their text: read in parallel, at most `limit` files looked at.
    fn containing(
        &self,
        names: impl Fn(&Module) -> Vec<String>,
        keep: impl Fn(&str) -> bool + Sync,
        limit: usize,
    ) -> Vec<(usize, Arc<str>)> {
        let candidates: Vec<(usize, Vec<String>)> = self
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| (i, names(m)))
            .filter(|(_, n)| !n.is_empty())
            .take(limit)
            .collect();
        let modules = &*self.modules;
        let max_file_size = self.max_file_size;
        candidates
            .par_iter()
            .filter_map(|(i, names)| {
                let m = &modules[*i];
                let text = m.text_or_read(max_file_size)?;
                let named = names
                    .iter()
                    .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some());
                (named && keep(&text)).then_some((*i, text))
            })
            .collect()
    }

    /// The module and name an imported qualified name is finally defined as, through re-exports.
    fn definition(&mut self, from: usize, q: &str) -> Option<(usize, String)> {
        let mut at = from;
        let mut q = q.to_string();
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            let (target, members) = self.resolve(at, &q)?;
            // The first member is the module's name; the rest are members of its value.
            let name = members.first()?;
            if !seen.insert((target, name.clone())) {
                return None;
            }
            match self.named(target, name) {
                Some(Value::Import(next)) => {
                    q = next;
                    at = target;
                }
                _ => return Some((target, name.clone())),
            }
        }
        None
    }

    /// The value of an imported qualified name, with re-exports followed; `None` when unknown.
    fn value(&mut self, from: usize, q: &str) -> Option<Value> {
        self.stats.lookups += 1;
        let mut at = from;
        let mut q = q.to_string();
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            if !seen.insert((at, q.clone())) {
                return None;
            }
            let (target, members) = self.resolve(at, &q)?;
            let (first, rest) = members.split_first()?;
            let mut v = self.named(target, first)?;
            // Members of an imported table, or of a name the module itself imports.
            let mut i = 0;
            while i < rest.len() {
                match v {
                    Value::Table(entries) => {
                        v = entries.into_iter().find(|(k, _)| *k == rest[i])?.1;
                        i += 1;
                    }
                    _ => break,
                }
            }
            match v {
                Value::Import(next) => {
                    q = std::iter::once(next.as_str())
                        .chain(rest[i..].iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(".");
                    at = target;
                }
                v if i == rest.len() => return Some(v),
                _ => return None,
            }
        }
        None
    }

    /// A module's value for a name: its own, or an `export *` re-export's (as an import of the name).
    fn named(&mut self, module: usize, name: &str) -> Option<Value> {
        let summary = self.summary(module)?;
        if let Some(v) = summary.values.get(name) {
            return Some(v.clone());
        }
        let mut stars = summary
            .values
            .iter()
            .filter(|(k, _)| k.starts_with('*'))
            .filter_map(|(_, v)| match v {
                Value::Import(m) => Some(format!("{m}.{name}")),
                _ => None,
            });
        // Only a single `export *` names the module a name comes from without looking into each.
        match (stars.next(), stars.next()) {
            (Some(q), None) => Some(Value::Import(q)),
            _ => None,
        }
    }

    /// The module and member path a qualified name imported by `from` resolves to, found once per pair
    /// (the up-front summaries and then the lookups ask the same first hops).
    fn resolve(&mut self, from: usize, q: &str) -> Option<Target> {
        if let Some(known) = self.resolved.get(&(from, q.to_string())) {
            return known.clone();
        }
        let found = self.resolve_uncached(from, q);
        self.resolved.insert((from, q.to_string()), found.clone());
        found
    }

    fn resolve_uncached(&mut self, from: usize, q: &str) -> Option<Target> {
        let modules = &self.modules;
        let importer = self
            .importers
            .entry(from)
            .or_insert_with(|| modules[from].fs_path.canonicalize().ok())
            .as_deref()?;
        let found = self
            .resolver
            .resolve(importer, self.modules[from].lang.is_js_family(), q)?;
        let target = match self.by_path.get(&found.file) {
            Some(t) => *t,
            None => {
                let modules = &self.modules;
                *self
                    .canonical
                    .get_or_insert_with(|| {
                        let found: Vec<(PathBuf, usize)> = modules
                            .par_iter()
                            .enumerate()
                            .filter_map(|(i, m)| Some((m.fs_path.canonicalize().ok()?, i)))
                            .collect();
                        found.into_iter().collect()
                    })
                    .get(&found.file)?
            }
        };
        Some((target, found.members))
    }

    /// A module's summary: from its analysis, or parsed now (once) when the prefilter skipped it.
    fn summary(&mut self, i: usize) -> Option<&ModuleSummary> {
        if self.modules[i].summary().is_none() {
            let summary = summarise(&self.modules[i], self.max_file_size);
            if summary.is_some() {
                self.stats.parsed_on_demand += 1;
            }
            self.modules[i].parts_mut().summary = Some(summary.unwrap_or_default());
        }
        self.modules[i].summary()
    }
}

/// The summary of a module the prefilter skipped, from its text read again; `None` when it cannot be read
/// (then it is summarised as empty, and not counted as parsed).
fn summarise(m: &Module, max_file_size: u64) -> Option<ModuleSummary> {
    let text = m.text_or_read(max_file_size)?;
    Some(
        analyse(m.lang, &text, &Env::default(), true)
            .map(|mut a| {
                a.summary.place(&m.path, &text, &LineIndex::new(&text));
                a.summary
            })
            .unwrap_or_default(),
    )
}

/// Parses and analyses a text with `env`.
pub(crate) fn analyse(
    lang: lang::Lang,
    text: &str,
    env: &Env,
    summarise: bool,
) -> Option<Analysed> {
    analyse_with(lang, text, env, summarise, false)
}

/// Parses and analyses a text with `env`; `callbacks`: the callbacks analysis runs even when the file names
/// no exchange (to ask about the functions its callbacks give the code to).
fn analyse_with(
    lang: lang::Lang,
    text: &str,
    env: &Env,
    summarise: bool,
    callbacks: bool,
) -> Option<Analysed> {
    let tree = lang::parse(lang, text).ok()?;
    analyse_tree(lang, &tree, text, env, summarise, callbacks)
}

/// [`analyse_with`] on the text's tree, parsed already.
fn analyse_tree(
    lang: lang::Lang,
    tree: &tree_sitter::Tree,
    text: &str,
    env: &Env,
    summarise: bool,
    callbacks: bool,
) -> Option<Analysed> {
    let mut mentions = prefilter::mentions(text);
    if callbacks || !env.exchange_calls.is_empty() {
        mentions.exchange = true;
    }
    // Another module uses what this one returns as a verifier: the verifier analysis runs here even when
    // the file never says so.
    if !env.verifier_returns.is_empty()
        || !env.verifier_params.is_empty()
        || !env.read_elsewhere.is_empty()
    {
        mentions.code_verifier = true;
        mentions.pkce = true;
    }
    analysis::analyze_module(lang, tree, text, mentions, env, summarise).ok()
}

/// Analyses again, in parallel, every module whose environment has answers; their facts replace the first
/// ones (an answer only adds to what the file alone showed).
fn reanalyse(modules: &mut [Box<Module>], max_file_size: u64) -> usize {
    // The few modules with answers, gathered first so that the pool shares them out one by one (split
    // over every module, they fell to one thread), the longest texts first: the phase waits for the last
    // one to finish, and one large module started last kept a thread busy alone.
    let mut with_env: Vec<&mut Box<Module>> = Vec::new();
    for m in modules.iter_mut() {
        if m.has_env() {
            with_env.push(m);
        } else if let Some(parts) = m.parts.as_mut() {
            // Nothing to analyse again: the tree kept for it goes.
            parts.tree = None;
        }
    }
    with_env.sort_by_key(|m| std::cmp::Reverse(m.text.as_ref().map_or(0, |t| t.len())));
    with_env.par_iter_mut().with_max_len(1).for_each(|m| {
        let Some(text) = m.text_or_read(max_file_size) else {
            return;
        };
        let lang = m.lang;
        let parts = m.parts_mut();
        let analysed = match parts.tree.take() {
            Some(tree) => analyse_tree(lang, &tree, &text, &parts.env, false, false),
            None => analyse(lang, &text, &parts.env, false),
        };
        if let Some(a) = analysed {
            parts.facts = a.facts;
            m.parsed = true;
            m.text = Some(text);
        }
    });
    with_env.len()
}
