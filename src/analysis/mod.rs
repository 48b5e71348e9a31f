//! The per-file analyses, written once over the language-neutral views of `crate::syntax`: `fold`, `eval` and
//! `values` (values: strings folded from their pieces, constants, parameters), `requests` (authorization
//! requests), `method` (the PKCE challenge method), `verifier` (where verifiers come from and where they are
//! kept), `callbacks` (whether the callback that exchanges a code checks the returned state), `server`
//! (token endpoints of hand-written authorization servers: the code records they redeem, how they verify
//! the `code_verifier`, and whether the authorization endpoint requires a challenge).
//! Together they produce a file's `FileFacts`; nothing here knows a tree-sitter node kind.
//!
//! Traversal of whole trees is iterative (`lang::Preorder`). Evaluating one expression (folding a string,
//! following a variable to its value) recurses over *our* views with an explicit depth limit (`MAX_DEPTH`),
//! so a 100,000-deep expression costs at most `MAX_DEPTH` frames; deeper parts are treated as unknown.

use tree_sitter::{Node, Tree};

use crate::facts::{FileFacts, Span};
use crate::lang::Lang;
use crate::prefilter::{self, Mentions};
use crate::source::SkipReason;
use crate::summary::{Asks, Env, ModuleSummary, Value};

mod callbacks;
mod ctx;
mod eval;
mod exports;
mod fold;
mod method;
mod requests;
mod server;
mod values;
mod verifier;
#[cfg(test)]
mod work_tests;

pub use crate::syntax::{
    bind_positions, index, js, py, Arg, Binding, Branch, Class, ClassField, Dialect, Entry, Index,
    Key, MemberWrite, StrPart, View, MAX_NESTING, POSITIONS,
};
pub use ctx::Ctx;
pub use fold::{Folded, Piece};
pub use values::Constant;

/// How deep one evaluation may follow expressions and bindings.
pub const MAX_DEPTH: usize = 24;

/// Extracts the facts of one parsed file, or says why it cannot be analysed.
/// `mentions` says which word groups the text holds; analyses that need absent words are skipped (the
/// same words the prefilter looks for, so skipping them never loses a fact).
pub fn extract(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<FileFacts, SkipReason> {
    extract_with_work(lang, tree, src, mentions).map(|(facts, _)| facts)
}

/// What the analyses of one file did, counted in steps that do not depend on the machine: expressions
/// folded, trace questions answered, and entries visited by lookups. Tests compare them across input sizes
/// to catch work that grows faster than the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub fold_steps: usize,
    pub trace_steps: usize,
    /// Bindings and functions visited while tracing values.
    pub trace_visits: usize,
    /// Wrapping variables and string uses visited while grouping request parameters.
    pub request_visits: usize,
    /// Calls, uses and nodes visited while judging the PKCE method.
    pub method_visits: usize,
    /// Exchanges examined for each callback and uses of the returned state classified.
    pub callback_visits: usize,
    /// Token endpoints, their functions and the uses of the submitted code visited.
    pub server_visits: usize,
}

/// `extract`, and the work it took.
pub fn extract_with_work(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
) -> Result<(FileFacts, Work), SkipReason> {
    let env = Env::default();
    let out = analyze_module(lang, tree, src, mentions, &env, false)?;
    Ok((out.facts, out.work))
}

/// Everything one analysis of a module gives: its facts, the work, its summary for the project phase (when
/// asked for) and what it could not answer alone.
#[derive(Debug, Default)]
pub struct Analysed {
    pub facts: FileFacts,
    pub work: Work,
    pub summary: ModuleSummary,
    pub asks: Asks,
}

/// Analyses one module with what the project phase knows of the others (`env`), and summarises it when
/// `summarise` is set.
pub fn analyze_module(
    lang: Lang,
    tree: &Tree,
    src: &str,
    mentions: Mentions,
    env: &Env,
    summarise: bool,
) -> Result<Analysed, SkipReason> {
    let _kinds = crate::lang::kinds_for(lang);
    let mut out = if lang.is_js_family() {
        analyze(&js::Js { lang }, tree, src, mentions, env, summarise)?
    } else {
        analyze(&py::Py, tree, src, mentions, env, summarise)?
    };
    out.facts.family = if lang.is_js_family() {
        crate::facts::Family::JavaScript
    } else {
        crate::facts::Family::Python
    };
    Ok(out)
}

