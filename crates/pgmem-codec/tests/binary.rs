//! Binary input is checked in full: anything but a well-formed snapshot is refused,
//! and no header or frame can make the decoder allocate past the limit.
use pgmem_codec::format::{compress, HEADER_LEN, MAGIC};
use pgmem_codec::UNINTERRUPTED;
use pgmem_codec::{validate, Error};

const MAX: usize = 64 * 1024 * 1024;

fn sample() -> Vec<u8> {
    let doc = r#"{"role":"assistant","content":"Your flight HAT136 is booked.","tool_calls":[{"id":"c1","args":{"amount":250.5,"n":-3}}]}"#;
    pgmem_codec::encode(doc, 3, MAX, UNINTERRUPTED).unwrap()
}

/// A stored value around an arbitrary CBOR payload (valid header and frame).
fn wrap(cbor: &[u8]) -> Vec<u8> {
    compress(cbor, 3, UNINTERRUPTED).unwrap()
}

fn is_corrupt(r: pgmem_codec::Result<()>) -> bool {
    matches!(r, Err(Error::Corrupt(_)))
}

#[test]
fn a_valid_value_passes() {
    assert_eq!(validate(&sample(), MAX, UNINTERRUPTED), Ok(()));
}

#[test]
fn empty_and_every_truncation_are_refused() {
    let value = sample();
    for len in 0..value.len() {
        assert!(
            is_corrupt(validate(&value[..len], MAX, UNINTERRUPTED)),
            "prefix of {len} bytes accepted"
        );
    }
}

#[test]
fn every_single_bit_flip_is_refused() {
    let value = sample();
    for byte in 0..value.len() {
        for bit in 0..8 {
            let mut flipped = value.clone();
            flipped[byte] ^= 1 << bit;
            let result = validate(&flipped, MAX, UNINTERRUPTED);
            // Codec 1 flipped to 3 names a dictionary (the frame's first bytes) that is
            // not there: refused as well.
            let names_a_dictionary =
                flipped[4] == 3 && matches!(result, Err(pgmem_codec::Error::MissingDictionary(_)));
            assert!(
                is_corrupt(result.clone()) || names_a_dictionary,
                "flip of bit {bit} of byte {byte}: {result:?}"
            );
        }
    }
}

#[test]
fn trailing_bytes_are_refused() {
    let mut value = sample();
    value.push(0);
    assert!(is_corrupt(validate(&value, MAX, UNINTERRUPTED)));
}

#[test]
fn wrong_magic_version_or_codec_is_refused() {
    for (offset, byte) in [(0, b'X'), (3, 2), (3, 0), (4, 0), (4, 2)] {
        let mut value = sample();
        value[offset] = byte;
        assert!(
            is_corrupt(validate(&value, MAX, UNINTERRUPTED)),
            "byte {offset} = {byte}"
        );
    }
    let mut future = sample();
    future[3] = 2;
    let message = validate(&future, MAX, UNINTERRUPTED)
        .unwrap_err()
        .to_string();
    assert!(message.contains("version 2"), "{message}");
}

#[test]
fn garbage_is_refused() {
    let mut state = 0x9e3779b97f4a7c15u64;
    for len in [1, 8, 9, 10, 64, 1000] {
        let garbage: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        assert!(
            is_corrupt(validate(&garbage, MAX, UNINTERRUPTED)),
            "{len} bytes of garbage"
        );
        let mut with_header = MAGIC.to_vec();
        with_header.extend([1, 1, 0, 0, 0, 10]);
        with_header.extend(&garbage);
        assert!(
            is_corrupt(validate(&with_header, MAX, UNINTERRUPTED)),
            "header + {len} bytes of garbage"
        );
    }
}

/// A header claiming `claimed` CBOR bytes before a frame of `payload`, written with
/// or without the frame's own content size.
fn crafted(claimed: u32, payload: &[u8], content_size: bool) -> Vec<u8> {
    let mut c = zstd::bulk::Compressor::new(1).unwrap();
    c.include_contentsize(content_size).unwrap();
    let mut out = MAGIC.to_vec();
    out.extend([1, 1]);
    out.extend(claimed.to_be_bytes());
    out.extend(c.compress(payload).unwrap());
    out
}

