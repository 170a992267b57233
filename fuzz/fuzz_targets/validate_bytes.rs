//! `cargo fuzz run validate_bytes`: the invariant is asserted in `hookcheck::fuzzing::validate_bytes`, which
//! `cargo test` also runs on every file of `fuzz/seeds/validate_bytes/` and `fuzz/regressions/validate_bytes/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::validate_bytes(data));
