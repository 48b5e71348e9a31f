//! What a callback does with the returned `state`: every use of the value read from the redirect (and of the
//! names it is copied or decoded into) is classified, and the strongest evidence decides. A comparison with a
//! value bound to the login whose mismatch branch stops the flow, a lookup keyed by the state, a
//! constant-time helper or a library validator is a check; the state handed to anything unknown makes the
//! verdict unknown (silent); otherwise the gap is named: log-only, constant, after the exchange, decoded
//! blob, presence only, or no comparison at all.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::super::{Arg, Ctx, Dialect, View};
use super::calls::{
    body, call_of_argument, is_decoder, is_keyword_name, is_log, is_within, Body, CONSTANT_TIME,
    CONVERSIONS, OUTPUTS,
};
use super::reads::{Param, Read};
use super::Region;
use crate::facts::StateGap;

/// How many uses of the state one callback may classify.
const MAX_USES: usize = 256;

/// What the uses of the returned state showed.
#[derive(Default)]
struct Evidence<'t> {
    /// Handed to something unknown: the verdict is unknown.
    unknown: bool,
    /// A real check.
    checked: bool,
    log_only: Option<Node<'t>>,
    constant: Option<Node<'t>>,
    after: Option<Node<'t>>,
    decoded: Option<Node<'t>>,
    presence: Option<Node<'t>>,
}

/// What every callback of a file shares: the reads of the state and the `{ code, state }` destructurings,
/// sorted by position, and the uses of each name, collected once; and the work done.
pub struct Shared<'t> {
    state_reads: Vec<Read<'t>>,
    state_nodes: Vec<Node<'t>>,
    /// Names bound next to a `code` from the same value (`const { code, state } = await redirect`).
    paired: Vec<Node<'t>>,
    uses: RefCell<HashMap<&'t str, Vec<Node<'t>>>>,
    /// Uses and reads visited.
    pub visits: Cell<usize>,
}

impl<'t> Shared<'t> {
    pub fn new<D: Dialect>(ctx: &Ctx<'t, '_, D>, reads: &[Read<'t>]) -> Self {
        let state_reads: Vec<Read<'t>> = reads
            .iter()
            .filter(|r| r.param == Param::State)
            .copied()
            .collect();
        let state_nodes = state_reads.iter().map(|r| r.node).collect();
        let codes: HashSet<usize> = ctx
            .ix
            .bindings_named("code")
            .filter(|(_, c)| c.field == Some("code"))
            .map(|(_, c)| c.value.id())
            .collect();
        let mut paired: Vec<Node<'t>> = ctx
            .ix
            .bindings_named("state")
            .filter(|(_, b)| b.field == Some("state") && codes.contains(&b.value.id()))
            .map(|(_, b)| b.target)
            .collect();
        paired.sort_by_key(|n| n.start_byte());
        Shared {
            state_reads,
            state_nodes,
            paired,
            uses: RefCell::new(HashMap::new()),
            visits: Cell::new(0),
        }
    }

    /// The identifiers named `name` inside `region`.
    fn uses_in<D: Dialect>(
        &self,
        ctx: &Ctx<'t, '_, D>,
        name: &'t str,
        region: &Region<'t>,
    ) -> Vec<Node<'t>> {
        let mut memo = self.uses.borrow_mut();
        let all = memo
            .entry(name)
            .or_insert_with(|| ctx.uses_of(name).collect());
        in_region(all, region)
    }
}

/// The nodes of a sorted list inside the region's functions, each once, in order.
fn in_region<'t>(sorted: &[Node<'t>], region: &Region<'t>) -> Vec<Node<'t>> {
    let mut out: Vec<Node<'t>> = region
        .functions
        .iter()
        .flat_map(|f| super::within(sorted, *f).iter().copied())
        .collect();
    out.sort_by_key(|n| n.start_byte());
    out.dedup_by_key(|n| n.id());
    out
}

