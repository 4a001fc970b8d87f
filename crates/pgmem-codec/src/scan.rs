//! Fast scans over string bytes, shared by the JSON reader and writer.

/// Where a string's plain run ends: the first `"`, `\\` or control byte, which JSON
/// text must escape. Strings are most of an agent's JSON, so this reads sixteen bytes
/// a step with SSE2 where there is SSE2 (every x86-64), eight (SWAR) elsewhere and
/// for the rest, before looking at single bytes.
pub fn string_stop(bytes: &[u8]) -> Option<usize> {
    // SAFETY: the function needs SSE2, which this target has (checked at compile time).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let start = match unsafe { sse2::blocks_stop(bytes) } {
        Ok(at) => return Some(at),
        Err(scanned) => scanned,
    };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let start = 0;
    swar_stop(&bytes[start..]).map(|at| start + at)
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_storeu_si128,
    };

    /// A bit for each of the sixteen bytes that must be escaped.
    #[target_feature(enable = "sse2")]
    fn special(v: __m128i) -> i32 {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        // A byte below 0x20 is its own unsigned minimum with 0x1f.
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        let special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
            control,
        );
        _mm_movemask_epi8(special)
    }

    /// The first special byte in `bytes`' whole 16-byte blocks, or how many bytes those
    /// blocks hold (none special).
    #[target_feature(enable = "sse2")]
    pub fn blocks_stop(bytes: &[u8]) -> Result<usize, usize> {
        let mut offset = 0;
        for block in bytes.chunks_exact(16) {
            // SAFETY: the block is 16 readable bytes; an unaligned load needs no more.
            let mask = special(unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) });
            if mask != 0 {
                return Ok(offset + mask.trailing_zeros() as usize);
            }
            offset += 16;
        }
        Err(offset)
    }

    /// [`super::copy_plain`] over whole 16-byte blocks: each is stored whole, plain or
    /// not, and the output keeps only its plain bytes. `Ok` with the plain run's length
    /// at the first special byte, `Err` with the bytes copied when no block holds one.
    ///
    /// SAFETY: `out` has spare capacity for `bytes.len()` more bytes.
    #[target_feature(enable = "sse2")]
    pub unsafe fn copy_blocks(out: &mut Vec<u8>, bytes: &[u8]) -> Result<usize, usize> {
        let dst = unsafe { out.as_mut_ptr().add(out.len()) };
        let mut offset = 0;
        for block in bytes.chunks_exact(16) {
            let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
            // offset + 16 <= bytes.len(): within the spare capacity.
            unsafe { _mm_storeu_si128(dst.add(offset).cast::<__m128i>(), v) };
            let mask = special(v);
            if mask != 0 {
                let plain = offset + mask.trailing_zeros() as usize;
                // The plain bytes are initialised; what follows them is spare again.
                unsafe { out.set_len(out.len() + plain) };
                return Ok(plain);
            }
            offset += 16;
        }
        unsafe { out.set_len(out.len() + offset) };
        Err(offset)
    }
}

/// Append the plain run at the start of `bytes` (up to the first byte [`string_stop`]
/// finds, or all of them) to `out`; returns its length. It copies sixteen bytes a
/// step, so `out` must have spare capacity for all of `bytes` (asserted).
pub fn copy_plain(out: &mut Vec<u8>, bytes: &[u8]) -> usize {
    assert!(out.capacity() - out.len() >= bytes.len());
    // SAFETY: SSE2 as for string_stop, and the capacity was just asserted.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let start = match unsafe { sse2::copy_blocks(out, bytes) } {
        Ok(plain) => return plain,
        Err(copied) => copied,
    };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let start = 0;
    let rest = &bytes[start..];
    let plain = swar_stop(rest).unwrap_or(rest.len());
    out.extend_from_slice(&rest[..plain]);
    start + plain
}

