//! `cargo fuzz run signature`: the invariant is asserted in `hookcheck::fuzzing::signature`, which
//! `cargo test` also runs on every file of `fuzz/seeds/signature/` and `fuzz/regressions/signature/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::signature(data));
