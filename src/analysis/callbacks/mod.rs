//! The callback of the authorization-code flow (state-not-verified): a function that reads `code` from the
//! redirect and exchanges it — in the same function, in a helper it calls (two calls deep, in this file, or
//! imported from another module of the scan: `helpers`), or in the function around a loopback listener that
//! resolves a promise with the code — and what it does with the returned `state` before the exchange.
//!
//! `reads` finds where `code` and `state` come from the redirect; `exchanges` finds token requests and
//! library exchanges (what each library checks is the catalogue's, `crate::libraries`); `calls` knows what calls and blocks
//! do (stop, log, decode, echo); `state` classifies the uses of the returned state in the callback's region.
//! Dependencies go one way: this module uses all four; `state` uses `reads`, `calls` and the `Region`
//! defined here.
//!
//! The result gates CI, so every doubt is silence: a state or request handed to a function whose behaviour
//! is not known, middleware or decorators around the handler, a library exchange whose receiver does not
//! resolve to its package, a listener's result kept whole — all give no finding.

mod calls;
mod exchanges;
mod helpers;
mod reads;
mod state;

pub use helpers::exported;

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{span, Ctx, Dialect, View};
use crate::facts::{FileFacts, Provision, UnverifiedCallback};
use calls::is_within;
use reads::Param;

/// How many callbacks one file may judge (each costs its region's uses).
const MAX_CALLBACKS: usize = 1024;
/// How many functions (the exchange's, its callers and theirs) the way up from one exchange may hold.
const MAX_PATH: usize = 4096;

/// The code a callback runs between reading the code and exchanging it.
pub struct Region<'t> {
    /// The functions whose code is the callback's: the outermost one holds the read (or the listener that
    /// reads), the others are helpers on the way to the exchange.
    pub functions: Vec<Node<'t>>,
    /// The exchange and the calls that lead to it, one per function on the way.
    pub points: Vec<Node<'t>>,
    /// The exchange, when it is a call of another module's helper that the project phase knows: what it
    /// is given of the request is known not to be a state check.
    pub helper: Option<Node<'t>>,
}

impl<'t> Region<'t> {
    pub fn contains(&self, node: Node<'t>) -> bool {
        self.functions.iter().any(|f| is_within(*f, node))
    }

    /// Whether `node` runs after the exchange: later in a function that exchanges (or calls the helper that
    /// does), outside any nested function.
    pub fn after_exchange<D: Dialect>(&self, ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
        let f = function_of(ctx, node);
        self.points
            .iter()
            .any(|p| p.end_byte() <= node.start_byte() && function_of(ctx, *p).id() == f.id())
    }
}

/// The function a node is in (the module for top-level code).
fn function_of<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> Node<'t> {
    ctx.enclosing_function(node).unwrap_or(ctx.root)
}

/// A node's function and the functions around it, innermost first, the module last.
fn chain<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, f: Node<'t>) -> Vec<Node<'t>> {
    let mut out = vec![f];
    let mut cur = f;
    while cur.id() != ctx.root.id() && out.len() < 64 {
        cur = function_of(ctx, cur);
        out.push(cur);
    }
    out
}

/// The file's named functions and the calls to them.
struct Graph<'t> {
    /// Functions by node id, with their name when no other function has it.
    names: HashMap<usize, &'t str>,
    /// Calls by callee name, for those names.
    callers: HashMap<&'t str, Vec<Node<'t>>>,
}

impl<'t> Graph<'t> {
    fn new<D: Dialect>(ctx: &Ctx<'t, '_, D>) -> Self {
        let methods: HashSet<usize> = ctx.ix.methods.values().flatten().map(|m| m.id()).collect();
        let mut names = HashMap::new();
        let mut kinds: HashMap<&str, bool> = HashMap::new();
        for (name, fs) in &ctx.ix.functions {
            if let [f] = fs.as_slice() {
                // A method of an object literal is called through the object, like a class's.
                let in_object = ctx
                    .parent(*f)
                    .is_some_and(|p| matches!(ctx.view(p), View::Object(_)));
                names.insert(f.id(), *name);
                kinds.insert(*name, methods.contains(&f.id()) || in_object);
            }
        }
        // A function is called by its name; a method through `this` / `self`.
        let mut callers: HashMap<&str, Vec<Node>> = HashMap::new();
        for &c in &ctx.ix.calls {
            let View::Call { callee, .. } = ctx.view(c) else {
                continue;
            };
            let name = match ctx.view(ctx.unwrap(callee)) {
                View::Ident(n) if kinds.get(n) == Some(&false) => n,
                View::Member { object, property }
                    if kinds.get(property) == Some(&true)
                        && matches!(ctx.text(object), "this" | "self") =>
                {
                    property
                }
                _ => continue,
            };
            callers.entry(name).or_default().push(c);
        }
        Graph { names, callers }
    }

