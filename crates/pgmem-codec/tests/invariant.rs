//! Whatever pgmem accepts it can give back: every document `validate` (binary input)
//! or `encode` (text input) accepts decodes, within `text_limit` of its CBOR size.
//! Numbers are drawn from the whole range a hostile client can write: any exponent,
//! zero mantissas, bignums of any length, leading zero bytes, extreme floats.
use pgmem_codec::format::{compress, raw_len};
use pgmem_codec::{decode, encode, text_limit, validate, Error, UNINTERRUPTED};
use proptest::prelude::*;

const MAX: usize = 64 * 1024 * 1024;

fn head(major: u8, value: u64) -> Vec<u8> {
    let m = major << 5;
    match value {
        0..=23 => vec![m | value as u8],
        24..=0xff => vec![m | 24, value as u8],
        0x100..=0xffff => [&[m | 25][..], &(value as u16).to_be_bytes()].concat(),
        0x1_0000..=0xffff_ffff => [&[m | 26][..], &(value as u32).to_be_bytes()].concat(),
        _ => [&[m | 27][..], &value.to_be_bytes()].concat(),
    }
}

/// A CBOR integer or bignum: small values, boundaries, and bignums up to 600 bytes
/// (past the 1,000-digit limit), sometimes with leading zero bytes.
fn integer() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u8..2, any::<u64>()).prop_map(|(major, v)| head(major, v)),
        (
            0u8..2,
            prop::sample::select(vec![0u64, 1, 23, 24, u64::MAX])
        )
            .prop_map(|(m, v)| head(m, v)),
        (
            2u64..4,
            0usize..3,
            prop::collection::vec(any::<u8>(), 0..600)
        )
            .prop_map(|(tag, zeros, bytes)| {
                let mut magnitude = vec![0u8; zeros];
                magnitude.extend(bytes);
                [head(6, tag), head(2, magnitude.len() as u64), magnitude].concat()
            }),
    ]
}

/// Exponents anywhere, with weight near the edges of `numeric`'s range.
fn exponent() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u8..2, any::<u64>()).prop_map(|(major, v)| head(major, v)),
        (0u8..2, 0u64..140_000).prop_map(|(major, v)| head(major, v)),
        (0u8..2, 0u64..20).prop_map(|(major, v)| head(major, v)),
    ]
}

fn number() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        integer(),
        (exponent(), integer()).prop_map(|(e, m)| [vec![0xc4, 0x82], e, m].concat()),
        any::<u64>().prop_map(|bits| [vec![0xfb], bits.to_be_bytes().to_vec()].concat()),
        any::<u32>().prop_map(|bits| [vec![0xfa], bits.to_be_bytes().to_vec()].concat()),
    ]
}

/// An array of up to 40 numbers, maybe nested one level.
fn document() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            number(),
            prop::collection::vec(number(), 0..4).prop_map(|items| [
                head(4, items.len() as u64),
                items.concat()
            ]
            .concat()),
        ],
        1..40,
    )
    .prop_map(|items| [head(4, items.len() as u64), items.concat()].concat())
}

/// A JSON number with an exponent and digit count anywhere near the limits.
fn json_number() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(String::new()), Just("-".to_string())],
        prop_oneof![Just(0usize), 1usize..30, 990usize..1010, 4000usize..4010],
        0usize..3,
        prop_oneof![
            Just(None),
            (-1_100_000_000i64..1_100_000_000).prop_map(Some),
            (-140_000i64..140_000).prop_map(Some)
        ],
    )
        .prop_map(|(sign, digits, zeros, exp)| {
            let mut s = sign;
            s.push_str(if digits == 0 { "0" } else { "7" });
            s.push_str(&"3".repeat(digits.saturating_sub(1)));
            s.push_str(&"0".repeat(zeros));
            if let Some(e) = exp {
                s.push_str(&format!("e{e}"));
            }
            s
        })
}

/// `decode` gives back what was accepted, within the text bound.
fn gives_back(stored: &[u8]) {
    let raw = raw_len(stored).expect("accepted values have a header") as usize;
    let text = decode(stored, UNINTERRUPTED).expect("accepted values decode");
    assert!(
        text.len() <= text_limit(raw),
        "{} bytes of text from {raw} of CBOR",
        text.len()
    );
    let again = encode(std::str::from_utf8(&text).unwrap(), 3, MAX, UNINTERRUPTED)
        .expect("printed text is accepted again");
    assert_eq!(decode(&again, UNINTERRUPTED).unwrap(), text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn whatever_validate_accepts_decodes_within_the_bound(cbor in document()) {
        let stored = compress(&cbor, 1, UNINTERRUPTED).unwrap();
        match validate(&stored, MAX, UNINTERRUPTED) {
            Ok(()) => gives_back(&stored),
            Err(Error::Corrupt(_) | Error::NumberOutOfRange { .. } | Error::TooManyDigits { .. }
                | Error::TextTooLarge) => {
                // Refused; reading what an older version stored must still not panic.
                let _ = decode(&stored, UNINTERRUPTED);
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn whatever_encode_accepts_decodes_within_the_bound(numbers in prop::collection::vec(json_number(), 1..8)) {
        let doc = format!("[{}]", numbers.join(","));
        if let Ok(stored) = encode(&doc, 1, MAX, UNINTERRUPTED) {
            prop_assert_eq!(validate(&stored, MAX, UNINTERRUPTED), Ok(()));
            gives_back(&stored);
        }
    }
}

#[test]
fn an_interrupt_stops_every_long_conversion() {
    let doc = format!("[{}]", vec!["\"interrupt me\""; 200_000].join(","));
    let stop: pgmem_codec::Interrupt = &|| Err(Error::Interrupted);
    assert_eq!(encode(&doc, 3, MAX, stop), Err(Error::Interrupted));
    let stored = encode(&doc, 3, MAX, UNINTERRUPTED).unwrap();
    assert_eq!(decode(&stored, stop), Err(Error::Interrupted));
    assert_eq!(validate(&stored, MAX, stop), Err(Error::Interrupted));
}

#[test]
fn what_jsonb_could_not_hold_is_refused() {
    // Small numbers cost jsonb 8 to 12 bytes each: 25 million outgrow its 256 MB.
    let many = |n: usize| format!("[{}0]", "0,".repeat(n - 1));
    assert_eq!(
        encode(&many(25_000_000), 1, MAX, UNINTERRUPTED),
        Err(Error::JsonbTooLarge)
    );
    let stored = encode(&many(10_000_000), 1, MAX, UNINTERRUPTED).unwrap();
    assert_eq!(validate(&stored, MAX, UNINTERRUPTED), Ok(()));
    let mut cbor = vec![0x9a];
    cbor.extend(25_000_000u32.to_be_bytes());
    cbor.resize(cbor.len() + 25_000_000, 0);
    let stored = compress(&cbor, 1, UNINTERRUPTED).unwrap();
    assert_eq!(
        validate(&stored, MAX, UNINTERRUPTED),
        Err(Error::JsonbTooLarge)
    );
}
