//! `cargo fuzz run timestamps`: the invariant is asserted in `hookcheck::fuzzing::timestamps`, which
//! `cargo test` also runs on every file of `fuzz/seeds/timestamps/` and `fuzz/regressions/timestamps/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::timestamps(data));
