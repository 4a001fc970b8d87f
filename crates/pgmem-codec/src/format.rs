//! The stored bytes of a snapshot (see docs/FORMAT.md): a 9-byte header, then one
//! zstd frame whose content is the CBOR document.
//!
//! ```text
//! 0..3  magic "PGM"        3     format version (1)     4     codec (1 = zstd CBOR)
//! 5..9  CBOR length, unsigned 32-bit big-endian         9..   one zstd frame
//! ```
//!
//! A value compressed with a trained dictionary (codec 3) has the dictionary's id
//! between the header and the frame ([`crate::dictionary`]).
use crate::dictionary::{self, CODEC_ZSTD_CBOR_DICTIONARY, DICTIONARY_HEADER_LEN};
use crate::error::{corrupt, Error, Result};
use crate::Interrupt;
use std::cell::RefCell;
use std::io::Read;
use zstd::zstd_safe::{self, CCtx, CParameter, DCtx, DDict, InBuffer, OutBuffer, ResetDirective};

pub const MAGIC: &[u8; 3] = b"PGM";
pub const VERSION: u8 = 1;
pub const CODEC_ZSTD_CBOR: u8 = 1;
pub const HEADER_LEN: usize = 9;

/// Bytes compressed, or decompressed, between interrupt checks: well under a
/// millisecond of zstd's work at the default level, tens at level 19.
const STEP: usize = 256 * 1024;

thread_local! {
    // Compression contexts are costly to create; a backend reuses one.
    static COMPRESSOR: RefCell<Option<(i32, CCtx<'static>)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
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
    match stored[4] {
        CODEC_ZSTD_CBOR => {}
        CODEC_ZSTD_CBOR_DICTIONARY if stored.len() >= DICTIONARY_HEADER_LEN => {}
        CODEC_ZSTD_CBOR_DICTIONARY => {
            return corrupt("pgmem_snapshot value is shorter than its 13-byte header")
        }
        codec => return corrupt(format!("unsupported pgmem_snapshot codec {codec}")),
    }
    Ok(u32::from_be_bytes([
        stored[5], stored[6], stored[7], stored[8],
    ]))
}

/// Header plus a checksummed zstd frame of `cbor` at `level`.
pub fn compress(cbor: &[u8], level: i32, interrupt: Interrupt) -> Result<Vec<u8>> {
    let mut out = with_header(cbor, CODEC_ZSTD_CBOR, &[])?;
    COMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().map(|(l, _)| *l) != Some(level) {
            *cached = Some((level, compressor(level)?));
        }
        let (_, cctx) = cached.as_mut().expect("compressor was just created");
        stream_compress(cctx, cbor, &mut out, interrupt)
    })?;
    Ok(out)
}

/// A buffer holding the header of a value of `codec` for `cbor`, then `extra` header
/// bytes, with room for the whole zstd frame after them.
pub(crate) fn with_header(cbor: &[u8], codec: u8, extra: &[u8]) -> Result<Vec<u8>> {
    let raw = u32::try_from(cbor.len()).map_err(|_| Error::TooLarge {
        size: Some(cbor.len() as u64),
        limit: u64::from(u32::MAX),
    })?;
    let mut out = Vec::new();
    out.try_reserve_exact(HEADER_LEN + extra.len() + zstd_safe::compress_bound(cbor.len()))
        .map_err(|_| Error::OutOfMemory)?;
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[VERSION, codec]);
    out.extend_from_slice(&raw.to_be_bytes());
    out.extend_from_slice(extra);
    Ok(out)
}

/// A compressor lent out with a reference to a prefix or dictionary, reset when the
/// compression ends, however it ends, so that the reference never outlives it.
pub(crate) struct Cleared<'c>(pub(crate) &'c mut CCtx<'static>);

impl Drop for Cleared<'_> {
    fn drop(&mut self) {
        // Resetting cannot fail for a valid context; nothing is left to do if it did.
        let _ = self.0.reset(ResetDirective::SessionAndParameters);
    }
}

