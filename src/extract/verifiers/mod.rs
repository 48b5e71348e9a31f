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

mod identify;
mod sources;
mod store;
mod trace;

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
