//! CPU time and peak memory of text input, binary input and output of the largest
//! document the default `pgmem.max_snapshot_bytes` (64 MB of CBOR) allows:
//! `cargo run --release -p pgmem-codec --example largest -- KIND OP`, where KIND is
//! `traces` (agent runs from tests/data, repeated, 64 MB) or `zeros` (`[0,0,...]`, the
//! most items per byte, as many as jsonb's size limit allows) and OP is `in`, `recv`
//! or `out`. It prints the time and the peak
//! of memory allocated by OP alone.
use pgmem_codec::{decode, encode, validate, UNINTERRUPTED};
use std::time::Instant;
#[path = "../tests/common/peak.rs"]
mod peak;

const MAX: usize = 64 * 1024 * 1024;

fn document(kind: &str) -> String {
    match kind {
        "zeros" => format!("[{}0]", "0,".repeat(17_800_000)),
        _ => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/agent-traces");
            let runs: Vec<String> = std::fs::read_dir(dir)
                .expect("trace directory")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .map(|p| std::fs::read_to_string(p).expect("trace"))
                .collect();
            let mut doc = String::from("[");
            // Stop below the limit: CBOR is a little smaller than the text.
            while doc.len() < MAX {
                for run in &runs {
                    doc.push_str(run);
                    doc.push(',');
                }
            }
            doc.push_str("null]");
            doc
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (kind, op) = (args[1].as_str(), args[2].as_str());
    let text = document(kind);
    let stored = if op == "in" {
        Vec::new()
    } else {
        encode(&text, 3, MAX, UNINTERRUPTED).expect("encodes")
    };
    let started = Instant::now();
    let (peak, bytes) = peak::peak_of(|| match op {
        "in" => encode(&text, 3, MAX, UNINTERRUPTED).expect("encodes").len(),
        "recv" => validate(&stored, MAX, UNINTERRUPTED)
            .map(|()| stored.len())
            .expect("valid"),
        _ => decode(&stored, UNINTERRUPTED).expect("decodes").len(),
    });
    let (elapsed, mb) = (started.elapsed(), |n: usize| n as f64 / 1048576.0);
    println!(
        "{kind} {op}: {:.1} MB of text, {:.1} MB of result, {elapsed:.2?}, peak {:.1} MB",
        mb(text.len()),
        mb(bytes),
        mb(peak)
    );
}