    /// The calls of a function (none when its name is not unique in the file).
    fn callers_of(&self, f: &Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        self.names
            .get(&f.id())
            .and_then(|n| self.callers.get(n))
            .into_iter()
            .flatten()
            .copied()
    }
}

/// One step on the way from a function to the exchange: the function, the exchange or the call in it that
/// leads there, and the step it leads to.
struct Step<'t> {
    function: Node<'t>,
    point: Node<'t>,
    next: Option<usize>,
}

/// The exchange's function and its callers in the file (by name, when one function has the name), two
/// levels up, each function once.
fn steps<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    exchange: Node<'t>,
    graph: &Graph<'t>,
) -> Vec<Step<'t>> {
    let first = function_of(ctx, exchange);
    let mut seen: HashSet<usize> = HashSet::from([first.id()]);
    let mut out = vec![Step {
        function: first,
        point: exchange,
        next: None,
    }];
    let mut level = 0..1;
    for _ in 0..2 {
        let start = out.len();
        for i in level.clone() {
            let f = out[i].function;
            let calls: Vec<Node<'t>> = graph.callers_of(&f).collect();
            for call in calls {
                let function = function_of(ctx, call);
                if out.len() >= MAX_PATH || !seen.insert(function.id()) {
                    continue;
                }
                out.push(Step {
                    function,
                    point: call,
                    next: Some(i),
                });
            }
        }
        level = start..out.len();
    }
    out
}

/// How a step's function is tied to the function that reads the code.
#[derive(Clone, Copy)]
enum Link<'t> {
    /// It is the read's function or one around it (the listener that reads is inside).
    Holds,
    /// The read's function holds it (the exchange in a nested callback).
    Inside,
    /// It calls this function, which holds the read (`const code = await waitForCode(port)`).
    Calls(Node<'t>),
}

/// The region of a callback that reads in `read_fn` and reaches the exchange through step `i`.
fn region<'t>(read_fn: Node<'t>, steps: &[Step<'t>], i: usize, link: Link<'t>) -> Region<'t> {
    let x = steps[i].function;
    let functions = match link {
        Link::Holds => vec![x],
        Link::Inside => vec![read_fn],
        Link::Calls(g) => vec![x, g],
    };
    let mut region = Region {
        functions,
        points: Vec::new(),
        helper: None,
    };
    let mut at = Some(i);
    while let Some(j) = at {
        region.functions.push(steps[j].function);
        region.points.push(steps[j].point);
        at = steps[j].next;
    }
    region
}

/// The nodes of a list sorted by start that lie inside `outer`.
pub fn within<'a, 't>(sorted: &'a [Node<'t>], outer: Node<'t>) -> &'a [Node<'t>] {
    let from = sorted.partition_point(|n| n.start_byte() < outer.start_byte());
    let to = sorted.partition_point(|n| n.start_byte() < outer.end_byte());
    &sorted[from..to.max(from)]
}

/// Where the steps of every exchange are, so that a read finds the exchanges it connects to by looking up
/// the functions around it instead of trying them all.
struct Reach {
    /// (exchange function, step) by the id of the step's function.
    by_function: HashMap<usize, Vec<(usize, usize)>>,
    /// (exchange function, step) by the id of a function (not the module) around the step's function.
    inside: HashMap<usize, Vec<(usize, usize)>>,
}

impl Reach {
    fn new<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, all_steps: &[Vec<Step<'t>>]) -> Self {
        let mut reach = Reach {
            by_function: HashMap::new(),
            inside: HashMap::new(),
        };
        for (e, steps) in all_steps.iter().enumerate() {
            for (i, s) in steps.iter().enumerate() {
                reach
                    .by_function
                    .entry(s.function.id())
                    .or_default()
                    .push((e, i));
                for f in chain(ctx, s.function).into_iter().skip(1) {
                    if f.id() != ctx.root.id() {
                        reach.inside.entry(f.id()).or_default().push((e, i));
                    }
                }
            }
        }
        reach
    }

