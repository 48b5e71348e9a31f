//! `skillaudit-ignore` comments: the first byte picks the language and where the comment goes, the rest is its
//! text, placed next to a known finding (see `fuzz_harness::check_suppression`).
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_harness::check_suppression(data));
