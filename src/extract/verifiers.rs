//! Code verifiers: where their value comes from (entropy) and where it is stored (scope).
//!
//! A value is a *verifier* when it is bound to a name containing `verifier`, sent as `code_verifier`, passed to a
//! same-file parameter named so, returned by a same-file function named so, or hashed into a `code_challenge`.
//! Each verifier is traced back to its source through bindings, concatenation, method chains, encodings,
//! hashes, truncation and same-file helpers, with a depth limit and a step budget (cycles terminate).
//! Unknown origins (parameters, other files, unknown calls) give no fact: precision comes first.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{span, Arg, Ctx, Dialect, Entry, Key, StrPart, View, MAX_DEPTH};
use crate::entropy::estimate;
use crate::facts::{
    Entropy, EntropySource, FileFacts, Span, StoreScope, Truncation, VerifierSource, VerifierWrite,
};

/// Trace steps per byte of source, and the least any file gets. Each (expression, question) is answered
/// once per file and remembered, so a file asks about each expression a few times at most: the budget is
/// shared by every question about the file and bounds its whole work, never reached by real code.
const STEPS_PER_BYTE: usize = 2;
const MIN_STEPS: usize = 20_000;

/// Names that contain `verifier` but are not PKCE code verifiers: token and signature verifiers, OAuth 1.0a.
const NOT_PKCE: &[&str] = &[
    "tokenverifier",
    "oauthverifier",
    "jwtverifier",
    "signatureverifier",
    "webhookverifier",
    "emailverifier",
    "credentialverifier",
];

/// ASCII case-insensitive `contains`, without allocating.
fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Words that, right after `verifier`, make a name about a verifier rather than one: `verifierKey`,
/// `VERIFIER_TTL_MS`, `verifier_expires_at`, `verifierLength`.
const ABOUT_A_VERIFIER: &[&str] = &[
    "key",
    "keys",
    "id",
    "ids",
    "ttl",
    "expires",
    "expiry",
    "expiration",
    "expired",
    "at",
    "count",
    "length",
    "len",
    "bytes",
    "size",
    "store",
    "storage",
    "cache",
    "map",
    "path",
    "file",
    "filename",
    "name",
    "url",
    "timeout",
    "header",
    "param",
    "params",
    "field",
    "prefix",
    "suffix",
    "kind",
    "type",
    "method",
    "hash",
    "valid",
    "regex",
    "pattern",
    "schema",
    "error",
    "errors",
    "message",
    "label",
    "max",
    "min",
];

/// Whether a name denotes a PKCE code verifier.
pub fn is_verifier_name(name: &str) -> bool {
    if !contains_ci(name, "verifier") || NOT_PKCE.iter().any(|w| super::name_has(name, w)) {
        return false;
    }
    // The first word after `verifier` (camelCase or snake_case).
    let lower = name.to_ascii_lowercase();
    let at = lower
        .rfind("verifier")
        .map(|i| i + "verifier".len())
        .unwrap_or(0);
    let rest = &name[at..];
    let rest = rest.trim_start_matches(['_', '-']);
    !ABOUT_A_VERIFIER.contains(&first_word(rest).as_str())
}

/// The first word of a camelCase, snake_case or SCREAMING_CASE name, lower-cased.
fn first_word(name: &str) -> String {
    let screaming = !name.chars().any(|c| c.is_ascii_lowercase());
    let end = name
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '_' || *c == '-' || (!screaming && c.is_ascii_uppercase()))
        .map(|(i, _)| i)
        .unwrap_or(name.len());
    name[..end].to_ascii_lowercase()
}

/// Whether literal text ends with a query parameter `param=`: `…&code_challenge=`, `?code_challenge=`
/// (not `…&code_challenge_method=`, not `…&xcode_challenge=`).
fn ends_with_param(text: &str, param: &str) -> bool {
    let Some(rest) = text.strip_suffix('=') else {
        return false;
    };
    let Some(before) = rest.strip_suffix(param) else {
        return false;
    };
    before
        .chars()
        .next_back()
        .is_none_or(|c| matches!(c, '&' | '?' | '#' | '"' | '\'' | ' ' | '\n'))
}

/// Whether a name denotes a code challenge (not its method).
fn is_challenge_name(name: &str) -> bool {
    contains_ci(name, "challenge")
        && !contains_ci(name, "method")
        && !contains_ci(name, "supported")
}

/// A verifier value found in the code.
#[derive(Clone, Copy)]
enum Expr<'t> {
    Node(Node<'t>),
    /// `field` of the value (`const { verifier } = pair()`).
    Field(Node<'t>, &'t str),
}

#[derive(Clone, Debug)]
struct Traced {
    entropy: Entropy,
    span: Span,
    /// Bits each character of the current string form carries (hex 4, base64url 6), when known.
    per_char: Option<u32>,
}

impl Traced {
    fn new(source: EntropySource, described: String, span: Span, per_char: Option<u32>) -> Self {
        Traced {
            entropy: Entropy {
                source,
                described,
                truncated: None,
            },
            span,
            per_char,
        }
    }

    fn predictable(&self) -> bool {
        estimate(&self.entropy).predictable
    }

    fn bits(&self) -> u32 {
        estimate(&self.entropy).bits
    }

    fn weak(&self) -> bool {
        estimate(&self.entropy).is_weak()
    }

    fn encoded(mut self, per_char: Option<u32>) -> Self {
        if per_char.is_some() {
            self.per_char = per_char;
        }
        self
    }
}

/// Of several possible values (branches, returns), the one to report: any weak path is a weakness.
fn weakest(options: Vec<Traced>) -> Option<Traced> {
    let weak = options.iter().position(Traced::weak);
    match weak {
        Some(i) => options.into_iter().nth(i),
        None => options.into_iter().next(),
    }
}

/// Per-character bits of encodings named in calls (`toString("hex")`, `digest("base64url")`).
fn encoding_bits(name: &str) -> Option<u32> {
    match name {
        "hex" => Some(4),
        "base64" | "base64url" => Some(6),
        "36" => Some(5),
        "32" => Some(5),
        _ => None,
    }
}

/// Method calls whose result carries the receiver's randomness (string conversions, encodings, clean-ups).
const PASS_METHODS: &[&str] = &[
    "toString",
    "join",
    "map",
    "replace",
    "replaceAll",
    "toLowerCase",
    "toUpperCase",
    "trim",
    "trimEnd",
    "trimStart",
    "padStart",
    "padEnd",
    "normalize",
    "valueOf",
    "getTime",
    "toISOString",
    "toJSON",
    "digest",
    "hexdigest",
    "hex",
    "decode",
    "encode",
    "rstrip",
    "lstrip",
    "strip",
    "lower",
    "upper",
    "isoformat",
    "timestamp",
    "toFixed",
    "bigint",
];

/// Functions whose result carries their first argument's randomness.
const PASS_FUNCTIONS: &[&str] = &[
    "String",
    "str",
    "from",
    "btoa",
    "format",
    "encodeURIComponent",
    "stringify",
    "floor",
    "round",
    "trunc",
    "int",
    "hex",
    "hexlify",
    "bytes",
];

/// Whether a helper's name says it encodes its argument (`base64url(bytes)`, `b64u`, `toHex`).
fn encoder_name(name: &str) -> Option<u32> {
    if contains_ci(name, "base64") || contains_ci(name, "b64") {
        Some(6)
    } else if contains_ci(name, "hex") {
        Some(4)
    } else if contains_ci(name, "encode") {
        Some(6)
    } else {
        None
    }
}

/// Hash functions that take their data as an argument (`hashlib.sha256(data)`).
const HASHES: &[&str] = &[
    "sha256", "sha384", "sha512", "sha1", "md5", "blake2b", "blake2s", "sha3_256", "sha3_512",
];

/// Python's `string` constants: their number of distinct characters.
fn string_constant(name: &str) -> Option<u32> {
    match name {
        "string.ascii_letters" => Some(52),
        "string.ascii_lowercase" | "string.ascii_uppercase" => Some(26),
        "string.digits" => Some(10),
        "string.hexdigits" => Some(22),
        "string.octdigits" => Some(8),
        "string.punctuation" => Some(32),
        "string.printable" => Some(100),
        _ => None,
    }
}

/// Normalises a qualified name: `node:` prefixes and browser/global receivers dropped.
fn normalize(q: &str, js: bool) -> String {
    let mut q = q.strip_prefix("node:").unwrap_or(q);
    // `self` is the browser global in JavaScript, the instance in Python.
    let globals: &[&str] = if js {
        &["window.", "globalThis.", "self.", "global."]
    } else {
        &[]
    };
    for prefix in globals {
        if let Some(rest) = q.strip_prefix(prefix) {
            q = rest;
            break;
        }
    }
    q.replace("crypto.webcrypto.", "crypto.")
}

