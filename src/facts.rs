//! The language-neutral facts that extractors produce and rules consume. Nothing here knows tree-sitter.
//! Every fact carries a `Span` (0-based byte offsets into the file's text, BOM excluded).

pub use crate::summary::Foreign;

/// A byte range in a file's text. Conversion to lines and columns happens once, in `source::LineIndex`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Everything the rules need to know about one file.
#[derive(Clone, Debug, Default)]
pub struct FileFacts {
    /// The language family of the file, so that fixes are written in its terms.
    pub family: Family,
    pub requests: Vec<AuthRequest>,
    pub plain_methods: Vec<PlainMethod>,
    pub verifier_sources: Vec<VerifierSource>,
    pub verifier_writes: Vec<VerifierWrite>,
    pub unverified_callbacks: Vec<UnverifiedCallback>,
    pub reusable_codes: Vec<ReusableCode>,
    pub challenge_comparisons: Vec<ChallengeComparison>,
    pub optional_pkce: Vec<OptionalPkce>,
    /// Optional verification in a file that shows no authorization endpoint: the project phase joins it
    /// with the authorization side of another module of the same package (`project::flows`).
    pub pending_pkce: Vec<OptionalPkce>,
    /// What the file's authorization endpoint does about a missing `code_challenge`, for the token
    /// endpoints of other modules.
    pub challenge_side: Option<ChallengeSide>,
    pub unvalidated_redirects: Vec<UnvalidatedRedirect>,
    pub code_lifetimes: Vec<CodeLifetime>,
    pub suppressions: Vec<Suppression>,
}

impl FileFacts {
    /// Whether the analyses found nothing at all (no fact, no suppression comment).
    pub fn is_empty(&self) -> bool {
        // Destructured, so that a new kind of fact cannot be left out here (a file whose only facts were
        // left out lost its text, and its findings were located at 1:1).
        let FileFacts {
            family: _,
            requests,
            plain_methods,
            verifier_sources,
            verifier_writes,
            unverified_callbacks,
            reusable_codes,
            challenge_comparisons,
            optional_pkce,
            pending_pkce,
            challenge_side,
            unvalidated_redirects,
            code_lifetimes,
            suppressions,
        } = self;
        requests.is_empty()
            && plain_methods.is_empty()
            && verifier_sources.is_empty()
            && verifier_writes.is_empty()
            && unverified_callbacks.is_empty()
            && reusable_codes.is_empty()
            && challenge_comparisons.is_empty()
            && optional_pkce.is_empty()
            && pending_pkce.is_empty()
            && challenge_side.is_none()
            && unvalidated_redirects.is_empty()
            && code_lifetimes.is_empty()
            && suppressions.is_empty()
    }
}

/// The language family a file belongs to (JavaScript and TypeScript share theirs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Family {
    #[default]
    JavaScript,
    Python,
}

/// How an authorization request was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestForm {
    /// An object literal or dict used as query parameters.
    Container,
    /// A `URLSearchParams` / `URL.searchParams` filled with `.set` / `.append`.
    Builder,
    /// A string (literal, template, f-string, format, concatenation) holding `response_type=code`.
    String,
    /// A library call that builds the authorization URL; the name is what the user wrote, resolved.
    Library(String),
}

/// Whether something (PKCE, `state`) is provided for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provision {
    /// Nothing in the request or the library provides it.
    Missing,
    /// The request carries the parameter.
    InRequest,
    /// The library adds it (by default or through an option).
    ByLibrary,
    /// Parameters come from somewhere the extractor cannot see (a spread of an unknown object, an interpolated
    /// query fragment); precision comes first, so this is treated as present.
    Unknown,
}

impl Provision {
    pub fn is_missing(self) -> bool {
        self == Provision::Missing
    }
}

/// The front-channel request of the authorization-code flow.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    /// The `response_type` entry, or the library call.
    pub span: Span,
    pub form: RequestForm,
    pub pkce: Provision,
    pub state: Provision,
}

