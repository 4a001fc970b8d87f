//! What the codec promises for any input, as checks that panic when it does not keep
//! the promise. Shared by the fuzz targets (fuzz/fuzz_targets) and by the replay test
//! of past crashes (crates/pgmem-codec/tests/fuzz_replay.rs), so it uses nothing but
//! the codec and std. An error is always an acceptable answer; a panic, an abort, a
//! timeout or an output past its bound is a bug.
//!
//! The targets that read stored bytes take their input two ways: bytes that start
//! with the magic `PGM` are a stored value as they are; anything else is a raw CBOR
//! document, wrapped in a valid header and frame first, which reaches the CBOR checks
//! far more often than random zstd frames do (a CBOR document never starts with
//! `PGM`: 0x50 is a byte string, refused at the top level).
#![allow(dead_code)]
use pgmem_codec::cbor::{walk, Container, Number, Visitor};
use pgmem_codec::format::{self, MAGIC};
use pgmem_codec::{json_in, json_out, text_limit, Error, Result, UNINTERRUPTED};
use std::borrow::Cow;

/// The compression level and size limit every target uses.
pub const LEVEL: i32 = 1;
pub const MAX_BYTES: usize = 64 << 20;

/// A fuzz target's checks.
pub type Check = fn(&[u8]);

/// Every target by name, as the fuzz targets and fuzz/regressions/ name them.
pub const TARGETS: &[(&str, Check)] = &[
    ("json_to_stored", json_to_stored),
    ("stored_validate", stored_validate),
    ("stored_to_json", stored_to_json),
    ("round_trip", round_trip),
];

/// JSON text (non-UTF-8 input is skipped): whatever `encode` accepts validates,
/// decodes within [`text_limit`], and its decoded text encodes to the same CBOR (see
/// [`assert_same_cbor`] for the one documented difference).
pub fn json_to_stored(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let stored = match encode(text) {
        Ok(stored) => stored,
        Err(e) => return assert!(!matches!(e, Error::Corrupt(_)), "encode says corrupt: {e}"),
    };
    let cbor = to_cbor(text).expect("to_cbor refuses what encode accepted");
    assert_eq!(
        format::raw_len(&stored),
        Ok(cbor.len() as u32),
        "header length"
    );
    if let Err(e) = pgmem_codec::validate(&stored, MAX_BYTES, UNINTERRUPTED) {
        panic!("validate refuses what encode stored: {e}");
    }
    let printed = decode_bounded(&stored);
    let again = to_cbor(&printed).unwrap_or_else(|e| panic!("decoded text does not encode: {e}"));
    assert_same_cbor(&cbor, &again);
}

/// Stored bytes (or CBOR, see above): whatever `validate` accepts decodes within
/// bounds and round-trips through text.
pub fn stored_validate(data: &[u8]) {
    let stored = stored_input(data);
    match pgmem_codec::validate(&stored, MAX_BYTES, UNINTERRUPTED) {
        Ok(()) => accepted(&stored),
        Err(e) => assert!(!is_text_error(&e), "validate gives a JSON text error: {e}"),
    }
}

/// Stored bytes (or CBOR): the lenient decoder never panics, and whatever it prints is
/// UTF-8 within PostgreSQL's 1 GB. Values whose header claims more than [`MAX_BYTES`]
/// are skipped: the decoder expands them up to 1 GB by design, which would only
/// measure the fuzzing process's memory limit.
pub fn stored_to_json(data: &[u8]) {
    let stored = stored_input(data);
    if format::raw_len(&stored).is_ok_and(|len| len as usize > MAX_BYTES) {
        return;
    }
    match pgmem_codec::decode(&stored, UNINTERRUPTED) {
        Ok(text) => {
            assert!(text.len() <= json_out::MAX_TEXT_BYTES, "text over 1 GB");
            assert!(
                std::str::from_utf8(&text).is_ok(),
                "decoded text is not UTF-8"
            );
        }
        Err(e) => assert!(!is_text_error(&e), "decode gives a JSON text error: {e}"),
    }
}

/// JSON text: text -> stored -> text -> stored gives the same CBOR (but for
/// [`assert_same_cbor`]'s exception) and the same text: printed text is the canonical
/// form, a fixed point of the round trip.
pub fn round_trip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(stored) = encode(text) else {
        return;
    };
    let printed = decode_bounded(&stored);
    let again = encode(&printed).unwrap_or_else(|e| panic!("decoded text does not encode: {e}"));
    assert!(
        decode_bounded(&again) == printed,
        "round trip changes the text"
    );
    let (before, after) = (cbor_of(&stored), cbor_of(&again));
    assert_same_cbor(&before, &after);
    assert!(
        before != after || again == stored,
        "same CBOR, different stored bytes"
    );
}

