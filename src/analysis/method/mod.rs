//! The PKCE challenge method as a value: where `plain` comes from (a literal, a constant, a class constant,
//! an enum-like object, a library's enum: all through `Ctx::value_of`), and what each decision about the
//! method does with it.
//!
//! - `literals`: a `plain` value where it stands: sent by a client, advertised in metadata, compared in a
//!   branch, given as a fallback (`m ?? "plain"`, `.get(k, "plain")`, a parameter default), with where the
//!   fallback's value goes deciding whether it is a method, not the variable's name alone;
//! - `sets`: collections of methods (`["S256", "plain"]`, `("S256", "plain")`, `z.enum`, `Joi.valid`,
//!   `Literal[...]`) by how they are used (metadata, membership tests, schemas), tables from a method to its
//!   verification, and options that enable `plain`, judged by their default value;
//! - `decide`: what the code that runs for `plain` does (rejects or accepts), and the conditions' flags.
//!
//! Precision: a decision that merely lets `plain` through (a default, a permissive set or predicate) is
//! silent when the same file rejects `plain` somewhere (unconditionally, or unless an option enables it):
//! the method is decided there. A branch that accepts `plain`, metadata that advertises it and a client that
//! sends it are reported whatever else the file does. A file that defines a name only a catalogued library's
//! own source defines (`crate::libraries::implements`) is that library: its protocol defaults are reported
//! where the library is called, through the catalogue.

mod decide;
mod literals;
mod sets;

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{Ctx, Dialect, View};
use crate::facts::{FileFacts, PlainMethod, PlainSite};

/// One place where `plain` is a method.
struct Site<'t> {
    node: Node<'t>,
    site: PlainSite,
    rejected: bool,
    detail: Option<String>,
    /// Silent when the file rejects plain elsewhere.
    soft: bool,
}

struct Method<'c, 't, 'd, D: Dialect> {
    ctx: &'c Ctx<'t, 'd, D>,
    sites: Vec<Site<'t>>,
    /// Something in the file rejects `plain` (unconditionally, or unless an option enables it).
    rejects_plain: bool,
    /// The texts of expressions compared with `"S256"` (what the method is held in).
    compared: HashSet<&'t str>,
    /// Comparisons in conditions where neither side is a literal (`m === PkceMethod.Plain`).
    constant_comparisons: Vec<Node<'t>>,
    /// Options consulted by guards on `plain` (`!opts.allowPlain`): their defaults decide.
    flags: HashSet<&'t str>,
    /// Rejections of `plain` unless one of these options enables it.
    guarded: Vec<Vec<&'t str>>,
    /// The name of each function defined in the file, by node id (filled when first asked).
    function_names: Option<HashMap<usize, &'t str>>,
    /// The target of each member write, by the id of its value (filled when first asked).
    write_targets: std::cell::OnceCell<HashMap<usize, Node<'t>>>,
    /// The calls in the file by their callee's last name (filled when a parameter default needs them).
    callers: Option<HashMap<&'t str, Vec<Node<'t>>>>,
    /// Whether each function (by id) verifies a verifier against a challenge, once asked.
    verifying: HashMap<usize, bool>,
    /// Calls, uses and nodes visited (`Work::method_visits`).
    visits: std::cell::Cell<usize>,
}

/// Extracts the places where `plain` is a method; returns the calls, uses and nodes visited (`Work`).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> usize {
    if ctx.is_library_source() {
        return 0;
    }
    let mut m = Method {
        ctx,
        sites: Vec::new(),
        rejects_plain: false,
        compared: HashSet::new(),
        flags: HashSet::new(),
        constant_comparisons: Vec::new(),
        guarded: Vec::new(),
        function_names: None,
        write_targets: Default::default(),
        callers: None,
        verifying: HashMap::new(),
        visits: Default::default(),
    };
    m.collect_comparisons();
    m.literals();
    m.constant_branches();
    m.fallbacks();
    m.sent_constants();
    m.sets();
    m.tables();
    m.options();
    let visits = m.visits.get();
    let rejects = m.rejects_plain;
    // A permissive decision matters where plain can reach acceptance: the file verifies a verifier against
    // a challenge, or keeps a challenge for a code it issues.
    let reaches = m.sites.iter().any(|s| s.soft) && !rejects && m.server_evidence();
    for s in m.sites {
        if s.soft && (rejects || !reaches) {
            continue;
        }
        facts.plain_methods.push(PlainMethod {
            span: super::span(s.node),
            site: s.site,
            rejected: s.rejected,
            detail: s.detail,
        });
    }
    visits
}

