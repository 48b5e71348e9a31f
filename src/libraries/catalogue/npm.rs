//! The npm entries of the catalogue.

use super::super::Adds::{Always, Never, Unless, When};
use super::super::Call::{Export, Method};
use super::super::Checks::{Validates, WithOption};
use super::super::Ecosystem::Npm;
use super::super::Options::{ArgNames, Object};
use super::super::Test::{Absent, Lists, Present, Truthy};
use super::super::{exchange, Checks, Exchange, Flow, Library};

/// A flow whose request carries only what the caller passes.
const fn passes_through(
    call: super::super::Call,
    options: super::super::Options,
    method: &'static str,
) -> Flow {
    Flow {
        call,
        request: true,
        options,
        options_on_constructor: false,
        pkce: When(&[Present("code_challenge")]),
        state: When(&[Present("state"), Present("nonce")]),
        nonce: When(&[Present("nonce")]),
        method_option: Some(method),
        method_default: None,
    }
}

const PASSPORT: Flow = Flow {
    call: Export(""),
    request: true,
    options: Object(0),
    options_on_constructor: false,
    pkce: When(&[Truthy("pkce")]),
    state: When(&[Truthy("state"), Present("store")]),
    nonce: Never,
    method_option: Some("pkce"),
    method_default: None,
};

const AUTHJS: Flow = Flow {
    call: Export(""),
    request: true,
    options: Object(0),
    options_on_constructor: false,
    pkce: When(&[Absent("checks"), Lists("checks", "pkce")]),
    // Auth.js binds the callback with its `pkce` check cookie when it sends no state (RFC 9700 §4.7.1).
    state: When(&[
        Absent("checks"),
        Lists("checks", "state"),
        Lists("checks", "pkce"),
    ]),
    nonce: When(&[Lists("checks", "nonce")]),
    method_option: None,
    method_default: None,
};

const fn msal_interactive(name: &'static str) -> Flow {
    Flow {
        call: Method {
            name,
            loose: true,
            on: &[],
        },
        request: true,
        options: Object(0),
        options_on_constructor: false,
        pkce: Always,
        state: Always,
        nonce: Always,
        method_option: None,
        method_default: None,
    }
}

const fn oidc_client_ts(name: &'static str) -> Flow {
    Flow {
        call: Export(name),
        request: true,
        options: Object(0),
        options_on_constructor: false,
        pkce: Unless(&[Truthy("disablePKCE")]),
        state: Always,
        nonce: Never,
        method_option: None,
        method_default: None,
    }
}

pub const OPENID_CLIENT: Library = Library {
    name: "openid-client",
    ecosystem: Npm,
    packages: &["openid-client"],
    modules: &["openid-client"],
    flows: &[
        passes_through(Method { name: "authorizationUrl", loose: true, on: &[] }, Object(0), "code_challenge_method"),
        passes_through(Export("buildAuthorizationUrl"), Object(1), "code_challenge_method"),
        passes_through(Export("buildAuthorizationUrlWithPAR"), Object(1), "code_challenge_method"),
    ],
    exchanges: &[
        exchange(Method { name: "callback", loose: false, on: &[] }, WithOption { position: 2, keys: &["state", "nonce"] }),
        exchange(Method { name: "oauthCallback", loose: false, on: &[] }, WithOption { position: 2, keys: &["state", "nonce"] }),
        exchange(Export("authorizationCodeGrant"), WithOption { position: 2, keys: &["expectedState", "expectedNonce"] }),
    ],
    verifier_helpers: &["randomPKCECodeVerifier", "generators.codeVerifier", "codeVerifier"],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "v5 Client#authorizationUrl and v6 buildAuthorizationUrl(config, params) send only the parameters given; callback(..., { state }) and authorizationCodeGrant(..., { expectedState }) compare state",
};

pub const OAUTH4WEBAPI: Library = Library {
    name: "oauth4webapi",
    ecosystem: Npm,
    packages: &["oauth4webapi"],
    modules: &["oauth4webapi"],
    // The caller builds the URL (`new URL(as.authorization_endpoint)` + searchParams): found as a builder.
    flows: &[],
    exchanges: &[
        exchange(Export("validateAuthResponse"), Validates { position: 3, keyword: "", off: "skipStateCheck", when_absent: true }),
        exchange(Export("authorizationCodeGrantRequest"), Checks::Never),
    ],
    verifier_helpers: &["generateRandomCodeVerifier"],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "calculatePKCECodeChallenge computes S256 only; the authorization URL is the caller's; validateAuthResponse(as, client, params, expectedState) checks state",
};