/// [`string_stop`] eight bytes a step.
fn swar_stop(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Marks a zero byte, possibly also one right after a real match: enough to stop.
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut offset = 0;
    for word in bytes.chunks_exact(8) {
        let w = u64::from_le_bytes(word.try_into().expect("chunks of eight"));
        let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
        let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
        // Bytes below 0x20: subtracting 0x20 borrows into their high bit.
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        if quote | backslash | control != 0 {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| offset + i)
}

/// How many bytes more than itself printing `byte` in a JSON string takes: 1 for the
/// escapes with a letter (`\"`, `\\`, `\n`, ...), 5 for other control characters
/// (`\u00XX`), 0 for the rest. The writer's escapes, counted before writing.
pub fn escape_extra(byte: u8) -> usize {
    match byte {
        b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
        0..=0x1f => 5,
        _ => 0,
    }
}

/// Bytes of a string printed as JSON: its quotes, its bytes and their escapes.
pub fn printed_len(bytes: &[u8]) -> usize {
    let (mut len, mut rest) = (bytes.len() + 2, bytes);
    while let Some(at) = string_stop(rest) {
        len += escape_extra(rest[at]);
        rest = &rest[at + 1..];
    }
    len
}

#[cfg(test)]
mod tests {
    use super::{escape_extra, printed_len, string_stop, swar_stop};

    #[test]
    fn printed_len_is_what_the_writer_prints() {
        for s in ["", "plain", "a\"b\\c\n\u{1}\u{1f}", "café ☕\t"] {
            let mut cbor = Vec::new();
            crate::cbor::write_head(&mut cbor, crate::cbor::MAJOR_TEXT, s.len() as u64);
            cbor.extend_from_slice(s.as_bytes());
            let printed = crate::json_out::to_json(&cbor, crate::UNINTERRUPTED).unwrap();
            assert_eq!(printed_len(s.as_bytes()), printed.len(), "{s:?}");
        }
    }

    #[test]
    fn escape_extra_counts_what_the_writer_adds() {
        for byte in 0..=0x7fu8 {
            let text = char::from(byte).to_string();
            let printed = crate::json_out::to_json(
                &[&[0x60 | 1][..], text.as_bytes()].concat(),
                crate::UNINTERRUPTED,
            )
            .unwrap();
            assert_eq!(printed.len(), 3 + escape_extra(byte), "byte {byte:#x}");
        }
    }

    #[test]
    fn copy_plain_copies_exactly_the_plain_run() {
        for byte in 0..=255u8 {
            for at in 0..40 {
                let mut bytes = vec![b'x'; 40];
                bytes[at] = byte;
                let mut out = Vec::with_capacity(3 + bytes.len());
                out.extend_from_slice(b"ab");
                let plain = super::copy_plain(&mut out, &bytes);
                let expected = reference(&bytes).unwrap_or(bytes.len());
                assert_eq!(plain, expected, "byte {byte:#x} at {at}");
                assert_eq!(&out[..2], b"ab");
                assert_eq!(&out[2..], &bytes[..expected]);
            }
        }
    }

    fn reference(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
    }

    #[test]
    fn every_byte_value_is_told_apart_in_every_lane() {
        for byte in 0..=255u8 {
            for at in 0..40 {
                let mut bytes = vec![b'x'; 40];
                bytes[at] = byte;
                assert_eq!(string_stop(&bytes), reference(&bytes), "{byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn string_stop_finds_the_first_special_byte_anywhere() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(string_stop(&bytes), reference(&bytes), "len {len} at {at}");
                    assert_eq!(
                        swar_stop(&bytes),
                        reference(&bytes),
                        "SWAR, len {len} at {at}"
                    );
                }
            }
            let high = vec![0xe9u8; len];
            assert_eq!(string_stop(&high), None);
            let printable: Vec<u8> = (0..len as u8).map(|i| b'#' + i % 57).collect();
            assert_eq!(string_stop(&printable), reference(&printable));
        }
    }
}
