//! Binary input through the strict checks: stored bytes as they are, or any other
//! input as a CBOR document in a valid frame; what passes decodes and round-trips.
#![no_main]
#[path = "../oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::stored_validate(data));
