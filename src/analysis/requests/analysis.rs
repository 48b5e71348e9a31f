//! What the request analyses share: the file's writes to receivers, the state each part fills, and the
//! questions every part asks (which scope groups a write, which variable holds a value, whether a value is
//! code).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::lang::NodeKind;

use crate::analysis::eval::Params;
use crate::analysis::{Binding, Ctx, Dialect, View};
use crate::facts::{Provision, Span};

/// One `.set(key, value)` / `.append` / `x.key = v` / `x["key"] = v` on a receiver.
pub(super) struct Write<'t> {
    pub(super) key: Option<String>,
    pub(super) key_node: Node<'t>,
    pub(super) value: Option<Node<'t>>,
}

pub(super) struct Analysis<'c, 't, 'd, D: Dialect> {
    pub(super) ctx: &'c Ctx<'t, 'd, D>,
    /// Writes by (grouping scope id, receiver text).
    pub(super) writes: HashMap<(usize, String), Vec<Write<'t>>>,
    /// Object arguments of library calls (handled there, not as containers).
    pub(super) library_args: HashSet<usize>,
    /// Variables initialised by a call that takes another variable, by (grouping scope id, argument text).
    pub(super) wrapping: HashMap<(usize, &'t str), Vec<&'t str>>,
    /// Texts of the arguments of pushed-authorization-request calls.
    pub(super) pushed: HashSet<&'t str>,
    /// The first binding of each name in each grouping scope (filled when builders need it).
    pub(super) first_bindings: HashMap<(usize, &'t str), Binding<'t>>,
    /// By name, the start bytes of its uses that are part of a larger string, in source order (worked out
    /// once per name asked about).
    pub(super) string_uses: RefCell<HashMap<&'t str, Vec<usize>>>,
    /// Member writes by receiver text (filled when a Python session needs it).
    pub(super) member_writes_by_receiver: RefCell<Option<HashMap<String, Vec<Node<'t>>>>>,
    /// authlib registrations (`oauth.register("name", ...)`) by client name (filled when a flow needs them).
    pub(super) registrations: RefCell<Option<HashMap<String, Node<'t>>>>,
    /// Wrapping variables and string uses visited (`Work::request_visits`).
    pub(super) visited: std::cell::Cell<usize>,
}

pub(super) fn provision(params: &Params, key: &str) -> Provision {
    // In OpenID Connect the nonce binds the response to the session as state does (RFC 9700 §4.7.1).
    if params.has(key) || (key == "state" && params.has("nonce")) {
        Provision::InRequest
    } else if params.unknown || params.has("request") || params.has("request_uri") {
        // JAR / PAR: the parameters travel inside the signed request object or the pushed request.
        Provision::Unknown
    } else {
        Provision::Missing
    }
}

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    /// The scope in which writes to one receiver are grouped: the enclosing function, looking through
    /// callbacks passed as arguments (`entries.forEach(([k, v]) => url.searchParams.set(k, v))`).
    pub(super) fn group_scope(&self, node: Node<'t>) -> usize {
        let mut cur = node;
        loop {
            match self.ctx.enclosing_function(cur) {
                Some(f)
                    if self
                        .ctx
                        .parent(f)
                        .is_some_and(|p| matches!(p.k(), "arguments" | "argument_list")) =>
                {
                    cur = f
                }
                Some(f) => return f.id(),
                None => return self.ctx.root.id(),
            }
        }
    }

    pub(super) fn receiver_key(&self, node: Node<'t>) -> String {
        self.ctx
            .text(self.ctx.unwrap(node))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    /// The variable a value is assigned to, looking up through sinks (`new URLSearchParams({...})`,
    /// `qs.stringify({...})`, `new URL(...)`) and wrappers.
    pub(super) fn holder(&self, node: Node<'t>) -> Option<&'t str> {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..6 {
            let parent = ctx.parent(cur)?;
            if let Some(b) = ctx.ix.binding_of_value(cur.id()) {
                return Some(b.name);
            }
            match ctx.view(parent) {
                View::Wrapped(_) | View::Call { .. } => cur = parent,
                _ if matches!(parent.k(), "arguments" | "argument_list") => cur = parent,
                _ => return None,
            }
        }
        None
    }

    /// The call a node is an argument of, with the callee's last name.
    pub(super) fn enclosing_call(&self, node: Node<'t>) -> Option<(Node<'t>, &'t str)> {
        let ctx = self.ctx;
        let mut cur = node;
        for _ in 0..4 {
            let parent = ctx.parent(cur)?;
            if let View::Call { callee, .. } = ctx.view(parent) {
                return Some((parent, ctx.callee_name(callee).unwrap_or("")));
            }
            if !(matches!(
                parent.k(),
                "arguments" | "argument_list" | "keyword_argument"
            ) || matches!(ctx.view(parent), View::Wrapped(_)))
            {
                return None;
            }
            cur = parent;
        }
        None
    }

    pub(super) fn is_code(&self, value: Option<Node<'t>>) -> bool {
        value
            .and_then(|v| self.ctx.string_value(v))
            .is_some_and(|s| Ctx::<D>::is_code_response(&s))
    }
}

/// The span of the method name in a callee (`authorizationUrl` in `client.authorizationUrl`).
pub(super) fn method_span<'t, D: Dialect>(
    ctx: &Ctx<'t, '_, D>,
    callee: Node<'t>,
    name: &str,
) -> Span {
    let text = ctx.text(callee);
    let start = callee.start_byte() + text.rfind(name).unwrap_or(0);
    Span::new(
        start,
        (start + name.len()).min(callee.end_byte()).max(start),
    )
}
