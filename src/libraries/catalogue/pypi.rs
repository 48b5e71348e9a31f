//! The PyPI entries of the catalogue.

use super::super::Adds::{Always, Never, When};
use super::super::Call::{Export, Method};
use super::super::Checks::{SessionState, Validates};
use super::super::Ecosystem::PyPI;
use super::super::Options::{Keywords, Signature};
use super::super::Test::{Present, Truthy};
use super::super::{exchange, Checks, Flow, Library};

const OAUTHLIB_URI: &[&str] = &[
    "uri",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

pub const MCP_PYTHON_SDK_CLIENT_AUTH: Library = Library {
    name: "MCP Python SDK client auth",
    ecosystem: PyPI,
    packages: &["mcp"],
    modules: &["mcp.client.auth", "mcp.shared.auth"],
    flows: &[Flow {
        call: Export("OAuthClientProvider"),
        request: true,
        options: Keywords,
        options_on_constructor: false,
        pkce: Always,
        state: Always,
        nonce: Never,
        method_option: None,
        method_default: None,
    }],
    exchanges: &[],
    verifier_helpers: &["PKCEParameters.generate", "generate_pkce"],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "mcp/client/auth: OAuthClientProvider builds every authorization URL with PKCEParameters.generate() (S256) and a secrets.token_urlsafe(32) state, and compares the returned state",
};

pub const REQUESTS_OAUTHLIB: Library = Library {
    name: "requests-oauthlib",
    ecosystem: PyPI,
    packages: &["requests-oauthlib"],
    modules: &["requests_oauthlib"],
    flows: &[Flow {
        call: Method { name: "authorization_url", loose: false, on: &["OAuth2Session"] },
        request: true,
        options: Keywords,
        options_on_constructor: true,
        pkce: When(&[Truthy("pkce"), Present("code_challenge")]),
        state: Always,
        nonce: When(&[Present("nonce")]),
        method_option: Some("pkce"),
        method_default: None,
    }],
    exchanges: &[exchange(Method { name: "fetch_token", loose: false, on: &[] }, SessionState { url_keeps_state: true })],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "OAuth2Session(pkce='S256'|'plain') adds the challenge in authorization_url; a state is generated when none is given and checked by fetch_token(authorization_response=...)",
};

pub const AUTHLIB: Library = Library {
    name: "authlib",
    ecosystem: PyPI,
    packages: &["authlib"],
    modules: &["authlib"],
    flows: &[
        Flow {
            call: Method {
                name: "create_authorization_url",
                loose: false,
                on: &["OAuth2Session", "AsyncOAuth2Client", "OAuth2Client", "OAuth"],
            },
            request: true,
            options: Keywords,
            options_on_constructor: true,
            pkce: When(&[Present("code_challenge_method"), Present("code_challenge")]),
            state: Always,
            nonce: When(&[Present("nonce")]),
            method_option: Some("code_challenge_method"),
            method_default: None,
        },
        Flow {
            call: Method { name: "authorize_redirect", loose: false, on: &[] },
            request: true,
            options: Keywords,
            options_on_constructor: false,
            pkce: When(&[Present("code_challenge_method"), Present("code_challenge")]),
            state: Always,
            nonce: Always,
            method_option: Some("code_challenge_method"),
            method_default: None,
        },
    ],
    // fetch_token: `state = state or self.state`, then parse_authorization_code_response(…, state) raises
    // MismatchingStateException only `if state and params_state != state`; create_authorization_url returns the
    // state it generates without keeping it.
    exchanges: &[
        exchange(Method { name: "authorize_access_token", loose: false, on: &[] }, Checks::Always),
        exchange(Method { name: "fetch_token", loose: false, on: &[] }, SessionState { url_keeps_state: false }),
    ],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &["compare_plain_code_challenge"],
    verified: "OAuth2Session/OAuth2Client add code_challenge only when made with code_challenge_method; the Flask/Starlette/Django clients of oauth.register(..., client_kwargs={'code_challenge_method': 'S256'}) make the verifier in authorize_redirect; state always generated",
};

pub const GOOGLE_AUTH_OAUTHLIB: Library = Library {
    name: "google-auth-oauthlib",
    ecosystem: PyPI,
    packages: &["google-auth-oauthlib"],
    modules: &["google_auth_oauthlib"],
    flows: &[
        Flow {
            call: Method { name: "authorization_url", loose: false, on: &[] },
            request: true,
            options: Keywords,
            options_on_constructor: true,
            pkce: When(&[Truthy("autogenerate_code_verifier"), Present("code_verifier"), Present("code_challenge")]),
            state: Always,
            nonce: Never,
            method_option: Some("code_challenge_method"),
            method_default: None,
        },
        Flow {
            call: Method { name: "run_local_server", loose: false, on: &[] },
            request: true,
            options: Keywords,
            options_on_constructor: true,
            pkce: When(&[Truthy("autogenerate_code_verifier"), Present("code_verifier")]),
            state: Always,
            nonce: Never,
            method_option: None,
            method_default: None,
        },
    ],
    exchanges: &[exchange(Method { name: "fetch_token", loose: false, on: &[] }, SessionState { url_keeps_state: true })],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "Flow.authorization_url sends an S256 challenge when autogenerate_code_verifier or code_verifier is set (from_client_config pops autogenerate_code_verifier with default None); state from requests-oauthlib",
};

pub const MSAL: Library = Library {
    name: "msal",
    ecosystem: PyPI,
    packages: &["msal"],
    modules: &["msal"],
    flows: &[
        Flow {
            call: Method { name: "initiate_auth_code_flow", loose: false, on: &[] },
            request: true,
            options: Keywords,
            options_on_constructor: false,
            pkce: Always,
            state: Always,
            nonce: Always,
            method_option: None,
            method_default: None,
        },
        Flow {
            call: Method { name: "get_authorization_request_url", loose: false, on: &[] },
            request: true,
            options: Signature(&["scopes", "login_hint", "state"]),
            options_on_constructor: false,
            pkce: When(&[Present("code_challenge")]),
            state: When(&[Present("state")]),
            nonce: When(&[Present("nonce")]),
            method_option: Some("code_challenge_method"),
            method_default: None,
        },
    ],
    exchanges: &[
        exchange(Method { name: "acquire_token_by_auth_code_flow", loose: false, on: &[] }, Checks::Always),
        exchange(Method { name: "acquire_token_by_authorization_code", loose: false, on: &[] }, Checks::Never),
    ],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "ClientApplication.initiate_auth_code_flow generates an S256 challenge, state and nonce that acquire_token_by_auth_code_flow checks; get_authorization_request_url sends only what it is given",
};

pub const HTTPX_OAUTH: Library = Library {
    name: "httpx-oauth",
    ecosystem: PyPI,
    packages: &["httpx-oauth"],
    modules: &["httpx_oauth"],
    flows: &[Flow {
        call: Method { name: "get_authorization_url", loose: false, on: &[] },
        request: true,
        options: Signature(&["redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]),
        options_on_constructor: false,
        pkce: When(&[Present("code_challenge")]),
        state: When(&[Present("state")]),
        nonce: Never,
        method_option: Some("code_challenge_method"),
        method_default: None,
    }],
    exchanges: &[exchange(Method { name: "get_access_token", loose: false, on: &[] }, Checks::Never)],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &[],
    verified: "BaseOAuth2.get_authorization_url(redirect_uri, state=None, scope=None, code_challenge=None, code_challenge_method=None) adds each only when given",
};

pub const OAUTHLIB: Library = Library {
    name: "oauthlib",
    ecosystem: PyPI,
    packages: &["oauthlib"],
    modules: &["oauthlib"],
    flows: &[
        Flow {
            // Only the web client's request is the authorization-code flow: MobileApplicationClient's
            // prepare_request_uri is the implicit grant (response_type=token).
            call: Method { name: "prepare_request_uri", loose: false, on: &["WebApplicationClient"] },
            request: true,
            options: Signature(OAUTHLIB_URI),
            options_on_constructor: false,
            pkce: When(&[Present("code_challenge")]),
            state: When(&[Present("state")]),
            nonce: When(&[Present("nonce")]),
            method_option: Some("code_challenge_method"),
            method_default: Some("plain"),
        },
        Flow {
            call: Method {
                name: "prepare_authorization_request",
                loose: false,
                on: &["WebApplicationClient"],
            },
            request: true,
            options: Signature(&["authorization_url", "state", "redirect_url", "scope"]),
            options_on_constructor: false,
            pkce: When(&[Present("code_challenge")]),
            state: Always,
            nonce: When(&[Present("nonce")]),
            method_option: Some("code_challenge_method"),
            method_default: Some("plain"),
        },
        Flow {
            call: Method { name: "create_code_challenge", loose: false, on: &[] },
            request: false,
            options: Signature(&["code_verifier", "code_challenge_method"]),
            options_on_constructor: false,
            pkce: Always,
            state: Never,
            nonce: Never,
            method_option: Some("code_challenge_method"),
            method_default: Some("plain"),
        },
    ],
    // parse_request_uri_response(uri, state=None) raises MismatchingStateException when given a state.
    exchanges: &[
        exchange(Method { name: "parse_request_uri_response", loose: false, on: &[] }, Validates { position: 1, keyword: "state", off: "None", when_absent: false }),
        exchange(Method { name: "prepare_request_body", loose: false, on: &[] }, Checks::Never),
    ],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &["code_challenge_method_plain"],
    verified: "WebApplicationClient.prepare_request_uri and prepare_grant_uri default code_challenge_method='plain'; Client.create_code_challenge(verifier) with no method returns the verifier itself",
};

pub const SPOTIPY: Library = Library {
    name: "spotipy",
    ecosystem: PyPI,
    packages: &["spotipy"],
    modules: &["spotipy"],
    flows: &[
        Flow {
            call: Export("SpotifyOAuth"),
            request: true,
            options: Signature(&["client_id", "client_secret", "redirect_uri", "state", "scope"]),
            options_on_constructor: false,
            pkce: Never,
            state: When(&[Present("state")]),
            nonce: Never,
            method_option: None,
            method_default: None,
        },
        Flow {
            call: Export("SpotifyPKCE"),
            request: true,
            options: Signature(&["client_id", "redirect_uri", "state", "scope"]),
            options_on_constructor: false,
            pkce: Always,
            state: When(&[Present("state")]),
            nonce: Never,
            method_option: None,
            method_default: None,
        },
    ],
    exchanges: &[exchange(Method { name: "get_access_token", loose: false, on: &[] }, Checks::Never)],
    verifier_helpers: &[],
    settings_for: &[],
    settings_keys: &[],
    param_paths: &[],
    method_constants: &[],
    implements: &["SpotifyOAuth", "SpotifyPKCE", "prompt_for_user_token"],
    verified: "SpotifyOAuth.get_authorize_url sends no code_challenge and a state only when one was given; SpotifyPKCE always sends an S256 challenge",
};
