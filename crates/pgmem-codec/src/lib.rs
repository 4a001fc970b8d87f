//! pgmem's snapshot codec: JSON text <-> CBOR <-> zstd, with jsonb's semantics and
//! no PostgreSQL dependency. The extension wraps these calls; everything about the
//! bytes lives here and is tested with plain `cargo test`.
//!
//! Layers, each its own module: [`json_in`] (text to CBOR), [`json_out`] (CBOR to
//! text), [`validate`] (strict checks for binary input), [`format`] (the header and
//! the zstd frame), with [`cbor`], [`number`] and [`bigint`] beneath them. Checkpoints
//! add [`delta`] frames (stored against a base document), [`chain`] (reading a
//! keyframe and its deltas) and [`uncompressed`] (a value that is cheap to rebuild);
//! [`dictionary`] compresses with trained dictionaries.
pub mod bigint;
pub mod cbor;
pub mod chain;
pub mod delta;
pub mod dictionary;
pub mod error;
pub mod events;
pub mod format;
pub mod json_in;
pub mod json_out;
pub mod jsonb_size;
pub mod number;
mod scan;
pub mod stored_number;
pub mod uncompressed;
pub mod validate;

pub use error::{Error, Position, Result};

/// Called every [`INTERRUPT_EVERY`] bytes of work or so, so that a long conversion can
/// be stopped: an `Err` ends it with that error, and the host may also unwind from it
/// (PostgreSQL's interrupt check raises the cancel or timeout error).
pub type Interrupt<'a> = &'a dyn Fn() -> Result<()>;

/// An interrupt check that never stops anything.
pub const UNINTERRUPTED: Interrupt<'static> = &|| Ok(());

/// Bytes of input or output between interrupt checks: tens of microseconds of work.
pub const INTERRUPT_EVERY: usize = 64 * 1024;

/// JSON text a snapshot may print per byte of its CBOR ...
pub const TEXT_PER_CBOR_BYTE: usize = 8;
/// ... plus this much, for numbers whose exponent prints as many zeros.
pub const TEXT_ALLOWANCE: usize = 1 << 20;

/// Longest JSON text a CBOR document of `cbor_len` bytes may print. Ordinary JSON
/// prints at most 6 bytes per CBOR byte (`null,` or an escaped control character);
/// numbers like `1e100000` print far more than they take, and this bounds them, so
/// that no stored value costs more to read than a multiple of its size.
pub fn text_limit(cbor_len: usize) -> usize {
    cbor_len
        .saturating_mul(TEXT_PER_CBOR_BYTE)
        .saturating_add(TEXT_ALLOWANCE)
        .min(json_out::MAX_TEXT_BYTES)
}

/// The checks on a finished CBOR document: at most `max_bytes`, and printing at most
/// [`text_limit`] of JSON text (`text_len`, counted as it was written).
pub(crate) fn check_finished(cbor_len: usize, text_len: usize, max_bytes: usize) -> Result<()> {
    if cbor_len > max_bytes {
        return Err(Error::TooLarge {
            size: Some(cbor_len as u64),
            limit: max_bytes as u64,
        });
    }
    if text_len > text_limit(cbor_len) {
        return Err(Error::TextTooLarge);
    }
    Ok(())
}

/// Deepest nesting of arrays and objects a snapshot may have. jsonb itself is bounded
/// only by PostgreSQL's stack depth; this limit keeps every snapshot convertible to
/// jsonb under the default `max_stack_depth` (2 MB).
pub const MAX_DEPTH: usize = 10_000;

/// Largest CBOR document any snapshot can hold (PostgreSQL values stop at 1 GB).
pub const HARD_MAX_BYTES: usize = json_out::MAX_TEXT_BYTES;

/// Stored bytes of a JSON document whose CBOR is at most `max_bytes` long.
pub fn encode(json: &str, level: i32, max_bytes: usize, interrupt: Interrupt) -> Result<Vec<u8>> {
    let cbor = json_in::to_cbor(json, max_bytes, interrupt)?;
    format::compress(&cbor, level, interrupt)
}

/// The JSON text of stored bytes (UTF-8, see [`json_out::to_json`]). Values already
/// stored decode whatever the current size limit is, so lowering the limit never makes
/// old rows unreadable.
pub fn decode(stored: &[u8], interrupt: Interrupt) -> Result<Vec<u8>> {
    let cbor = format::decompress(stored, HARD_MAX_BYTES, interrupt)?;
    json_out::to_json(&cbor, interrupt)
}

/// Check binary input fully (header, frame, CBOR) before it may be stored.
pub fn validate(stored: &[u8], max_bytes: usize, interrupt: Interrupt) -> Result<()> {
    let cbor = format::decompress(stored, max_bytes, interrupt)?;
    validate::check(&cbor, interrupt)
}
