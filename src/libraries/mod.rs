//! The one catalogue of the OAuth libraries skillaudit knows, as data: every analysis that needs library
//! knowledge (authorization requests, the PKCE method, verifiers, callbacks) reads it from here, and
//! `skillaudit libraries` and `docs/libraries.md` print it.
//!
//! An entry says how a library is imported, which calls build an authorization URL or start a flow, what the
//! library adds to that request itself (PKCE with S256, `state`, a nonce) and which options change it, what it
//! sends as the challenge method when the caller names none, and which calls exchange the code (and whether
//! they check `state`). The entries are in `catalogue/` (one file per ecosystem), each with the one-line note of what was verified
//! in the library's source.

mod catalogue;
pub mod holders;
mod render;

pub use catalogue::CATALOGUE;
pub use render::{json, markdown_table};

/// The package registry a library is published on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    PyPI,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
        }
    }
}

/// One OAuth library.
#[derive(Debug)]
pub struct Library {
    /// The name people know it by.
    pub name: &'static str,
    pub ecosystem: Ecosystem,
    /// The packages to install.
    pub packages: &'static [&'static str],
    /// The modules it is imported from, as qualified-name prefixes (`openid-client`, `requests_oauthlib`,
    /// `next-auth/providers/`): an import of `m` or of a module under `m/` or `m.` is this library.
    pub modules: &'static [&'static str],
    /// Calls that build an authorization URL or start the authorization-code flow.
    pub flows: &'static [Flow],
    /// Calls that exchange the authorization code for tokens.
    pub exchanges: &'static [Exchange],
    /// Helpers that make a compliant code verifier (by the name they are exported as; `""`: the module's
    /// default export).
    pub verifier_helpers: &'static [&'static str],
    /// Constructors that take the library's settings (with `response_type` among them) and secure the
    /// flow themselves: an object passed to one is not a request.
    pub settings_for: &'static [&'static str],
    /// Keys that together mark an object as the library's settings, wherever it is passed (an exported
    /// `settings` object in one file, `new UserManager(settings)` in another).
    pub settings_keys: &'static [&'static str],
    /// Where a configuration holds parameters the library adds to its own authorization request (which
    /// secures it as `flows` say): `(outer key, inner key)`, e.g. an Auth.js provider's
    /// `authorization: { params: {...} }`; an empty outer key matches any holder (auth0's
    /// `authorizationParams`).
    pub param_paths: &'static [(&'static str, &'static str)],
    /// Named values the library exports for challenge methods (`CodeChallengeMethod.Plain` = `plain`).
    pub method_constants: &'static [(&'static str, &'static str)],
    /// Names only the library's own source defines: a file that defines one is the library itself, whose
    /// protocol defaults (RFC 7636 makes `plain` the default) are reported where the library is used.
    pub implements: &'static [&'static str],
    /// What was verified in the library's source or documentation.
    pub verified: &'static str,
}

/// How a flow call is recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// A method of an object the library made (`client.authorizationUrl(...)`); `loose`: also when the
    /// receiver cannot be traced, if the file imports the library (clients are often passed around).
    Method {
        name: &'static str,
        loose: bool,
        /// The classes whose instances have the method, by the last name of their constructor (any
        /// object of the library when empty).
        on: &'static [&'static str],
    },
    /// A function or class exported by the library, by its last name (`buildAuthorizationUrl`,
    /// `new OAuth2Strategy(...)`); `""` matches whatever the module exports by default
    /// (`import GitHub from "next-auth/providers/github"`).
    Export(&'static str),
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Call::Method { name, .. } | Call::Export(name) => name,
        }
    }
}

/// Where a flow's options are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Options {
    /// An object (or dict) at this position of the call.
    Object(usize),
    /// Keyword arguments of the call (Python).
    Keywords,
    /// The signature of the call: positional arguments by these names, and keyword arguments.
    Signature(&'static [&'static str]),
    /// Positional arguments named by what they are written with: an option is there when an argument's
    /// name contains it (`createAuthorizationURL(state, codeVerifier, scopes)` has a `verifier`).
    ArgNames,
}

