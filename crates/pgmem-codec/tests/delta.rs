//! Delta frames and chains: every checkpoint reads back exactly, from real sessions
//! saved turn by turn and from random edits; a wrong, missing or damaged base is an
//! error naming the step, never other data.
mod common;

use pgmem_codec::chain::{self, StepError};
use pgmem_codec::{delta, format, json_in, uncompressed, Error, UNINTERRUPTED};
use proptest::prelude::*;

const LEVEL: i32 = 3;
const MAX: usize = 1 << 30;

fn keyframe(cbor: &[u8]) -> Vec<u8> {
    format::compress(cbor, LEVEL, UNINTERRUPTED).unwrap()
}

fn delta_of(cbor: &[u8], base: &[u8]) -> Vec<u8> {
    delta::encode(cbor, base, LEVEL, UNINTERRUPTED).unwrap()
}

/// Frames of `docs` stored as one chain: a keyframe, then each against the one before.
fn chain_of(docs: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut frames = vec![keyframe(&docs[0])];
    for pair in docs.windows(2) {
        frames.push(delta_of(&pair[1], &pair[0]));
    }
    frames
}

fn read(frames: &[Vec<u8>]) -> Result<Vec<u8>, StepError> {
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    chain::document(&refs, None, |_, _| {}, UNINTERRUPTED)
}

/// Each tau-bench run as the documents an agent saves after every assistant message.
fn sessions() -> Vec<Vec<Vec<u8>>> {
    let dir = common::traces_dir();
    let file = [
        "taubench_gpt-4o-airline.json",
        "taubench_gpt-4o-airline.sample.json",
    ]
    .iter()
    .map(|f| dir.join(f))
    .find(|p| p.exists())
    .expect("a tau-bench file");
    let runs: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    runs.iter()
        .take(40)
        .map(|run| {
            let traj = run["traj"].as_array().unwrap();
            (0..traj.len())
                .filter(|&i| traj[i]["role"] == "assistant")
                .map(|i| {
                    let text = serde_json::to_string(&traj[..=i]).unwrap();
                    json_in::to_cbor(&text, MAX, UNINTERRUPTED).unwrap()
                })
                .collect()
        })
        .filter(|docs: &Vec<Vec<u8>>| docs.len() > 1)
        .collect()
}

#[test]
fn real_sessions_read_back_at_every_step_and_are_small() {
    let (mut alone, mut deltas) = (0, 0);
    for docs in sessions() {
        let frames = chain_of(&docs);
        for n in 1..=docs.len() {
            assert_eq!(read(&frames[..n]).unwrap(), docs[n - 1]);
        }
        alone += docs.iter().map(|d| keyframe(d).len()).sum::<usize>();
        deltas += frames.iter().map(Vec::len).sum::<usize>();
    }
    // One keyframe per session and deltas after it: a fraction of storing each alone.
    assert!(deltas * 4 < alone, "deltas {deltas} bytes, alone {alone}");
}

#[test]
fn documents_on_the_way_are_visited_and_a_known_one_is_a_start() {
    let docs: Vec<Vec<u8>> = (0..5)
        .map(|i| format!("document {i}").repeat(50).into_bytes())
        .collect();
    let frames = chain_of(&docs);
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let mut seen = vec![];
    let last = chain::document(
        &refs,
        None,
        |i, d| seen.push((i, d.to_vec())),
        UNINTERRUPTED,
    );
    assert_eq!(last.unwrap(), docs[4]);
    assert_eq!(seen, docs.iter().cloned().enumerate().collect::<Vec<_>>());
    // Starting from a known document reads only the frames after it.
    let mut damaged = frames.clone();
    damaged[1][30] ^= 0xff;
    let refs: Vec<&[u8]> = damaged.iter().map(Vec::as_slice).collect();
    let from_known = chain::document(&refs, Some((2, docs[2].clone())), |_, _| {}, UNINTERRUPTED);
    assert_eq!(from_known.unwrap(), docs[4]);
}

#[test]
fn a_wrong_base_is_refused() {
    let (a, b, c) = (
        b"first document".repeat(20),
        b"second document".repeat(20),
        b"third".repeat(20),
    );
    let frame = delta_of(&b, &a);
    assert_eq!(delta::decode(&frame, &a, MAX, UNINTERRUPTED).unwrap(), b);
    for base in [&c, &b] {
        let err = delta::decode(&frame, base, MAX, UNINTERRUPTED).unwrap_err();
        assert!(
            matches!(err, Error::Corrupt(ref m) if m.contains("base")),
            "{err:?}"
        );
    }
    // Same length, different bytes: the hash tells them apart.
    let mut same_len = a.clone();
    same_len[0] ^= 1;
    assert!(delta::decode(&frame, &same_len, MAX, UNINTERRUPTED).is_err());
}

