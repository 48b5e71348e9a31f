//! The exchange in a helper module: a callback that reads the code and passes it to an imported function of
//! another module of the scan, which exchanges it (`exchangeCode(code)` from `../oauth/token`).
//!
//! Three parts, as for verifiers handed across modules: the module that defines the helper says in its
//! summary which of its module-level functions exchange a code given as which parameter (`exported`); the
//! callback's module, analysed alone (`ctx.env` empty), asks about the imported functions it gives the code
//! to (`ask`); the project phase answers into its `Env::exchange_calls`, and the analysis run again treats
//! those calls as the exchange (`sites`). Every doubt is silence: a helper that receives, mentions or checks
//! a state, a call that passes anything named for the state, a code passed by keyword or inside an object.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use tree_sitter::Node;

use super::exchanges::Site;
use super::function_of;
use super::reads::{Param, Read};
use crate::analysis::{name_has, span, Arg, Ctx, Dialect, View};
use crate::summary::{CodeExchange, Foreign};

/// Whether a parameter's name says it holds the authorization code (`code`, `authCode`,
/// `authorization_code`, `oauth_code`): not a verifier, a challenge, a status code or `decoded`.
fn is_code_name(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    folded == "code"
        || ["authcode", "authorizationcode", "oauthcode", "authzcode"]
            .iter()
            .any(|w| folded.ends_with(w))
}

/// The module-level functions of this file that exchange a code given as one of their parameters.
pub fn exported<D: Dialect>(ctx: &Ctx<'_, '_, D>) -> BTreeMap<String, CodeExchange> {
    let mut out = BTreeMap::new();
    let root = ctx.root.id();
    let names: HashMap<usize, &str> = ctx
        .ix
        .scoped_functions
        .iter()
        .filter(|((scope, _), fs)| *scope == root && fs.len() == 1)
        .map(|((_, name), fs)| (fs[0].id(), *name))
        .collect();
    if names.is_empty() {
        return out;
    }
    let mut seen = HashSet::new();
    for site in super::exchanges::collect(ctx) {
        let f = function_of(ctx, site.node);
        let Some(name) = names.get(&f.id()) else {
            continue;
        };
        if !seen.insert(f.id()) {
            // Two exchanges in one helper: the first is where it is reported; what it checks is all of them.
            if site.checked {
                if let Some(e) = out.get_mut(*name) {
                    e.handles_state = true;
                }
            }
            continue;
        }
        let params = ctx.d.parameters(f, ctx.src);
        let mut code = params.iter().enumerate().filter(|(_, p)| is_code_name(p));
        let (Some((param, _)), None) = (code.next(), code.next()) else {
            continue;
        };
        let handles_state = site.checked
            || params.iter().any(|p| name_has(p, "state"))
            || ctx.text(f).to_ascii_lowercase().contains("state");
        out.insert(
            name.to_string(),
            CodeExchange {
                param,
                at: Foreign::here(span(site.node)),
                library: site.library.clone(),
                handles_state,
            },
        );
    }
    out
}

/// The imported name a call's callee is, when it is a plain imported function (or a member of an
/// imported module) that no catalogued library owns.
fn imported_callee<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, callee: Node<'t>) -> Option<String> {
    let callee = ctx.unwrap(callee);
    if !matches!(ctx.view(callee), View::Ident(_) | View::Member { .. }) {
        return None;
    }
    let q = ctx.import_path(callee)?;
    crate::libraries::owner(&q).is_none().then_some(q)
}

/// The reads of one parameter by the function they are in: the nodes, and the names they are bound to.
type ReadsByFn<'t> = HashMap<usize, (HashSet<usize>, HashSet<&'t str>)>;

fn reads_by_fn<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    reads: &[Read<'t>],
    p: Param,
) -> ReadsByFn<'t> {
    let mut by_fn: ReadsByFn = HashMap::new();
    for r in reads.iter().filter(|r| r.param == p) {
        let e = by_fn.entry(function_of(ctx, r.node).id()).or_default();
        e.0.insert(r.node.id());
        e.1.extend(bound_name(ctx, r));
    }
    by_fn
}