fn last_segment(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

/// A hard-coded verifier: 43 to 128 characters, all from RFC 7636's unreserved set (§4.1); shorter strings
/// cannot be verifiers a server accepts. Empty strings, placeholders, descriptions and storage-key names
/// (`CODE_VERIFIER: "mcp_code_verifier"`) are not verifiers.
fn looks_like_verifier(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Values that say they are not real verifiers: probes and placeholders sent to provoke an error.
fn is_placeholder(s: &str) -> bool {
    ["dummy", "fake", "placeholder", "invalid", "example", "xxxx"]
        .iter()
        .any(|w| contains_ci(s, w))
}

/// Extracts verifier sources and writes; returns the trace steps spent and the bindings and functions
/// visited (`Work`).
pub fn extract<D: Dialect>(ctx: &Ctx<'_, '_, D>, facts: &mut FileFacts) -> (usize, usize) {
    let v = Verifiers::new(ctx);
    let budget = v.budget.get();
    run(&v, facts);
    (budget - v.budget.get(), v.visited.get())
}

fn run<D: Dialect>(v: &Verifiers<'_, '_, '_, D>, facts: &mut FileFacts) {
    let mut sources: Vec<VerifierSource> = Vec::new();
    for expr in v.verifier_expressions() {
        let (traced, at) = match expr {
            Expr::Node(n) => (v.trace(n, 0), n),
            Expr::Field(n, f) => (v.trace_field(n, f, 0), n),
        };
        let Some(t) = traced else { continue };
        let at = span(at);
        let used_at = (t.span.start < at.start || t.span.end > at.end).then_some(at);
        sources.push(VerifierSource {
            span: t.span,
            entropy: t.entropy,
            used_at,
        });
    }
    // One fact per source: the same helper reached from several callers is one finding.
    // Sorted weak first within a span, so that deduplication keeps the weak one.
    sources.sort_by_key(|s| (s.span, !estimate(&s.entropy).is_weak(), s.used_at));
    sources.dedup_by_key(|s| s.span);
    facts.verifier_sources = sources;
    facts.verifier_writes = v.writes();
}

/// A remembered answer: `None` while it is being worked out (a cycle reaches it: unknown).
/// Answers are boxed: most are `None` (the value comes from a parameter or another file), and those should
/// cost a pointer, not a whole `Traced`.
type Memo<T> = RefCell<HashMap<T, Option<Option<Box<Traced>>>>>;

/// The functions a callee may name, and the key their common answers are remembered under: the id of the
/// scope or class they are defined in (`FILE_WIDE` for a name looked up in the whole file) and the name.
type Helpers<'c, 't> = ((usize, &'t str), &'c [Node<'t>]);

/// The scope key of functions found by name in the whole file.
const FILE_WIDE: usize = usize::MAX;

struct Verifiers<'c, 't, 'd, D: Dialect> {
    ctx: &'c Ctx<'t, 'd, D>,
    /// Steps left to the whole file's traces.
    budget: Cell<usize>,
    /// Bindings and helper functions visited by traces (`Work::trace_visits`).
    visited: Cell<usize>,
    /// Traces of values and of fields, by node id.
    values: Memo<usize>,
    fields: Memo<(usize, String)>,
    /// Traces of variables by (scope id, name), and of helpers by their key and the field asked for.
    names: Memo<(usize, &'t str)>,
    helpers: Memo<(usize, &'t str, Option<String>)>,
    /// `fixed_path` answers by node id, and `read_in_function` answers by name.
    fixed_paths: RefCell<HashMap<usize, bool>>,
    read_in_functions: RefCell<HashMap<&'t str, bool>>,
}

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    fn new(ctx: &'c Ctx<'t, 'd, D>) -> Self {
        Verifiers {
            ctx,
            budget: Cell::new(MIN_STEPS.max(STEPS_PER_BYTE.saturating_mul(ctx.src.len()))),
            visited: Cell::new(0),
            values: Default::default(),
            fields: Default::default(),
            names: Default::default(),
            helpers: Default::default(),
            fixed_paths: Default::default(),
            read_in_functions: Default::default(),
        }
    }

    /// Answers a question once: from `memo` under `key`, or by `compute` (which spends one step).
    fn remembered<K: std::hash::Hash + Eq + Clone>(
        &self,
        memo: &Memo<K>,
        key: K,
        compute: impl FnOnce() -> Option<Traced>,
    ) -> Option<Traced> {
        if let Some(known) = memo.borrow().get(&key) {
            return known.as_ref().and_then(|a| a.as_deref().cloned());
        }
        if !self.spend() {
            return None;
        }
        memo.borrow_mut().insert(key.clone(), None);
        let answer = compute();
        memo.borrow_mut()
            .insert(key, Some(answer.clone().map(Box::new)));
        answer
    }

    fn view(&self, node: Node<'t>) -> View<'t> {
        self.ctx.view(node)
    }

    fn unwrap(&self, node: Node<'t>) -> Node<'t> {
        self.ctx.unwrap(node)
    }

    fn is_js(&self) -> bool {
        self.ctx.d.lang().is_js_family()
    }

    fn qualified(&self, node: Node<'t>) -> String {
        self.ctx
            .qualify(node, 0)
            .map(|q| normalize(&q, self.is_js()))
            .unwrap_or_default()
    }

    /// The functions a callee names in this file: `helper()` in the innermost scope that defines one,
    /// `this.helper()` / `self.helper()` / `cls.helper()` in the class around the call, `Cls.helper()` in
    /// class `Cls`. A name its scope or class does not define (an inherited method, a helper bound some other
    /// way) is looked up in the whole file.
    fn same_file_functions(&self, callee: Node<'t>) -> Option<Helpers<'c, 't>> {
        let ix = &self.ctx.ix;
        let call = self.ctx.parent(callee);
        let callee = self.unwrap(callee);
        let scoped = |key: (usize, &'t str), found: Option<&'c Vec<Node<'t>>>| {
            found
                .map(|fs| (key, fs.as_slice()))
                .or_else(|| Some(((FILE_WIDE, key.1), ix.functions.get(key.1)?.as_slice())))
        };
        match self.view(callee) {
            View::Ident(name) if !ix.imports.contains_key(name) => {
                let mut scope = self.ctx.scope_of(callee);
                loop {
                    if let Some(fs) = ix.scoped_functions.get(&(scope.id(), name)) {
                        return Some(((scope.id(), name), fs.as_slice()));
                    }
                    if scope.id() == self.ctx.root.id() {
                        return scoped((FILE_WIDE, name), None);
                    }
                    scope = self.ctx.scope_of(scope);
                }
            }
            View::Member { object, property } => match self.view(self.unwrap(object)) {
                View::Ident("this" | "self" | "cls") => {
                    let class = call.and_then(|c| ix.call_class.get(&c.id()).copied());
                    match class {
                        Some(class) => {
                            scoped((class, property), ix.methods.get(&(class, property)))
                        }
                        None => scoped((FILE_WIDE, property), None),
                    }
                }
                View::Ident(o) => {
                    let class = ix.classes.get(o)?.id();
                    scoped((class, property), ix.methods.get(&(class, property)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What the same-file functions a callee names return (or their `field`): the weakest of them, worked out
    /// once for each set of functions however many calls name it.
    fn trace_helpers(
        &self,
        helpers: Helpers<'c, 't>,
        field: Option<&str>,
        depth: usize,
    ) -> Option<Traced> {
        let ((scope, name), functions) = helpers;
        let key = (scope, name, field.map(str::to_string));
        self.remembered(&self.helpers, key, || {
            self.visited.set(self.visited.get() + functions.len());
            let options: Vec<Traced> = functions
                .iter()
                .flat_map(|f| self.returned(*f))
                .filter_map(|r| match field {
                    Some(field) => self.trace_field(r, field, depth + 1),
                    None => self.trace(r, depth + 1),
                })
                .collect();
            weakest(options)
        })
    }

    /// The values a function returns: its `return` expressions and an expression body.
    fn returned(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let mut out: Vec<Node<'t>> = self
            .ctx
            .ix
            .returns
            .get(&function.id())
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| {
                        (0..r.named_child_count())
                            .filter_map(|i| r.named_child(i as u32))
                            .find(|c| !self.ctx.d.is_comment(*c))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.extend(self.ctx.d.expression_body(function));
        out
    }

    // ----------------------------------------------------------------------------------------------------
    // Which values are verifiers
    // ----------------------------------------------------------------------------------------------------

    fn verifier_expressions(&self) -> Vec<Expr<'t>> {
        let ctx = self.ctx;
        let mut out = Vec::new();
        for (_, b) in &ctx.ix.all_bindings {
            if matches!(self.view(self.unwrap(b.value)), View::Function) {
                continue;
            }
            match b.field {
                Some(f) if is_verifier_name(b.name) => out.push(Expr::Field(b.value, f)),
                Some(_) => {}
                None => self.named_value(b.name, b.value, &mut out),
            }
        }
        for w in &ctx.ix.member_writes {
            if let Some(key) = self.write_key(w.target) {
                self.named_value(&key, w.value, &mut out);
            }
        }
        for f in &ctx.ix.fields {
            self.named_value(f.name, f.value, &mut out);
        }
        for &object in &ctx.ix.objects {
            let View::Object(entries) = self.view(object) else {
                continue;
            };
            for e in entries {
                if let Entry::Pair(Key::Name(k, _), v) = e {
                    self.named_value(&k, v, &mut out);
                }
            }
        }
        // A value placed after `code_challenge=` in a string: `…&code_challenge=${c}`, `"…" + c`.
        for &string in &ctx.ix.strings {
            if let Some(value) = self.query_value_after(string, "code_challenge") {
                self.named_value("code_challenge", value, &mut out);
            }
            if let View::Str(parts) = self.view(string) {
                for pair in parts.windows(2) {
                    if let [StrPart::Text(text, _), StrPart::Hole(value)] = pair {
                        if ends_with_param(text, "code_challenge") {
                            self.named_value("code_challenge", *value, &mut out);
                        }
                    }
                }
            }
        }
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = self.view(call) else {
                continue;
            };
            for a in &args {
                if let Arg::Keyword(k, v) = a {
                    self.named_value(k, *v, &mut out);
                }
            }
            // `params.set("code_verifier", v)`, `url.searchParams.set("code_challenge", c)`.
            if matches!(ctx.callee_name(callee), Some("set" | "append")) {
                let key = Ctx::<D>::arg(&args, 0, "").and_then(|k| ctx.string_value(k));
                if let (Some(key), Some(value)) = (key, Ctx::<D>::arg(&args, 1, "")) {
                    self.named_value(&key, value, &mut out);
                }
            }
            // Arguments for same-file parameters named like a verifier: `authorizeUrl(secret, state)`.
            let functions = self
                .same_file_functions(callee)
                .map_or(&[][..], |(_, fs)| fs);
            if let Some(&f) = functions.last() {
                let params = ctx.d.parameters(f, ctx.src);
                let is_method = matches!(self.view(self.unwrap(callee)), View::Member { .. });
                let skip = usize::from(
                    is_method && params.first().is_some_and(|p| matches!(*p, "self" | "cls")),
                );
                let positional = args.iter().filter_map(|a| match a {
                    Arg::Positional(n) => Some(*n),
                    _ => None,
                });
                for (param, arg) in params.iter().skip(skip).zip(positional) {
                    if is_verifier_name(param) {
                        out.push(Expr::Node(arg));
                    }
                }
            }
        }
        // Helpers named like a verifier: what they return is one (reported inside the helper), unless their
        // name says they do something else with it (`rememberVerifier` returns a storage key).
        // In source order, so that the answers do not depend on the order of a hash map.
        let mut named: Vec<Node<'t>> = ctx
            .ix
            .functions
            .iter()
            .filter(|(name, _)| is_verifier_name(name) && !acts_on_a_verifier(name))
            .flat_map(|(_, fs)| fs.iter().copied())
            .collect();
        named.sort_by_key(|f| f.start_byte());
        for f in named {
            out.extend(self.returned(f).into_iter().map(Expr::Node));
        }
        out
    }

    /// A value under a name (a variable, a key, a keyword): a verifier when the name says so, and the data
    /// hashed into it when the name is a challenge's.
    fn named_value(&self, name: &str, value: Node<'t>, out: &mut Vec<Expr<'t>>) {
        if is_verifier_name(name) {
            out.push(Expr::Node(value));
        } else if is_challenge_name(name) {
            out.extend(self.hashed_input(value, 0).map(Expr::Node));
        }
    }

    /// The value concatenated right after a string that ends with `param=`: in `"…&code_challenge=" + c`
    /// (also `a + "…&code_challenge=" + c`), `c`.
    fn query_value_after(&self, string: Node<'t>, param: &str) -> Option<Node<'t>> {
        let text = match self.view(string) {
            View::Str(parts) => match parts.last() {
                Some(StrPart::Text(text, _)) => *text,
                _ => return None,
            },
            _ => return None,
        };
        if !ends_with_param(text, param) {
            return None;
        }
        // Up through the additions the string ends (`(a + "…=") + c`), to the one it starts the right of.
        let mut cur = string;
        for _ in 0..MAX_DEPTH {
            let parent = self.ctx.parent(cur)?;
            match self.view(parent) {
                View::Add(left, right) if left.id() == cur.id() => return Some(right),
                View::Add(_, right) if right.id() == cur.id() => cur = parent,
                View::Wrapped(_) => cur = parent,
                _ => return None,
            }
        }
        None
    }

    /// The key of a member or index write target: `x.codeVerifier`, `x["code_verifier"]`.
    fn write_key(&self, target: Node<'t>) -> Option<String> {
        match self.view(target) {
            View::Member { property, .. } => Some(property.to_string()),
            View::Index { index, .. } => self.ctx.string_value(index),
            _ => None,
        }
    }

    /// The data hashed into a code challenge: `s256(v)`, `createHash(…).update(v).digest(…)`,
    /// `base64(sha256(v.encode()))`, `calculatePKCECodeChallenge(v)`.
    fn hashed_input(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Call { callee, args, .. } => {
                let first = Ctx::<D>::arg(&args, 0, "");
                let callee_u = self.unwrap(callee);
                if let View::Member { object, property } = self.view(callee_u) {
                    match property {
                        "update" => return first,
                        "digest" if args.len() == 2 => return Ctx::<D>::arg(&args, 1, ""),
                        p if PASS_METHODS.contains(&p) => {
                            return self.hashed_input(object, depth + 1)
                        }
                        _ => {}
                    }
                }
                let q = self.qualified(callee);
                let last = last_segment(&q);
                if HASHES.contains(&last) {
                    return first.and_then(|d| self.data_of(d, depth + 1));
                }
                // A helper or encoder around the hash: look inside its argument; a helper taking the
                // verifier itself (`s256(verifier)`) gets it as its only argument.
                let f = first?;
                match self.view(self.unwrap(f)) {
                    View::Call { .. } => self.hashed_input(f, depth + 1),
                    View::Ident(_) | View::Member { .. }
                        if self.same_file_functions(callee).is_some()
                            || contains_ci(last, "challenge") =>
                    {
                        Some(f)
                    }
                    View::Ident(name) => {
                        // `base64url(digest)` where `digest = sha256(verifier)`.
                        let v = self.ctx.resolve_ident(name, f)?;
                        self.hashed_input(v, depth + 1)
                    }
                    _ => None,
                }
            }
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.hashed_input(v, depth + 1)
            }
            _ => None,
        }
    }

    /// `v.encode()`, `new TextEncoder().encode(v)`, `Buffer.from(v)` → `v`.
    fn data_of(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let View::Call { callee, args, .. } = self.view(node) {
            if let View::Member { object, property } = self.view(self.unwrap(callee)) {
                if property == "encode" {
                    return match Ctx::<D>::arg(&args, 0, "") {
                        Some(a)
                            if matches!(
                                self.view(self.unwrap(object)),
                                View::Call { is_new: true, .. }
                            ) =>
                        {
                            Some(a)
                        }
                        _ => self.data_of(object, depth + 1),
                    };
                }
            }
            if self.qualified(callee) == "Buffer.from" {
                return Ctx::<D>::arg(&args, 0, "");
            }
        }
        Some(node)
    }

    // ----------------------------------------------------------------------------------------------------
    // Where a verifier's value comes from
    // ----------------------------------------------------------------------------------------------------

    fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    /// Where a value comes from: once per expression and file.
    fn trace(&self, node: Node<'t>, depth: usize) -> Option<Traced> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        // A variable's answer is remembered by the variable (`trace_ident`), not again by each use.
        if let View::Ident(name) = self.view(node) {
            return self.trace_ident(name, node, depth);
        }
        self.remembered(&self.values, node.id(), || self.trace_new(node, depth))
    }

    fn trace_new(&self, node: Node<'t>, depth: usize) -> Option<Traced> {
        match self.view(node) {
            View::Str(_) | View::Add(..) | View::Adjacent(_) | View::Percent(..) => {
                let mut leaves = Vec::new();
                self.leaves(node, &mut leaves, depth);
                self.concat(node, &leaves, depth)
            }
            View::Ident(name) => self.trace_ident(name, node, depth),
            View::Member { object, property } => {
                let q = self.qualified(node);
                if q == "process.pid" {
                    return Some(Traced::new(
                        EntropySource::Clock,
                        "process.pid".into(),
                        span(node),
                        None,
                    ));
                }
                if matches!(property, "hex" | "urn") {
                    return self.trace(object, depth + 1).map(|t| t.encoded(Some(4)));
                }
                if matches!(property, "int" | "bytes") {
                    return self.trace(object, depth + 1);
                }
                self.trace_field(object, property, depth + 1)
            }
            View::Index { object, index } => {
                if let Some((start, end)) = self.ctx.d.slice(index) {
                    let t = self.trace(object, depth + 1)?;
                    return Some(self.truncate(t, node, start, end, false, true));
                }
                if let Some(key) = self.ctx.string_value(index) {
                    return self.trace_field(object, &key, depth + 1);
                }
                // `CHARSET[Math.floor(Math.random() * CHARSET.length)]`: a predictable pick.
                self.trace(index, depth + 1).filter(Traced::predictable)
            }
            View::Call {
                callee,
                args,
                is_new,
            } => self.trace_call(node, callee, &args, is_new, depth),
            View::Or(a, b)
            | View::Conditional {
                then: a,
                otherwise: b,
                ..
            } => {
                let options: Vec<Traced> = [a, b]
                    .into_iter()
                    .filter_map(|n| self.trace(n, depth + 1))
                    .collect();
                weakest(options)
            }
            View::Other => {
                // Arithmetic and other operators: a predictable operand makes a predictable value. A
                // comparison gives a boolean, never a verifier (its operator is one of the node's tokens:
                // the text of a whole expression may be long, and its strings may hold any operator).
                let comparison = (0..node.child_count()).any(|i| {
                    node.child(i).is_some_and(|c| {
                        !c.is_named()
                            && matches!(
                                self.ctx.text(c),
                                "<" | ">" | "<=" | ">=" | "==" | "!=" | "===" | "!==" | "in" | "is"
                            )
                    })
                });
                if comparison {
                    return None;
                }
                (0..node.named_child_count().min(4))
                    .filter_map(|i| node.named_child(i as u32))
                    .filter(|c| !self.ctx.d.is_comment(*c))
                    .filter_map(|c| self.trace(c, depth + 1))
                    .find(Traced::predictable)
            }
            _ => None,
        }
    }

    /// The parts of a string expression: holes and literal-free subexpressions.
    fn leaves(&self, node: Node<'t>, out: &mut Vec<Node<'t>>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Str(parts) => {
                for p in parts {
                    if let StrPart::Hole(h) = p {
                        self.leaves(h, out, depth + 1);
                    }
                }
            }
            View::Add(a, b) => {
                self.leaves(a, out, depth + 1);
                self.leaves(b, out, depth + 1);
            }
            View::Adjacent(nodes) => {
                for n in nodes {
                    self.leaves(n, out, depth + 1);
                }
            }
            View::Percent(fmt, args) => {
                self.leaves(fmt, out, depth + 1);
                match self.view(self.unwrap(args)) {
                    View::Array(items) => out.extend(items),
                    _ => out.push(args),
                }
            }
            _ => out.push(node),
        }
    }

    /// A value built from parts: a hard-coded literal, or the randomness of its parts added up.
    fn concat(&self, whole: Node<'t>, leaves: &[Node<'t>], depth: usize) -> Option<Traced> {
        let mut traced = Vec::new();
        for &leaf in leaves {
            // Constant text (`CLIENT_ID`, `"mcp-"`) adds nothing to a value that has other parts.
            if self.ctx.is_constant(leaf) {
                continue;
            }
            let t = self.trace(leaf, depth + 1)?;
            // A constant part adds nothing; it is not the source of a value that has other parts.
            if t.entropy.source != EntropySource::Literal {
                traced.push(t);
            }
        }
        if traced.is_empty() {
            let text = self.ctx.string_value(whole)?;
            return (looks_like_verifier(&text) && !is_placeholder(&text)).then(|| {
                Traced::new(
                    EntropySource::Literal,
                    "a hard-coded string".into(),
                    span(whole),
                    None,
                )
            });
        }
        if traced.iter().all(Traced::predictable) {
            return traced.into_iter().next();
        }
        let random: Vec<Traced> = traced.into_iter().filter(|t| !t.predictable()).collect();
        let total = random
            .iter()
            .map(Traced::bits)
            .fold(0u32, u32::saturating_add);
        let mut first = random.into_iter().next()?;
        if total > first.bits() {
            first.entropy.source = EntropySource::CsprngChars {
                count: total,
                alphabet: 2,
            };
            first.entropy.truncated = None;
        }
        first.per_char = None;
        Some(first)
    }

    /// The value of a variable: once per variable (scope and name), however many times it is used.
    fn trace_ident(&self, name: &'t str, at: Node<'t>, depth: usize) -> Option<Traced> {
        if self.ctx.ix.imports.contains_key(name) {
            return None;
        }
        let (scope, bindings) = self.ctx.lookup(name, at)?;
        self.remembered(&self.names, (scope.id(), name), || {
            self.trace_bindings(bindings, depth)
        })
    }

    fn trace_bindings(&self, bindings: &[super::Binding<'t>], depth: usize) -> Option<Traced> {
        self.visited.set(self.visited.get() + bindings.len());
        match bindings {
            [only] if !only.append => match only.field {
                Some(f) => self.trace_field(only.value, f, depth + 1),
                None => self.trace(only.value, depth + 1),
            },
            [first, rest @ ..]
                if !first.append && first.field.is_none() && rest.iter().all(|b| b.append) =>
            {
                let mut leaves = Vec::new();
                for b in bindings {
                    self.leaves(b.value, &mut leaves, depth + 1);
                }
                self.concat(first.value, &leaves, depth)
            }
            _ => {
                // Reassigned: each assignment is a possible value.
                let options: Vec<Traced> = bindings
                    .iter()
                    .filter(|b| !b.append)
                    .filter_map(|b| match b.field {
                        Some(f) => self.trace_field(b.value, f, depth + 1),
                        None => self.trace(b.value, depth + 1),
                    })
                    .collect();
                weakest(options)
            }
        }
    }

    /// The value of `node.field`: once per expression, field and file.
    fn trace_field(&self, node: Node<'t>, field: &str, depth: usize) -> Option<Traced> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        self.remembered(&self.fields, (node.id(), field.to_string()), || {
            self.trace_field_new(node, field, depth)
        })
    }

    fn trace_field_new(&self, node: Node<'t>, field: &str, depth: usize) -> Option<Traced> {
        match self.view(node) {
            View::Object(entries) => entries.into_iter().find_map(|e| match e {
                Entry::Pair(Key::Name(k, _), v) if k == field => self.trace(v, depth + 1),
                _ => None,
            }),
            // `return verifier, challenge` / `return [verifier, challenge]` for a positional pattern.
            View::Array(items) => {
                let i = super::POSITIONS.iter().position(|p| *p == field)?;
                self.trace(*items.get(i)?, depth + 1)
            }
            View::Ident(name) if !self.ctx.ix.imports.contains_key(name) => {
                let (_, bindings) = self.ctx.lookup(name, node)?;
                match bindings {
                    [only] if !only.append && only.field.is_none() => {
                        self.trace_field(only.value, field, depth + 1)
                    }
                    _ => None,
                }
            }
            View::Call { callee, .. } => {
                let q = self.qualified(callee);
                if let Some(t) = self.trusted(&q, node) {
                    return is_verifier_name(field).then_some(t);
                }
                let helpers = self.same_file_functions(callee)?;
                self.trace_helpers(helpers, Some(field), depth)
            }
            _ => None,
        }
    }

    /// Library helpers known to produce compliant verifiers.
    fn trusted(&self, q: &str, call: Node<'t>) -> Option<Traced> {
        let last = last_segment(q);
        let library = if q.starts_with("pkce-challenge") {
            "pkce-challenge"
        } else if matches!(last, "generateRandomCodeVerifier") {
            "oauth4webapi"
        } else if matches!(last, "randomPKCECodeVerifier")
            || (q.starts_with("openid-client") && contains_ci(q, "codeVerifier"))
        {
            "openid-client"
        } else if q.starts_with("mcp.") && contains_ci(q, "pkce") {
            "the MCP Python SDK"
        } else {
            return None;
        };
        Some(Traced::new(
            EntropySource::TrustedHelper(library.into()),
            library.to_string(),
            span(call),
            Some(6),
        ))
    }

    fn number_arg(&self, args: &[Arg<'t>], position: usize, keyword: &str) -> Option<Option<u32>> {
        match Ctx::<D>::arg(args, position, keyword) {
            None => Some(None),
            Some(n) => {
                let v = self.ctx.number_value(n, 0)?;
                (0.0..=1e6).contains(&v).then_some(Some(v as u32))
            }
        }
    }

    fn described(&self, q: &str, args: &[Arg<'t>], is_new: bool) -> String {
        // `nanoid.nanoid` (a named import of the same name) reads better as `nanoid`.
        let q = match q.split_once('.') {
            Some((m, f)) if m == f => f,
            _ => q,
        };
        let new = if is_new { "new " } else { "" };
        let args: Vec<String> = args
            .iter()
            .map(|a| match a {
                Arg::Positional(n) | Arg::Spread(n) => self.ctx.text(*n).to_string(),
                Arg::Keyword(k, n) => format!("{k}={}", self.ctx.text(*n)),
            })
            .collect();
        let mut joined = args.join(", ");
        if joined.len() > 40 {
            joined = "…".into();
        }
        format!("{new}{q}({joined})")
    }

    fn trace_call(
        &self,
        node: Node<'t>,
        callee: Node<'t>,
        args: &[Arg<'t>],
        is_new: bool,
        depth: usize,
    ) -> Option<Traced> {
        let q = self.qualified(callee);
        let last = last_segment(&q);
        let here = span(node);
        if let Some(t) = self.trusted(&q, node) {
            return Some(t);
        }
        if let Some(t) = self.source(&q, args, is_new, here) {
            return Some(t);
        }
        let callee_u = self.unwrap(callee);
        if let View::Member { object, property } = self.view(callee_u) {
            let first = Ctx::<D>::arg(args, 0, "");
            match property {
                "slice" | "substring" | "substr" => {
                    let t = self.trace(object, depth + 1)?;
                    let (start, end) = (first, Ctx::<D>::arg(args, 1, ""));
                    // `substring` clamps a negative start to 0; `slice` and `substr` count it from the end.
                    return Some(self.truncate(
                        t,
                        node,
                        start,
                        end,
                        property == "substr",
                        property != "substring",
                    ));
                }
                "update" => {
                    // Hash data: a hash of predictable inputs is predictable.
                    let t = self.trace(first?, depth + 1)?;
                    return Some(hashed(t));
                }
                "encode" if first.is_some() => {
                    // `new TextEncoder().encode(v)`.
                    return self.trace(first?, depth + 1);
                }
                // `ALPHABET.charAt(Math.floor(Math.random() * n))`: a predictable pick.
                "charAt" | "at" | "codePointAt" => {
                    return self.trace(first?, depth + 1).filter(Traced::predictable);
                }
                "join" if matches!(self.view(self.unwrap(object)), View::Str(_)) => {
                    return self.trace_join(first?, depth);
                }
                p if PASS_METHODS.contains(&p) => {
                    let enc = first
                        .and_then(|a| {
                            self.ctx
                                .string_value(a)
                                .or_else(|| self.ctx.number_value(a, 0).map(|n| n.to_string()))
                        })
                        .and_then(|e| encoding_bits(&e))
                        .or(match p {
                            "hex" | "hexdigest" => Some(4),
                            _ => None,
                        });
                    return self.trace(object, depth + 1).map(|t| t.encoded(enc));
                }
                _ => {}
            }
        }
        if HASHES.contains(&last) {
            let data = Ctx::<D>::arg(args, 0, "string")?;
            return self.trace(data, depth + 1).map(hashed);
        }
        // `Array.from(bytes, (b) => b.toString(16)).join("")` keeps the bytes' randomness;
        // `Array.from({ length: 64 }, () => ALPHABET[Math.floor(Math.random() * n)])` is a predictable pick.
        if q == "Array.from" {
            let source = Ctx::<D>::arg(args, 0, "")?;
            if let Some(t) = self.trace(source, depth + 1) {
                return Some(t);
            }
            let map = self.unwrap(Ctx::<D>::arg(args, 1, "")?);
            return self
                .returned(map)
                .into_iter()
                .filter_map(|r| self.trace(r, depth + 1))
                .find(Traced::predictable);
        }
        if let Some(helpers) = self.same_file_functions(callee) {
            if let Some(t) = self.trace_helpers(helpers, None, depth) {
                return Some(t);
            }
            // A helper that encodes its argument (`base64url(bytes)`) keeps the argument's randomness.
            let enc = encoder_name(last)?;
            return self
                .trace(Ctx::<D>::arg(args, 0, "")?, depth + 1)
                .map(|t| t.encoded(Some(enc)));
        }
        if PASS_FUNCTIONS.contains(&last) || encoder_name(last).is_some() {
            let enc = encoder_name(last);
            return self
                .trace(Ctx::<D>::arg(args, 0, "")?, depth + 1)
                .map(|t| t.encoded(enc));
        }
        None
    }

    /// `"".join(pick() for _ in range(n))`, `"".join(choices(alphabet, k=n))`.
    fn trace_join(&self, arg: Node<'t>, depth: usize) -> Option<Traced> {
        let Some((body, iterable)) = self.ctx.d.repeated(arg) else {
            return self.trace(arg, depth + 1);
        };
        let t = self.trace(body, depth + 1)?;
        if t.predictable() {
            return Some(t);
        }
        let count = self.range_count(iterable)?;
        let mut t = t;
        t.entropy.source = match t.entropy.source {
            EntropySource::CsprngBytes(n) => EntropySource::CsprngBytes(n.saturating_mul(count)),
            EntropySource::CsprngChars { count: c, alphabet } => EntropySource::CsprngChars {
                count: c.saturating_mul(count),
                alphabet,
            },
            EntropySource::Uuid { bits } => EntropySource::Uuid {
                bits: bits.saturating_mul(count),
            },
            EntropySource::Nanoid { size } => EntropySource::Nanoid {
                size: size.saturating_mul(count),
            },
            other => other,
        };
        t.span = span(arg);
        Some(t)
    }

    /// The number of items of `range(n)` / `range(a, b)`.
    fn range_count(&self, iterable: Node<'t>) -> Option<u32> {
        let View::Call { callee, args, .. } = self.view(self.unwrap(iterable)) else {
            return None;
        };
        if self.ctx.callee_name(callee) != Some("range") {
            return None;
        }
        let n = |i| {
            Ctx::<D>::arg(&args, i, "")
                .and_then(|a| self.ctx.number_value(a, 0))
                .filter(|v| *v >= 0.0 && *v <= 1e6)
        };
        match args.len() {
            1 => n(0).map(|v| v as u32),
            2 => Some((n(1)? - n(0)?).max(0.0) as u32),
            _ => None,
        }
    }

    /// Applies `slice(start, end)` / `substr(start, length)` / `[start:end]`.
    fn truncate(
        &self,
        mut t: Traced,
        node: Node<'t>,
        start: Option<Node<'t>>,
        end: Option<Node<'t>>,
        end_is_length: bool,
        from_end: bool,
    ) -> Traced {
        let num = |n: Option<Node<'t>>| n.and_then(|n| self.ctx.number_value(n, 0));
        let start = match start {
            None => Some(0.0),
            s => num(s),
        };
        // `v.slice(-16)`, `v.substr(-16)`, `v[-16:]`: the last 16 characters.
        let tail = match (start, end) {
            (Some(s), None) if s < 0.0 && from_end => Some(-s),
            _ => None,
        };
        let chars = match (tail, start, num(end)) {
            (Some(n), _, _) => n,
            (None, Some(start), Some(end)) if start >= 0.0 && end >= 0.0 => {
                if end_is_length {
                    end
                } else {
                    (end - start).max(0.0)
                }
            }
            _ => return t,
        };
        let chars = chars.min(1e6) as u32;
        let strong_before = !t.weak();
        let per_char = t.per_char.unwrap_or(6);
        let cut = Truncation {
            chars,
            bits_per_char: per_char,
        };
        t.entropy.truncated = Some(match t.entropy.truncated {
            Some(prev) if prev.chars * prev.bits_per_char < chars * per_char => prev,
            _ => cut,
        });
        if strong_before && t.weak() {
            t.span = span(node);
        }
        t
    }

    /// Sources of randomness (or of its absence) by qualified callee.
    fn source(&self, q: &str, args: &[Arg<'t>], is_new: bool, here: Span) -> Option<Traced> {
        let last = last_segment(q);
        let described = || self.described(q, args, is_new);
        let t = |source, per_char| Some(Traced::new(source, described(), here, per_char));
        match q {
            "crypto.randomBytes" | "crypto.pseudoRandomBytes" => {
                let n = self.number_arg(args, 0, "size")??;
                return t(EntropySource::CsprngBytes(n), None);
            }
            "crypto.randomUUID" | "uuid.v4" | "uuid" => {
                return t(EntropySource::Uuid { bits: 122 }, Some(4))
            }
            "uuid.v7" => return t(EntropySource::Uuid { bits: 74 }, Some(4)),
            "uuid.v1" | "uuid.v6" | "uuid.uuid1" => return t(EntropySource::Clock, Some(4)),
            "uuid.uuid4" => return t(EntropySource::Uuid { bits: 122 }, Some(4)),
            "uuid.uuid3" | "uuid.uuid5" => return t(EntropySource::PredictableHash, Some(4)),
            "nanoid.nanoid" | "nanoid" => {
                let size = self.number_arg(args, 0, "size")?.unwrap_or(21);
                return t(EntropySource::Nanoid { size }, Some(6));
            }
            "Math.random" => return t(EntropySource::InsecurePrng, None),
            "Date.now"
            | "performance.now"
            | "process.hrtime"
            | "process.hrtime.bigint"
            | "process.uptime"
            | "time.time"
            | "time.time_ns"
            | "time.monotonic"
            | "time.monotonic_ns"
            | "time.perf_counter"
            | "time.perf_counter_ns"
            | "datetime.datetime.now"
            | "datetime.datetime.utcnow"
            | "datetime.datetime.today"
            | "datetime.date.today"
            | "os.getpid" => return t(EntropySource::Clock, None),
            "Date" if is_new || args.is_empty() => return t(EntropySource::Clock, None),
            "secrets.token_bytes" | "secrets.token_hex" | "secrets.token_urlsafe" => {
                let n = self.number_arg(args, 0, "nbytes")?.unwrap_or(32);
                let per_char = match last {
                    "token_hex" => Some(4),
                    "token_urlsafe" => Some(6),
                    _ => None,
                };
                return t(EntropySource::CsprngBytes(n), per_char);
            }
            "os.urandom" => {
                let n = self.number_arg(args, 0, "size")??;
                return t(EntropySource::CsprngBytes(n), None);
            }
            "secrets.randbits" => {
                let k = self.number_arg(args, 0, "k")??;
                return t(
                    EntropySource::CsprngChars {
                        count: k,
                        alphabet: 2,
                    },
                    None,
                );
            }
            "secrets.choice" => {
                let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "seq")?, 0)?;
                return t(EntropySource::CsprngChars { count: 1, alphabet }, None);
            }
            _ => {}
        }
        if last == "getRandomValues" && (q == "getRandomValues" || q.starts_with("crypto.")) {
            let bytes = self.typed_array_bytes(Ctx::<D>::arg(args, 0, "")?, 0)?;
            return t(EntropySource::CsprngBytes(bytes), None);
        }
        if q.contains("SystemRandom()") || q.starts_with("secrets.SystemRandom") {
            return match last {
                "choice" => {
                    let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "seq")?, 0)?;
                    t(EntropySource::CsprngChars { count: 1, alphabet }, None)
                }
                "choices" => {
                    let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "population")?, 0)?;
                    let count = self.number_arg(args, usize::MAX, "k")?.unwrap_or(1);
                    t(EntropySource::CsprngChars { count, alphabet }, None)
                }
                _ => None,
            };
        }
        if q == "random.SystemRandom" {
            return None;
        }
        if q.starts_with("random.") || q.starts_with("numpy.random.") {
            return t(EntropySource::InsecurePrng, None);
        }
        if last == "generate_token" && (q.starts_with("authlib") || q.starts_with("oauthlib")) {
            let count = self.number_arg(args, 0, "length")?.unwrap_or(30);
            return t(
                EntropySource::CsprngChars {
                    count,
                    alphabet: 62,
                },
                None,
            );
        }
        if last == "create_code_verifier" {
            let count = self.number_arg(args, 0, "length")??;
            return t(
                EntropySource::CsprngChars {
                    count,
                    alphabet: 66,
                },
                None,
            );
        }
        None
    }

    /// The number of bytes `getRandomValues` fills: `new Uint8Array(n)`.
    fn typed_array_bytes(&self, node: Node<'t>, depth: usize) -> Option<u32> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Call { callee, args, .. } => {
                let width = match self.ctx.callee_name(callee)? {
                    "Uint8Array" | "Int8Array" | "Uint8ClampedArray" => 1,
                    "Uint16Array" | "Int16Array" => 2,
                    "Uint32Array" | "Int32Array" => 4,
                    "BigUint64Array" | "BigInt64Array" => 8,
                    _ => return None,
                };
                let n = self.ctx.number_value(Ctx::<D>::arg(&args, 0, "")?, 0)?;
                (0.0..=1e6).contains(&n).then(|| n as u32 * width)
            }
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.typed_array_bytes(v, depth + 1)
            }
            _ => None,
        }
    }

    /// The number of distinct symbols of an alphabet expression.
    fn alphabet(&self, node: Node<'t>, depth: usize) -> Option<u32> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let Some(n) = string_constant(&self.qualified(node)) {
            return Some(n);
        }
        match self.view(node) {
            View::Add(a, b) => Some(self.alphabet(a, depth + 1)? + self.alphabet(b, depth + 1)?),
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.alphabet(v, depth + 1)
            }
            _ => {
                let s = self.ctx.string_value(node)?;
                let distinct: HashSet<char> = s.chars().collect();
                Some(distinct.len() as u32)
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------
    // Where verifiers are kept
    // ----------------------------------------------------------------------------------------------------

    /// Whether a value is empty or a placeholder (`undefined`, `None`, `""`, a number): clearing a store is
    /// not leaking a verifier.
    fn is_empty_value(&self, node: Node<'t>) -> bool {
        let node = self.unwrap(node);
        match self.view(node) {
            View::Number(_) | View::Bool(_) => true,
            View::Ident(n) => matches!(n, "undefined" | "None" | "null"),
            View::Str(_) => self.ctx.string_value(node).is_some_and(|s| s.is_empty()),
            View::Object(e) => e.is_empty(),
            View::Array(e) => e.is_empty(),
            _ => matches!(
                self.ctx.text(node),
                "null" | "undefined" | "None" | "void 0"
            ),
        }
    }

    /// Whether a value is (or carries) a verifier: `verifier`, `attempt.codeVerifier`, `newVerifier()`,
    /// `{ code_verifier: v }`.
    fn holds_verifier(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > 2 {
            return false;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Ident(name) => {
                is_verifier_name(name)
                    || self
                        .ctx
                        .resolve_ident(name, node)
                        .is_some_and(|v| self.holds_verifier(v, depth + 1))
            }
            View::Member { property, .. } => is_verifier_name(property),
            View::Call { callee, .. } => self
                .ctx
                .callee_name(callee)
                .is_some_and(|n| is_verifier_name(n) && !is_store_name(n)),
            View::Object(entries) => entries.into_iter().any(|e| match e {
                Entry::Pair(Key::Name(k, _), v) => {
                    (is_verifier_name(&k) && !self.is_empty_value(v))
                        || self.holds_verifier(v, depth + 1)
                }
                _ => false,
            }),
            _ => false,
        }
    }

    /// Whether a value (or its `field`) makes a verifier: it traces to a source, or comes from a helper that says
    /// it makes one.
    fn creates_verifier(&self, value: Node<'t>, field: Option<&str>) -> bool {
        let traced = match field {
            Some(f) => self.trace_field(value, f, 0),
            None => self.trace(value, 0),
        };
        traced.is_some() || self.generates_code_verifier(value)
    }

    /// A call to a helper that says it makes a code verifier (`generateCodeVerifier()`, `newPkceVerifier()`),
    /// even from another file. `createVerifier(...)` alone may build a JWT verifier.
    fn generates_code_verifier(&self, value: Node<'t>) -> bool {
        let View::Call { callee, .. } = self.view(self.unwrap(value)) else {
            return false;
        };
        self.ctx.callee_name(callee).is_some_and(|n| {
            is_verifier_name(n)
                && (super::name_has(n, "codeverifier") || super::name_has(n, "pkce"))
                && !is_store_name(n)
        })
    }

    /// Whether writing `value` under `key` stores a verifier.
    fn stores_verifier(&self, key: Option<&str>, value: Node<'t>) -> bool {
        if self.is_empty_value(value) {
            return false;
        }
        key.is_some_and(is_verifier_name) || self.holds_verifier(value, 0)
    }

    /// Whether a name is bound at module level (declared there, or imported).
    fn module_level(&self, name: &'t str, at: Node<'t>) -> bool {
        !self.declared_locally(name, self.ctx.scope_of(at))
            && self.declared_in(self.ctx.root.id(), name)
    }

    /// Whether a module-level name is read inside some function of the file (once per name).
    fn read_in_function(&self, name: &'t str) -> bool {
        if let Some(known) = self.read_in_functions.borrow().get(name) {
            return *known;
        }
        let answer = self.read_in_function_new(name);
        self.read_in_functions.borrow_mut().insert(name, answer);
        answer
    }

    fn read_in_function_new(&self, name: &'t str) -> bool {
        let root = self.ctx.root.id();
        self.ctx.uses_of(name).iter().any(|&u| {
            // A read of the variable itself: not the attribute `x.name`, not a parameter or local that
            // shadows it.
            let attribute = self.ctx.parent(u).is_some_and(
                |p| matches!(self.view(p), View::Member { object, .. } if object.id() != u.id()),
            );
            !attribute
                && self.ctx.enclosing_function(u).is_some()
                && !self.declared_locally(name, self.ctx.scope_of(u))
                && self
                    .ctx
                    .lookup(name, u)
                    .is_some_and(|(scope, _)| scope.id() == root)
        })
    }

    /// Whether a name is declared in `scope` or a function between it and the module.
    fn declared_locally(&self, name: &'t str, mut scope: Node<'t>) -> bool {
        let root = self.ctx.root.id();
        while scope.id() != root {
            if self.declared_in(scope.id(), name)
                || self.ctx.d.parameters(scope, self.ctx.src).contains(&name)
            {
                return true;
            }
            scope = self.ctx.scope_of(scope);
        }
        false
    }

    /// Whether the scope declares the name (with or without a value).
    fn declared_in(&self, scope: usize, name: &'t str) -> bool {
        self.ctx
            .ix
            .bindings
            .get(&(scope, name))
            .is_some_and(|bs| bs.iter().any(|b| b.declares))
            || self.ctx.ix.bare_declarations.contains(&(scope, name))
    }

    /// The name of the class a node is defined in.
    fn enclosing_class(&self, node: Node<'t>) -> Option<&'t str> {
        let mut cur = node;
        while let Some(p) = self.ctx.parent(cur) {
            if let Some(name) = self.ctx.d.class_name(p, self.ctx.src) {
                return Some(name);
            }
            cur = p;
        }
        None
    }

    /// The scope of the object a verifier is written into (`obj.key = v`, `obj[key] = v`).
    fn object_scope(&self, object: Node<'t>, key: &str) -> StoreScope {
        let object = self.unwrap(object);
        let js = self.is_js();
        if let View::Ident(name) = self.view(object) {
            let bound = self.ctx.lookup(name, object).is_some();
            match name {
                // In a static method, `this` is the class itself.
                "this" if js => {
                    let function = self.ctx.enclosing_function(object);
                    if let Some(f) = function.filter(|f| self.ctx.d.is_static_method(*f)) {
                        let class = self.enclosing_class(f).unwrap_or("this");
                        return StoreScope::ClassAttribute(format!("{class}.{key}"));
                    }
                    return StoreScope::Scoped;
                }
                "self" if !js => return StoreScope::Scoped,
                "cls" if !js => return StoreScope::ClassAttribute(format!("cls.{key}")),
                "globalThis" | "global" | "window" | "self" if js && !bound => {
                    return StoreScope::Global(name.to_string())
                }
                "localStorage" if js && !bound => return StoreScope::LocalStorage,
                _ => {}
            }
            if !bound && self.ctx.ix.classes.contains_key(name) {
                return StoreScope::ClassAttribute(format!("{name}.{key}"));
            }
        }
        let q = self.qualified(object);
        if q == "process.env" || q == "os.environ" {
            return StoreScope::Environment;
        }
        if js && q == "localStorage" {
            return StoreScope::LocalStorage;
        }
        let text = self.ctx.text(object);
        if app_state(text) {
            return StoreScope::AppState(text.to_string());
        }
        StoreScope::Scoped
    }

    /// A shared store under a constant key: a module-level map, dict or cache client that is not a session.
    ///
    /// The store must be declared in this module (an imported name may be an HTTP client: `axios.put(url,
    /// body)`), must not be a request being built (`URLSearchParams`, `Headers`, `FormData`), and the write
    /// must happen inside a function: a one-shot script's top-level writes are not shared between logins.
    fn constant_key_store(
        &self,
        receiver: Node<'t>,
        key: Option<&str>,
        at: Node<'t>,
    ) -> Option<StoreScope> {
        let key = key?;
        let receiver = self.unwrap(receiver);
        let View::Ident(name) = self.view(receiver) else {
            return None;
        };
        if contains_ci(name, "session")
            || self.ctx.ix.imports.contains_key(name)
            || !self.module_level(name, receiver)
            || self.ctx.enclosing_function(at).is_none()
        {
            return None;
        }
        if let Some(value) = self.ctx.resolve_ident(name, receiver) {
            if let View::Call { callee, .. } = self.view(self.unwrap(value)) {
                if self.ctx.callee_name(callee).is_some_and(|n| {
                    matches!(
                        n,
                        "URLSearchParams" | "URL" | "Headers" | "FormData" | "Request" | "dict"
                    )
                }) {
                    return None;
                }
            }
        }
        Some(StoreScope::ConstantKey(format!("\"{key}\"")))
    }

    /// Whether a file path is the same for every session and process (no per-session or per-process part).
    /// Once per expression and file.
    fn fixed_path(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        if let Some(known) = self.fixed_paths.borrow().get(&node.id()) {
            return *known;
        }
        if !self.spend() {
            return false;
        }
        // A path that reaches itself is not known to be fixed.
        self.fixed_paths.borrow_mut().insert(node.id(), false);
        let answer = self.fixed_path_new(node, depth);
        self.fixed_paths.borrow_mut().insert(node.id(), answer);
        answer
    }

    fn fixed_path_new(&self, node: Node<'t>, depth: usize) -> bool {
        if let Some((dir, name)) = self.ctx.d.path_join(node) {
            return self.fixed_path(dir, depth + 1) && self.fixed_path(name, depth + 1);
        }
        match self.view(node) {
            View::Str(parts) => parts.iter().all(|p| match p {
                StrPart::Text(..) => true,
                StrPart::Hole(h) => self.fixed_path(*h, depth + 1),
                StrPart::Opaque => false,
            }),
            View::Add(a, b) => self.fixed_path(a, depth + 1) && self.fixed_path(b, depth + 1),
            View::Adjacent(nodes) => nodes.iter().all(|n| self.fixed_path(*n, depth + 1)),
            View::Number(_) => true,
            View::Ident(name) => {
                matches!(name, "__dirname" | "__filename" | "__file__")
                    || self
                        .ctx
                        .resolve_ident(name, node)
                        .is_some_and(|v| self.fixed_path(v, depth + 1))
            }
            View::Member { .. } => {
                let q = self.qualified(node);
                q.starts_with("process.env.")
                    || q.starts_with("import.meta.")
                    || q == "path.sep"
                    || q == "os.sep"
            }
            View::Call { callee, args, .. } => {
                let q = self.qualified(callee);
                matches!(
                    last_segment(&q),
                    "join"
                        | "resolve"
                        | "normalize"
                        | "tmpdir"
                        | "homedir"
                        | "cwd"
                        | "getcwd"
                        | "gettempdir"
                        | "expanduser"
                        | "home"
                        | "Path"
                        | "PurePath"
                        | "dirname"
                        | "abspath"
                        | "realpath"
                        | "fileURLToPath"
                ) && args.iter().all(|a| match a {
                    Arg::Positional(n) => self.fixed_path(*n, depth + 1),
                    _ => false,
                })
            }
            _ => false,
        }
    }

    /// A file write of a verifier: `fs.writeFile(path, v)`, `open(path, "w")` … `.write(v)`,
    /// `Path(path).write_text(v)`. Returns the path expression.
    fn file_write(&self, callee: Node<'t>, args: &[Arg<'t>]) -> Option<(Node<'t>, Node<'t>)> {
        let q = self.qualified(callee);
        let last = last_segment(&q);
        let data = |i| Ctx::<D>::arg(args, i, "");
        if matches!(
            last,
            "writeFile"
                | "writeFileSync"
                | "appendFile"
                | "appendFileSync"
                | "outputFile"
                | "outputFileSync"
                | "writeTextFile"
                | "writeTextFileSync"
        ) && (q.starts_with("fs") || q.starts_with("Deno.") || q.starts_with("fs-extra"))
        {
            return Some((data(0)?, data(1)?));
        }
        if q == "Bun.write" {
            return Some((data(0)?, data(1)?));
        }
        if self.is_js() {
            return None;
        }
        // Python: the receiver is `open(path, …)`, `Path(path)` or a name bound to one.
        let View::Member { object, property } = self.view(self.unwrap(callee)) else {
            return None;
        };
        if !matches!(
            property,
            "write" | "write_text" | "write_bytes" | "writelines"
        ) {
            return None;
        }
        let mut receiver = self.unwrap(object);
        if let View::Ident(name) = self.view(receiver) {
            receiver = self.unwrap(self.ctx.resolve_ident(name, receiver)?);
        }
        // `(CONFIG_DIR / "verifier.txt").write_text(v)`: the receiver is the path.
        if property.starts_with("write_") && self.ctx.d.path_join(receiver).is_some() {
            return Some((receiver, data(0)?));
        }
        let View::Call {
            callee: opener,
            args: open_args,
            ..
        } = self.view(receiver)
        else {
            return None;
        };
        let opener_q = self.qualified(opener);
        let path = match last_segment(&opener_q) {
            "open" | "Path" | "PurePath" => Ctx::<D>::arg(&open_args, 0, "file")?,
            _ => return None,
        };
        Some((path, data(0)?))
    }

    fn writes(&self) -> Vec<VerifierWrite> {
        let ctx = self.ctx;
        let root = ctx.root.id();
        let mut out: Vec<(VerifierWrite, String)> = Vec::new();
        let mut push = |span: Span, scope: StoreScope, what: String| {
            if scope != StoreScope::Scoped {
                out.push((VerifierWrite { span, scope }, what));
            }
        };
        // Names: module-level creation, writes to module variables, class-body attributes.
        for (scope, b) in &ctx.ix.all_bindings {
            let (scope, scope_id) = (*scope, scope.id());
            if matches!(self.view(self.unwrap(b.value)), View::Function) {
                continue;
            }
            let at_module = scope_id == root;
            if b.declares && (at_module || ctx.d.is_class(scope)) {
                if !is_verifier_name(b.name) || self.is_empty_value(b.value) {
                    continue;
                }
                if !self.creates_verifier(b.value, b.field) {
                    continue;
                }
                // A script that runs top to bottom once (the official library examples, ES modules with a
                // top-level `await`) has one login per process; the value is shared only when functions
                // (handlers, callbacks) of a long-lived module read it.
                if at_module && (ctx.ix.top_level_await || !self.read_in_function(b.name)) {
                    continue;
                }
                let scope_kind = if at_module {
                    StoreScope::ModuleInit
                } else {
                    let class = ctx.d.class_name(scope, ctx.src).unwrap_or("class");
                    StoreScope::ClassAttribute(format!("{class}.{}", b.name))
                };
                push(span(b.target), scope_kind, b.name.to_string());
                continue;
            }
            if at_module || !self.stores_verifier(Some(b.name), b.value) {
                continue;
            }
            let module_variable = if b.declares {
                // Python: only `global NAME` makes an assignment in a function write the module's name.
                ctx.ix.globals.contains(&(scope_id, b.name))
            } else {
                self.module_level(b.name, b.target)
            };
            if module_variable {
                push(
                    span(b.target),
                    StoreScope::ModuleVariable(b.name.to_string()),
                    b.name.to_string(),
                );
            }
        }
        for f in &ctx.ix.fields {
            if f.is_static
                && is_verifier_name(f.name)
                && !self.is_empty_value(f.value)
                && self.creates_verifier(f.value, None)
            {
                let class = self.enclosing_class(f.target).unwrap_or("class");
                push(
                    span(f.target),
                    StoreScope::ClassAttribute(format!("{class}.{}", f.name)),
                    format!("{class}.{}", f.name),
                );
            }
        }
        // Members and indexes: `global.v = …`, `process.env.V = …`, `STORE["verifier"] = …`.
        for w in &ctx.ix.member_writes {
            let key = self.write_key(w.target);
            if !self.stores_verifier(key.as_deref(), w.value) {
                continue;
            }
            let (object, dynamic_index) = match self.view(w.target) {
                View::Member { object, .. } => (object, false),
                View::Index { object, .. } => (object, key.is_none()),
                _ => continue,
            };
            let mut scope = self.object_scope(object, key.as_deref().unwrap_or("?"));
            // `app.state.pending[state] = v`: keyed by something per login, whatever holds the map.
            if dynamic_index && matches!(scope, StoreScope::AppState(_)) {
                scope = StoreScope::Scoped;
            }
            let object_text = ctx.text(self.unwrap(object));
            if self.is_js() && matches!(object_text, "exports" | "module.exports") {
                scope = StoreScope::ModuleVariable(ctx.text(w.target).to_string());
            }
            if scope == StoreScope::Scoped {
                if let Some(s) = self.constant_key_store(object, key.as_deref(), w.node) {
                    scope = s;
                }
            }
            push(span(w.node), scope, ctx.text(w.target).to_string());
        }
        // Calls: storage APIs, cache clients, the environment, files.
        for &call in &ctx.ix.calls {
            let View::Call { callee, args, .. } = self.view(call) else {
                continue;
            };
            // Only these methods store anything; the qualified name is worked out for them alone.
            if !ctx
                .callee_name(callee)
                .is_some_and(|n| STORING_CALLS.contains(&n))
            {
                continue;
            }
            let q = self.qualified(callee);
            let arg = |i| Ctx::<D>::arg(&args, i, "");
            let key_of = |n: Option<Node<'t>>| n.and_then(|k| ctx.string_value(k));
            if let Some((path, data)) = self.file_write(callee, &args) {
                if self.holds_verifier(data, 0) && self.fixed_path(path, 0) {
                    push(
                        span(call),
                        StoreScope::FixedFile(ctx.text(path).to_string()),
                        format!("file {}", ctx.text(path)),
                    );
                }
                continue;
            }
            // `os.putenv(...)` or `putenv(...)` imported from `os`.
            if q == "os.putenv" {
                if let (Some(v), key) = (arg(1), key_of(arg(0))) {
                    if self.stores_verifier(key.as_deref(), v) {
                        push(span(call), StoreScope::Environment, format!("env {key:?}"));
                    }
                }
                continue;
            }
            let View::Member { object, property } = self.view(self.unwrap(callee)) else {
                continue;
            };
            let value_at = match property {
                "setItem" | "set" | "put" | "hset" => 1,
                "setex" | "setEx" | "psetex" => 2,
                _ => continue,
            };
            let value_at = if property == "hset" && args.len() == 2 {
                1
            } else {
                value_at
            };
            let (Some(value), key) = (arg(value_at), key_of(arg(0))) else {
                continue;
            };
            if !self.stores_verifier(key.as_deref(), value) {
                continue;
            }
            let receiver = self.qualified(object);
            if receiver.ends_with("sessionStorage") {
                continue;
            }
            if property == "setItem" && receiver == "localStorage" {
                push(
                    span(call),
                    StoreScope::LocalStorage,
                    format!("localStorage {key:?}"),
                );
                continue;
            }
            let text = ctx.text(self.unwrap(object));
            if property == "set"
                && key.is_some()
                && (text == "app" || app_state(text))
                && self.is_js()
            {
                push(
                    span(call),
                    StoreScope::AppState(text.to_string()),
                    format!("{text} {key:?}"),
                );
                continue;
            }
            if let Some(s) = self.constant_key_store(object, key.as_deref(), call) {
                push(span(call), s, format!("{text} {key:?}"));
            }
        }
        // Once per leaked verifier: the first write to each store, and a module-level variable created with
        // its verifier is reported at the declaration only.
        out.sort_by_key(|(w, _)| w.span);
        let created: HashSet<String> = out
            .iter()
            .filter(|(w, _)| w.scope == StoreScope::ModuleInit)
            .map(|(_, what)| what.clone())
            .collect();
        out.retain(
            |(w, _)| !matches!(&w.scope, StoreScope::ModuleVariable(n) if created.contains(n)),
        );
        let mut seen = HashSet::new();
        out.into_iter()
            .filter(|(w, what)| seen.insert((format!("{:?}", w.scope), what.clone())))
            .map(|(w, _)| w)
            .collect()
    }
}

/// Application-wide state: `app.locals`, `app.config`, `request.app.state`, `app.settings`.
fn app_state(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').map(str::trim).collect();
    parts.windows(2).any(|w| {
        matches!(w[0], "app" | "application" | "_app")
            && matches!(w[1], "locals" | "config" | "state" | "settings" | "extra")
    }) || matches!(parts.last(), Some(&"locals")) && parts.len() == 2 && parts[0] == "app"
}

/// Leading verbs of helpers that take or check a verifier rather than make one.
const ACTING_VERBS: &[&str] = &[
    "remember",
    "save",
    "store",
    "persist",
    "cache",
    "put",
    "set",
    "write",
    "delete",
    "clear",
    "remove",
    "validate",
    "verify",
    "check",
    "is",
    "has",
    "should",
    "can",
    "send",
    "exchange",
    "use",
    "handle",
    "with",
    "on",
    "to",
    "from",
    "parse",
    "serialize",
    "encode",
    "decode",
    "hash",
];

/// Whether a function's name starts with a verb that acts on a verifier (`saveCodeVerifier`,
/// `is_verifier_expired`).
fn acts_on_a_verifier(name: &str) -> bool {
    ACTING_VERBS.contains(&first_word(name.trim_start_matches('_')).as_str())
}

/// The calls `writes` looks at: file writes, the environment, storage and cache clients.
const STORING_CALLS: &[&str] = &[
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "outputFile",
    "outputFileSync",
    "writeTextFile",
    "writeTextFileSync",
    "write",
    "write_text",
    "write_bytes",
    "writelines",
    "putenv",
    "setItem",
    "set",
    "put",
    "hset",
    "setex",
    "setEx",
    "psetex",
];

/// The hash of a traced value: a hash of predictable inputs is predictable, and says so.
fn hashed(mut t: Traced) -> Traced {
    if t.predictable() {
        t.entropy.described = format!("a hash of {}", t.entropy.described);
        t.entropy.source = EntropySource::PredictableHash;
    }
    t.per_char = None;
    t
}

/// Names of stores and factories that contain `verifier` without being one (`createVerifierStore()`).
fn is_store_name(name: &str) -> bool {
    ["store", "cache", "factory", "registry", "map"]
        .iter()
        .any(|w| contains_ci(name, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_names_exclude_other_verifiers() {
        for name in [
            "codeVerifier",
            "code_verifier",
            "PKCE_VERIFIER",
            "pendingVerifier",
            "verifier",
        ] {
            assert!(is_verifier_name(name), "{name}");
        }
        for name in [
            "tokenVerifier",
            "id_token_verifier",
            "oauth_verifier",
            "JwtVerifier",
            "verify",
            "codeChallenge",
        ] {
            assert!(!is_verifier_name(name), "{name}");
        }
        for name in [
            "verifierKey",
            "VERIFIER_TTL_MS",
            "verifier_expires_at",
            "codeVerifierLength",
        ] {
            assert!(!is_verifier_name(name), "{name}");
        }
        for name in [
            "verifierForEnvironment",
            "randomVerifierChars",
            "_new_verifier",
        ] {
            assert!(is_verifier_name(name), "{name}");
        }
        assert!(acts_on_a_verifier("rememberVerifier"));
        assert!(acts_on_a_verifier("saveCodeVerifier"));
        assert!(acts_on_a_verifier("is_verifier_expired"));
        assert!(!acts_on_a_verifier("makeVerifier"));
        assert!(!acts_on_a_verifier("_new_verifier"));
        assert!(ends_with_param(
            "https://as/authorize?code_challenge=",
            "code_challenge"
        ));
        assert!(ends_with_param("&code_challenge=", "code_challenge"));
        assert!(ends_with_param("code_challenge=", "code_challenge"));
        assert!(!ends_with_param(
            "&code_challenge_method=",
            "code_challenge"
        ));
        assert!(!ends_with_param("&xcode_challenge=", "code_challenge"));
        assert!(!ends_with_param("&code_challenge", "code_challenge"));
        assert!(is_challenge_name("code_challenge"));
        assert!(!is_challenge_name("code_challenge_method"));
        assert!(!is_challenge_name("code_challenge_methods_supported"));
    }

    #[test]
    fn literals_that_cannot_be_verifiers_are_not_hard_coded_verifiers() {
        assert!(looks_like_verifier(
            "dev-fixed-verifier-0123456789abcdefghijklmnopqrstuv"
        ));
        assert!(!looks_like_verifier(""));
        assert!(!looks_like_verifier("mcp_code_verifier"));
        assert!(!looks_like_verifier(
            "the PKCE code verifier is kept in the session of the user"
        ));
        assert!(is_placeholder("dummy_verifier"));
        assert!(!is_placeholder("dev-fixed-verifier-0123456789"));
    }

    #[test]
    fn qualified_names_drop_node_and_global_prefixes() {
        assert_eq!(
            normalize("node:crypto.randomBytes", true),
            "crypto.randomBytes"
        );
        assert_eq!(
            normalize("window.crypto.randomUUID", true),
            "crypto.randomUUID"
        );
        assert_eq!(
            normalize("globalThis.crypto.webcrypto.getRandomValues", true),
            "crypto.getRandomValues"
        );
        assert_eq!(last_segment("random.SystemRandom().choice"), "choice");
    }

    #[test]
    fn application_state_is_recognised_by_its_path() {
        for text in [
            "app.locals",
            "app.config",
            "request.app.state",
            "req.app.locals",
        ] {
            assert!(app_state(text), "{text}");
        }
        for text in ["req.session", "this.state", "appState", "application"] {
            assert!(!app_state(text), "{text}");
        }
    }

    #[test]
    fn weakest_prefers_a_weak_path() {
        let t = |source, bits| {
            let mut t = Traced::new(source, String::new(), Span::new(bits, bits + 1), None);
            t.per_char = None;
            t
        };
        let picked = weakest(vec![
            t(EntropySource::CsprngBytes(32), 1),
            t(EntropySource::Uuid { bits: 122 }, 2),
        ])
        .unwrap();
        assert_eq!(picked.span.start, 2);
        assert!(weakest(Vec::new()).is_none());
    }
}
