//! Values compressed with a trained dictionary: trained from real traces, smaller than
//! without one on traces it was not trained on, and decoded only with that dictionary.
use pgmem_codec::dictionary::{self, Dictionary, DICTIONARY_HEADER_LEN};
use pgmem_codec::format::{self, HEADER_LEN};
use pgmem_codec::{json_in, Error, UNINTERRUPTED};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
mod common;
use common::trace_documents;

const MAX: usize = 64 * 1024 * 1024;

thread_local! {
    // What each test thread's "database" holds.
    static KNOWN: RefCell<HashMap<u32, Rc<Dictionary>>> = RefCell::new(HashMap::new());
}

fn resolve(id: u32) -> pgmem_codec::Result<Rc<Dictionary>> {
    KNOWN.with(|known| {
        known
            .borrow()
            .get(&id)
            .cloned()
            .ok_or(Error::MissingDictionary(id))
    })
}

fn cbor_of(text: &str) -> Vec<u8> {
    json_in::to_cbor(text, MAX, UNINTERRUPTED).unwrap()
}

/// A dictionary trained on every other trace, known to this thread; the other traces.
fn trained() -> (Rc<Dictionary>, Vec<Vec<u8>>) {
    dictionary::set_resolver(resolve);
    let docs: Vec<Vec<u8>> = trace_documents().iter().map(|(_, t)| cbor_of(t)).collect();
    let (train, held_out): (Vec<_>, Vec<_>) =
        docs.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let sizes: Vec<usize> = train.iter().map(|(_, d)| d.len()).collect();
    let samples: Vec<u8> = train.iter().flat_map(|(_, d)| d.iter().copied()).collect();
    let bytes = dictionary::train(&samples, &sizes, 64 * 1024).unwrap();
    let dict = Rc::new(Dictionary::new(dictionary::id_of(&bytes), bytes).unwrap());
    KNOWN.with(|known| known.borrow_mut().insert(dict.id(), dict.clone()));
    (dict, held_out.into_iter().map(|(_, d)| d).collect())
}

#[test]
fn held_out_traces_round_trip_and_shrink() {
    let (dict, held_out) = trained();
    let (mut plain, mut with_dictionary) = (0, 0);
    for cbor in &held_out {
        let stored = dictionary::compress(cbor, 3, &dict, UNINTERRUPTED).unwrap();
        assert_eq!(dictionary::id_in(&stored), Some(dict.id()));
        assert_eq!(format::raw_len(&stored).unwrap() as usize, cbor.len());
        assert_eq!(
            &format::decompress(&stored, MAX, UNINTERRUPTED).unwrap(),
            cbor
        );
        pgmem_codec::validate(&stored, MAX, UNINTERRUPTED).unwrap();
        with_dictionary += stored.len();
        plain += format::compress(cbor, 3, UNINTERRUPTED).unwrap().len();
    }
    // On the traces a 64 KiB dictionary roughly halves what zstd alone stores.
    assert!(
        with_dictionary * 10 < plain * 7,
        "dictionary {with_dictionary} bytes against {plain} without"
    );
}

#[test]
fn a_value_decodes_only_where_its_dictionary_is() {
    let (dict, held_out) = trained();
    let stored = dictionary::compress(&held_out[0], 3, &dict, UNINTERRUPTED).unwrap();
    KNOWN.with(|known| known.borrow_mut().clear());
    assert_eq!(
        format::decompress(&stored, MAX, UNINTERRUPTED),
        Err(Error::MissingDictionary(dict.id()))
    );
    // A damaged id names a dictionary that is not there either, or a different one.
    KNOWN.with(|known| known.borrow_mut().insert(dict.id(), dict.clone()));
    let mut other = stored.clone();
    other[12] ^= 1;
    assert_eq!(
        format::decompress(&other, MAX, UNINTERRUPTED),
        Err(Error::MissingDictionary(dict.id() ^ 1))
    );
}