/// A context that writes the content size and a checksum (any flipped bit in the
/// frame is then caught on decode). The level is range-checked by its setting, so
/// zstd can only fail here for memory.
fn compressor(level: i32) -> Result<CCtx<'static>> {
    let mut cctx = CCtx::try_create().ok_or(Error::OutOfMemory)?;
    set_parameters(&mut cctx, level)?;
    Ok(cctx)
}

pub(crate) fn set_parameters(cctx: &mut CCtx, level: i32) -> Result<()> {
    for parameter in [
        CParameter::CompressionLevel(level),
        CParameter::ChecksumFlag(true),
        CParameter::ContentSizeFlag(true),
    ] {
        cctx.set_parameter(parameter)
            .map_err(|_| Error::OutOfMemory)?;
    }
    Ok(())
}

/// One frame, [`STEP`] bytes of input at a time; `out` has room for the whole frame.
pub(crate) fn stream_compress(
    cctx: &mut CCtx,
    cbor: &[u8],
    out: &mut Vec<u8>,
    interrupt: Interrupt,
) -> Result<()> {
    let failed = |_| Error::OutOfMemory;
    // A frame left unfinished by an interrupt must not leak into this one.
    cctx.reset(ResetDirective::SessionOnly).map_err(failed)?;
    cctx.set_pledged_src_size(Some(cbor.len() as u64))
        .map_err(failed)?;
    let start = out.len();
    let mut output = OutBuffer::around_pos(out, start);
    // An empty document (only ever in tests of binary input) is one empty chunk.
    let empty = std::iter::once(cbor).filter(|c| c.is_empty());
    let mut chunks = empty.chain(cbor.chunks(STEP)).peekable();
    while let Some(chunk) = chunks.next() {
        let mut input = InBuffer::around(chunk);
        let last = chunks.peek().is_none();
        loop {
            let directive = if last {
                zstd_safe::zstd_sys::ZSTD_EndDirective::ZSTD_e_end
            } else {
                zstd_safe::zstd_sys::ZSTD_EndDirective::ZSTD_e_continue
            };
            let remaining = cctx
                .compress_stream2(&mut output, &mut input, directive)
                .map_err(failed)?;
            if input.pos() == chunk.len() && (!last || remaining == 0) {
                break;
            }
        }
        if !last {
            interrupt()?;
        }
    }
    Ok(())
}

/// The CBOR document of a stored value, checked against its header. `max_bytes`
/// bounds what a header or frame may claim and what a frame may expand to.
pub fn decompress(stored: &[u8], max_bytes: usize, interrupt: Interrupt) -> Result<Vec<u8>> {
    let raw = raw_len(stored)? as usize;
    match dictionary::id_in(stored) {
        Some(id) => {
            let dictionary = dictionary::resolve(id)?;
            let frame = &stored[DICTIONARY_HEADER_LEN..];
            let reference = Reference::Dictionary(dictionary.ddict());
            inflate(frame, raw, max_bytes, reference, interrupt)
        }
        None => inflate(
            &stored[HEADER_LEN..],
            raw,
            max_bytes,
            Reference::None,
            interrupt,
        ),
    }
}

/// What a zstd frame was compressed against.
pub(crate) enum Reference<'a> {
    None,
    /// The raw content of another document (a delta's base).
    Prefix(&'a [u8]),
    /// A trained dictionary.
    Dictionary(&'a DDict<'static>),
}

