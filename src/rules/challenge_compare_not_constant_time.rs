//! challenge-compare-not-constant-time: the challenge computed from the submitted `code_verifier` (or the
//! verifier itself, for `plain`) compared with the stored challenge by `==` / `===` / `!=` / `!==`.

use super::Rule;
use crate::facts::{Family, FileFacts};
use crate::finding::Diagnostic;

pub struct ChallengeCompareNotConstantTime;

const HELP_JS: &str = "compare in constant time: `const a = Buffer.from(computed), b = Buffer.from(stored); if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) reject`";
const HELP_PY: &str = "compare in constant time: `if not hmac.compare_digest(computed, stored): reject` (or `secrets.compare_digest`)";

impl Rule for ChallengeCompareNotConstantTime {
    fn id(&self) -> &'static str {
        "challenge-compare-not-constant-time"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        let help = match facts.family {
            Family::JavaScript => HELP_JS,
            Family::Python => HELP_PY,
        };
        for c in &facts.challenge_comparisons {
            let what = if c.plain {
                "the submitted code_verifier is compared with the stored challenge"
            } else {
                "the challenge computed from the submitted code_verifier is compared with the stored one"
            };
            out.push(Diagnostic::new(
                c.span,
                format!("{what} by an ordinary equality, which stops at the first differing byte: an attacker holding a stolen code can measure response times to learn the stored challenge byte by byte and forge a matching verifier (plain) or narrow the search"),
                help,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{ChallengeComparison, Span};

    #[test]
    fn points_at_the_comparison_with_a_fix_in_the_file_language() {
        let mut facts = FileFacts {
            challenge_comparisons: vec![ChallengeComparison {
                span: Span::new(10, 40),
                plain: false,
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        ChallengeCompareNotConstantTime.check(&facts, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, Span::new(10, 40));
        assert!(out[0].help.contains("timingSafeEqual"));
        facts.family = Family::Python;
        out.clear();
        ChallengeCompareNotConstantTime.check(&facts, &mut out);
        assert!(out[0].help.contains("compare_digest"));
    }
}
