//! Bytes of a TypeScript and TSX file through classify, prefilter, parse, extract, rules and locate, with the
//! invariants of `tests/fuzz_harness`.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::check_file(fuzz_harness::TS, data));
