//! The entries. Each `verified` line says what was read in the library's source or documentation; change an
//! entry only with the same kind of evidence. `docs/libraries.md` is generated from this table (the
//! `libraries_doc_matches_the_catalogue` test fails when they disagree).

mod npm;
mod pypi;

use super::Library;

/// Every entry, npm first, each ecosystem in the order people meet them.
pub static CATALOGUE: &[Library] = &[
    npm::OPENID_CLIENT,
    npm::OAUTH4WEBAPI,
    npm::SIMPLE_OAUTH2,
    npm::GOOGLE_AUTH_LIBRARY,
    npm::PASSPORT_OAUTH2,
    npm::ARCTIC,
    npm::AUTH_JS_NEXT_AUTH_AUTH_CORE_PROVIDERS,
    npm::OIDC_CLIENT_TS,
    npm::MSAL_JS,
    npm::MCP_TYPESCRIPT_SDK_CLIENT_AUTH,
    npm::PKCE_CHALLENGE,
    npm::AUTH0_SPA_JS,
    pypi::MCP_PYTHON_SDK_CLIENT_AUTH,
    pypi::REQUESTS_OAUTHLIB,
    pypi::AUTHLIB,
    pypi::GOOGLE_AUTH_OAUTHLIB,
    pypi::MSAL,
    pypi::HTTPX_OAUTH,
    pypi::OAUTHLIB,
    pypi::SPOTIPY,
];