impl<'c, 't, D: Dialect> Method<'c, 't, '_, D> {
    fn push(&mut self, node: Node<'t>, site: PlainSite, soft: bool, detail: Option<String>) {
        self.sites.push(Site {
            node,
            site,
            rejected: false,
            detail,
            soft,
        });
    }

    fn is_plain(&self, node: Node<'t>) -> bool {
        self.ctx.method_value(node, 0).as_deref() == Some("plain")
    }

    /// Comparisons of an expression with a method: what holds the method (compared with `"S256"`), and
    /// whether some code rejects every method but S256 (`if (m !== "S256") throw`). Comparisons with a
    /// literal are found from the literal; those with a constant (`m !== PkceMethod.S256`) in the
    /// conditions of branches.
    fn collect_comparisons(&mut self) {
        let ctx = self.ctx;
        let mut equals: Vec<Node<'t>> = Vec::new();
        for &s in &ctx.ix.strings {
            let Some(value) = ctx.string_value(s) else {
                continue;
            };
            if value != "S256" && value != "plain" {
                continue;
            }
            if let Some(parent) = ctx.parent(s) {
                if matches!(ctx.view(parent), View::Equals { .. }) {
                    equals.push(parent);
                }
            }
        }
        for &b in &ctx.ix.branches {
            let Some(branch) = ctx.d.branch(b) else {
                continue;
            };
            for n in crate::lang::Preorder::new(branch.condition).take(48) {
                if let View::Equals { left, right, .. } = ctx.view(n) {
                    let literal = |x: Node<'t>| {
                        ctx.view(ctx.unwrap(x)).class() == crate::analysis::Class::Str
                    };
                    if !literal(left) && !literal(right) {
                        equals.push(n);
                        self.constant_comparisons.push(n);
                    }
                }
            }
            self.visits.set(self.visits.get() + 1);
        }
        for cmp in equals {
            let View::Equals {
                left,
                right,
                negated,
            } = ctx.view(cmp)
            else {
                continue;
            };
            let (other, value) = match (ctx.method_value(left, 0), ctx.method_value(right, 0)) {
                (_, Some(v)) if v == "S256" || v == "plain" => (left, v),
                (Some(v), _) if v == "S256" || v == "plain" => (right, v),
                _ => continue,
            };
            // `"plain"` is compared with text formats too; `"S256"` only with a method.
            if value != "S256" {
                continue;
            }
            self.compared.insert(ctx.text(ctx.unwrap(other)));
            // `m !== "S256"` whose branch rejects: every other method, plain included, is rejected.
            let rejected = || {
                decide::plain_path(ctx, cmp, false)
                    .is_some_and(|(path, _, _)| decide::rejects(ctx, path))
            };
            if negated && rejected() {
                self.rejects_plain = true;
            }
        }
    }

    /// Comparisons with a constant holding `plain` (`m === PkceMethod.Plain`), judged as the literal is.
    fn constant_branches(&mut self) {
        let ctx = self.ctx;
        for cmp in std::mem::take(&mut self.constant_comparisons) {
            let View::Equals {
                left,
                right,
                negated,
            } = ctx.view(cmp)
            else {
                continue;
            };
            if self.is_plain(right) {
                self.branch_site(cmp, left, right, negated);
            } else if self.is_plain(left) {
                self.branch_site(cmp, right, left, negated);
            }
        }
    }

    /// Whether the file is an authorization server's: it compares a verifier with a challenge, has a table
    /// of verifications, or stores a challenge for a code (`{ challenge, method }`).
    fn server_evidence(&self) -> bool {
        let ctx = self.ctx;
        if self
            .sites
            .iter()
            .any(|s| s.detail.as_deref() == Some("a table of verifications by method"))
        {
            return true;
        }
        // A code record: `{ challenge: code_challenge, method }`, `{"code_challenge": …, "code_challenge_method": …}`.
        let folded = |k: &str| -> String {
            k.chars()
                .filter(|c| *c != '_' && *c != '-')
                .flat_map(char::to_lowercase)
                .collect()
        };
        let stores = ctx.ix.objects.iter().any(|&o| {
            let View::Object(entries) = ctx.view(o) else {
                return false;
            };
            let keys: Vec<String> = entries
                .iter()
                .filter_map(|e| match e {
                    crate::analysis::Entry::Pair(crate::analysis::Key::Name(k, _), _) => {
                        Some(folded(k))
                    }
                    _ => None,
                })
                .collect();
            keys.iter()
                .any(|k| k == "challenge" || k == "codechallenge")
                && keys
                    .iter()
                    .any(|k| k == "method" || k == "challengemethod" || k == "codechallengemethod")
        });
        stores || decide::verifies(ctx, ctx.root)
    }

    /// Whether an expression holds a PKCE method: it is named for one, or compared with one.
    fn holds_method(&self, node: Node<'t>) -> bool {
        let ctx = self.ctx;
        let node = ctx.unwrap(node);
        let text = ctx.text(node);
        if text.len() > 200 {
            return false;
        }
        let last = match ctx.view(node) {
            View::Member { property, .. } => property,
            View::Index { index, .. } => {
                return ctx.string_value(index).is_some_and(|k| is_method_name(&k))
            }
            View::Call { callee, args, .. } => {
                // `.get("code_challenge_method")`, `getattr(body, "method")`.
                if args.iter().any(|a| matches!(a, super::Arg::Positional(n) if ctx.string_value(*n).is_some_and(|k| is_method_name(&k)))) {
                    return true;
                }
                ctx.callee_name(callee).unwrap_or("")
            }
            _ => text,
        };
        // Compared with or defaulted to `plain`, anything named for a method is one (`methodFor(record)`).
        super::name_has(last, "method") || is_method_name(last) || self.compared.contains(text)
    }

    /// Whether the value of an expression ends up held as a method: bound to a variable that holds one,
    /// stored under a method key, or compared with a method.
    fn flows_to_method(&self, value: Node<'t>) -> bool {
        let ctx = self.ctx;
        if let Some(b) = ctx.ix.binding_of_value(value.id()) {
            return is_method_name(b.name) || self.compared.contains(b.name);
        }
        let Some(parent) = ctx.parent(value) else {
            return false;
        };
        let targets = self.write_targets.get_or_init(|| {
            ctx.ix
                .member_writes
                .iter()
                .map(|w| (w.value.id(), w.target))
                .collect()
        });
        if let Some(&target) = targets.get(&value.id()) {
            return self.holds_method(target);
        }
        match ctx.view(parent) {
            View::Equals { .. } => true,
            View::Wrapped(_) => self.flows_to_method(parent),
            _ => literals::key_of(ctx, value).is_some_and(|k| is_method_name(&k)),
        }
    }
}

/// Whether a name is about the PKCE method: `code_challenge_method`, `challengeMethod`, `pkceMethod`,
/// `method` itself (other names are recognised by what is done with them: `Method::compared`).
fn is_method_name(name: &str) -> bool {
    super::name_has(name, "challengemethod")
        || super::name_has(name, "pkce")
        || name.eq_ignore_ascii_case("method")
}

/// Whether a name lists supported methods (`code_challenge_methods_supported`, `pkceMethods`).
fn is_methods_list(name: &str) -> bool {
    super::name_has(name, "methodssupported")
        || super::name_has(name, "challengemethods")
        || super::name_has(name, "pkcemethods")
}