/// A test of one option (in the call's options, the options of the constructor that made the receiver, or
/// the registration that named the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// The option is given with any value.
    Present(&'static str),
    /// The option is given and is not `false`, `None`, `null`, `""` or `0`.
    Truthy(&'static str),
    /// The option is not given at all.
    Absent(&'static str),
    /// The option is a list that holds this value (`checks: ["pkce", "state"]`).
    Lists(&'static str, &'static str),
}

/// What a library does about one part of the request (PKCE, `state`, a nonce).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adds {
    /// Always, whatever the options.
    Always,
    /// Unless one of these options turns it off.
    Unless(&'static [Test]),
    /// Only when one of these options turns it on, or the caller passes it (`Present("code_challenge")`).
    When(&'static [Test]),
    /// Not at all.
    Never,
}

impl Adds {
    /// What the catalogue and the docs say about it.
    pub fn describe(self) -> String {
        let tests = |ts: &[Test]| {
            ts.iter()
                .map(|t| match t {
                    Test::Present(k) => format!("`{k}` given"),
                    Test::Truthy(k) => format!("`{k}` true"),
                    Test::Absent(k) => format!("no `{k}`"),
                    Test::Lists(k, v) => format!("`{k}` lists `{v}`"),
                })
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            Adds::Always => "yes".into(),
            Adds::Unless(ts) => format!("yes, unless {}", tests(ts)),
            Adds::When(ts) => format!("with {}", tests(ts)),
            Adds::Never => "no".into(),
        }
    }

    /// Whether the library adds it with no options at all.
    pub fn by_default(self) -> bool {
        match self {
            Adds::Always | Adds::Unless(_) => true,
            Adds::When(ts) => ts.iter().any(|t| matches!(t, Test::Absent(_))),
            Adds::Never => false,
        }
    }
}

/// A call that builds an authorization URL or starts the flow.
#[derive(Debug)]
pub struct Flow {
    pub call: Call,
    /// Whether the call builds an authorization request (`false` for a challenge helper such as oauthlib's
    /// `create_code_challenge`, read only for its method).
    pub request: bool,
    pub options: Options,
    /// Whether the options that add PKCE are given to the constructor of the receiver (requests-oauthlib's
    /// `OAuth2Session(pkce=...)`): a receiver made elsewhere (a factory, another module) has unknown ones.
    pub options_on_constructor: bool,
    pub pkce: Adds,
    pub state: Adds,
    pub nonce: Adds,
    /// The option that names the challenge method (`code_challenge_method`, `pkce`, `codeChallengeMethod`).
    pub method_option: Option<&'static str>,
    /// What the library sends as the method when the option is left out and a challenge is sent
    /// (`None`: S256, or nothing without a challenge).
    pub method_default: Option<&'static str>,
}

/// What an exchange call checks of the returned state (for `state-not-verified`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// Never: the caller must compare it first.
    Never,
    /// Always, against the state the library stored when it built the authorization URL.
    Always,
    /// When the options object at this argument position has one of these keys (openid-client
    /// `callback(redirectUri, params, { state })`, `authorizationCodeGrant(config, url, { expectedState })`;
    /// an OpenID Connect nonce checked the same way binds the response to the session too, RFC 9700 §4.7.1).
    WithOption {
        position: usize,
        keys: &'static [&'static str],
    },
    /// When the call passes the whole redirect (`authorization_response=`) to a session that knows the state
    /// it sent: created with `state=`, given `state=`, or (`url_keeps_state`) the session that built the
    /// authorization URL (requests-oauthlib keeps `self._state`; authlib's `create_authorization_url` returns
    /// the state without keeping it).
    SessionState { url_keeps_state: bool },
    /// Not an exchange: a call that validates the authorization response, state included, before a separate
    /// exchange, with the expected state at this position (or keyword); the check is off when that argument
    /// is or names `off`, and when it is absent unless `when_absent` (oauth4webapi
    /// `validateAuthResponse(as, client, params, expectedState)` without one expects no state and rejects a
    /// response that carries one; oauthlib's `parse_request_uri_response(uri, state=None)` checks a state
    /// only when given one).
    Validates {
        position: usize,
        keyword: &'static str,
        off: &'static str,
        when_absent: bool,
    },
}

impl Checks {
    /// What the catalogue and the docs say about it.
    pub fn describe(self) -> String {
        let keys = |ks: &[&str]| {
            ks.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            Checks::Never => "no".into(),
            Checks::Always => "yes".into(),
            Checks::WithOption { keys: ks, .. } => format!("with {}", keys(ks)),
            Checks::SessionState {
                url_keeps_state: true,
            } => "with `authorization_response` on the session that sent it".into(),
            Checks::SessionState {
                url_keeps_state: false,
            } => "with `authorization_response` and a `state` on the call or the session".into(),
            Checks::Validates {
                off,
                when_absent: true,
                ..
            } => format!("yes, unless `{off}`"),
            Checks::Validates { keyword, .. } => format!("with `{keyword}` given"),
        }
    }
}

/// A call that exchanges the code for tokens (or validates the response before one).
///
/// The callbacks analysis recognises it only when the callee's qualified name resolves into `module` (the
/// library's modules when empty) and names `receiver`: a bare `client.callback(…)` whose client is not
/// traced to the package is not this library's, so `Call::Method`'s `loose` and `on` are not read here.
#[derive(Debug)]
pub struct Exchange {
    pub call: Call,
    /// The module prefix the callee must resolve into, when not one of the library's `modules`
    /// (the MCP SDK's transports' `finishAuth`).
    pub module: &'static str,
    /// A part the resolved callee must contain (the class whose method redeems a code, when others of the
    /// package share the method name: simple-oauth2's `.AuthorizationCode`).
    pub receiver: &'static str,
    pub checks: Checks,
}

impl Exchange {
    /// Whether the library may leave the state to the caller (`false` for a validator or a call that
    /// always checks).
    pub fn may_skip_state(&self) -> bool {
        !matches!(self.checks, Checks::Always | Checks::Validates { .. })
    }

    /// Whether it validates the response instead of exchanging the code.
    pub fn is_validator(&self) -> bool {
        matches!(self.checks, Checks::Validates { .. })
    }
}

/// An exchange by its method name, redeeming the code with what it checks.
pub const fn exchange(call: Call, checks: Checks) -> Exchange {
    Exchange {
        call,
        module: "",
        receiver: "",
        checks,
    }
}

impl Library {
    /// Whether a qualified name (`openid-client.buildAuthorizationUrl`, `requests_oauthlib.OAuth2Session`)
    /// belongs to this library.
    pub fn owns(&self, qualified: &str) -> bool {
        self.modules.iter().any(|m| module_prefix(qualified, m))
    }
}

/// Whether `qualified` is `module` or something inside it (`module.x`, `module/x`).
pub fn module_prefix(qualified: &str, module: &str) -> bool {
    match qualified.strip_prefix(module) {
        Some("") => true,
        Some(rest) => {
            module.ends_with('/') || module.ends_with('.') || rest.starts_with(['.', '/'])
        }
        None => false,
    }
}

/// The library a qualified name belongs to.
pub fn owner(qualified: &str) -> Option<&'static Library> {
    CATALOGUE.iter().find(|l| l.owns(qualified))
}

