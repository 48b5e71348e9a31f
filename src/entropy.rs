//! The entropy model of code verifiers: how many unpredictable bits a source gives, carried through encodings
//! and cut by truncation. RFC 7636 §7.1 asks for 256 bits (32 random octets).

use crate::facts::{Entropy, EntropySource};

/// What RFC 7636 asks of a verifier.
pub const REQUIRED_BITS: u32 = 256;

/// Bits a `Math.random()` double carries at best (its mantissa); the generator is predictable anyway.
pub const MATH_RANDOM_BITS: u32 = 52;

/// The estimate for one verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Unpredictable bits, at most.
    pub bits: u32,
    /// The generator can be predicted or reproduced whatever its length (not a CSPRNG).
    pub predictable: bool,
}

impl Estimate {
    pub fn is_weak(self) -> bool {
        self.predictable || self.bits < REQUIRED_BITS
    }
}

/// `floor(count × log2(alphabet))` without floating point surprises for the usual alphabets.
fn char_bits(count: u32, alphabet: u32) -> u32 {
    if alphabet < 2 {
        return 0;
    }
    let per_char = (alphabet as f64).log2();
    (count as f64 * per_char).floor() as u32
}

/// Estimates the entropy of a verifier value.
pub fn estimate(entropy: &Entropy) -> Estimate {
    let (bits, predictable) = match &entropy.source {
        EntropySource::CsprngBytes(n) => (n.saturating_mul(8), false),
        EntropySource::CsprngChars { count, alphabet } => (char_bits(*count, *alphabet), false),
        // Library helpers that generate verifiers (oauth4webapi, openid-client, pkce-challenge, the MCP SDKs)
        // use 32 or more random octets.
        EntropySource::TrustedHelper(_) => (REQUIRED_BITS, false),
        EntropySource::Uuid { bits } => (*bits, false),
        EntropySource::Nanoid { size } => (size.saturating_mul(6), false),
        EntropySource::InsecurePrng => (MATH_RANDOM_BITS, true),
        EntropySource::Clock => (0, true),
        EntropySource::Literal => (0, true),
        EntropySource::PredictableHash => (0, true),
    };
    let bits = match entropy.truncated {
        Some(t) => bits.min(t.chars.saturating_mul(t.bits_per_char)),
        None => bits,
    };
    Estimate { bits, predictable }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Truncation;

    fn e(source: EntropySource, truncated: Option<Truncation>) -> Estimate {
        estimate(&Entropy {
            source,
            described: String::new(),
            truncated,
        })
    }

    #[test]
    fn csprng_bytes_count_eight_bits_each() {
        assert_eq!(
            e(EntropySource::CsprngBytes(32), None),
            Estimate {
                bits: 256,
                predictable: false
            }
        );
        assert!(!e(EntropySource::CsprngBytes(32), None).is_weak());
        assert!(e(EntropySource::CsprngBytes(16), None).is_weak());
    }

    #[test]
    fn truncation_cuts_bits_by_encoding() {
        // 32 bytes as base64url is 43 characters; 43 × 6 = 258 bits, still enough.
        let b64 = |chars| {
            Some(Truncation {
                chars,
                bits_per_char: 6,
            })
        };
        assert!(!e(EntropySource::CsprngBytes(32), b64(43)).is_weak());
        assert_eq!(e(EntropySource::CsprngBytes(32), b64(20)).bits, 120);
        // 64 hex characters carry 256 bits; 32 carry 128.
        let hex = |chars| {
            Some(Truncation {
                chars,
                bits_per_char: 4,
            })
        };
        assert!(!e(EntropySource::CsprngBytes(64), hex(64)).is_weak());
        assert_eq!(e(EntropySource::CsprngBytes(64), hex(32)).bits, 128);
    }

    #[test]
    fn predictable_sources_are_weak_at_any_length() {
        for s in [
            EntropySource::InsecurePrng,
            EntropySource::Clock,
            EntropySource::Literal,
            EntropySource::PredictableHash,
        ] {
            assert!(e(s.clone(), None).is_weak(), "{s:?}");
        }
        assert_eq!(e(EntropySource::InsecurePrng, None).bits, MATH_RANDOM_BITS);
    }

    #[test]
    fn uuids_nanoids_and_alphabets() {
        assert_eq!(e(EntropySource::Uuid { bits: 122 }, None).bits, 122);
        assert_eq!(e(EntropySource::Nanoid { size: 21 }, None).bits, 126);
        assert!(!e(EntropySource::Nanoid { size: 43 }, None).is_weak());
        // 64 characters from the 66 unreserved characters: 64 × log2(66) ≈ 386 bits.
        assert_eq!(
            e(
                EntropySource::CsprngChars {
                    count: 64,
                    alphabet: 66
                },
                None
            )
            .bits,
            386
        );
        assert!(e(
            EntropySource::CsprngChars {
                count: 16,
                alphabet: 62
            },
            None
        )
        .is_weak());
        assert!(!e(EntropySource::TrustedHelper("pkce-challenge".into()), None).is_weak());
    }
}
