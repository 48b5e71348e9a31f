//! Requests written as strings: folded string literals and templates whose query holds the authorization
//! parameters, and the splitting of a query into parameters.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::lang::NodeKind;

use super::analysis::{provision, Analysis};
use crate::analysis::eval::Params;
use crate::analysis::fold::{Folded, HOLE};
use crate::analysis::{Ctx, Dialect, View};
use crate::facts::{AuthRequest, FileFacts, PlainMethod, PlainSite, RequestForm, Span};

/// Messages: a string passed to these is text for people, not a request.
const MESSAGE_CALLS: &[&str] = &[
    "log",
    "info",
    "warn",
    "error",
    "debug",
    "trace",
    "print",
    "Error",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "Exception",
    "fail",
    "assert",
    "exception",
    "critical",
    "warning",
];

impl<'c, 't, D: Dialect> Analysis<'c, 't, '_, D> {
    /// Whether a string node's value is only part of a larger string expression.
    fn is_string_part(&self, node: Node<'t>) -> Option<Node<'t>> {
        let ctx = self.ctx;
        let parent = ctx.parent(node)?;
        let up = if parent.k() == "template_substitution" || parent.k() == "interpolation" {
            ctx.parent(parent)?
        } else {
            parent
        };
        match ctx.view(up) {
            View::Add(..)
            | View::Percent(..)
            | View::Adjacent(_)
            | View::Wrapped(_)
            | View::Str(_) => Some(up),
            View::Member {
                property: "format" | "concat" | "toString",
                ..
            } => {
                let call = ctx.parent(up)?;
                matches!(ctx.view(call), View::Call { .. }).then_some(call)
            }
            _ => None,
        }
    }

    pub(super) fn strings(&self, facts: &mut FileFacts) {
        let ctx = self.ctx;
        let mut seen = HashSet::new();
        for &s in &ctx.ix.strings {
            if ctx.d.is_docstring(ctx.parent(s)) {
                continue;
            }
            let mut top = s;
            for _ in 0..64 {
                match self.is_string_part(top) {
                    Some(p) => top = p,
                    None => break,
                }
            }
            if !seen.insert(top.id()) {
                continue;
            }
            let folded = ctx.fold(top, 0);
            if !folded.has_literal() {
                continue;
            }
            let (text, nodes) = folded.text();
            let q = query_text(&text);
            // code_challenge_method=plain in any query string.
            for (k, v, at) in &q.params {
                if k == "code_challenge_method" && v.as_deref() == Some("plain") {
                    if let Some(sp) = self.locate_in(&nodes, *at, "plain") {
                        facts.plain_methods.push(PlainMethod {
                            span: sp,
                            site: PlainSite::ClientParam,
                            rejected: false,
                            detail: None,
                        });
                    }
                }
            }
            let Some((_, _, at)) = q.params.iter().find(|(k, v, _)| {
                k == "response_type" && v.as_deref().is_some_and(Ctx::<D>::is_code_response)
            }) else {
                continue;
            };
            if self.is_message(top) || self.used_in_larger_string(top) {
                continue;
            }
            let mut params = Params {
                unknown: q.unknown,
                ..Default::default()
            };
            for (k, _, _) in &q.params {
                params.add(k.clone(), top, None);
            }
            self.add_holder_writes(top, &mut params);
            let Some(sp) = self.locate_in(&nodes, *at, "response_type") else {
                continue;
            };
            facts.requests.push(AuthRequest {
                span: sp,
                form: RequestForm::String,
                pkce: provision(&params, "code_challenge"),
                state: provision(&params, "state"),
            });
        }
    }

    /// The span of `word` in the literal piece holding offset `at` of the folded text.
    fn locate_in(&self, nodes: &[(usize, Node<'t>)], at: usize, word: &str) -> Option<Span> {
        let node = Folded::node_at(nodes, at)?;
        let text = self.ctx.text(node);
        let start = node.start_byte() + text.find(word).unwrap_or(0);
        Some(Span::new(
            start,
            start + word.len().min(node.end_byte() - start),
        ))
    }

    /// Whether a string is the argument of a logging call or an error constructor.
    fn is_message(&self, node: Node<'t>) -> bool {
        if let Some((_, name)) = self.enclosing_call(node) {
            return MESSAGE_CALLS.contains(&name)
                || name.ends_with("Error")
                || name.ends_with("Exception");
        }
        self.ctx
            .parent(node)
            .is_some_and(|p| self.ctx.d.is_throw(p))
    }

    /// Whether a string bound to a variable is used, later in the variable's scope, inside a larger string
    /// (then that one is the request).
    fn used_in_larger_string(&self, node: Node<'t>) -> bool {
        let ctx = self.ctx;
        let Some(name) = self.holder(node) else {
            return false;
        };
        let end = ctx
            .lookup(name, node)
            .map_or(ctx.root.end_byte(), |(scope, _)| scope.end_byte());
        let mut memo = self.string_uses.borrow_mut();
        let starts = memo.entry(name).or_insert_with(|| {
            self.visited
                .set(self.visited.get() + ctx.uses_of(name).len());
            ctx.uses_of(name)
                .filter(|u| self.is_string_part(*u).is_some())
                .map(|u| u.start_byte())
                .collect()
        });
        let after = starts.partition_point(|s| *s <= node.end_byte());
        starts.get(after).is_some_and(|s| *s < end)
    }
}

/// Query parameters found in a folded string.
pub(super) struct Query {
    /// Name, value when constant, offset of the name in the folded text.
    pub(super) params: Vec<(String, Option<String>, usize)>,
    /// Some parameter names come from holes (`&${extra}`, `?{query}`).
    pub(super) unknown: bool,
}

/// Splits a folded string into query parameters: after the first `?` (or the whole string when there is none),
/// on `&`. A parameter name must start its segment and look like one, so `"missing response_type=code"` has no
/// `response_type` parameter.
pub(super) fn query(folded: &Folded) -> Query {
    query_text(&folded.text().0)
}

/// Values longer than this are not kept (no rule compares a parameter with a long value).
const MAX_VALUE: usize = 1024;

/// `query` over the text of a folded string (`Folded::text`). Scans bytes with memchr: a string may hold a
/// megabyte of embedded text, and every request string is read.
pub(super) fn query_text(text: &str) -> Query {
    let bytes = text.as_bytes();
    let hole = HOLE as u8;
    let qs_start = memchr::memchr(b'?', bytes).map(|i| i + 1).unwrap_or(0);
    // `${url}&state=...` with no `?` of its own: the hole may carry the query.
    let mut unknown = qs_start == 0 && bytes.first() == Some(&hole);
    let mut params = Vec::new();
    let mut start = qs_start;
    while start <= bytes.len() {
        let end = memchr::memchr2(b'&', b'#', &bytes[start..])
            .map(|i| start + i)
            .unwrap_or(bytes.len());
        let segment = &text[start..end];
        match memchr::memchr(b'=', segment.as_bytes()) {
            Some(eq) => {
                let (name, value) = (&segment[..eq], &segment[eq + 1..]);
                if memchr::memchr(hole, name.as_bytes()).is_some() {
                    unknown = true;
                } else if !name.is_empty()
                    && name
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"_-.[]".contains(&c))
                {
                    let value = (value.len() <= MAX_VALUE
                        && memchr::memchr(hole, value.as_bytes()).is_none())
                    .then(|| value.trim_end().to_string());
                    params.push((name.to_string(), value, start));
                }
            }
            None if memchr::memchr(hole, segment.as_bytes()).is_some() => unknown = true,
            None => {}
        }
        start = end + 1;
    }
    Query { params, unknown }
}