    /// The steps a callback that reads in `read_fn` connects to, with how, in the order of the exchanges.
    fn links<'t, D: Dialect>(
        &self,
        ctx: &Ctx<'t, '_, D>,
        read_fn: Node<'t>,
        graph: &Graph<'t>,
    ) -> Vec<(usize, usize, Link<'t>)> {
        let root = ctx.root.id();
        let mut out = Vec::new();
        let found = |f: Node<'t>| self.by_function.get(&f.id()).into_iter().flatten();
        for f in chain(ctx, read_fn) {
            if f.id() == read_fn.id() || f.id() != root {
                out.extend(found(f).map(|&(e, i)| (e, i, Link::Holds)));
            }
            if f.id() != root {
                for c in graph.callers_of(&f) {
                    out.extend(found(function_of(ctx, c)).map(|&(e, i)| (e, i, Link::Calls(f))));
                }
            }
        }
        if read_fn.id() != root {
            out.extend(
                self.inside
                    .get(&read_fn.id())
                    .into_iter()
                    .flatten()
                    .map(|&(e, i)| (e, i, Link::Inside)),
            );
        }
        // One link per exchange: the first found (the closest).
        let mut seen = HashSet::new();
        out.retain(|(e, _, _)| seen.insert(*e));
        out.sort_by_key(|(e, _, _)| *e);
        out
    }
}

/// Finds callbacks that exchange a code without checking the returned state; returns the work done
/// (candidate exchanges examined and uses of the state classified).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    let sites = exchanges::collect(ctx);
    if sites.is_empty() {
        // The code may be exchanged by a function of another module it is passed to.
        if ctx.env.is_empty() {
            let reads = reads::collect(ctx);
            return helpers::ask(ctx, &reads) + reads.len();
        }
        return 0;
    }
    let reads = reads::collect(ctx);
    // Another callback of the file may pass its code to a helper of another module.
    let mut visits = helpers::ask(ctx, &reads);
    let mut validators = exchanges::validators(ctx);
    validators.sort_by_key(|v| v.start_byte());
    let sent = facts
        .requests
        .iter()
        .find(|r| matches!(r.state, Provision::InRequest | Provision::ByLibrary))
        .map(|r| r.span);
    let graph = Graph::new(ctx);
    // The exchanges by the function they are in: the steps up from a function are the same for all.
    let mut exchange_fns: Vec<(Node, Vec<usize>)> = Vec::new();
    let mut fn_index: HashMap<usize, usize> = HashMap::new();
    for (i, site) in sites.iter().enumerate() {
        let f = function_of(ctx, site.node);
        let e = *fn_index.entry(f.id()).or_insert_with(|| {
            exchange_fns.push((site.node, Vec::new()));
            exchange_fns.len() - 1
        });
        exchange_fns[e].1.push(i);
    }
    let all_steps: Vec<Vec<Step>> = exchange_fns
        .iter()
        .map(|(first, _)| steps(ctx, *first, &graph))
        .collect();
    let reach = Reach::new(ctx, &all_steps);
    let shared = state::Shared::new(ctx, &reads);
    let mut judged: HashSet<usize> = HashSet::new();
    // The callbacks: each read of `code`, and each library exchange (which may read the code itself).
    let mut candidates: Vec<(Node, Option<reads::Read>)> = reads
        .iter()
        .filter(|r| r.param == Param::Code)
        .map(|r| (r.node, Some(*r)))
        .collect();
    candidates.extend(
        sites
            .iter()
            .filter(|s| s.library.is_some())
            .map(|s| (s.node, None)),
    );
    for (at, read) in candidates {
        if judged.len() >= MAX_CALLBACKS {
            break;
        }
        let read_fn = function_of(ctx, at);
        if judged.contains(&read_fn.id()) {
            continue;
        }
        // A library exchange where no redirect is read, in a function that prompts at the console: the
        // code is pasted by the user who logs in, not an authorization response anyone can send.
        if read.is_none() && calls::prompts(ctx, read_fn) {
            continue;
        }
        let links = reach.links(ctx, read_fn, &graph);
        visits += links.len() + 1;
        let Some(&(e, i, link)) = links.first() else {
            continue;
        };
        let mut region = region(read_fn, &all_steps[e], i, link);
        let site = &sites[exchange_fns[e].1[0]];
        if site.helper.is_some() {
            region.helper = Some(site.node);
        }
        let region = &region;
        judged.insert(read_fn.id());
        // Any exchange on this callback's way that the library checks, or a validator: checked.
        // A validator counts in the callback or around it (a script that validates at top level and
        // redeems in a closure).
        let around = chain(ctx, region.functions[0]);
        let validated = region
            .functions
            .iter()
            .any(|f| !within(&validators, *f).is_empty())
            || around.iter().any(|f| {
                within(&validators, *f)
                    .iter()
                    .any(|v| function_of(ctx, *v).id() == f.id())
            });
        let connected = links.iter().flat_map(|(e, _, _)| &exchange_fns[*e].1);
        if connected.clone().any(|i| sites[*i].checked) || validated {
            continue;
        }
        // Middleware, decorators or dependencies around the handler may check the state first.
        if region
            .functions
            .iter()
            .chain([&read_fn])
            .any(|f| calls::guarded_around(ctx, *f))
        {
            continue;
        }
        let read = read.unwrap_or(reads::Read {
            node: at,
            param: Param::Code,
            root: None,
            bound: false,
        });
        let verdict = state::judge(ctx, &shared, region, &read, sent.is_some());
        let Some((gap, partial)) = verdict else {
            continue;
        };
        facts.unverified_callbacks.push(UnverifiedCallback {
            span: span(read.node),
            gap,
            exchange: span(site.node),
            library: site.library.clone(),
            partial: partial.map(span),
            sent,
            helper: site.helper.clone(),
        });
    }
    facts.unverified_callbacks.sort_by_key(|c| c.span);
    facts.unverified_callbacks.dedup_by_key(|c| c.span);
    visits + shared.visits.get()
}