/// Whether any argument of a call is a read of the state (or the name it is bound to), or names or
/// mentions a state.
fn passes_state<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    args: &[Arg<'t>],
    state: Option<&(HashSet<usize>, HashSet<&str>)>,
) -> bool {
    args.iter().any(|a| {
        let n = match a {
            Arg::Positional(n) | Arg::Keyword(_, n) | Arg::Spread(n) => ctx.unwrap(*n),
        };
        matches!(a, Arg::Keyword(k, _) if name_has(k, "state"))
            || ctx.text(n).to_ascii_lowercase().contains("state")
            || state.is_some_and(|(nodes, names)| {
                nodes.contains(&n.id())
                    || matches!(ctx.view(n), View::Ident(x) if names.contains(x))
            })
    })
}

/// The position of the positional argument that is the code read in `reads` (the read itself, or the
/// name it is bound to), when there is exactly one.
fn code_position<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    args: &[Arg<'t>],
    nodes: &HashSet<usize>,
    names: &HashSet<&str>,
) -> Option<usize> {
    let mut found = args
        .iter()
        .filter_map(|a| match a {
            Arg::Positional(n) => Some(ctx.unwrap(*n)),
            _ => None,
        })
        .enumerate()
        .filter(|(_, n)| {
            nodes.contains(&n.id()) || matches!(ctx.view(*n), View::Ident(x) if names.contains(x))
        });
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// Calls that convert a parameter and keep its value.
const CONVERSIONS: &[&str] = &["String", "str", "decodeURIComponent", "unquote"];

/// The name a read of the code is bound to (`const code = req.query.code`, `const { code } = req.query`).
fn bound_name<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, read: &Read<'t>) -> Option<&'t str> {
    if read.bound {
        return Some(ctx.text(read.node));
    }
    let mut cur = read.node;
    for _ in 0..4 {
        if let Some(b) = ctx.ix.binding_of_value(cur.id()) {
            return Some(b.name);
        }
        let p = ctx.parent(cur)?;
        cur = if ctx.unwrap(p).id() == cur.id() {
            p
        } else {
            // A conversion that keeps the value: `String(req.query.code)`, `str(...)`.
            let call = super::calls::call_of_argument(ctx, cur)?;
            match ctx.view(call) {
                View::Call { callee, args, .. }
                    if args.len() == 1
                        && ctx
                            .callee_name(callee)
                            .is_some_and(|n| CONVERSIONS.contains(&n)) =>
                {
                    call
                }
                _ => return None,
            }
        };
    }
    None
}

/// Calls of imported functions (the call, the qualified callee, the arguments) by the id of the function
/// they are made in.
type ImportedCalls<'t> = HashMap<usize, Vec<(Node<'t>, String, Rc<[Arg<'t>]>)>>;

/// The calls of imported functions, by the function they are made in.
fn imported_calls<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> ImportedCalls<'t> {
    let mut out: HashMap<usize, Vec<_>> = HashMap::new();
    for &c in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(c) else {
            continue;
        };
        if let Some(q) = imported_callee(ctx, callee) {
            out.entry(function_of(ctx, c).id())
                .or_default()
                .push((c, q, args));
        }
    }
    out
}