/// Every single-bit flip of every frame: an error at or after the damaged step, or
/// the very same document, never other data.
#[test]
fn damage_anywhere_in_a_chain_names_its_step() {
    let docs: Vec<Vec<u8>> = (0..4)
        .map(|i| format!("turn {i} ").repeat(40 + i).into_bytes())
        .collect();
    let frames = chain_of(&docs);
    for step in 0..frames.len() {
        for at in 0..frames[step].len() {
            let mut damaged = frames.clone();
            damaged[step][at] ^= 0x01 << (at % 8);
            match read(&damaged) {
                // A flipped bit in a frame's header or zstd frame is caught at its step
                // (a length, hash or checksum disagrees) or at the step that uses it.
                Err(StepError { index, error }) => {
                    assert!(index >= step, "step {step} byte {at}: error at {index}");
                    assert!(
                        matches!(error, Error::Corrupt(_) | Error::TooLarge { .. }),
                        "{error:?}"
                    );
                }
                // zstd has a few redundant encodings (one raw literal byte and a run of
                // one byte are the same); a flip between them changes nothing.
                Ok(doc) => assert_eq!(doc, docs[3], "step {step} byte {at} read as other data"),
            }
        }
    }
}

#[test]
fn a_chain_must_start_at_a_keyframe_and_continue_with_deltas() {
    let docs: Vec<Vec<u8>> = (0..3).map(|i| vec![b'a' + i; 300]).collect();
    let frames = chain_of(&docs);
    let headless = read(&frames[1..]).unwrap_err();
    assert_eq!(headless.index, 0);
    let mut keyframe_inside = frames.clone();
    keyframe_inside[1] = keyframe(&docs[1]);
    assert_eq!(read(&keyframe_inside).unwrap_err().index, 1);
    assert!(read(&[]).is_err());
}

#[test]
fn frame_headers_give_the_document_length() {
    let (a, b) = (vec![7u8; 1000], vec![8u8; 3000]);
    assert_eq!(delta::frame_raw_len(&keyframe(&a)).unwrap(), 1000);
    assert_eq!(delta::frame_raw_len(&delta_of(&b, &a)).unwrap(), 3000);
    assert!(delta::is_delta(&delta_of(&b, &a)) && !delta::is_delta(&keyframe(&a)));
    // A delta frame is not a snapshot value.
    assert!(format::raw_len(&delta_of(&b, &a)).is_err());
}

#[test]
fn uncompressed_values_are_standard_snapshots() {
    for len in [0, 1, 5000, 128 * 1024, 128 * 1024 + 1, 400_000] {
        let cbor: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let stored = uncompressed::store(&cbor, UNINTERRUPTED).unwrap();
        assert_eq!(
            format::decompress(&stored, MAX, UNINTERRUPTED).unwrap(),
            cbor,
            "{len}"
        );
        // Any zstd decoder reads it, checksum included.
        let frame = &stored[format::HEADER_LEN..];
        assert_eq!(zstd::stream::decode_all(frame).unwrap(), cbor, "{len}");
        let mut damaged = stored.clone();
        let last = damaged.len() - 5;
        damaged[last] ^= 1;
        assert!(
            format::decompress(&damaged, MAX, UNINTERRUPTED).is_err(),
            "{len}"
        );
    }
    // A real document stays a valid value that prints the same JSON.
    let text = r#"{"messages":[{"role":"user","content":"hi"}],"n":1.50}"#;
    let stored = uncompressed::store(
        &json_in::to_cbor(text, MAX, UNINTERRUPTED).unwrap(),
        UNINTERRUPTED,
    )
    .unwrap();
    pgmem_codec::validate(&stored, MAX, UNINTERRUPTED).unwrap();
    let printed = pgmem_codec::decode(&stored, UNINTERRUPTED).unwrap();
    assert_eq!(String::from_utf8(printed).unwrap(), text);
}

#[test]
fn large_documents_make_deltas_across_the_window() {
    // Bigger than a keyframe's window at level 3 (2 MiB) and than one step: the delta
    // still finds the base and streams with interrupts.
    let base: Vec<u8> = (0..6_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let mut next = base.clone();
    next.extend_from_slice(b"one more turn");
    let frame = delta_of(&next, &base);
    // Incompressible on its own; as a delta, a few percent (the first block is raw).
    assert!(
        frame.len() < base.len() / 30,
        "delta of a 6 MB append is {} bytes",
        frame.len()
    );
    let calls = std::cell::Cell::new(0);
    let counting = || {
        calls.set(calls.get() + 1);
        Ok(())
    };
    assert_eq!(delta::decode(&frame, &base, MAX, &counting).unwrap(), next);
    assert!(calls.get() > 10);
}

/// A document after an agent's turn: some of the old one kept, some rewritten
/// (agents shorten old tool output), something appended.
/// Replace `.1` bytes at `.0` with `.2`.
type Edit = (usize, usize, Vec<u8>);

fn edited() -> impl Strategy<Value = (Vec<u8>, Vec<Edit>)> {
    (
        proptest::collection::vec(any::<u8>(), 0..2000),
        proptest::collection::vec(
            (
                0usize..2000,
                0usize..200,
                proptest::collection::vec(any::<u8>(), 0..300),
            ),
            0..6,
        ),
    )
}

fn apply(base: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut doc = base.to_vec();
    for (at, remove, insert) in edits {
        let at = (*at).min(doc.len());
        let end = (at + remove).min(doc.len());
        doc.splice(at..end, insert.iter().copied());
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn edited_documents_chain_and_read_back(first in edited(), more in proptest::collection::vec(edited(), 1..6)) {
        let mut docs = vec![first.0.clone()];
        for (_, edits) in &more {
            let next = apply(docs.last().unwrap(), edits);
            docs.push(next);
        }
        let frames = chain_of(&docs);
        for n in 1..=docs.len() {
            prop_assert_eq!(read(&frames[..n]).unwrap(), docs[n - 1].clone());
        }
    }
}
