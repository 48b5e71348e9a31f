//! Suppression comments: what one says, and which findings of a file it suppresses.
//!
//! Syntax, in any comment (`//`, `/* */`, `#`), on the finding's line or the line above:
//!
//! ```text
//! skillaudit-ignore[no-state-parameter, oauth-without-pkce]: PKCE protects this flow (RFC 9700 §2.1)
//! skillaudit-ignore: no-state-parameter          (the older form; `-- reason` may follow)
//! ```
//!
//! A suppression without a reason works and is reported as a warning; a bare `skillaudit-ignore` without
//! rule ids suppresses nothing and is reported as an error, so that no comment silently blankets a line.
//! The extractors find the comments (they know the syntax tree); this module reads their text.

/// What a suppression comment says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The rule ids it names, as written (unknown ones are reported by the report).
    pub rules: Vec<String>,
    /// Why, when the comment says.
    pub reason: Option<String>,
    pub form: Form,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `skillaudit-ignore[ids]` with or without `: reason`.
    Bracketed,
    /// `skillaudit-ignore: ids` (the first syntax), with an optional `-- reason`.
    Legacy,
    /// `skillaudit-ignore` with no ids: suppresses nothing.
    Bare,
}

pub const MARKER: &str = "skillaudit-ignore";

/// The text after the first marker in a comment that stands as a word (`skillaudit-ignored` and
/// `skillaudit-ignore-next-line` are other words).
pub fn after_marker(comment: &str) -> Option<&str> {
    comment.match_indices(MARKER).find_map(|(at, _)| {
        let rest = &comment[at + MARKER.len()..];
        (!rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then_some(rest)
    })
}

/// Strips what closes a comment and surrounding space from a reason.
fn clean_reason(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_suffix("*/").unwrap_or(s).trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Reads the suppression in a comment's text, if it has one. Never fails: what cannot be read is a
/// `Bare` directive (reported, suppressing nothing).
pub fn parse(comment: &str) -> Option<Directive> {
    let rest = after_marker(comment)?;
    if let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Some(Directive {
                rules: Vec::new(),
                reason: None,
                form: Form::Bare,
            });
        };
        let rules: Vec<String> = inner[..close]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let after = inner[close + 1..].trim_start();
        let reason = after.strip_prefix(':').and_then(clean_reason);
        let form = if rules.is_empty() {
            Form::Bare
        } else {
            Form::Bracketed
        };
        return Some(Directive {
            rules,
            reason,
            form,
        });
    }
    let Some(list) = rest.trim_start().strip_prefix(':') else {
        return Some(Directive {
            rules: Vec::new(),
            reason: None,
            form: Form::Bare,
        });
    };
    let (ids, reason) = match list.find("--") {
        Some(i) => (&list[..i], clean_reason(&list[i + 2..])),
        None => (list, None),
    };
    let rules: Vec<String> = ids
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|s| s.trim_end_matches("*/").trim())
        .filter(|s| !s.is_empty())
        // Misspelled ids (`No_State_Parameter`) are kept, so that they are reported as unknown instead of
        // silently dropped; the list ends at the first word that cannot be an id at all.
        .take_while(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        .collect();
    let form = if rules.is_empty() {
        Form::Bare
    } else {
        Form::Legacy
    };
    Some(Directive {
        rules,
        reason,
        form,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(rules: &[&str], reason: Option<&str>, form: Form) -> Option<Directive> {
        Some(Directive {
            rules: rules.iter().map(|s| s.to_string()).collect(),
            reason: reason.map(str::to_string),
            form,
        })
    }

    #[test]
    fn bracketed_with_and_without_reasons() {
        assert_eq!(
            parse("// skillaudit-ignore[no-state-parameter, oauth-without-pkce]: PKCE protects it"),
            d(
                &["no-state-parameter", "oauth-without-pkce"],
                Some("PKCE protects it"),
                Form::Bracketed
            )
        );
        assert_eq!(
            parse("/* skillaudit-ignore[pkce-plain-method]: legacy client */"),
            d(
                &["pkce-plain-method"],
                Some("legacy client"),
                Form::Bracketed
            )
        );
        assert_eq!(
            parse("# skillaudit-ignore[pkce-plain-method]"),
            d(&["pkce-plain-method"], None, Form::Bracketed)
        );
        assert_eq!(
            parse("# skillaudit-ignore[pkce-plain-method]:   "),
            d(&["pkce-plain-method"], None, Form::Bracketed)
        );
    }

    #[test]
    fn legacy_form_keeps_working() {
        assert_eq!(
            parse("// skillaudit-ignore: no-state-parameter"),
            d(&["no-state-parameter"], None, Form::Legacy)
        );
        assert_eq!(
            parse("# skillaudit-ignore: a-rule, b-rule -- the reason"),
            d(&["a-rule", "b-rule"], Some("the reason"), Form::Legacy)
        );
        assert_eq!(
            parse("/* skillaudit-ignore: a-rule */"),
            d(&["a-rule"], None, Form::Legacy)
        );
    }

    #[test]
    fn bare_and_broken_forms_suppress_nothing() {
        for text in [
            "// skillaudit-ignore",
            "// skillaudit-ignore[]: because",
            "// skillaudit-ignore[no-state-parameter",
            "// skillaudit-ignore: ",
        ] {
            assert_eq!(parse(text).unwrap().form, Form::Bare, "{text}");
            assert!(parse(text).unwrap().rules.is_empty(), "{text}");
        }
        assert_eq!(parse("// nothing here"), None);
        assert_eq!(parse("// skillaudit-ignored-by-design"), None);
        assert_eq!(
            parse("# skillaudit-ignored, but: skillaudit-ignore[a-rule]: why"),
            d(&["a-rule"], Some("why"), Form::Bracketed)
        );
        // A misspelled id is kept (and reported as unknown), not read as an empty list.
        assert_eq!(
            parse("// skillaudit-ignore: No_State_Parameter"),
            d(&["No_State_Parameter"], None, Form::Legacy)
        );
    }
}
