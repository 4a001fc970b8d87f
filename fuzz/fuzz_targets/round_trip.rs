//! JSON text -> stored -> text -> stored: the same CBOR, the same text.
#![no_main]
#[path = "../oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::round_trip(data));