/// Where a `"plain"` PKCE method appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainSite {
    /// A client sends `code_challenge_method=plain` (in a container, a string or a library option).
    ClientParam,
    /// Server metadata (`code_challenge_methods_supported`) lists `plain`.
    ServerMetadata,
    /// A branch taken when the method is `plain`.
    ServerBranch,
    /// A missing method defaults to `plain`.
    ServerDefault,
    /// A client sends `plain` without naming it: a library or helper it calls defaults to `plain`.
    ClientDefault,
    /// A decision that lets `plain` through: a predicate, a membership test, a validation schema, or a table
    /// of methods used to verify.
    ServerAllows,
    /// An option that enables `plain` is on by default.
    ServerConfig,
}

#[derive(Clone, Debug)]
pub struct PlainMethod {
    /// The `"plain"` literal.
    pub span: Span,
    pub site: PlainSite,
    /// For `ServerBranch`: the branch rejects the request (throws, raises, returns an error or `false`).
    pub rejected: bool,
    /// What the site is, for the message: the library call (`oauthlib prepare_request_uri`), the option
    /// (`allowPlainPkce`), the decision (`a zod enum`).
    pub detail: Option<String>,
}

/// Where the randomness of a verifier comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum EntropySource {
    /// A CSPRNG producing this many random bytes.
    CsprngBytes(u32),
    /// A CSPRNG picking this many characters from an alphabet of `alphabet` symbols.
    CsprngChars { count: u32, alphabet: u32 },
    /// A library helper known to produce a compliant verifier.
    TrustedHelper(String),
    /// A UUID (v4: 122 random bits).
    Uuid { bits: u32 },
    /// nanoid with `size` characters from its 64-symbol alphabet.
    Nanoid { size: u32 },
    /// A non-cryptographic PRNG (`Math.random`, Python `random`): predictable whatever its length.
    InsecurePrng,
    /// A clock or counter.
    Clock,
    /// A value written in the source.
    Literal,
    /// A hash of inputs that are themselves predictable.
    PredictableHash,
}

/// How a verifier's value came to be.
#[derive(Clone, Debug, PartialEq)]
pub struct Entropy {
    pub source: EntropySource,
    /// What the source is called in the code (`crypto.randomUUID()`), for the message.
    pub described: String,
    /// The value was cut to this many characters of an encoding that carries `bits_per_char` bits each.
    pub truncated: Option<Truncation>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Truncation {
    pub chars: u32,
    pub bits_per_char: u32,
}

/// A place where a code verifier's value is produced.
#[derive(Clone, Debug)]
pub struct VerifierSource {
    /// The weak source (inside the helper when a helper produced it), or the truncation.
    pub span: Span,
    pub entropy: Entropy,
    /// Where the value becomes a verifier, when that is elsewhere (the caller of a helper).
    pub used_at: Option<Span>,
    /// Where the value becomes a verifier when that is in another module (the caller of an exported
    /// helper).
    pub used_elsewhere: Option<Foreign>,
}

/// The scope of the store a verifier is written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreScope {
    /// Created at module level, at import time.
    ModuleInit,
    /// One instance for the whole module (`export const auth = new AuthClient()`) of a class that keeps the
    /// verifier in an attribute of its instances (`Class.attribute`).
    Singleton { name: String, holder: String },
    /// A module-level (top-level) variable written from a function.
    ModuleVariable(String),
    /// A class or static attribute.
    ClassAttribute(String),
    /// `globalThis`, `global`, `window`, `self` (browser global).
    Global(String),
    /// `process.env`, `os.environ`, `os.putenv`.
    Environment,
    /// `localStorage`.
    LocalStorage,
    /// `app.locals`, `app.config[...]`, `app.state.x`.
    AppState(String),
    /// A shared cache or map under a constant key.
    ConstantKey(String),
    /// A file at a fixed path.
    FixedFile(String),
    /// Anything scoped to one session, request, instance or call: not a leak.
    Scoped,
}

#[derive(Clone, Debug)]
pub struct VerifierWrite {
    pub span: Span,
    pub scope: StoreScope,
    /// What another module adds that makes this a finding: for a module-level verifier or singleton, the
    /// read by a function of that module; for a write inside a helper, the call that passes the verifier.
    pub elsewhere: Option<Foreign>,
}

/// What is wrong with a callback's handling of the returned `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateGap {
    /// The returned state is never compared with anything.
    NoComparison,
    /// It is compared with a value bound to the login, but the mismatch branch only logs (fail-open).
    LogOnly,
    /// It is only checked for presence.
    PresenceOnly,
    /// It is decoded (base64, JSON, an unverified JWT) and trusted, with no comparison.
    DecodedBlob,
    /// It is compared with a constant.
    Constant,
    /// It is compared only after the code has been exchanged.
    AfterExchange,
}

