//! Fast scans over string bytes, shared by the JSON reader and writer.

/// Where a string's plain run ends: the first `"`, `\\` or control byte, which JSON
/// text must escape. Strings are most of an agent's JSON, so this reads eight bytes a
/// step (SWAR) before looking at single bytes.
pub fn string_stop(bytes: &[u8]) -> Option<usize> {
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
    use super::{escape_extra, printed_len, string_stop};

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

    fn reference(bytes: &[u8]) -> Option<usize> {
        bytes
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
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
                }
            }
            let high = vec![0xe9u8; len];
            assert_eq!(string_stop(&high), None);
            let printable: Vec<u8> = (0..len as u8).map(|i| b'#' + i % 57).collect();
            assert_eq!(string_stop(&printable), reference(&printable));
        }
    }
}
