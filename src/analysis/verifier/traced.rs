//! A traced value's entropy, and what each step of a trace does to it: the calls and encodings that keep a
//! value's randomness, the bits per character of each encoding, and hashing.

use super::names::contains_ci;
use crate::entropy::estimate;
use crate::facts::{Entropy, EntropySource, Span};

#[derive(Clone, Debug)]
pub(super) struct Traced {
    pub(super) entropy: Entropy,
    pub(super) span: Span,
    /// Bits each character of the current string form carries (hex 4, base64url 6), when known.
    pub(super) per_char: Option<u32>,
}

impl Traced {
    pub(super) fn new(
        source: EntropySource,
        described: String,
        span: Span,
        per_char: Option<u32>,
    ) -> Self {
        Traced {
            entropy: Entropy {
                source,
                described,
                truncated: None,
            },
            span,
            per_char,
        }
    }

    pub(super) fn predictable(&self) -> bool {
        estimate(&self.entropy).predictable
    }

    pub(super) fn bits(&self) -> u32 {
        estimate(&self.entropy).bits
    }

    pub(super) fn weak(&self) -> bool {
        estimate(&self.entropy).is_weak()
    }

    pub(super) fn encoded(mut self, per_char: Option<u32>) -> Self {
        if per_char.is_some() {
            self.per_char = per_char;
        }
        self
    }
}

/// Of several possible values (branches, returns), the one to report: any weak path is a weakness.
pub(super) fn weakest(options: Vec<Traced>) -> Option<Traced> {
    let weak = options.iter().position(Traced::weak);
    match weak {
        Some(i) => options.into_iter().nth(i),
        None => options.into_iter().next(),
    }
}

/// Per-character bits of encodings named in calls (`toString("hex")`, `digest("base64url")`).
pub(super) fn encoding_bits(name: &str) -> Option<u32> {
    match name {
        "hex" => Some(4),
        "base64" | "base64url" => Some(6),
        "36" => Some(5),
        "32" => Some(5),
        _ => None,
    }
}

/// Method calls whose result carries the receiver's randomness (string conversions, encodings, clean-ups).
pub(super) const PASS_METHODS: &[&str] = &[
    "toString",
    "join",
    "map",
    "replace",
    "replaceAll",
    "toLowerCase",
    "toUpperCase",
    "trim",
    "trimEnd",
    "trimStart",
    "padStart",
    "padEnd",
    "normalize",
    "valueOf",
    "getTime",
    "toISOString",
    "toJSON",
    "digest",
    "hexdigest",
    "hex",
    "decode",
    "encode",
    "rstrip",
    "lstrip",
    "strip",
    "lower",
    "upper",
    "isoformat",
    "timestamp",
    "toFixed",
    "bigint",
];

/// Functions whose result carries their first argument's randomness.
pub(super) const PASS_FUNCTIONS: &[&str] = &[
    "String",
    "str",
    "from",
    "btoa",
    "format",
    "encodeURIComponent",
    "stringify",
    "floor",
    "round",
    "trunc",
    "int",
    "hex",
    "hexlify",
    "bytes",
];

/// Whether a helper's name says it encodes its argument (`base64url(bytes)`, `b64u`, `toHex`).
pub(super) fn encoder_name(name: &str) -> Option<u32> {
    if contains_ci(name, "base64") || contains_ci(name, "b64") {
        Some(6)
    } else if contains_ci(name, "hex") {
        Some(4)
    } else if contains_ci(name, "encode") {
        Some(6)
    } else {
        None
    }
}

/// Hash functions that take their data as an argument (`hashlib.sha256(data)`).
pub(super) const HASHES: &[&str] = &[
    "sha256", "sha384", "sha512", "sha1", "md5", "blake2b", "blake2s", "sha3_256", "sha3_512",
];

/// Python's `string` constants: their number of distinct characters.
pub(super) fn string_constant(name: &str) -> Option<u32> {
    match name {
        "string.ascii_letters" => Some(52),
        "string.ascii_lowercase" | "string.ascii_uppercase" => Some(26),
        "string.digits" => Some(10),
        "string.hexdigits" => Some(22),
        "string.octdigits" => Some(8),
        "string.punctuation" => Some(32),
        "string.printable" => Some(100),
        _ => None,
    }
}

/// The hash of a traced value: a hash of predictable inputs is predictable, and says so.
pub(super) fn hashed(mut t: Traced) -> Traced {
    if t.predictable() {
        t.entropy.described = format!("a hash of {}", t.entropy.described);
        t.entropy.source = EntropySource::PredictableHash;
    }
    t.per_char = None;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weakest_prefers_a_weak_path() {
        let t = |source, bits| {
            let mut t = Traced::new(source, String::new(), Span::new(bits, bits + 1), None);
            t.per_char = None;
            t
        };
        let picked = weakest(vec![
            t(EntropySource::CsprngBytes(32), 1),
            t(EntropySource::Uuid { bits: 122 }, 2),
        ])
        .unwrap();
        assert_eq!(picked.span.start, 2);
        assert!(weakest(Vec::new()).is_none());
    }
}
