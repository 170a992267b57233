//! `cargo fuzz run ndjson_stream`: the invariant is asserted in `hookcheck::fuzzing::ndjson_stream`, which
//! `cargo test` also runs on every file of `fuzz/seeds/ndjson_stream/` and `fuzz/regressions/ndjson_stream/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hookcheck::fuzzing::ndjson_stream(data));