#[cfg(test)]
mod tests {
    use crate::facts::StateGap;
    use crate::lang::Lang;

    fn gaps(lang: Lang, src: &str) -> Vec<StateGap> {
        let (_, facts, _) = crate::scan::analyze(lang, src, true).unwrap();
        facts.unverified_callbacks.iter().map(|c| c.gap).collect()
    }

    #[test]
    fn library_names_match_on_the_resolved_package_only() {
        assert!(super::exchanges::matches_for_tests(
            "openid-client.Issuer.discover().Client().callback",
            "openid-client",
            "callback"
        ));
        assert!(super::exchanges::matches_for_tests(
            "@modelcontextprotocol/sdk/client/auth.js.auth",
            "@modelcontextprotocol/sdk",
            "auth"
        ));
        assert!(!super::exchanges::matches_for_tests(
            "openid-client-helpers.callback",
            "openid-client",
            "callback"
        ));
        assert!(!super::exchanges::matches_for_tests(
            "client.callback",
            "openid-client",
            "callback"
        ));
    }

    #[test]
    fn a_bare_callback_named_like_a_library_method_is_not_an_exchange() {
        // `client` is not resolved to openid-client: its `callback` is unknown, and so is its check.
        let js =
            "const { code, state } = req.query;\nawait client.callback(uri, { code, state });\n";
        assert!(gaps(Lang::JavaScript, js).is_empty());
    }

    #[test]
    fn authlib_sessions_do_not_keep_the_state_of_the_url_they_built() {
        // requests-oauthlib's `authorization_url` keeps `self._state` for `fetch_token`; authlib's
        // `create_authorization_url` returns the state without keeping it (`state = state or self.state`).
        let py = |import: &str, build: &str| {
            format!(
                "from flask import request\n{import}\n\
                 s = OAuth2Session('id')\nurl, st = s.{build}(AUTH_URL)\n\
                 def cb():\n    code = request.args.get('code')\n    \
                 return s.fetch_token(TOKEN_URL, authorization_response=request.url)\n"
            )
        };
        let requests = py(
            "from requests_oauthlib import OAuth2Session",
            "authorization_url",
        );
        assert!(gaps(Lang::Python, &requests).is_empty());
        let authlib = py(
            "from authlib.integrations.requests_client import OAuth2Session",
            "create_authorization_url",
        );
        assert_eq!(gaps(Lang::Python, &authlib), [StateGap::NoComparison]);
    }

    #[test]
    fn python_is_none_is_a_presence_test_and_not_in_is_unknown() {
        let presence = "from flask import request\nimport requests\n\
            def cb():\n    code = request.args.get('code')\n    state = request.args.get('state')\n    \
            if state is None:\n        raise ValueError('no state')\n    \
            return requests.post(URL, data={'grant_type': 'authorization_code', 'code': code})\n";
        assert_eq!(gaps(Lang::Python, presence), [StateGap::PresenceOnly]);
        let membership = presence.replace("if state is None:", "if state not in PENDING:");
        assert!(gaps(Lang::Python, &membership).is_empty());
    }
}