pub const SIMPLE_OAUTH2: Library = Library {
    name: "simple-oauth2",
    ecosystem: Npm,
    packages: &["simple-oauth2"],
    modules: &["simple-oauth2"],
    flows: &[passes_through(Method { name: "authorizeURL", loose: true, on: &[] }, Object(0), "code_challenge_method")],
    // `ClientCredentials` and `ResourceOwnerPassword` have a `getToken` too.
    exchanges: &[Exchange { receiver: ".AuthorizationCode", ..exchange(Method { name: "getToken", loose: false, on: &[] }, Checks::Never) }],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "AuthorizationCode#authorizeURL(params) serialises the params it is given and adds no PKCE or state",
};

pub const GOOGLE_AUTH_LIBRARY: Library = Library {
    name: "google-auth-library",
    ecosystem: Npm,
    packages: &["google-auth-library", "googleapis"],
    modules: &["google-auth-library", "googleapis"],
    flows: &[passes_through(Method { name: "generateAuthUrl", loose: true, on: &[] }, Object(0), "code_challenge_method")],
    exchanges: &[exchange(Method { name: "getToken", loose: false, on: &[] }, Checks::Never)],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[("CodeChallengeMethod.Plain", "plain"), ("CodeChallengeMethod.S256", "S256")],
    implements: &[],
    verified: "OAuth2Client#generateAuthUrl passes code_challenge / code_challenge_method through (enum CodeChallengeMethod { Plain = 'plain', S256 = 'S256' }) and adds no state",
};

pub const PASSPORT_OAUTH2: Library = Library {
    name: "passport-oauth2",
    ecosystem: Npm,
    packages: &["passport-oauth2", "passport-google-oauth20", "passport-github2", "passport-discord"],
    modules: &[
        "passport-oauth2",
        "passport-google-oauth20",
        "passport-google-oauth2",
        "passport-github2",
        "passport-github",
        "passport-facebook",
        "passport-discord",
        "passport-gitlab2",
        "passport-microsoft",
        "passport-spotify",
        "passport-slack-oauth2",
    ],
    flows: &[PASSPORT, Flow { call: Export("Strategy"), ..PASSPORT }, Flow { call: Export("OAuth2Strategy"), ..PASSPORT }],
    exchanges: &[],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "lib/strategy.js: this._pkceMethod = (options.pkce === true) ? 'S256' : options.pkce; state only with options.state or options.store; strategies built on it take the same options",
};

pub const ARCTIC: Library = Library {
    name: "arctic",
    ecosystem: Npm,
    packages: &["arctic"],
    modules: &["arctic"],
    flows: &[
        Flow {
            call: Method { name: "createAuthorizationURL", loose: true, on: &[] },
            request: true,
            options: ArgNames,
            options_on_constructor: false,
            pkce: When(&[Present("verifier")]),
            state: When(&[Present("state")]),
            nonce: Never,
            method_option: None,
            method_default: None,
        },
        Flow {
            call: Method { name: "createAuthorizationURLWithPKCE", loose: true, on: &[] },
            request: true,
            options: ArgNames,
            options_on_constructor: false,
            pkce: Always,
            state: When(&[Present("state")]),
            nonce: Never,
            method_option: Some("CodeChallengeMethod"),
            method_default: None,
        },
    ],
    exchanges: &[exchange(Method { name: "validateAuthorizationCode", loose: false, on: &[] }, Checks::Never)],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[("CodeChallengeMethod.Plain", "plain"), ("CodeChallengeMethod.S256", "S256")],
    implements: &[],
    verified: "v3 providers' createAuthorizationURL(state, codeVerifier?, scopes) add an S256 challenge from the verifier; OAuth2Client.createAuthorizationURLWithPKCE takes CodeChallengeMethod.S256 or .Plain; state is the caller's to check",
};

pub const AUTH_JS_NEXT_AUTH_AUTH_CORE_PROVIDERS: Library = Library {
    name: "Auth.js (next-auth, @auth/core) providers",
    ecosystem: Npm,
    packages: &["next-auth", "@auth/core"],
    modules: &["next-auth/providers/", "@auth/core/providers/"],
    flows: &[AUTHJS],
    exchanges: &[],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[("authorization", "params")],
    method_constants: &[],
    implements: &[],
    verified: "@auth/core providers default to checks: ['pkce'] (S256 challenge in a cookie); checks: ['state'] or ['none'] drops PKCE",
};

