//! oauth-without-pkce: an authorization request with `response_type=code` and no `code_challenge`.

use super::Rule;
use crate::facts::{FileFacts, RequestForm};
use crate::finding::Diagnostic;

pub struct OAuthWithoutPkce;

/// The fix for a library call, when the library has its own switch for PKCE.
fn library_help(name: &str) -> Option<&'static str> {
    Some(match () {
        _ if name.contains("OAuth2Session") && name.contains("authorization_url") => {
            "create the session with OAuth2Session(..., pkce=\"S256\") so authorization_url() adds code_challenge"
        }
        _ if name.contains("create_authorization_url") => {
            "create the client with code_challenge_method=\"S256\" and pass code_verifier=generate_token(48) to create_authorization_url()"
        }
        _ if name.contains("Strategy") => "pass pkce: true (and state: true) in the strategy options",
        _ if name.contains("generateAuthUrl") => {
            "generate a verifier with oauth2Client.generateCodeVerifierAsync() and pass code_challenge and code_challenge_method: CodeChallengeMethod.S256"
        }
        _ => return None,
    })
}

const HELP: &str = "add code_challenge=BASE64URL(SHA256(code_verifier)) and code_challenge_method=S256, with a fresh 32-byte random verifier kept in the user's session";

impl Rule for OAuthWithoutPkce {
    fn id(&self) -> &'static str {
        "oauth-without-pkce"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for request in facts.requests.iter().filter(|r| r.pkce.is_missing()) {
            let (message, help) = match &request.form {
                RequestForm::Library(name) => (
                    format!("`{name}` builds an authorization-code request without PKCE (no code_challenge)"),
                    library_help(name).unwrap_or(HELP),
                ),
                RequestForm::String => (
                    "authorization URL with response_type=code has no code_challenge: a process that receives the redirect can redeem the code".to_string(),
                    HELP,
                ),
                RequestForm::Container | RequestForm::Builder => (
                    "authorization request with response_type=code has no code_challenge: a process that receives the redirect can redeem the code".to_string(),
                    HELP,
                ),
            };
            out.push(Diagnostic::new(request.span, message, help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{AuthRequest, Provision, Span};

    fn request(pkce: Provision, form: RequestForm) -> AuthRequest {
        AuthRequest {
            span: Span::new(10, 20),
            form,
            pkce,
            state: Provision::InRequest,
        }
    }

    fn run(facts: FileFacts) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        OAuthWithoutPkce.check(&facts, &mut out);
        out
    }

    #[test]
    fn only_missing_pkce_is_reported() {
        let facts = FileFacts {
            requests: vec![
                request(Provision::Missing, RequestForm::Container),
                request(Provision::InRequest, RequestForm::Container),
                request(
                    Provision::ByLibrary,
                    RequestForm::Library("oauth.buildAuthorizationUrl".into()),
                ),
                request(Provision::Unknown, RequestForm::String),
            ],
            ..Default::default()
        };
        let found = run(facts);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, Span::new(10, 20));
        assert!(found[0].help.contains("code_challenge_method=S256"));
    }

    #[test]
    fn library_calls_get_the_library_fix() {
        let facts = FileFacts {
            requests: vec![request(
                Provision::Missing,
                RequestForm::Library("requests_oauthlib.OAuth2Session.authorization_url".into()),
            )],
            ..Default::default()
        };
        let found = run(facts);
        assert!(found[0].help.contains("pkce=\"S256\""), "{}", found[0].help);
        assert!(found[0].message.contains("OAuth2Session.authorization_url"));
    }
}
