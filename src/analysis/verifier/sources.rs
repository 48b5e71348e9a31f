//! The sources of randomness (or of its absence) a trace ends at, by qualified callee, and the library helpers
//! known to make compliant verifiers.

use super::*;

impl<'c, 't, 'd, D: Dialect> Verifiers<'c, 't, 'd, D> {
    /// Library helpers known to produce compliant verifiers.
    pub(super) fn trusted(&self, q: &str, call: Node<'t>) -> Option<Traced> {
        let library = crate::libraries::verifier_helper(q)?.name;
        Some(Traced::new(
            EntropySource::TrustedHelper(library.into()),
            library.to_string(),
            span(call),
            Some(6),
        ))
    }

    pub(super) fn number_arg(
        &self,
        args: &[Arg<'t>],
        position: usize,
        keyword: &str,
    ) -> Option<Option<u32>> {
        match Ctx::<D>::arg(args, position, keyword) {
            None => Some(None),
            Some(n) => {
                let v = self.ctx.number_value(n, 0)?;
                (0.0..=1e6).contains(&v).then_some(Some(v as u32))
            }
        }
    }

    pub(super) fn described(&self, q: &str, args: &[Arg<'t>], is_new: bool) -> String {
        // `nanoid.nanoid` (a named import of the same name) reads better as `nanoid`.
        let q = match q.split_once('.') {
            Some((m, f)) if m == f => f,
            _ => q,
        };
        let new = if is_new { "new " } else { "" };
        let args: Vec<String> = args
            .iter()
            .map(|a| match a {
                Arg::Positional(n) | Arg::Spread(n) => self.ctx.text(*n).to_string(),
                Arg::Keyword(k, n) => format!("{k}={}", self.ctx.text(*n)),
            })
            .collect();
        let mut joined = args.join(", ");
        if joined.len() > 40 {
            joined = "…".into();
        }
        format!("{new}{q}({joined})")
    }

    /// Sources of randomness (or of its absence) by qualified callee.
    pub(super) fn source(
        &self,
        q: &str,
        args: &[Arg<'t>],
        is_new: bool,
        here: Span,
    ) -> Option<Traced> {
        let last = last_segment(q);
        let described = || self.described(q, args, is_new);
        let t = |source, per_char| Some(Traced::new(source, described(), here, per_char));
        match q {
            "crypto.randomBytes" | "crypto.pseudoRandomBytes" => {
                let n = self.number_arg(args, 0, "size")??;
                return t(EntropySource::CsprngBytes(n), None);
            }
            "crypto.randomUUID" | "uuid.v4" | "uuid" => {
                return t(EntropySource::Uuid { bits: 122 }, Some(4))
            }
            "uuid.v7" => return t(EntropySource::Uuid { bits: 74 }, Some(4)),
            "uuid.v1" | "uuid.v6" | "uuid.uuid1" => return t(EntropySource::Clock, Some(4)),
            "uuid.uuid4" => return t(EntropySource::Uuid { bits: 122 }, Some(4)),
            "uuid.uuid3" | "uuid.uuid5" => return t(EntropySource::PredictableHash, Some(4)),
            "nanoid.nanoid" | "nanoid" => {
                let size = self.number_arg(args, 0, "size")?.unwrap_or(21);
                return t(EntropySource::Nanoid { size }, Some(6));
            }
            "Math.random" => return t(EntropySource::InsecurePrng, None),
            "Date.now"
            | "performance.now"
            | "process.hrtime"
            | "process.hrtime.bigint"
            | "process.uptime"
            | "time.time"
            | "time.time_ns"
            | "time.monotonic"
            | "time.monotonic_ns"
            | "time.perf_counter"
            | "time.perf_counter_ns"
            | "datetime.datetime.now"
            | "datetime.datetime.utcnow"
            | "datetime.datetime.today"
            | "datetime.date.today"
            | "os.getpid" => return t(EntropySource::Clock, None),
            "Date" if is_new || args.is_empty() => return t(EntropySource::Clock, None),
            "secrets.token_bytes" | "secrets.token_hex" | "secrets.token_urlsafe" => {
                let n = self.number_arg(args, 0, "nbytes")?.unwrap_or(32);
                let per_char = match last {
                    "token_hex" => Some(4),
                    "token_urlsafe" => Some(6),
                    _ => None,
                };
                return t(EntropySource::CsprngBytes(n), per_char);
            }
            "os.urandom" => {
                let n = self.number_arg(args, 0, "size")??;
                return t(EntropySource::CsprngBytes(n), None);
            }
            "secrets.randbits" => {
                let k = self.number_arg(args, 0, "k")??;
                return t(
                    EntropySource::CsprngChars {
                        count: k,
                        alphabet: 2,
                    },
                    None,
                );
            }
            "secrets.choice" => {
                let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "seq")?, 0)?;
                return t(EntropySource::CsprngChars { count: 1, alphabet }, None);
            }
            _ => {}
        }
        if last == "getRandomValues" && (q == "getRandomValues" || q.starts_with("crypto.")) {
            let bytes = self.typed_array_bytes(Ctx::<D>::arg(args, 0, "")?, 0)?;
            return t(EntropySource::CsprngBytes(bytes), None);
        }
        if q.contains("SystemRandom()") || q.starts_with("secrets.SystemRandom") {
            return match last {
                "choice" => {
                    let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "seq")?, 0)?;
                    t(EntropySource::CsprngChars { count: 1, alphabet }, None)
                }
                "choices" => {
                    let alphabet = self.alphabet(Ctx::<D>::arg(args, 0, "population")?, 0)?;
                    let count = self.number_arg(args, usize::MAX, "k")?.unwrap_or(1);
                    t(EntropySource::CsprngChars { count, alphabet }, None)
                }
                _ => None,
            };
        }
        if q == "random.SystemRandom" {
            return None;
        }
        if q.starts_with("random.") || q.starts_with("numpy.random.") {
            return t(EntropySource::InsecurePrng, None);
        }
        if last == "generate_token" && (q.starts_with("authlib") || q.starts_with("oauthlib")) {
            let count = self.number_arg(args, 0, "length")?.unwrap_or(30);
            return t(
                EntropySource::CsprngChars {
                    count,
                    alphabet: 62,
                },
                None,
            );
        }
        if last == "create_code_verifier" {
            let count = self.number_arg(args, 0, "length")??;
            return t(
                EntropySource::CsprngChars {
                    count,
                    alphabet: 66,
                },
                None,
            );
        }
        None
    }

    /// The number of bytes `getRandomValues` fills: `new Uint8Array(n)`.
    pub(super) fn typed_array_bytes(&self, node: Node<'t>, depth: usize) -> Option<u32> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match self.view(node) {
            View::Call { callee, args, .. } => {
                let width = match self.ctx.callee_name(callee)? {
                    "Uint8Array" | "Int8Array" | "Uint8ClampedArray" => 1,
                    "Uint16Array" | "Int16Array" => 2,
                    "Uint32Array" | "Int32Array" => 4,
                    "BigUint64Array" | "BigInt64Array" => 8,
                    _ => return None,
                };
                let n = self.ctx.number_value(Ctx::<D>::arg(&args, 0, "")?, 0)?;
                (0.0..=1e6).contains(&n).then(|| n as u32 * width)
            }
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.typed_array_bytes(v, depth + 1)
            }
            _ => None,
        }
    }

    /// The number of distinct symbols of an alphabet expression.
    pub(super) fn alphabet(&self, node: Node<'t>, depth: usize) -> Option<u32> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let Some(n) = string_constant(&self.qualified(node)) {
            return Some(n);
        }
        match self.view(node) {
            View::Add(a, b) => Some(self.alphabet(a, depth + 1)? + self.alphabet(b, depth + 1)?),
            View::Ident(name) => {
                let v = self.ctx.resolve_ident(name, node)?;
                self.alphabet(v, depth + 1)
            }
            _ => {
                let s = self.ctx.string_value(node)?;
                let distinct: HashSet<char> = s.chars().collect();
                Some(distinct.len() as u32)
            }
        }
    }
}