#[test]
fn claims_past_the_limit_are_too_large() {
    let limit = 1024 * 1024;
    let big = vec![0x60u8; limit + 1]; // a run of empty CBOR strings
    let value = crafted(big.len() as u32, &big, true);
    assert!(matches!(
        validate(&value, limit, UNINTERRUPTED),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn frames_must_declare_their_size() {
    let value = crafted(3, &[0x62, b'h', b'i'], false);
    assert!(is_corrupt(validate(&value, MAX, UNINTERRUPTED)));
}

/// Overwrite the 4-byte content size of `value`'s frame with `size`.
fn patch_content_size(value: &mut [u8], size: u32) {
    let descriptor = value[HEADER_LEN + 4];
    assert_eq!(descriptor >> 6, 2, "expected a 4-byte content size field");
    let single_segment = descriptor & 0x20 != 0;
    let at = HEADER_LEN + 5 + usize::from(!single_segment);
    value[at..at + 4].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn a_bomb_is_too_large() {
    let limit = 1024 * 1024;
    // The header claims 10 bytes; the frame declares no size and expands to 1 MB + 1.
    let bomb = crafted(10, &vec![0u8; limit + 1], false);
    assert!(
        bomb.len() < 2048,
        "the bomb should be small: {}",
        bomb.len()
    );
    assert!(matches!(
        validate(&bomb, limit, UNINTERRUPTED),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn a_frame_lying_about_its_size_is_damaged() {
    let limit = 1024 * 1024;
    // Header and frame both claim 10 bytes; the data would expand to 1 MB + 1, but
    // zstd stops at the declared size.
    let mut liar = crafted(10, &vec![0u8; limit + 1], true);
    patch_content_size(&mut liar, 10);
    assert!(is_corrupt(validate(&liar, limit, UNINTERRUPTED)));
    assert!(is_corrupt(validate(&liar, 2 * limit, UNINTERRUPTED)));
}

#[test]
fn a_frame_shorter_than_its_header_is_refused() {
    assert!(is_corrupt(validate(
        &crafted(30, &[0u8; 20], false),
        MAX,
        UNINTERRUPTED
    )));
    assert!(is_corrupt(validate(
        &crafted(30, &[0u8; 20], true),
        MAX,
        UNINTERRUPTED
    )));
}

#[test]
fn invalid_cbor_in_a_valid_frame_is_refused() {
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("break byte", &[0xff]),
        ("indefinite array", &[0x9f, 0x01, 0xff]),
        ("reserved info", &[0x1c]),
        ("undefined", &[0xf7]),
        ("simple value", &[0xf0]),
        ("byte string", &[0x41, 0x00]),
        ("non-text key", &[0xa1, 0x01, 0x02]),
        ("duplicate key", &[0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x02]),
        ("NUL in text", &[0x61, 0x00]),
        ("bad UTF-8", &[0x62, 0xc3, 0x28]),
        ("unknown tag", &[0xc1, 0x01]),
        ("decimal not a pair", &[0xc4, 0x81, 0x01]),
        ("decimal of text", &[0xc4, 0x82, 0x01, 0x61, b'a']),
        ("bignum of int", &[0xc2, 0x01]),
        ("NaN", &[0xf9, 0x7e, 0x00]),
        ("infinity", &[0xfa, 0x7f, 0x80, 0x00, 0x00]),
        ("two documents", &[0x01, 0x02]),
        (
            "array longer than data",
            &[0x9a, 0xff, 0xff, 0xff, 0xff, 0x01],
        ),
        ("truncated text", &[0x65, b'a']),
    ];
    for (name, cbor) in cases {
        let result = validate(&wrap(cbor), MAX, UNINTERRUPTED);
        assert!(is_corrupt(result.clone()), "{name}: {result:?}");
    }
}

#[test]
fn numbers_past_numeric_are_refused() {
    // 4([1000000, 1]): 10^1000000 would print a million zeros.
    let huge = [0xc4, 0x82, 0x1a, 0x00, 0x0f, 0x42, 0x40, 0x01];
    assert!(matches!(
        validate(&wrap(&huge), MAX, UNINTERRUPTED),
        Err(Error::NumberOutOfRange { .. })
    ));
    let tiny = [0xc4, 0x82, 0x3a, 0x00, 0x0f, 0x42, 0x3f, 0x01];
    assert!(matches!(
        validate(&wrap(&tiny), MAX, UNINTERRUPTED),
        Err(Error::NumberOutOfRange { .. })
    ));
}

#[test]
fn deep_cbor_is_too_deep_not_a_crash() {
    let mut cbor = vec![0x81u8; 100_000];
    cbor.push(0x01);
    assert_eq!(
        validate(&wrap(&cbor), MAX, UNINTERRUPTED),
        Err(Error::TooDeep)
    );
}

#[test]
fn client_written_cbor_is_accepted() {
    // What a generic CBOR library writes: floats of each width, a bignum, a decimal.
    let cbor = [
        0x85, 0xf9, 0x3e, 0x00, // 1.5 as half
        0xfa, 0x3f, 0xc0, 0x00, 0x00, // 1.5 as single
        0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a, // 0.1 as double
        0xc3, 0x49, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, // -(2^64) - 1
        0xc4, 0x82, 0x21, 0x19, 0x01, 0x2c, // 3.00
    ];
    let value = wrap(&cbor);
    assert_eq!(validate(&value, MAX, UNINTERRUPTED), Ok(()));
    assert_eq!(
        pgmem_codec::decode(&value, UNINTERRUPTED).unwrap(),
        b"[1.5,1.5,0.1,-18446744073709551617,3.00]"
    );
}

#[test]
fn header_is_nine_bytes_with_the_cbor_length() {
    let value = sample();
    assert_eq!(&value[..5], b"PGM\x01\x01");
    let raw = pgmem_codec::format::raw_len(&value).unwrap() as usize;
    let cbor = pgmem_codec::format::decompress(&value, MAX, UNINTERRUPTED).unwrap();
    assert_eq!(raw, cbor.len());
    assert_eq!(
        &value[HEADER_LEN..HEADER_LEN + 4],
        &[0x28, 0xb5, 0x2f, 0xfd]
    );
}