/// The verdict on one callback: the gap and the partial check it points at, or `None` when the state is
/// checked or its handling is unknown.
pub fn judge<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    shared: &Shared<'t>,
    region: &Region<'t>,
    read: &Read<'t>,
    state_sent: bool,
) -> Option<(StateGap, Option<Node<'t>>)> {
    if request_handed_off(ctx, shared, region, read) {
        return None;
    }
    let mut j = Judge {
        ctx,
        shared,
        region,
        ev: Evidence::default(),
        seen: HashSet::new(),
        work: Vec::new(),
        raw: false,
        resolved: false,
    };
    for node in in_region(&shared.state_nodes, region) {
        let Some(r) = shared.state_reads.iter().find(|r| r.node.id() == node.id()) else {
            continue;
        };
        j.raw = true;
        if r.bound {
            j.bound_name(ctx.text(node), node);
        } else {
            j.carrier_node(node, false);
        }
    }
    // `const { code, state } = await callback`: the redirect's parameters, resolved by a listener.
    for target in in_region(&shared.paired, region) {
        j.raw = true;
        j.bound_name(ctx.text(target), target);
    }
    // `async function handleCallback(code, state)`.
    for &f in &region.functions {
        for (name, node) in ctx.d.parameter_nodes(f, ctx.src) {
            if name == "state" {
                j.raw = true;
                j.uses(name, node, f.id(), false);
            }
        }
    }
    while let Some((node, decoded)) = j.work.pop() {
        shared.visits.set(shared.visits.get() + 1);
        if j.seen.len() > MAX_USES {
            return None;
        }
        j.classify(node, decoded);
    }
    let ev = &j.ev;
    if ev.unknown || ev.checked {
        return None;
    }
    // Resolved to an awaiter that does not destructure `{ code, state }`: it reads the state in a way not
    // followed here (`result.state`).
    if j.resolved && in_region(&shared.paired, region).is_empty() {
        return None;
    }
    if let Some(p) = ev.log_only {
        return Some((StateGap::LogOnly, Some(p)));
    }
    if let Some(p) = ev.constant {
        return Some((StateGap::Constant, Some(p)));
    }
    if let Some(p) = ev.after {
        return Some((StateGap::AfterExchange, Some(p)));
    }
    if let Some(p) = ev.decoded {
        return Some((StateGap::DecodedBlob, Some(p)));
    }
    if let Some(p) = ev.presence {
        return Some((StateGap::PresenceOnly, Some(p)));
    }
    (j.raw || state_sent).then_some((StateGap::NoComparison, None))
}

struct Judge<'a, 't, 'd, D: Dialect> {
    ctx: &'a Ctx<'t, 'd, D>,
    shared: &'a Shared<'t>,
    region: &'a Region<'t>,
    ev: Evidence<'t>,
    /// Uses already queued, by node id.
    seen: HashSet<usize>,
    /// Uses to classify, and whether the value there is decoded.
    work: Vec<(Node<'t>, bool)>,
    /// The returned state is read at all.
    raw: bool,
    /// The state was handed to a promise's `resolve`.
    resolved: bool,
}

impl<'t, D: Dialect> Judge<'_, 't, '_, D> {
    fn carrier_node(&mut self, node: Node<'t>, decoded: bool) {
        if self.seen.insert(node.id()) {
            self.work.push((node, decoded));
        }
    }

    /// A name bound at `target` carries the state: queue its uses in the region.
    fn binding(&mut self, name: &'t str, target: Node<'t>, decoded: bool) {
        let scope = match self.ctx.lookup(name, target) {
            Some((scope, _)) => scope.id(),
            None => return,
        };
        self.uses(name, target, scope, decoded);
    }

    /// A name bound by a destructuring or a parameter at `target` carries the state.
    fn bound_name(&mut self, name: &'t str, target: Node<'t>) {
        match self.ctx.lookup(name, target) {
            Some((scope, _)) => self.uses(name, target, scope.id(), false),
            None => {
                let f = super::function_of(self.ctx, target);
                self.uses(name, target, f.id(), false);
            }
        }
    }

    /// Queues the uses of `name` that refer to the binding in scope `scope`.
    fn uses(&mut self, name: &'t str, target: Node<'t>, scope: usize, decoded: bool) {
        let uses: Vec<Node<'t>> = self
            .shared
            .uses_in(self.ctx, name, self.region)
            .into_iter()
            .filter(|u| u.id() != target.id())
            .filter(|u| !is_keyword_name(self.ctx, *u))
            .filter(|u| self.origin(name, *u) == Some(scope))
            .collect();
        for u in uses {
            self.carrier_node(u, decoded);
        }
    }

    /// The scope that binds `name` where it is used: a binding's scope, or the function with that parameter.
    fn origin(&self, name: &'t str, at: Node<'t>) -> Option<usize> {
        let bound = self.ctx.lookup(name, at).map(|(s, _)| s);
        let mut f = self.ctx.enclosing_function(at);
        while let Some(func) = f {
            if bound.is_some_and(|s| s.id() == func.id() || is_within(func, s)) {
                break;
            }
            if self.ctx.d.parameters(func, self.ctx.src).contains(&name) {
                return Some(func.id());
            }
            f = self.ctx.enclosing_function(func);
        }
        bound.map(|s| s.id())
    }