fn analyze<'t, D: Dialect>(
    d: &D,
    tree: &'t Tree,
    src: &'t str,
    mentions: Mentions,
    env: &'t Env,
    summarise: bool,
) -> Result<Analysed, SkipReason> {
    let root = tree.root_node();
    // Parents and identifiers are recorded in the same walk when an analysis will run; otherwise never.
    let mut ix = index::index(d, root, src, mentions.any() || summarise || !env.is_empty())?;
    // A name imported from a module of the project that holds a library client stands for that client
    // (`import { oauth2Client } from "./auth/client"` is `googleapis.google.auth.OAuth2()`): every analysis
    // that matches imports and qualified names then sees the library.
    for q in ix.imports.values_mut() {
        if let Some(Value::Qualified(made)) = env.imported.get(q.as_str()) {
            *q = made.clone();
        }
    }
    let ctx = Ctx {
        d,
        src,
        root,
        ix,
        mentions,
        scopes: Default::default(),
        views: Default::default(),
        // One fold step per expression: a budget of one per byte is never reached by folding each
        // expression once, and bounds the file's work if something made the same expression fold again.
        folds: fold::Folds::new(src.len() + 10_000),
        env,
        asks: Default::default(),
        holders: Default::default(),
    };
    let mut facts = FileFacts::default();
    let mut work = Work::default();
    if mentions.request {
        work.request_visits = requests::extract(&ctx, &mut facts);
    }
    if mentions.pkce {
        work.method_visits = method::extract(&ctx, &mut facts);
    }
    // A library option can be found both as the library's and as a parameter named for the method.
    facts.plain_methods.sort_by_key(|p| p.span);
    facts.plain_methods.dedup_by_key(|p| p.span);
    if mentions.code_verifier {
        (work.trace_steps, work.trace_visits) = verifier::extract(&ctx, &mut facts);
    }
    if mentions.exchange || !env.exchange_calls.is_empty() {
        // After the requests: a request that sends state is pointed at from the callback's finding.
        work.callback_visits = callbacks::extract(&ctx, &mut facts);
    }
    if mentions.exchange || mentions.code_verifier {
        // A token endpoint compares the grant type with `authorization_code`, an exchange word; a
        // verification helper compares with a challenge, a code-verifier word.
        work.server_visits = server::extract(&ctx, &mut facts);
    }
    if mentions.authorize || mentions.exchange {
        // Authorization endpoints redirect to a `redirect_uri`; code stores name the code.
        work.server_visits += server::extract_authorize(&ctx, &mut facts);
    }
    let summary = if summarise {
        exports::summarise(&ctx)
    } else {
        ModuleSummary::default()
    };
    work.fold_steps = ctx.folds.used();
    let mut asks = ctx.asks.take();
    // The receivers of calls that start a flow (`oauth2Client.generateAuthUrl(…)`, `make_session()
    // .authorization_url(…)`) may be library clients made in another module: they are asked for.
    if env.is_empty() && mentions.request {
        let mut asks_for = Vec::new();
        for &call in &ctx.ix.calls {
            if let View::Call { callee, .. } = ctx.view(call) {
                if let View::Member { object, property } = ctx.view(ctx.unwrap(callee)) {
                    if prefilter::starts_a_flow(property) {
                        let object = ctx.unwrap(object);
                        let receiver = match ctx.view(object) {
                            View::Call { callee, .. } => callee,
                            _ => object,
                        };
                        asks_for.extend(ctx.import_path(receiver));
                    }
                }
            }
        }
        asks.values.extend(asks_for);
    }
    facts.suppressions = ctx.ix.suppressions;
    Ok(Analysed {
        facts,
        work,
        summary,
        asks,
    })
}

