//! Library objects that make the PKCE verifier themselves when they build the authorization URL and keep
//! it on the instance until the exchange. One made at module level and used by the login and callback
//! handlers holds one verifier for every user of the process, like a module-level verifier
//! (pkce-session-leak).

/// A library class (or factory) whose instances keep the verifier.
#[derive(Debug)]
pub struct VerifierHolder {
    /// The library, as the catalogue names it.
    pub library: &'static str,
    /// The qualified names that make one.
    pub constructors: &'static [&'static str],
    /// Keyword arguments that turn PKCE on (given and truthy); without one the object keeps no verifier.
    pub when: &'static [&'static str],
    /// The method that makes the verifier (building the authorization URL).
    pub creates: &'static str,
    /// The method that reads it back (the exchange).
    pub reads: &'static str,
}

pub const VERIFIER_HOLDERS: &[VerifierHolder] = &[
    // `authorization_url` stores `self._code_verifier` when `pkce` is set; `fetch_token` sends it.
    VerifierHolder {
        library: "requests-oauthlib",
        constructors: &[
            "requests_oauthlib.OAuth2Session",
            "requests_oauthlib.oauth2_session.OAuth2Session",
        ],
        when: &["pkce"],
        creates: "authorization_url",
        reads: "fetch_token",
    },
    // `Flow.authorization_url` sets `self.code_verifier` when `autogenerate_code_verifier` is on (or uses
    // the one given); `fetch_token` sends it. The factories pass the option through, default off.
    // `InstalledAppFlow` is a desktop app's, one user per process: not listed.
    VerifierHolder {
        library: "google-auth-oauthlib",
        constructors: &[
            "google_auth_oauthlib.flow.Flow.from_client_config",
            "google_auth_oauthlib.flow.Flow.from_client_secrets_file",
        ],
        when: &["autogenerate_code_verifier", "code_verifier"],
        creates: "authorization_url",
        reads: "fetch_token",
    },
];

/// The holder a constructor's qualified name makes (`requests_oauthlib.OAuth2Session`).
pub fn verifier_holder(qualified: &str) -> Option<&'static VerifierHolder> {
    VERIFIER_HOLDERS
        .iter()
        .find(|h| h.constructors.contains(&qualified))
}

#[cfg(test)]
mod tests {
    #[test]
    fn holders_are_found_by_their_constructors_only() {
        assert_eq!(
            super::verifier_holder("requests_oauthlib.OAuth2Session").map(|h| h.library),
            Some("requests-oauthlib")
        );
        assert!(
            super::verifier_holder("google_auth_oauthlib.flow.Flow.from_client_config").is_some()
        );
        assert!(super::verifier_holder(
            "google_auth_oauthlib.flow.InstalledAppFlow.from_client_config"
        )
        .is_none());
        assert!(super::verifier_holder("requests_oauthlib.OAuth1Session").is_none());
        // Every holder's library is in the catalogue.
        for h in super::VERIFIER_HOLDERS {
            assert!(
                super::super::CATALOGUE.iter().any(|l| l.name == h.library),
                "{}",
                h.library
            );
        }
    }
}
