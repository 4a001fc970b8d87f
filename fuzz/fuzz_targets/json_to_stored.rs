//! JSON text to a stored value: accepted text validates, decodes within its bound,
//! and its decoded text encodes to the same CBOR (see fuzz/oracles.rs).
#![no_main]
#[path = "../oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::json_to_stored(data));