/// The `raw` bytes a zstd frame holds, decompressed against `reference`.
pub(crate) fn inflate(
    frame: &[u8],
    raw: usize,
    max_bytes: usize,
    reference: Reference,
    interrupt: Interrupt,
) -> Result<Vec<u8>> {
    // Header and frame must agree before either's claim is believed: a flipped bit
    // in a length is damage (22P03), an honest claim past the limit is too large.
    match zstd_safe::get_frame_content_size(frame) {
        Ok(Some(claimed)) if claimed == raw as u64 => {}
        Ok(Some(_)) => return corrupt("zstd frame size disagrees with the pgmem_snapshot header"),
        Ok(None) => return Err(undeclared_size(frame, max_bytes, interrupt)?),
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
    match zstd_safe::find_frame_compressed_size(frame) {
        Ok(n) if n == frame.len() => {}
        Ok(_) => return corrupt("pgmem_snapshot has bytes after its zstd frame"),
        Err(_) => return corrupt("pgmem_snapshot zstd frame is truncated or damaged"),
    }
    let mut out = Vec::new();
    out.try_reserve_exact(raw).map_err(|_| Error::OutOfMemory)?;
    let written = DECOMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.is_none() {
            *cached = Some(DCtx::try_create().ok_or(Error::OutOfMemory)?);
        }
        let dctx = cached.as_mut().expect("decompressor was just created");
        // Also drops a prefix an interrupted call may have left behind.
        dctx.reset(ResetDirective::SessionAndParameters)
            .map_err(|_| Error::OutOfMemory)?;
        match reference {
            Reference::Prefix(prefix) if raw <= STEP => dctx
                .decompress_using_dict(&mut out, frame, prefix)
                .map_err(damaged),
            Reference::Dictionary(ddict) if raw <= STEP => dctx
                .decompress_using_ddict(&mut out, frame, ddict)
                .map_err(damaged),
            Reference::None if raw <= STEP => dctx.decompress(&mut out, frame).map_err(damaged),
            _ => {
                match reference {
                    // Copied into the context: one step's call cannot hold a borrow.
                    Reference::Prefix(prefix) => dctx.load_dictionary(prefix),
                    // Referenced until the reset that starts the next call: the
                    // dictionary is kept by the host for as long as the backend lives.
                    Reference::Dictionary(ddict) => dctx.ref_ddict(ddict),
                    Reference::None => Ok(0),
                }
                .map_err(|_| Error::OutOfMemory)?;
                stream_decompress(dctx, frame, raw, &mut out, interrupt)
            }
        }
    })?;
    // zstd stops at the frame's declared size, which equals the header's: a frame
    // cannot expand past what it claims, so a lying one fails here as damaged.
    if written != raw {
        return corrupt("zstd frame holds fewer bytes than the pgmem_snapshot header says");
    }
    Ok(out)
}

fn damaged(code: usize) -> Error {
    Error::Corrupt(format!(
        "pgmem_snapshot zstd frame is damaged: {}",
        zstd_safe::get_error_name(code)
    ))
}

/// Decompress a large frame [`STEP`] output bytes at a time into `out` (`raw` bytes of
/// capacity); returns how many bytes it held.
fn stream_decompress(
    dctx: &mut DCtx,
    frame: &[u8],
    raw: usize,
    out: &mut Vec<u8>,
    interrupt: Interrupt,
) -> Result<usize> {
    let mut input = InBuffer::around(frame);
    let mut written = 0;
    loop {
        let end = raw.min(written + STEP);
        // Zeroed step by step (within the capacity reserved), not all before the first
        // interrupt check.
        out.resize(end, 0);
        let mut output = OutBuffer::around_pos(&mut out[..end], written);
        let hint = dctx
            .decompress_stream(&mut output, &mut input)
            .map_err(damaged)?;
        let progress = output.pos() > written;
        written = output.pos();
        if hint == 0 {
            out.truncate(written);
            return Ok(written);
        }
        if !progress && (input.pos() == frame.len() || written == raw) {
            return corrupt("pgmem_snapshot zstd frame is truncated or damaged");
        }
        interrupt()?;
    }
}

/// Frames must declare their content size (pgmem's always do, and one-shot
/// compressors do by default). One that does not is refused; if it expands past
/// `max_bytes` it is a decompression bomb and says so. Counting stops one byte past
/// the limit and keeps nothing, so a bomb costs no memory.
fn undeclared_size(frame: &[u8], max_bytes: usize, interrupt: Interrupt) -> Result<Error> {
    let mut expanded = 0usize;
    if let Ok(decoder) = zstd::stream::read::Decoder::with_buffer(frame) {
        let mut limited = decoder.take(max_bytes as u64 + 1);
        let mut sink = [0u8; 64 * 1024];
        while let Ok(n @ 1..) = limited.read(&mut sink) {
            expanded += n;
            interrupt()?;
        }
    }
    Ok(if expanded > max_bytes {
        Error::TooLarge {
            size: None,
            limit: max_bytes as u64,
        }
    } else {
        Error::Corrupt("zstd frame does not declare its content size".into())
    })
}
