//! Stored bytes (or a CBOR document in a valid frame) through the lenient decoder:
//! never a panic, and any text it prints is UTF-8 within 1 GB.
#![no_main]
#[path = "../oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::stored_to_json(data));