pub const OIDC_CLIENT_TS: Library = Library {
    name: "oidc-client-ts",
    ecosystem: Npm,
    packages: &["oidc-client-ts"],
    modules: &["oidc-client-ts"],
    flows: &[oidc_client_ts("UserManager"), oidc_client_ts("OidcClient")],
    exchanges: &[
        exchange(Method { name: "signinCallback", loose: false, on: &[] }, Checks::Always),
        exchange(Method { name: "signinRedirectCallback", loose: false, on: &[] }, Checks::Always),
    ],
    verifier_helpers: &[],
    settings_for: &["UserManager", "OidcClient"],
    settings_keys: &["authority", "client_id", "redirect_uri"],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "OidcClient.createSigninRequest always stores a state and adds an S256 code_challenge unless settings.disablePKCE",
};

pub const MSAL_JS: Library = Library {
    name: "MSAL.js",
    ecosystem: Npm,
    packages: &["@azure/msal-node", "@azure/msal-browser"],
    modules: &["@azure/msal-node", "@azure/msal-browser"],
    flows: &[
        Flow {
            call: Method { name: "getAuthCodeUrl", loose: true, on: &[] },
            request: true,
            options: Object(0),
            options_on_constructor: false,
            pkce: When(&[Present("codeChallenge")]),
            state: Always,
            nonce: Always,
            method_option: Some("codeChallengeMethod"),
            method_default: None,
        },
        msal_interactive("loginRedirect"),
        msal_interactive("loginPopup"),
        msal_interactive("acquireTokenRedirect"),
        msal_interactive("acquireTokenPopup"),
        msal_interactive("acquireTokenInteractive"),
    ],
    exchanges: &[exchange(Method { name: "acquireTokenByCode", loose: false, on: &[] }, Checks::Never)],
    verifier_helpers: &[],
    settings_for: &["PublicClientApplication"],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "msal-node getAuthCodeUrl adds code_challenge only with request.codeChallenge (codeChallengeMethod 'plain' | 'S256'); msal-browser and acquireTokenInteractive generate S256 PKCE and state themselves",
};

pub const MCP_TYPESCRIPT_SDK_CLIENT_AUTH: Library = Library {
    name: "MCP TypeScript SDK client auth",
    ecosystem: Npm,
    packages: &["@modelcontextprotocol/sdk"],
    modules: &["@modelcontextprotocol/sdk/client/auth"],
    flows: &[
        Flow {
            call: Export("startAuthorization"),
            request: true,
            options: Object(1),
            options_on_constructor: false,
            pkce: Always,
            state: When(&[Present("state")]),
            nonce: Never,
            method_option: None,
            method_default: None,
        },
        Flow {
            call: Export("auth"),
            request: true,
            options: Object(1),
            options_on_constructor: false,
            pkce: Always,
            // The provider's `state()` supplies it.
            state: Always,
            nonce: Never,
            method_option: None,
            method_default: None,
        },
    ],
    // The SDK's own flows compare the state (`finishAuth` on its transports, from any of its modules).
    exchanges: &[
        exchange(Export("exchangeAuthorization"), Checks::Never),
        Exchange { module: "@modelcontextprotocol/sdk", ..exchange(Export("auth"), Checks::Always) },
        Exchange { module: "@modelcontextprotocol/sdk", ..exchange(Method { name: "finishAuth", loose: false, on: &[] }, Checks::Always) },
    ],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "src/client/auth.ts startAuthorization: pkceChallenge() with code_challenge_method=S256 always; state only when options.state is given (auth() asks the provider)",
};

pub const PKCE_CHALLENGE: Library = Library {
    name: "pkce-challenge",
    ecosystem: Npm,
    packages: &["pkce-challenge"],
    modules: &["pkce-challenge"],
    flows: &[],
    exchanges: &[],
    verifier_helpers: &["", "default", "generateChallenge"],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "pkceChallenge(length = 43) draws the verifier from crypto.getRandomValues and hashes it with S256 (used by the MCP TypeScript SDK)",
};

pub const AUTH0_SPA_JS: Library = Library {
    name: "auth0-spa-js",
    ecosystem: Npm,
    packages: &["@auth0/auth0-spa-js", "@auth0/auth0-react"],
    modules: &["@auth0/auth0-spa-js", "@auth0/auth0-react"],
    flows: &[Flow {
        call: Method { name: "loginWithRedirect", loose: true, on: &[] },
        request: true,
        options: Object(0),
        options_on_constructor: false,
        pkce: Always,
        state: Always,
        nonce: Always,
        method_option: None,
        method_default: None,
    }],
    exchanges: &[exchange(Method { name: "handleRedirectCallback", loose: false, on: &[] }, Checks::Always)],
    verifier_helpers: &[],
    settings_for: &["createAuth0Client", "Auth0Client"],
    settings_keys: &[],
    param_paths: &[("", "authorizationParams")],
    method_constants: &[],
    implements: &[],
    verified: "Auth0Client.loginWithRedirect always sends an S256 code_challenge, a state and a nonce, and handleRedirectCallback checks the state",
};
