//! pgmem's snapshot codec: JSON text <-> CBOR <-> zstd, with jsonb's semantics and
//! no PostgreSQL dependency. The extension wraps these calls; everything about the
//! bytes lives here and is tested with plain `cargo test`.
//!
//! Layers, each its own module: [`json_in`] (text to CBOR), [`json_out`] (CBOR to
//! text), [`validate`] (strict checks for binary input), [`format`] (the header and
//! the zstd frame), with [`cbor`], [`number`] and [`bigint`] beneath them.
pub mod bigint;
pub mod cbor;
pub mod error;
pub mod format;
pub mod json_in;
pub mod json_out;
pub mod number;
mod scan;
pub mod validate;

pub use error::{Error, Position, Result};

/// Deepest nesting of arrays and objects a snapshot may have. jsonb itself is bounded
/// only by PostgreSQL's stack depth; this limit keeps every snapshot convertible to
/// jsonb under the default `max_stack_depth` (2 MB).
pub const MAX_DEPTH: usize = 10_000;

/// Largest CBOR document any snapshot can hold (PostgreSQL values stop at 1 GB).
pub const HARD_MAX_BYTES: usize = json_out::MAX_TEXT_BYTES;

/// Stored bytes of a JSON document whose CBOR is at most `max_bytes` long.
pub fn encode(json: &str, level: i32, max_bytes: usize) -> Result<Vec<u8>> {
    let cbor = json_in::to_cbor(json, max_bytes)?;
    format::compress(&cbor, level)
}

/// The JSON text of stored bytes (UTF-8, see [`json_out::to_json`]). Values already
/// stored decode whatever the current size limit is, so lowering the limit never makes
/// old rows unreadable.
pub fn decode(stored: &[u8]) -> Result<Vec<u8>> {
    let cbor = format::decompress(stored, HARD_MAX_BYTES)?;
    json_out::to_json(&cbor)
}

/// Check binary input fully (header, frame, CBOR) before it may be stored.
pub fn validate(stored: &[u8], max_bytes: usize) -> Result<()> {
    let cbor = format::decompress(stored, max_bytes)?;
    validate::check(&cbor)
}