/// The value of a method constant a library exports, by qualified name
/// (`google-auth-library.CodeChallengeMethod.Plain` → `plain`).
pub fn method_constant(qualified: &str) -> Option<&'static str> {
    let lib = owner(qualified)?;
    lib.method_constants
        .iter()
        .find(|(name, _)| qualified.ends_with(&format!(".{name}")))
        .map(|(_, v)| *v)
}

/// The flows whose call has this last name, with their library.
pub fn flows_named(name: &str) -> impl Iterator<Item = (&'static Library, &'static Flow)> + '_ {
    CATALOGUE.iter().flat_map(move |l| {
        l.flows
            .iter()
            .filter(move |f| f.call.name() == name || f.call.name().is_empty())
            .map(move |f| (l, f))
    })
}

/// Whether a method name is a catalogued flow's (`client.getAuthCodeUrl(...)`).
pub fn is_flow_method(name: &str) -> bool {
    CATALOGUE
        .iter()
        .flat_map(|l| l.flows.iter())
        .any(|f| matches!(f.call, Call::Method { name: n, .. } if n == name))
}

/// The exchange calls with this last name, with their library.
pub fn exchanges_named(
    name: &str,
) -> impl Iterator<Item = (&'static Library, &'static Exchange)> + '_ {
    CATALOGUE.iter().flat_map(move |l| {
        l.exchanges
            .iter()
            .filter(move |e| e.call.name() == name)
            .map(move |e| (l, e))
    })
}

/// The module prefixes an exchange's callee must resolve into.
pub fn exchange_modules<'a>(lib: &'a Library, e: &'a Exchange) -> &'a [&'static str] {
    if e.module.is_empty() {
        lib.modules
    } else {
        std::slice::from_ref(&e.module)
    }
}

/// The names of exchanges that may leave the state to the caller (for the prefilter: a file that calls one
/// may hold a callback).
pub fn exchange_words() -> impl Iterator<Item = &'static str> {
    CATALOGUE
        .iter()
        .flat_map(|l| l.exchanges.iter())
        // `callback` (openid-client) is too common a word: that library's module name stands for it.
        .filter(|e| matches!(e.checks, Checks::Never | Checks::SessionState { .. }))
        .map(|e| e.call.name())
}