pub fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// Whether a name contains `word`, ignoring case, `_` and `-` (`code_challenge_method` has `challengemethod`).
pub fn name_has(name: &str, word: &str) -> bool {
    // Names are short and ASCII: fold them on the stack (this runs for every binding and key of a file).
    let mut buf = [0u8; 128];
    if name.is_ascii() && name.len() <= buf.len() {
        let mut n = 0;
        for b in name.bytes().filter(|b| *b != b'_' && *b != b'-') {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        let word = word.as_bytes();
        return buf[..n].windows(word.len()).any(|w| w == word);
    }
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    folded.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Preorder;

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if Lang::from_path(&path).is_some() {
                out.push(path);
            }
        }
    }

    #[test]
    fn classes_and_wrappers_agree_with_views_on_every_fixture_node() {
        let mut paths = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut paths,
        );
        assert!(paths.len() > 20);
        let (mut checked, mut wrapped) = (0, 0);
        for path in paths {
            let lang = Lang::from_path(&path).unwrap();
            let src = std::fs::read_to_string(&path).unwrap();
            let tree = crate::lang::parse(lang, &src).unwrap();
            let _kinds = crate::lang::kinds_for(lang);
            for node in Preorder::new(tree.root_node()).filter(|n| n.is_named()) {
                let (fast, slow, wraps, view) = if lang.is_js_family() {
                    let d = js::Js { lang };
                    let view = d.view(node, &src);
                    (d.class(node, &src), view.class(), d.wraps(node), view)
                } else {
                    let view = py::Py.view(node, &src);
                    (
                        py::Py.class(node, &src),
                        view.class(),
                        py::Py.wraps(node),
                        view,
                    )
                };
                assert_eq!(fast, slow, "{}: {}", path.display(), node.kind());
                if matches!(view, crate::syntax::View::Wrapped(_)) {
                    assert!(wraps, "{}: {}", path.display(), node.kind());
                    wrapped += 1;
                }
                checked += 1;
            }
        }
        assert!(checked > 10_000, "{checked}");
        assert!(wrapped > 100, "{wrapped}");
    }
}

#[cfg(test)]
mod blowups {
    use crate::lang::Lang;

    /// Inputs that made one evaluation fan out exponentially: each must finish (a regression would hang the
    /// test suite rather than fail it, which CI reports as a timeout).
    #[test]
    fn repeated_bindings_and_strings_stay_linear() {
        let mut lengths = String::from("import { randomBytes } from \"node:crypto\";\n");
        for i in 0..40 {
            lengths.push_str(&format!(
                "function f{i}(x) {{ const length = x.length; }}\n"
            ));
        }
        lengths.push_str(
            "const codeVerifier = randomBytes(32).toString(\"hex\").slice(0, opts.length);\n",
        );
        let mut nested = String::from("const challenge = 1;\nconst a0 = \"d\";\n");
        for i in 1..14 {
            let p = format!("${{a{}}}", i - 1);
            nested.push_str(&format!("const a{i} = `{}`;\n", p.repeat(8)));
        }
        nested.push_str(
            "function save(codeVerifier) { fs.writeFileSync(a13, codeVerifier); }\n\
             const q = `${a13}?response_type=code`;\n",
        );
        let (_, facts, _) = crate::scan::analyze(Lang::JavaScript, &lengths, false).unwrap();
        // `opts.length` is unknown: no truncation, 32 bytes, not weak.
        assert_eq!(facts.verifier_sources.len(), 1, "{facts:?}");
        assert!(!crate::entropy::estimate(&facts.verifier_sources[0].entropy).is_weak());
        let (_, facts, _) = crate::scan::analyze(Lang::JavaScript, &nested, false).unwrap();
        // The base URL is too deep to fold within the budget and becomes unknown; the query is still read.
        assert_eq!(facts.requests.len(), 1, "{facts:?}");
        assert!(facts.requests[0].pkce.is_missing());
    }
}