    /// Follows one use of the state up through the expressions that carry it, to what decides.
    fn classify(&mut self, node: Node<'t>, mut decoded: bool) {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..12 {
            if let Some(b) = ctx.ix.binding_of_value(cur.id()) {
                if self.region.contains(b.target) {
                    let (name, target) = (b.name, b.target);
                    self.binding(name, target, decoded);
                }
                return;
            }
            let Some(mut parent) = ctx.parent(cur) else {
                return;
            };
            // An argument's parent is the argument list (or a keyword argument): go to the call.
            if let Some(call) = call_of_argument(ctx, cur) {
                parent = call;
            }
            match ctx.view(parent) {
                View::Wrapped(_) | View::Str(_) | View::Add(..) | View::Percent(..) => {}
                View::Object(_) | View::Array(_) | View::Adjacent(_) => {}
                View::Member { object, .. } if object.id() == cur.id() => {}
                View::Or(..) => {}
                View::Equals { left, right, .. } => {
                    let other = if left.id() == cur.id() { right } else { left };
                    self.comparison(parent, other, decoded);
                    return;
                }
                View::Not(_) | View::And(..) => {
                    if !decoded {
                        self.ev.presence.get_or_insert(parent);
                    }
                    return;
                }
                View::Conditional { cond, .. } if cond.id() == cur.id() => {
                    if !decoded {
                        self.ev.presence.get_or_insert(parent);
                    }
                    return;
                }
                View::Conditional { .. } => {}
                View::Index { index, .. } if is_within(index, cur) => {
                    // `pending[state]`: the pending login is looked up by the state (the key is the check).
                    self.ev.checked = true;
                    return;
                }
                View::Index { .. } => {}
                View::Call { callee, args, .. } => {
                    if is_within(callee, cur) {
                        // A method of the state itself (`state.split(".")`): still the state.
                    } else if !self.argument(parent, callee, &args, &mut decoded) {
                        return;
                    }
                }
                _ if ctx
                    .parent(parent)
                    .is_some_and(|g| matches!(ctx.view(g), View::Str(_) | View::Object(_))) =>
                {
                    // A template's substitution or an entry of an object: the string or object decides.
                    parent = ctx.parent(parent).unwrap_or(parent);
                }
                _ => {
                    if let Some(branch) = ctx.d.branch(parent) {
                        if branch.condition.id() == cur.id() {
                            if !decoded {
                                self.ev.presence.get_or_insert(parent);
                            }
                            return;
                        }
                    }
                    // Returned, stored, assigned: handled somewhere this analysis does not follow.
                    if !decoded {
                        self.ev.unknown = true;
                    }
                    return;
                }
            }
            cur = parent;
        }
        if !decoded {
            self.ev.unknown = true;
        }
    }

    /// The state is an argument of `call`: whether it goes on being the state (decoded or converted).
    fn argument(
        &mut self,
        call: Node<'t>,
        callee: Node<'t>,
        args: &[Arg<'t>],
        decoded: &mut bool,
    ) -> bool {
        let ctx = self.ctx;
        let name = ctx.callee_name(callee).unwrap_or("");
        let qualified = ctx.qualify(callee, 0).unwrap_or_default();
        if is_log(ctx, callee, name) {
            return false;
        }
        if is_decoder(name, &qualified, args, ctx) {
            *decoded = true;
            self.ev.decoded.get_or_insert(call);
            return true;
        }
        if CONVERSIONS.contains(&name) {
            return true;
        }
        if OUTPUTS.contains(&name) {
            return false;
        }
        if name == "resolve" {
            // Handed to whoever awaits the listener's promise, which reads it back with the code.
            self.resolved = true;
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if CONSTANT_TIME.iter().any(|c| lower.contains(c)) {
            self.ev.checked = true;
            return false;
        }
        if *decoded {
            // Decoded fields used for redirects and the like; a verification helper is unknown.
            if ["verif", "valid", "check", "compare", "match", "equal"]
                .iter()
                .any(|w| lower.contains(w))
            {
                self.ev.unknown = true;
            }
            return false;
        }
        self.ev.unknown = true;
        false
    }

    /// `state === other`.
    fn comparison(&mut self, cmp: Node<'t>, other: Node<'t>, decoded: bool) {
        let ctx = self.ctx;
        let other = ctx.unwrap(other);
        let null = matches!(ctx.view(other), View::Null | View::Ident("undefined"))
            || ctx.string_value(other).is_some_and(|s| s.is_empty());
        // A decoded field tested against a literal says what the blob holds, not whether it is ours.
        if decoded && (null || ctx.string_value(other).is_some()) {
            return;
        }
        if null {
            self.ev.presence.get_or_insert(cmp);
            return;
        }
        if ctx.string_value(other).is_some() {
            self.ev.constant.get_or_insert(cmp);
            return;
        }
        if self.region.after_exchange(ctx, cmp) {
            self.ev.after.get_or_insert(cmp);
            return;
        }
        let View::Equals { negated, .. } = ctx.view(cmp) else {
            return;
        };
        match self.branch(cmp, negated) {
            Body::LogsOnly => {
                self.ev.log_only.get_or_insert(cmp);
            }
            Body::Stops | Body::Unknown => self.ev.checked = true,
        }
    }

    /// For a comparison: what the code that runs on a mismatch does. A comparison that is not a branch's
    /// condition (an assertion, a returned or stored result) counts as unknown.
    fn branch(&self, cmp: Node<'t>, negated: bool) -> Body {
        let ctx = self.ctx;
        let mut cur = cmp;
        let mut mismatch_when_true = negated;
        for _ in 0..8 {
            let Some(parent) = ctx.parent(cur) else {
                return Body::Unknown;
            };
            if let Some(b) = ctx.d.branch(parent) {
                if !is_within(b.condition, cmp) {
                    return Body::Unknown;
                }
                let (mismatch, matched) = if mismatch_when_true {
                    (Some(b.consequence), b.alternative)
                } else {
                    (b.alternative, Some(b.consequence))
                };
                // `if (state === saved) { exchange } else { log }`: the exchange runs only on a match, or
                // the listener hands the code over only then (`resolve(code)`).
                if matched.is_some_and(|m| {
                    self.region.points.iter().any(|p| is_within(m, *p)) || resolves(ctx, m)
                }) {
                    return Body::Stops;
                }
                return match mismatch {
                    Some(m) => body(ctx, m),
                    // `if (state === saved) { log }` and nothing else: the comparison decides nothing.
                    None => match body(ctx, b.consequence) {
                        Body::LogsOnly => Body::LogsOnly,
                        _ => Body::Unknown,
                    },
                };
            }
            match ctx.view(parent) {
                View::Wrapped(_) | View::Or(..) | View::And(..) => {}
                View::Not(_) => mismatch_when_true = !mismatch_when_true,
                _ => return Body::Unknown,
            }
            cur = parent;
        }
        Body::Unknown
    }
}

/// Whether a block resolves a promise (a listener handing its result over).
fn resolves<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, block: Node<'t>) -> bool {
    crate::lang::Preorder::new(block).any(|n| {
        n.is_named()
            && ctx.d.class(n, ctx.src) == super::super::Class::Call
            && matches!(ctx.view(n), View::Call { callee, .. } if ctx.callee_name(callee) == Some("resolve"))
    })
}