/// Asks, for each imported function a callback gives the code it read (and nothing named for the state),
/// whether it exchanges it. Only on the analysis alone; returns the calls looked at.
pub fn ask<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, reads: &[Read<'t>]) -> usize {
    if !ctx.env.is_empty() {
        return 0;
    }
    let by_fn = reads_by_fn(ctx, reads, Param::Code);
    if by_fn.is_empty() {
        return 0;
    }
    let states = reads_by_fn(ctx, reads, Param::State);
    let calls = imported_calls(ctx);
    let mut visits = 0;
    let mut asks = ctx.asks.borrow_mut();
    for (f, (nodes, names)) in &by_fn {
        for (call, q, args) in calls.get(f).into_iter().flatten() {
            visits += 1;
            if passes_state(ctx, args, states.get(f)) {
                continue;
            }
            if let Some(i) = code_position(ctx, args, nodes, names) {
                asks.exchange_args
                    .push((q.clone(), i, Foreign::here(span(*call))));
            }
        }
    }
    asks.exchange_args.sort_by_key(|a| a.2.span);
    visits
}

/// The calls of imported functions that the project phase says exchange the code given at their
/// parameter's position, as exchanges of this file.
pub fn sites<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Vec<Site<'t>> {
    let mut out = Vec::new();
    if ctx.env.exchange_calls.is_empty() {
        return out;
    }
    let states = reads_by_fn(ctx, &super::reads::collect(ctx), Param::State);
    for (f, calls) in imported_calls(ctx) {
        for (call, q, args) in calls {
            let Some(helper) = ctx.env.exchange_calls.get(&q) else {
                continue;
            };
            if helper.handles_state || passes_state(ctx, &args, states.get(&f)) {
                continue;
            }
            // The code where the helper takes it, and not a constant (a test's code).
            let given = args
                .iter()
                .filter_map(|a| match a {
                    Arg::Positional(n) => Some(*n),
                    _ => None,
                })
                .nth(helper.param);
            if given.is_none_or(|n| ctx.string_value(n).is_some()) {
                continue;
            }
            let View::Call { callee, .. } = ctx.view(call) else {
                continue;
            };
            out.push(Site {
                node: call,
                library: None,
                checked: false,
                helper: Some((ctx.text(ctx.unwrap(callee)).to_string(), helper.at.clone())),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lang::Lang;
    use crate::summary::Env;

    fn run(lang: Lang, src: &str) -> crate::analysis::Analysed {
        let tree = crate::lang::parse(lang, src).unwrap();
        let mut mentions = crate::prefilter::mentions(src);
        mentions.exchange = true;
        crate::analysis::analyze_module(lang, &tree, src, mentions, &Env::default(), true).unwrap()
    }

    #[test]
    fn a_helper_says_which_parameter_it_exchanges_and_whether_it_handles_state() {
        let js = "export async function exchangeCode(verifier, code) {\n  \
            return fetch(URL, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code }) });\n}\n\
            export async function redeem(code, expectedState) {\n  \
            return fetch(URL, { body: new URLSearchParams({ grant_type: 'authorization_code', code }) });\n}\n\
            function inner() { return { grant_type: 'authorization_code' }; }\n";
        let ex = run(Lang::JavaScript, js).summary.exchanges;
        assert_eq!(ex["exchangeCode"].param, 1);
        assert!(!ex["exchangeCode"].handles_state);
        assert!(ex["redeem"].handles_state);
        // No parameter holds a code: not a helper that is given one.
        assert!(!ex.contains_key("inner"));
        assert!(super::is_code_name("authorization_code") && super::is_code_name("oauthCode"));
        assert!(!super::is_code_name("decoded") && !super::is_code_name("statusCode"));
    }

    #[test]
    fn a_callback_asks_about_the_imported_function_it_gives_the_code_and_no_state() {
        let py = "from flask import request\nfrom .oauth import exchange_code, redeem\n\
            def cb():\n    code = request.args.get('code')\n    st = request.args.get('state')\n    \
            exchange_code(code, VERIFIER)\n    redeem(code, st)\n    redeem(code, state=st)\n";
        let asks = run(Lang::Python, py).asks.exchange_args;
        let asked: Vec<(&str, usize)> = asks.iter().map(|(q, i, _)| (q.as_str(), *i)).collect();
        // `redeem(code, st)` hands over the state read: the helper may check it.
        assert_eq!(asked, [(".oauth.exchange_code", 0)]);
    }
}
