//! What a name or a literal says about itself: whether a name denotes a PKCE code verifier, a code
//! challenge, a store, or a helper that acts on a verifier; whether a literal can be a verifier at all.
//! Text only: nothing here looks at the tree.

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
pub(super) fn contains_ci(haystack: &str, needle: &str) -> bool {
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
pub(super) fn is_verifier_name(name: &str) -> bool {
    if !contains_ci(name, "verifier") || NOT_PKCE.iter().any(|w| crate::analysis::name_has(name, w))
    {
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
pub(super) fn ends_with_param(text: &str, param: &str) -> bool {
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
pub(super) fn is_challenge_name(name: &str) -> bool {
    contains_ci(name, "challenge")
        && !contains_ci(name, "method")
        && !contains_ci(name, "supported")
}

/// A hard-coded verifier: 43 to 128 characters, all from RFC 7636's unreserved set (§4.1); shorter strings
/// cannot be verifiers a server accepts. Empty strings, placeholders, descriptions and storage-key names
/// (`CODE_VERIFIER: "mcp_code_verifier"`) are not verifiers.
pub(super) fn looks_like_verifier(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Values that say they are not real verifiers: probes and placeholders sent to provoke an error.
pub(super) fn is_placeholder(s: &str) -> bool {
    ["dummy", "fake", "placeholder", "invalid", "example", "xxxx"]
        .iter()
        .any(|w| contains_ci(s, w))
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
pub(super) fn acts_on_a_verifier(name: &str) -> bool {
    ACTING_VERBS.contains(&first_word(name.trim_start_matches('_')).as_str())
}

/// Names of stores and factories that contain `verifier` without being one (`createVerifierStore()`).
pub(super) fn is_store_name(name: &str) -> bool {
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
}