#[test]
fn a_dictionary_is_refused_under_another_id() {
    let bytes = b"some dictionary content that is long enough".repeat(40);
    let id = dictionary::id_of(&bytes);
    assert!(id > 0 && id <= i32::MAX as u32);
    assert!(matches!(
        Dictionary::new(id ^ 1, bytes.clone()),
        Err(Error::Corrupt(_))
    ));
    assert!(Dictionary::new(id, bytes).is_ok());
    // zstd's dictionary magic followed by tables that are not tables.
    let mut damaged = vec![0x37, 0xA4, 0x30, 0xEC, 1, 0, 0, 0];
    damaged.extend(std::iter::repeat_n(0xFF, 2000));
    let id = dictionary::id_of(&damaged);
    assert!(matches!(
        Dictionary::new(id, damaged),
        Err(Error::Corrupt(_))
    ));
}

#[test]
fn damaged_dictionary_values_are_refused() {
    let (dict, held_out) = trained();
    let stored = dictionary::compress(&held_out[1], 3, &dict, UNINTERRUPTED).unwrap();
    // Too short for its header.
    assert!(matches!(
        format::raw_len(&stored[..DICTIONARY_HEADER_LEN - 1]),
        Err(Error::Corrupt(_))
    ));
    // A flipped bit in the frame fails its checksum (or the frame's structure).
    let mut flipped = stored.clone();
    let at = DICTIONARY_HEADER_LEN + (stored.len() - DICTIONARY_HEADER_LEN) / 2;
    flipped[at] ^= 0x10;
    assert!(matches!(
        format::decompress(&flipped, MAX, UNINTERRUPTED),
        Err(Error::Corrupt(_))
    ));
    // The same frame read as a plain value (codec 1) is not a zstd frame at that offset.
    let mut plain = stored[..HEADER_LEN].to_vec();
    plain[4] = format::CODEC_ZSTD_CBOR;
    plain.extend_from_slice(&stored[DICTIONARY_HEADER_LEN..]);
    assert!(format::decompress(&plain, MAX, UNINTERRUPTED).is_err());
}

#[test]
fn large_documents_stream_through_the_dictionary() {
    let (dict, _) = trained();
    // Past the decompressor's one-shot step (256 KiB): decoded step by step.
    let docs: Vec<String> = trace_documents()
        .into_iter()
        .map(|(_, t)| t)
        .take(40)
        .collect();
    let cbor = cbor_of(&format!("[{}]", docs.join(",")));
    assert!(cbor.len() > 512 * 1024);
    let stored = dictionary::compress(&cbor, 3, &dict, UNINTERRUPTED).unwrap();
    assert_eq!(
        format::decompress(&stored, MAX, UNINTERRUPTED).unwrap(),
        cbor
    );
}

#[test]
fn training_refuses_what_it_cannot_use() {
    let doc = cbor_of(r#"{"role": "user", "content": "hello"}"#);
    let sizes = vec![doc.len(); 3];
    let samples = doc.repeat(3);
    for size in [dictionary::MIN_BYTES - 1, dictionary::MAX_BYTES + 1] {
        assert!(matches!(
            dictionary::train(&samples, &sizes, size),
            Err(Error::Training(_))
        ));
    }
    // Three tiny samples are too few for zstd's trainer.
    assert!(matches!(
        dictionary::train(&samples, &sizes, 64 * 1024),
        Err(Error::Training(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_document_round_trips_through_a_dictionary(
        text in "[ -~]{0,300}", n in -1_000_000i64..1_000_000, level in 1i32..=19,
    ) {
        let (dict, _) = DICT.with(|d| d.clone());
        let json = serde_json::json!({"text": text, "n": n, "list": [text.clone(), n]}).to_string();
        let cbor = cbor_of(&json);
        let stored = dictionary::compress(&cbor, level, &dict, UNINTERRUPTED).unwrap();
        prop_assert_eq!(format::decompress(&stored, MAX, UNINTERRUPTED).unwrap(), cbor);
    }
}

thread_local! {
    static DICT: (Rc<Dictionary>, Vec<Vec<u8>>) = trained();
}
