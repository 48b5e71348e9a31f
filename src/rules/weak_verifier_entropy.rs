//! weak-verifier-entropy: a code verifier with less than 256 bits from a cryptographic generator.

use super::Rule;
use crate::entropy::{estimate, REQUIRED_BITS};
use crate::facts::{Family, FileFacts};
use crate::finding::Diagnostic;

pub struct WeakVerifierEntropy;

/// The fix, in the file's language.
fn help(family: Family) -> &'static str {
    match family {
        Family::JavaScript => "generate the verifier from 32 random bytes: crypto.randomBytes(32).toString(\"base64url\") in Node, base64url of crypto.getRandomValues(new Uint8Array(32)) in browsers and workers",
        Family::Python => "generate the verifier from 32 random bytes: secrets.token_urlsafe(32) (43 characters of base64url)",
    }
}

impl Rule for WeakVerifierEntropy {
    fn id(&self) -> &'static str {
        "weak-verifier-entropy"
    }

    fn check(&self, facts: &FileFacts, out: &mut Vec<Diagnostic>) {
        for source in &facts.verifier_sources {
            let est = estimate(&source.entropy);
            if !est.is_weak() {
                continue;
            }
            let what = &source.entropy.described;
            let message = if est.predictable {
                format!(
                    "code verifier comes from {what}, which is predictable (not a cryptographic generator); RFC 7636 asks for {REQUIRED_BITS} random bits"
                )
            } else if let Some(t) = source
                .entropy
                .truncated
                .filter(|t| t.chars * t.bits_per_char < REQUIRED_BITS)
            {
                format!(
                    "code verifier is cut to {} characters: about {} bits from {what}; RFC 7636 asks for {REQUIRED_BITS}",
                    t.chars, est.bits
                )
            } else {
                format!("code verifier has about {} bits from {what}; RFC 7636 asks for {REQUIRED_BITS}", est.bits)
            };
            let message = match &source.used_elsewhere {
                Some(used) => format!(
                    "{message} (this is the verifier of {})",
                    crate::paths::display(&used.path)
                ),
                None => message,
            };
            let mut diagnostic = Diagnostic::new(source.span, message, help(facts.family));
            if let Some(used) = source.used_at {
                diagnostic = diagnostic.with_related(used, "used as the code verifier here");
            }
            if let Some(used) = &source.used_elsewhere {
                diagnostic =
                    diagnostic.with_elsewhere(used.clone(), "used as the code verifier here");
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Entropy, EntropySource, Span, Truncation, VerifierSource};

    fn source(
        source: EntropySource,
        described: &str,
        truncated: Option<Truncation>,
    ) -> VerifierSource {
        VerifierSource {
            used_elsewhere: None,
            span: Span::new(0, 1),
            entropy: Entropy {
                source,
                described: described.into(),
                truncated,
            },
            used_at: None,
        }
    }

    fn run(sources: Vec<VerifierSource>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        WeakVerifierEntropy.check(
            &FileFacts {
                verifier_sources: sources,
                ..Default::default()
            },
            &mut out,
        );
        out
    }

    #[test]
    fn messages_carry_the_estimate() {
        let found = run(vec![source(
            EntropySource::Uuid { bits: 122 },
            "crypto.randomUUID()",
            None,
        )]);
        assert_eq!(
            found[0].message,
            "code verifier has about 122 bits from crypto.randomUUID(); RFC 7636 asks for 256"
        );
        let found = run(vec![source(
            EntropySource::InsecurePrng,
            "Math.random()",
            None,
        )]);
        assert!(
            found[0].message.contains("predictable"),
            "{}",
            found[0].message
        );
        let found = run(vec![source(
            EntropySource::CsprngBytes(32),
            "crypto.randomBytes(32)",
            Some(Truncation {
                chars: 20,
                bits_per_char: 6,
            }),
        )]);
        assert!(
            found[0]
                .message
                .contains("cut to 20 characters: about 120 bits"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn strong_sources_are_silent() {
        assert!(run(vec![
            source(
                EntropySource::CsprngBytes(32),
                "crypto.randomBytes(32)",
                None
            ),
            source(
                EntropySource::TrustedHelper("pkce-challenge".into()),
                "pkceChallenge()",
                None
            ),
            source(
                EntropySource::CsprngBytes(64),
                "secrets.token_urlsafe(64)",
                Some(Truncation {
                    chars: 64,
                    bits_per_char: 6
                })
            ),
        ])
        .is_empty());
    }
}