/// A value `validate` accepted: it decodes within [`text_limit`] of its CBOR, and its
/// text encodes again, to a value that validates and prints the same text.
fn accepted(stored: &[u8]) {
    let printed = decode_bounded(stored);
    let cbor = to_cbor(&printed)
        .unwrap_or_else(|e| panic!("decoded text of a valid value does not encode: {e}"));
    let again = format::compress(&cbor, LEVEL, UNINTERRUPTED).expect("compress");
    if let Err(e) = pgmem_codec::validate(&again, MAX_BYTES, UNINTERRUPTED) {
        panic!("validate refuses the re-encoded text: {e}");
    }
    assert!(
        decode_bounded(&again) == printed,
        "text changes on a second round trip"
    );
}

/// The decoded text of a value that must decode, checked against [`text_limit`].
fn decode_bounded(stored: &[u8]) -> String {
    let limit = text_limit(format::raw_len(stored).expect("valid header") as usize);
    let text = pgmem_codec::decode(stored, UNINTERRUPTED)
        .unwrap_or_else(|e| panic!("decode refuses an accepted value: {e}"));
    assert!(
        text.len() <= limit,
        "text of {} bytes over text_limit {limit}",
        text.len()
    );
    String::from_utf8(text).expect("decoded text is not UTF-8")
}

/// Stored bytes from fuzz input: as they are after the magic bytes, else the input is
/// a CBOR document, which must survive compression exactly.
pub fn stored_input(data: &[u8]) -> Cow<'_, [u8]> {
    if data.starts_with(MAGIC) {
        return Cow::Borrowed(data);
    }
    let stored = format::compress(data, LEVEL, UNINTERRUPTED).expect("compress");
    assert!(cbor_of(&stored) == data, "compression changes the CBOR");
    Cow::Owned(stored)
}

fn encode(text: &str) -> Result<Vec<u8>> {
    pgmem_codec::encode(text, LEVEL, MAX_BYTES, UNINTERRUPTED)
}

fn to_cbor(text: &str) -> Result<Vec<u8>> {
    json_in::to_cbor(text, MAX_BYTES, UNINTERRUPTED)
}

fn cbor_of(stored: &[u8]) -> Vec<u8> {
    let len = format::raw_len(stored).expect("valid header") as usize;
    format::decompress(stored, len, UNINTERRUPTED).expect("a frame pgmem wrote decompresses")
}

/// Errors only JSON text input can give.
fn is_text_error(e: &Error) -> bool {
    matches!(e, Error::Syntax { .. } | Error::UnsupportedEscape { .. })
}

/// `before` and `after` (the CBOR of a text, and of that text decoded) hold the same
/// items, except that a number `before` holds as a decimal fraction with a positive
/// exponent may be another number `after`: an integer written with an exponent
/// (`1e20` is `[20, 1]`) prints as plain digits, which are a bignum or a fraction with
/// the zeros in the exponent (docs/FORMAT.md). The two print the same value; callers
/// compare the texts.
fn assert_same_cbor(before: &[u8], after: &[u8]) {
    let (before, after) = (items(before), items(after));
    assert_eq!(before.len(), after.len(), "re-encoded CBOR has other items");
    for ((x, scaled), (y, number)) in before.iter().zip(&after) {
        let allowed = *scaled == Some(true) && number.is_some();
        assert!(x == y || allowed, "re-encoded CBOR: {x} became {y}");
    }
}

/// An item of a document, and for a number whether it is a decimal fraction with a
/// positive exponent.
type Item = (String, Option<bool>);

fn items(cbor: &[u8]) -> Vec<Item> {
    let mut items = Items(Vec::new());
    walk(cbor, &mut items, UNINTERRUPTED).expect("CBOR pgmem wrote walks");
    items.0
}

struct Items(Vec<Item>);

impl Items {
    fn push(&mut self, item: String, number: Option<bool>) -> Result<()> {
        self.0.push((item, number));
        Ok(())
    }
}

impl<'a> Visitor<'a> for Items {
    fn null(&mut self) -> Result<()> {
        self.push("null".into(), None)
    }
    fn boolean(&mut self, value: bool) -> Result<()> {
        self.push(value.to_string(), None)
    }
    fn number(&mut self, value: Number<'_>) -> Result<()> {
        let scaled = matches!(value, Number::Decimal { exponent: 1.., .. });
        self.push(format!("{value:?}"), Some(scaled))
    }
    fn string(&mut self, value: &'a str) -> Result<()> {
        self.push(format!("{value:?}"), None)
    }
    fn key(&mut self, value: &'a str) -> Result<()> {
        self.push(format!("key {value:?}"), None)
    }
    fn begin(&mut self, kind: Container, len: u64) -> Result<()> {
        self.push(format!("{kind:?} of {len}"), None)
    }
    fn end(&mut self, kind: Container) -> Result<()> {
        self.push(format!("end of {kind:?}"), None)
    }
}