/// Whether the request object the code came from is handed whole to something this file does not define
/// (a session helper, a library that reads the callback): what that does with the state is unknown.
fn request_handed_off<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    shared: &Shared<'t>,
    region: &Region<'t>,
    read: &Read<'t>,
) -> bool {
    let Some(root) = read.root else {
        return false;
    };
    shared.uses_in(ctx, root, region).into_iter().any(|u| {
        let Some(call) = call_of_argument(ctx, u) else {
            return false;
        };
        let View::Call { callee, .. } = ctx.view(call) else {
            return false;
        };
        // Another module's helper that exchanges the code and handles no state.
        if region.helper.is_some_and(|h| h.id() == call.id()) {
            return false;
        }
        let name = ctx.callee_name(callee).unwrap_or("");
        // A helper of this file on the way to the exchange is part of the callback and judged with it.
        let on_the_way = ctx.ix.functions.get(name).is_some_and(|fs| {
            fs.iter()
                .any(|f| region.functions.iter().any(|r| r.id() == f.id()))
        });
        !is_log(ctx, callee, name) && !READS_REQUEST.contains(&name) && !on_the_way
    })
}

/// Calls that take the request (or Hono's context) to read it or set cookies, and check nothing: URL
/// parsing, cookie helpers, openid-client's `callbackParams`.
const READS_REQUEST: &[&str] = &[
    "URL",
    "URLSearchParams",
    "callbackParams",
    "getCookie",
    "getSignedCookie",
    "getCookies",
    "parseCookies",
    "setCookie",
    "setSignedCookie",
    "deleteCookie",
];
