//! Token endpoints: functions that compare the request's `grant_type` with `"authorization_code"`, and the
//! helpers of the same file they call by name.

use std::collections::HashSet;

use tree_sitter::Node;

use super::super::{name_has, Ctx, Dialect, View};
use crate::analysis::callbacks::within;

/// How many helpers (two calls deep) one endpoint's code may take in.
const MAX_FUNCTIONS: usize = 16;

/// A token endpoint.
pub struct Endpoint<'t> {
    /// The `"authorization_code"` literal compared with the grant type.
    pub grant: Node<'t>,
    /// The endpoint's function first, then the helpers it calls.
    pub functions: Vec<Node<'t>>,
}

/// Whether an expression names the grant type (`grant_type`, `body.grantType`, `params["grant_type"]`).
fn names_grant_type<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, node: Node<'t>) -> bool {
    let text = ctx.text(node);
    text.len() <= 128 && name_has(text, "granttype")
}

/// The token endpoints of the file, each function once, at most `max`.
pub fn collect<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, max: usize) -> Vec<Endpoint<'t>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for &s in &ctx.ix.strings {
        if out.len() >= max {
            break;
        }
        if !ctx.text(s).contains("authorization_code")
            || ctx.string_value(s).as_deref() != Some("authorization_code")
        {
            continue;
        }
        let Some(parent) = ctx.parent(s) else {
            continue;
        };
        let compared = match ctx.view(parent) {
            View::Equals { left, right, .. } => {
                let other = if left.id() == s.id() { right } else { left };
                names_grant_type(ctx, ctx.unwrap(other))
            }
            _ => match ctx.d.case_of(s) {
                Some((Some(subject), _)) => names_grant_type(ctx, ctx.unwrap(subject)),
                _ => false,
            },
        };
        if !compared {
            continue;
        }
        let Some(f) = ctx.enclosing_function(s) else {
            continue;
        };
        if !seen.insert(f.id()) {
            continue;
        }
        out.push(Endpoint {
            grant: s,
            functions: helpers(ctx, f),
        });
    }
    out
}

/// A function and the functions of the file it calls by a unique name (`helper(…)`, `this.helper(…)`,
/// `self.helper(…)`), two levels deep.
pub fn helpers<'t, D: Dialect>(ctx: &Ctx<'t, '_, D>, f: Node<'t>) -> Vec<Node<'t>> {
    let mut out = vec![f];
    let mut ids = HashSet::from([f.id()]);
    let mut level = 0..1;
    for _ in 0..2 {
        let start = out.len();
        for i in level.clone() {
            let calls = within(&ctx.ix.calls, out[i]).to_vec();
            for call in calls {
                if out.len() >= MAX_FUNCTIONS {
                    return out;
                }
                let View::Call { callee, .. } = ctx.view(call) else {
                    continue;
                };
                let name = match ctx.view(ctx.unwrap(callee)) {
                    View::Ident(n) => n,
                    View::Member { object, property }
                        if matches!(ctx.text(object), "this" | "self") =>
                    {
                        property
                    }
                    _ => continue,
                };
                if let Some([g]) = ctx.ix.functions.get(name).map(Vec::as_slice) {
                    if ids.insert(g.id()) {
                        out.push(*g);
                    }
                }
            }
        }
        level = start..out.len();
    }
    out
}
