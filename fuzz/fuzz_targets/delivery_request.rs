//! `cargo fuzz run delivery_request`: the invariant is asserted in `hookcheck::fuzzing::delivery_request`, which
//! `cargo test` also runs on every file of `fuzz/seeds/delivery_request/` and `fuzz/regressions/delivery_request/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::delivery_request(data));
