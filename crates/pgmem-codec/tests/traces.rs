//! Every real agent trace survives the codec unchanged (jsonb semantics).
use pgmem_codec::UNINTERRUPTED;
mod common;
use common::{canonical, trace_documents};

const MAX: usize = 64 * 1024 * 1024;

#[test]
fn every_trace_round_trips() {
    let docs = trace_documents();
    for (name, text) in &docs {
        let stored = pgmem_codec::encode(text, 3, MAX, UNINTERRUPTED)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        pgmem_codec::validate(&stored, MAX, UNINTERRUPTED)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = String::from_utf8(pgmem_codec::decode(&stored, UNINTERRUPTED).unwrap()).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        let decoded: serde_json::Value = serde_json::from_str(&back).unwrap();
        assert_eq!(canonical(decoded), canonical(original), "{name}");
        assert!(
            stored.len() < text.len(),
            "{name}: compression made it larger"
        );
    }
    assert!(
        docs.len() > 50,
        "expected many trace documents, found {}",
        docs.len()
    );
}
