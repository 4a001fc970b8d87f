//! A snapshot whose zstd frame stores its CBOR in raw blocks: a complete, standard
//! value (docs/FORMAT.md) that costs a copy to write and a copy to read. pgmem writes
//! it for a checkpoint rebuilt from its delta chain, where compressing again would
//! cost more than everything else the read does.
use crate::error::Result;
use crate::format::{self, CODEC_ZSTD_CBOR};
use crate::Interrupt;
use std::hash::Hasher;
use twox_hash::XxHash64;

const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];
/// Frame header descriptor: a 4-byte content size, a window descriptor, a checksum.
const DESCRIPTOR: u8 = 0b1000_0100;
/// A 128 KiB window: raw blocks reference nothing, and a block may be this long.
const WINDOW: u8 = 7 << 3;
const BLOCK: usize = 128 * 1024;

/// The stored bytes of a value holding `cbor`, uncompressed.
pub fn store(cbor: &[u8], interrupt: Interrupt) -> Result<Vec<u8>> {
    let mut out = format::with_header(cbor, CODEC_ZSTD_CBOR, &[])?;
    // The header holds the same length, so with_header has refused one past u32.
    let size = cbor.len() as u32;
    out.extend_from_slice(&ZSTD_MAGIC);
    out.extend_from_slice(&[DESCRIPTOR, WINDOW]);
    out.extend_from_slice(&size.to_le_bytes());
    let mut hasher = XxHash64::with_seed(0);
    // An empty document is one empty last block.
    let mut blocks = std::iter::once(cbor)
        .filter(|c| c.is_empty())
        .chain(cbor.chunks(BLOCK))
        .peekable();
    while let Some(block) = blocks.next() {
        let last = u32::from(blocks.peek().is_none());
        // Block type 0 (raw) in bits 1-2, the size above bit 3, little-endian in 3 bytes.
        let head = (block.len() as u32) << 3 | last;
        out.extend_from_slice(&head.to_le_bytes()[..3]);
        out.extend_from_slice(block);
        hasher.write(block);
        interrupt()?;
    }
    out.extend_from_slice(&(hasher.finish() as u32).to_le_bytes());
    Ok(out)
}