/// The library whose helper makes a compliant verifier, for the helper's qualified name
/// (`oauth4webapi.generateRandomCodeVerifier`, `pkce-challenge`).
pub fn verifier_helper(qualified: &str) -> Option<&'static Library> {
    CATALOGUE.iter().find(|l| {
        l.verifier_helpers.iter().any(|h| {
            l.modules.iter().any(|m| {
                if h.is_empty() {
                    qualified == *m
                } else {
                    module_prefix(qualified, m) && qualified.ends_with(&format!(".{h}"))
                }
            })
        })
    })
}

/// Whether a call with this last name takes a self-securing library's settings.
pub fn takes_settings(name: &str) -> bool {
    CATALOGUE.iter().any(|l| l.settings_for.contains(&name))
}

/// Whether an object with these keys is a self-securing library's settings.
pub fn is_settings(has: impl Fn(&str) -> bool) -> bool {
    CATALOGUE
        .iter()
        .any(|l| !l.settings_keys.is_empty() && l.settings_keys.iter().all(|k| has(k)))
}

/// Whether an object under `outer.inner` of a configuration is parameters a library adds to its request.
pub fn is_library_params(outer: &str, inner: &str) -> bool {
    CATALOGUE.iter().any(|l| {
        l.param_paths
            .iter()
            .any(|(o, i)| *i == inner && (o.is_empty() || *o == outer))
    })
}

/// Whether a name is one only a catalogued library's own source defines.
pub fn implements(name: &str) -> bool {
    CATALOGUE.iter().any(|l| l.implements.contains(&name))
}

/// The literal words that bring a file's library requests into play (for the prefilter): the module names.
/// A flow is recognised only through an import of its library in the same file, so the import's text
/// always holds one of them.
/// The words that make the prefilter parse a file for a catalogued library's flow: a method name when every
/// flow of the library is a method with a distinctive name (`createAuthorizationURL`,
/// `get_authorization_request_url`), the module names when a flow is a constructor, a configuration export
/// or a short method name (`new GitHubStrategy(...)`, next-auth providers). Module names match far more
/// files than flow calls do (`googleapis` is in every Google API URL), and each literal slows the pass that
/// reads every byte.
pub fn prefilter_words() -> Vec<&'static str> {
    const DISTINCT: usize = 12;
    let mut out = Vec::new();
    for l in CATALOGUE.iter().filter(|l| !l.flows.is_empty()) {
        let methods: Option<Vec<&'static str>> = l
            .flows
            .iter()
            .map(|f| match f.call {
                Call::Method { name, .. } if name.len() >= DISTINCT => Some(name),
                _ => None,
            })
            .collect();
        match methods {
            Some(names) => out.extend(names),
            None => out.extend(l.modules.iter().copied()),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

pub fn words() -> impl Iterator<Item = &'static str> {
    CATALOGUE.iter().flat_map(|l| l.modules.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_match_whole_segments() {
        assert!(module_prefix("openid-client", "openid-client"));
        assert!(module_prefix("openid-client.Issuer", "openid-client"));
        assert!(!module_prefix("openid-client-extra.x", "openid-client"));
        assert!(module_prefix(
            "next-auth/providers/github",
            "next-auth/providers/"
        ));
        assert!(module_prefix(
            "authlib.integrations.flask_client",
            "authlib"
        ));
        assert!(!module_prefix("authlibx", "authlib"));
    }

    #[test]
    fn every_entry_is_complete() {
        for l in CATALOGUE {
            assert!(
                !l.packages.is_empty() && !l.modules.is_empty(),
                "{}",
                l.name
            );
            assert!(!l.verified.is_empty(), "{}", l.name);
            for f in l.flows {
                if let Some(d) = f.method_default {
                    assert!(f.method_option.is_some(), "{}: {d}", l.name);
                }
            }
        }
        let names: std::collections::HashSet<_> = CATALOGUE.iter().map(|l| l.name).collect();
        assert_eq!(names.len(), CATALOGUE.len());
    }

    #[test]
    fn constants_resolve_through_the_owner() {
        assert_eq!(
            method_constant("google-auth-library.CodeChallengeMethod.Plain"),
            Some("plain")
        );
        assert_eq!(method_constant("elsewhere.CodeChallengeMethod.Plain"), None);
    }
}
