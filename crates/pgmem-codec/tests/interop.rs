//! The CBOR inside a snapshot is standard CBOR: an independent decoder (serde_cbor)
//! reads it, as a client in any language would after zstd decompression.
use pgmem_codec::UNINTERRUPTED;
mod common;
use serde_cbor::Value;
use std::collections::BTreeMap;

fn cbor_of(json: &str) -> Vec<u8> {
    let stored = pgmem_codec::encode(json, 3, 1 << 26, UNINTERRUPTED).unwrap();
    // What docs/FORMAT.md tells a client: skip the 9-byte header, zstd-decode the rest.
    zstd::stream::decode_all(&stored[9..]).unwrap()
}

#[test]
fn a_generic_decoder_reads_the_document() {
    let value: Value = serde_cbor::from_slice(&cbor_of(
        r#"{"role":"tool","n":-7,"ok":true,"none":null,"items":["a",2]}"#,
    ))
    .unwrap();
    let mut want = BTreeMap::new();
    want.insert(Value::Text("role".into()), Value::Text("tool".into()));
    want.insert(Value::Text("n".into()), Value::Integer(-7));
    want.insert(Value::Text("ok".into()), Value::Bool(true));
    want.insert(Value::Text("none".into()), Value::Null);
    want.insert(
        Value::Text("items".into()),
        Value::Array(vec![Value::Text("a".into()), Value::Integer(2)]),
    );
    assert_eq!(value, Value::Map(want));
}

#[test]
fn decimals_are_tag_4_pairs_and_big_integers_bignums() {
    // Tag 4 holds [exponent, mantissa]; serde_cbor drops tags and keeps the content.
    assert_eq!(cbor_of("2.50"), vec![0xc4, 0x82, 0x21, 0x18, 0xfa]);
    let value: Value = serde_cbor::from_slice(&cbor_of("2.50")).unwrap();
    assert_eq!(
        value,
        Value::Array(vec![Value::Integer(-2), Value::Integer(250)])
    );
    let big = cbor_of("18446744073709551616");
    assert_eq!(&big[..2], &[0xc2, 0x49]);
    assert_eq!(
        serde_cbor::from_slice::<Value>(&big).unwrap(),
        Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0, 0])
    );
}

#[test]
fn every_trace_decodes_with_a_generic_decoder() {
    for (name, text) in common::trace_documents() {
        let value: Result<Value, _> = serde_cbor::from_slice(&cbor_of(&text));
        assert!(value.is_ok(), "{name}: {value:?}");
    }
}
