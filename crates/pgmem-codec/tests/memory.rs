//! Peak memory of encode and decode is a small multiple of their input: counted by a
//! global allocator, on the inputs that cost the most per byte.
use pgmem_codec::{decode, encode, UNINTERRUPTED};
#[path = "common/peak.rs"]
mod peak;
use peak::peak_of;

/// zstd's contexts (created once per thread, about 1.3 MB at level 1) and the powers
/// of ten table are fixed costs, not per byte of input.
const FIXED: usize = 4 << 20;

#[test]
fn encode_and_decode_peak_at_a_small_multiple_of_the_input() {
    let n = 2_000_000;
    let inputs = [
        ("zeros", format!("[{}0]", "0,".repeat(n))),
        ("empty arrays", format!("[{}[]]", "[],".repeat(n))),
        (
            "keys",
            format!(
                "{{{}\"\":0}}",
                (0..n / 4)
                    .map(|i| format!("\"{i:x}\":0,"))
                    .collect::<String>()
            ),
        ),
        (
            "duplicate keys",
            format!("{{{}\"a\":1}}", "\"a\":0,".repeat(n / 2)),
        ),
        ("escapes", format!("[\"{}\"]", "\\n\\u0001".repeat(n / 2))),
        (
            "nesting",
            format!("{}{}", "[".repeat(9_999), "]".repeat(9_999)),
        ),
    ];
    // Warm the per-thread contexts so that they are not counted against one input.
    encode("[1]", 1, usize::MAX, UNINTERRUPTED).unwrap();
    for (name, text) in inputs {
        let (encode_peak, stored) = peak_of(|| encode(&text, 1, 1 << 30, UNINTERRUPTED).unwrap());
        let (decode_peak, json) = peak_of(|| decode(&stored, UNINTERRUPTED).unwrap());
        let cbor = pgmem_codec::format::raw_len(&stored).unwrap() as usize;
        println!(
            "{name}: input {} B, CBOR {cbor} B, encode peak {encode_peak} B ({:.2}x), \
             decode peak {decode_peak} B ({:.2}x of its output)",
            text.len(),
            encode_peak as f64 / text.len() as f64,
            decode_peak as f64 / json.len() as f64,
        );
        assert!(
            encode_peak <= 4 * text.len() + FIXED,
            "{name}: encode peak {encode_peak}"
        );
        assert!(
            decode_peak <= cbor + 2 * json.len() + FIXED,
            "{name}: decode peak {decode_peak}"
        );
    }
}
