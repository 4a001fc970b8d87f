//! The stored bytes of a snapshot (see docs/FORMAT.md): a 9-byte header, then one
//! zstd frame whose content is the CBOR document.
//!
//! ```text
//! 0..3  magic "PGM"        3     format version (1)     4     codec (1 = zstd CBOR)
//! 5..9  CBOR length, unsigned 32-bit big-endian         9..   one zstd frame
//! ```
use crate::error::{corrupt, Error, Result};
use std::cell::RefCell;
use std::io::Read;

pub const MAGIC: &[u8; 3] = b"PGM";
pub const VERSION: u8 = 1;
pub const CODEC_ZSTD_CBOR: u8 = 1;
pub const HEADER_LEN: usize = 9;

thread_local! {
    // Compression contexts are costly to create; a backend reuses one.
    static COMPRESSOR: RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> =
        const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { RefCell::new(None) };
}

/// The length of the CBOR document, from the header alone.
pub fn raw_len(stored: &[u8]) -> Result<u32> {
    if stored.len() < HEADER_LEN {
        return corrupt("pgmem_snapshot value is shorter than its 9-byte header");
    }
    if &stored[..3] != MAGIC {
        return corrupt("not a pgmem_snapshot value (wrong magic bytes)");
    }
    if stored[3] != VERSION {
        return corrupt(format!(
            "unsupported pgmem_snapshot format version {}",
            stored[3]
        ));
    }
    if stored[4] != CODEC_ZSTD_CBOR {
        return corrupt(format!("unsupported pgmem_snapshot codec {}", stored[4]));
    }
    Ok(u32::from_be_bytes([
        stored[5], stored[6], stored[7], stored[8],
    ]))
}

/// Header plus a checksummed zstd frame of `cbor` at `level`.
pub fn compress(cbor: &[u8], level: i32) -> Result<Vec<u8>> {
    let raw = u32::try_from(cbor.len()).map_err(|_| Error::TooLarge {
        size: Some(cbor.len() as u64),
        limit: u64::from(u32::MAX),
    })?;
    let frame = COMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().map(|(l, _)| *l) != Some(level) {
            let mut c = zstd::bulk::Compressor::new(level)?;
            // A checksum lets any flipped bit in the frame be caught on decode.
            c.include_checksum(true)?;
            c.include_contentsize(true)?;
            *cached = Some((level, c));
        }
        let (_, c) = cached.as_mut().expect("compressor was just created");
        c.compress(cbor)
    });
    // The level is range-checked by its setting, so zstd can only fail for memory.
    let frame = frame.map_err(|_| Error::OutOfMemory)?;
    let mut out = Vec::new();
    out.try_reserve_exact(HEADER_LEN + frame.len())
        .map_err(|_| Error::OutOfMemory)?;
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, CODEC_ZSTD_CBOR]);
    out.extend_from_slice(&raw.to_be_bytes());
    out.extend_from_slice(&frame);
    Ok(out)
}

/// The CBOR document of a stored value, checked against its header. `max_bytes`
/// bounds what a header or frame may claim and what a frame may expand to.
pub fn decompress(stored: &[u8], max_bytes: usize) -> Result<Vec<u8>> {
    let raw = raw_len(stored)? as usize;
    let frame = &stored[HEADER_LEN..];
    // Header and frame must agree before either's claim is believed: a flipped bit
    // in a length is damage (22P03), an honest claim past the limit is too large.
    match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(claimed)) if claimed == raw as u64 => {}
        Ok(Some(_)) => return corrupt("zstd frame size disagrees with the pgmem_snapshot header"),
        Ok(None) => return Err(undeclared_size(frame, max_bytes)),
        Err(_) => return corrupt("pgmem_snapshot payload is not a zstd frame"),
    }
    // zstd decoders ignore the descriptor's unused bit; pgmem never sets it, so a
    // value with it set has been altered and is refused like any other flipped bit.
    if frame
        .get(4)
        .is_some_and(|descriptor| descriptor & 0x10 != 0)
    {
        return corrupt("zstd frame header has its unused bit set");
    }
    if raw > max_bytes {
        return Err(Error::TooLarge {
            size: Some(raw as u64),
            limit: max_bytes as u64,
        });
    }
    match zstd::zstd_safe::find_frame_compressed_size(frame) {
        Ok(n) if n == frame.len() => {}
        Ok(_) => return corrupt("pgmem_snapshot has bytes after its zstd frame"),
        Err(_) => return corrupt("pgmem_snapshot zstd frame is truncated or damaged"),
    }
    let mut out = Vec::new();
    out.try_reserve_exact(raw).map_err(|_| Error::OutOfMemory)?;
    let result = DECOMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.is_none() {
            *cached = Some(zstd::bulk::Decompressor::new()?);
        }
        let d = cached.as_mut().expect("decompressor was just created");
        d.decompress_to_buffer(frame, &mut out)
    });
    // zstd stops at the frame's declared size, which equals the header's: a frame
    // cannot expand past what it claims, so a lying one fails here as damaged.
    match result {
        Ok(n) if n == raw => Ok(out),
        Ok(_) => corrupt("zstd frame holds fewer bytes than the pgmem_snapshot header says"),
        Err(e) => corrupt(format!("pgmem_snapshot zstd frame is damaged: {e}")),
    }
}

/// Frames must declare their content size (pgmem's always do, and one-shot
/// compressors do by default). One that does not is refused; if it expands past
/// `max_bytes` it is a decompression bomb and says so. Counting stops one byte past
/// the limit and keeps nothing, so a bomb costs no memory.
fn undeclared_size(frame: &[u8], max_bytes: usize) -> Error {
    let mut expanded = 0usize;
    if let Ok(decoder) = zstd::stream::read::Decoder::with_buffer(frame) {
        let mut limited = decoder.take(max_bytes as u64 + 1);
        let mut sink = [0u8; 64 * 1024];
        while let Ok(n @ 1..) = limited.read(&mut sink) {
            expanded += n;
        }
    }
    if expanded > max_bytes {
        Error::TooLarge {
            size: None,
            limit: max_bytes as u64,
        }
    } else {
        Error::Corrupt("zstd frame does not declare its content size".into())
    }
}
