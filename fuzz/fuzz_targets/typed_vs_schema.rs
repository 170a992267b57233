//! `cargo fuzz run typed_vs_schema`: the invariant is asserted in `hookcheck::fuzzing::typed_vs_schema`, which
//! `cargo test` also runs on every file of `fuzz/seeds/typed_vs_schema/` and `fuzz/regressions/typed_vs_schema/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::typed_vs_schema(data));
