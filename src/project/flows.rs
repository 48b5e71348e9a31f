//! One authorization server spread over modules: facts that only the modules together make a finding.
//!
//! pkce-downgrade needs both endpoints: a token endpoint that verifies the `code_verifier` only when a
//! challenge was stored (or a verifier sent), and an authorization endpoint that accepts a request
//! without `code_challenge`. A file that shows the first and no authorization endpoint leaves its guards
//! pending (`FileFacts::pending_pkce`); every file with an authorization side says what it does
//! (`FileFacts::challenge_side`). Within one package (the nearest directory with a `package.json`,
//! `pyproject.toml`, `setup.py` or `setup.cfg`; the whole scan when there is none), pending guards become
//! findings when some module reads the challenge as optional and none requires it, pointing at the first
//! such read in path order. A package with an authorization endpoint that requires the challenge, or with
//! none the scan can see (a library's, another repository's), gives nothing: every doubt is silence.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::Module;
use crate::facts::ChallengeSide;
use crate::source::LineIndex;
use crate::summary::Foreign;

/// What a package's authorization endpoints say: whether one requires the challenge, and the first module
/// (in path order) that reads it as optional, with where.
type PackageSide = (bool, Option<(usize, crate::facts::Span)>);

/// How many directories up a package's manifest is looked for.
const MAX_DEPTH: usize = 32;

/// Files that make a directory a package's root.
const MANIFESTS: &[&str] = &["package.json", "pyproject.toml", "setup.py", "setup.cfg"];

/// The package a file belongs to: the nearest directory above it with a manifest, memoised by directory.
fn package_of(path: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut dirs = Vec::new();
    let mut dir = path.parent();
    let mut found = None;
    for _ in 0..MAX_DEPTH {
        let Some(d) = dir else { break };
        if let Some(known) = cache.get(d) {
            found = known.clone();
            break;
        }
        dirs.push(d.to_path_buf());
        if MANIFESTS.iter().any(|m| d.join(m).is_file()) {
            found = Some(d.to_path_buf());
            break;
        }
        dir = d.parent();
    }
    for d in dirs {
        cache.insert(d, found.clone());
    }
    found
}

/// Joins pending pkce-downgrade guards with the authorization side of their package; returns how many
/// became findings.
pub fn join(modules: &mut [Box<Module>], max_file_size: u64) -> usize {
    let pending: Vec<usize> = (0..modules.len())
        .filter(|&i| {
            modules[i]
                .parts
                .as_ref()
                .is_some_and(|p| !p.facts.pending_pkce.is_empty())
        })
        .collect();
    if pending.is_empty() {
        return 0;
    }
    let mut cache = HashMap::new();
    // Per package: whether something requires the challenge, and the first optional read (modules are in
    // path order).
    let mut sides: BTreeMap<Option<PathBuf>, PackageSide> = BTreeMap::new();
    for (i, m) in modules.iter().enumerate() {
        let Some(side) = m.parts.as_ref().and_then(|p| p.facts.challenge_side) else {
            continue;
        };
        let entry = sides.entry(package_of(&m.fs_path, &mut cache)).or_default();
        match side {
            ChallengeSide::Required => entry.0 = true,
            ChallengeSide::Optional(span) => {
                entry.1.get_or_insert((i, span));
            }
        }
    }
    let mut joined = 0;
    let mut places: HashMap<usize, Foreign> = HashMap::new();
    for i in pending {
        let Some(&(false, Some((at, span)))) =
            sides.get(&package_of(&modules[i].fs_path, &mut cache))
        else {
            continue;
        };
        // Located once per authorization module, however many token modules point at it.
        let place = match places.get(&at) {
            Some(p) => p.clone(),
            None => {
                let Some(text) = modules[at].text_or_read(max_file_size) else {
                    continue;
                };
                let mut place = Foreign::here(span);
                place.place(&modules[at].path, &text, &LineIndex::new(&text));
                places.insert(at, place.clone());
                place
            }
        };
        let Some(parts) = modules[i].parts.as_mut() else {
            continue;
        };
        for mut p in std::mem::take(&mut parts.facts.pending_pkce) {
            p.authorize_elsewhere = Some(place.clone());
            parts.facts.optional_pkce.push(p);
            joined += 1;
        }
        parts.facts.optional_pkce.sort_by_key(|p| p.span);
        parts.facts.optional_pkce.dedup_by_key(|p| p.span);
    }
    joined
}
