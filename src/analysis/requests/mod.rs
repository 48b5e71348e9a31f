//! Authorization requests: parameter containers, `URLSearchParams` builders, query strings and library calls.
//! Also the client-side `code_challenge_method=plain` found in query strings.

//!
//! `analysis` holds what the parts share; `writes` collects the writes to receivers and adds a variable's
//! writes to a request; `strings`, `containers` and `libraries` each find one form of request. Dependencies
//! go one way: `writes` uses `analysis`; `strings` uses both; `containers` uses them and the query splitting
//! of `strings`; `libraries` uses `analysis` and `writes`; this module runs them in order.

mod analysis;
mod containers;
mod libraries;
mod strings;
mod writes;

use std::collections::{HashMap, HashSet};

use super::{Arg, Ctx, Dialect, View};
use crate::facts::FileFacts;
use analysis::Analysis;

/// Extracts authorization requests; returns the wrapping variables and string uses visited (`Work`).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    // A library's own source builds requests on its callers' behalf; the catalogue judges the callers.
    if ctx.is_library_source() {
        return 0;
    }
    // Containers, builders and strings need a `response_type` key; library calls need their method name
    // (`ctx.mentions`, from the prefilter's one pass over the text).
    let has_response_type = ctx.mentions.response_type;
    let mut a = Analysis {
        ctx,
        writes: HashMap::new(),
        library_args: HashSet::new(),
        wrapping: HashMap::new(),
        pushed: HashSet::new(),
        first_bindings: HashMap::new(),
        string_uses: Default::default(),
        member_writes_by_receiver: Default::default(),
        registrations: Default::default(),
        visited: Default::default(),
    };
    for (_, b) in ctx.ix.all_bindings() {
        if let View::Call { args, .. } = ctx.view(ctx.unwrap(b.value)) {
            let scope = a.group_scope(b.value);
            for arg in args.iter().copied() {
                if let Arg::Positional(n) = arg {
                    a.wrapping
                        .entry((scope, ctx.text(n)))
                        .or_default()
                        .push(b.name);
                }
            }
        }
    }
    // Arguments of pushed authorization requests (`oauth.pushedAuthorizationRequest(as, client, auth, params)`).
    for &call in &ctx.ix.calls {
        let View::Call { callee, args, .. } = ctx.view(call) else {
            continue;
        };
        if ctx
            .callee_name(callee)
            .is_some_and(|n| n.contains("pushedAuthorization"))
        {
            a.pushed.extend(args.iter().filter_map(|a| match a {
                Arg::Positional(n) => Some(ctx.text(*n)),
                _ => None,
            }));
        }
    }
    a.collect_writes();
    a.libraries(facts);
    if has_response_type {
        a.containers(facts);
        a.builders(facts);
        a.strings(facts);
    }
    facts.requests.sort_by_key(|r| r.span);
    facts.requests.dedup_by_key(|r| r.span);
    a.visited.get()
}
