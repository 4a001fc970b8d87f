//! Delta frames: a checkpoint stored as a zstd frame compressed against the CBOR
//! document of its base checkpoint (zstd's raw-content dictionary). A storage-only
//! format (docs/FORMAT.md, "Delta frames"): it lives in the checkpoint table and is
//! never a `pgmem_snapshot` value.
//!
//! ```text
//! 0..3   magic "PGM"   3  format version (1)   4  codec (2 = zstd CBOR delta)
//! 5..9   CBOR length, unsigned 32-bit big-endian
//! 9..13  the base's CBOR length, unsigned 32-bit big-endian
//! 13..21 XXH3-64 (seed 0) of the base's CBOR, unsigned 64-bit big-endian
//! 21..   one zstd frame, compressed with the base's CBOR as its dictionary
//! ```
//!
//! The base's length and hash make a frame's bytes name the one document it can be
//! applied to: a wrong or damaged base is reported as such, never decoded into
//! something else.
use crate::error::{corrupt, Error, Result};
use crate::format::{self, HEADER_LEN, MAGIC, VERSION};
use crate::Interrupt;
use std::cell::RefCell;
use twox_hash::XxHash3_64;
use zstd::zstd_safe::{CCtx, CParameter, ResetDirective};

pub const CODEC_ZSTD_CBOR_DELTA: u8 = 2;
pub const DELTA_HEADER_LEN: usize = HEADER_LEN + 12;

/// Longest distance a delta's matches reach back, as a power of two: zstd decoders
/// accept up to 2^27 without being asked to, and a base and its successor larger than
/// that still make a valid, if larger, delta.
const WINDOW_LOG: u32 = 27;

thread_local! {
    static COMPRESSOR: RefCell<Option<CCtx<'static>>> = const { RefCell::new(None) };
}

/// Whether stored bytes are a delta frame (a keyframe is a `pgmem_snapshot` value).
pub fn is_delta(frame: &[u8]) -> bool {
    frame.len() >= HEADER_LEN && &frame[..3] == MAGIC && frame[4] == CODEC_ZSTD_CBOR_DELTA
}

/// The delta frame of `cbor` against `base`, at zstd `level`.
pub fn encode(cbor: &[u8], base: &[u8], level: i32, interrupt: Interrupt) -> Result<Vec<u8>> {
    let base_len = u32::try_from(base.len()).map_err(|_| Error::TooLarge {
        size: Some(base.len() as u64),
        limit: u64::from(u32::MAX),
    })?;
    let mut extra = [0u8; 12];
    extra[..4].copy_from_slice(&base_len.to_be_bytes());
    extra[4..].copy_from_slice(&XxHash3_64::oneshot(base).to_be_bytes());
    let mut out = format::with_header(cbor, CODEC_ZSTD_CBOR_DELTA, &extra)?;
    COMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.is_none() {
            *cached = Some(CCtx::try_create().ok_or(Error::OutOfMemory)?);
        }
        let cctx = format::Cleared(cached.as_mut().expect("compressor was just created"));
        let failed = |_| Error::OutOfMemory;
        // Parameters are set anew: an interrupted call may have left any.
        cctx.0
            .reset(ResetDirective::SessionAndParameters)
            .map_err(failed)?;
        format::set_parameters(cctx.0, level)?;
        cctx.0
            .set_parameter(CParameter::WindowLog(WINDOW_LOG))
            .map_err(failed)?;
        if let Some(log) = hash_log(base.len()) {
            cctx.0
                .set_parameter(CParameter::HashLog(log))
                .map_err(failed)?;
        }
        // SAFETY: zstd keeps a reference to the prefix for the one frame compressed next
        // (a dictionary would be copied and indexed twice, with allocations the size of
        // its tables on every call). `Cleared` resets the context, dropping the prefix and
        // that frame, before this call returns or unwinds, so the reference never
        // outlives `base`; a later frame starts from a cleared window.
        let prefix = unsafe { std::mem::transmute::<&[u8], &'static [u8]>(base) };
        cctx.0.ref_prefix(prefix).map_err(failed)?;
        format::stream_compress(cctx.0, cbor, &mut out, interrupt)
    })?;
    Ok(out)
}

/// zstd indexes at most 8 bytes of a dictionary per hash-table entry and drops the
/// rest from its front; an agent's new document repeats its base from the start, so
/// a large base gets a table that holds all of it (memory in proportion to the base).
fn hash_log(base_len: usize) -> Option<u32> {
    const DEFAULT_REACH: usize = 8 << 17;
    (base_len > DEFAULT_REACH).then(|| (base_len.next_power_of_two().trailing_zeros() - 2).min(30))
}

/// The CBOR document of a delta frame, applied to `base`. `max_bytes` bounds what the
/// frame may claim, as for a keyframe.
pub fn decode(
    frame: &[u8],
    base: &[u8],
    max_bytes: usize,
    interrupt: Interrupt,
) -> Result<Vec<u8>> {
    let header = delta_header(frame)?;
    if header.base_len as usize != base.len() || header.base_hash != XxHash3_64::oneshot(base) {
        return corrupt(
            "delta frame does not belong to its base (the base's length or hash differs)",
        );
    }
    format::inflate(
        &frame[DELTA_HEADER_LEN..],
        header.raw_len as usize,
        max_bytes,
        format::Reference::Prefix(base),
        interrupt,
    )
}

struct DeltaHeader {
    raw_len: u32,
    base_len: u32,
    base_hash: u64,
}

fn delta_header(frame: &[u8]) -> Result<DeltaHeader> {
    if frame.len() < DELTA_HEADER_LEN || &frame[..3] != MAGIC {
        return corrupt("not a pgmem delta frame");
    }
    if frame[3] != VERSION || frame[4] != CODEC_ZSTD_CBOR_DELTA {
        return corrupt(format!(
            "unsupported pgmem frame version {} codec {}",
            frame[3], frame[4]
        ));
    }
    let word =
        |at: usize| u32::from_be_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]]);
    Ok(DeltaHeader {
        raw_len: word(5),
        base_len: word(9),
        base_hash: u64::from(word(13)) << 32 | u64::from(word(17)),
    })
}

/// The CBOR length of a keyframe or a delta frame, from its header alone.
pub fn frame_raw_len(frame: &[u8]) -> Result<u32> {
    if is_delta(frame) {
        delta_header(frame).map(|h| h.raw_len)
    } else {
        format::raw_len(frame)
    }
}