/// A callback that exchanges an authorization code without checking the returned `state`.
#[derive(Clone, Debug)]
pub struct UnverifiedCallback {
    /// Where the code is read from the redirect (or the exchange call, when the library reads it).
    pub span: Span,
    pub gap: StateGap,
    /// The exchange: the token request's `grant_type` value or the library call.
    pub exchange: Span,
    /// The library call that exchanges the code, resolved (`None` for a token request).
    pub library: Option<String>,
    /// The partial check (the comparison, the presence test, the decoding), if any.
    pub partial: Option<Span>,
    /// The authorization request in the file that sends state, if any.
    pub sent: Option<Span>,
    /// When the exchange is a call of a helper in another module: the helper's name as called here, and
    /// where it exchanges the code.
    pub helper: Option<(String, crate::summary::Foreign)>,
}

/// A token endpoint that looks up the record stored under the submitted authorization code and issues
/// tokens without consuming it (no delete, pop, getdel, used flag or update in its code).
#[derive(Clone, Debug)]
pub struct ReusableCode {
    /// The lookup of the code record (`codes.get(code)`, `store[code]`, `findOne(…)`).
    pub span: Span,
    /// The `"authorization_code"` grant type the endpoint compares the request's with.
    pub endpoint: Span,
}

/// A comparison of the challenge computed from the submitted `code_verifier` (or of the verifier itself, for
/// `plain`) with the stored challenge by `==` / `===` / `!=` / `!==`, in a token endpoint or a verification
/// helper.
#[derive(Clone, Debug)]
pub struct ChallengeComparison {
    /// The comparison.
    pub span: Span,
    /// The side compared is the raw verifier (the `plain` method), not a hash of it.
    pub plain: bool,
}

/// What makes PKCE verification optional in a token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionalOn {
    /// `if (record.codeChallenge) { …verify… }`: a code issued without a challenge skips it.
    StoredChallenge,
    /// `if (code_verifier) { …verify… }`: a request without a verifier skips it.
    SubmittedVerifier,
}

/// A token endpoint that verifies the `code_verifier` only under a condition, with no rejection of the other
/// case, in a file whose authorization endpoint accepts a request without `code_challenge`.
#[derive(Clone, Debug)]
pub struct OptionalPkce {
    /// The condition that makes verification optional.
    pub span: Span,
    pub on: OptionalOn,
    /// The verification it guards.
    pub verification: Span,
    /// Where the authorization endpoint reads the challenge as optional (in this file).
    pub authorize: Span,
    /// The same, when it is another module's (the project phase fills it; `authorize` is then unused).
    pub authorize_elsewhere: Option<crate::summary::Foreign>,
}

/// What an authorization endpoint does about a request without `code_challenge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeSide {
    /// Something requires it (a rejection, a required schema field or parameter, a validation helper).
    Required,
    /// It is read as optional here, and nothing requires it.
    Optional(Span),
}

/// An authorization endpoint that redirects the code to the request's `redirect_uri` with no exact match
/// against the client's registered URIs.
#[derive(Clone, Debug)]
pub struct UnvalidatedRedirect {
    /// The redirect (`res.redirect(…)`, `RedirectResponse(…)`, the `Location` header).
    pub span: Span,
    /// Where the redirect URI is read from the request.
    pub source: Span,
    /// A prefix, substring, pattern or host-only check of the URI, if any.
    pub partial: Option<Span>,
}

/// An issued authorization code stored with a lifetime above ten minutes.
#[derive(Clone, Debug)]
pub struct CodeLifetime {
    /// The expression that sets the expiry.
    pub span: Span,
    /// The lifetime, in seconds.
    pub seconds: f64,
}

/// A `skillaudit-ignore` comment.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// The 1-based line the comment applies to is computed by the report from this span: the comment's own
    /// line when code precedes it there, otherwise the next line.
    pub span: Span,
    /// What the comment says (see `crate::suppress`).
    pub directive: crate::suppress::Directive,
    /// Whether code precedes the comment on its line (a trailing comment).
    pub trailing: bool,
}
