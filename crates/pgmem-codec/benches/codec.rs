//! Codec throughput on real agent trajectories, in MB/s of JSON text: encode (JSON text
//! -> stored bytes) and decode (stored bytes -> JSON text), beside zstd alone on the same
//! CBOR at the same level. `cargo bench -p pgmem-codec`.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pgmem_codec::UNINTERRUPTED;
use std::hint::black_box;

#[path = "../tests/common/mod.rs"]
mod common;

const LEVEL: i32 = 3;
const MAX: usize = 1 << 30;

/// Each tau-bench trajectory (the `traj` of every run) as JSON text.
fn trajectories() -> Vec<String> {
    let path = common::traces_dir().join(
        [
            "taubench_gpt-4o-airline.json",
            "taubench_gpt-4o-airline.sample.json",
        ]
        .iter()
        .find(|f| common::traces_dir().join(f).exists())
        .expect("a tau-bench file"),
    );
    let runs: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    runs.iter()
        .map(|r| serde_json::to_string(&r["traj"]).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = trajectories();
    let text_bytes: usize = docs.iter().map(String::len).sum();
    let stored: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| pgmem_codec::encode(d, LEVEL, MAX, UNINTERRUPTED).unwrap())
        .collect();
    let cbor: Vec<Vec<u8>> = docs
        .iter()
        .map(|d| pgmem_codec::json_in::to_cbor(d, MAX, UNINTERRUPTED).unwrap())
        .collect();
    let frames: Vec<Vec<u8>> = cbor
        .iter()
        .map(|c| zstd::bulk::compress(c, LEVEL).unwrap())
        .collect();

    let mut group = c.benchmark_group("tau-bench trajectories");
    group.throughput(Throughput::Bytes(text_bytes as u64));
    group.bench_function("encode", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| {
                    pgmem_codec::encode(black_box(d), LEVEL, MAX, UNINTERRUPTED)
                        .unwrap()
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            stored
                .iter()
                .map(|s| {
                    pgmem_codec::decode(black_box(s), UNINTERRUPTED)
                        .unwrap()
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("zstd compress", |b| {
        b.iter(|| {
            cbor.iter()
                .map(|c| zstd::bulk::compress(black_box(c), LEVEL).unwrap().len())
                .sum::<usize>()
        })
    });
    group.bench_function("zstd decompress", |b| {
        b.iter(|| {
            frames
                .iter()
                .zip(&cbor)
                .map(|(f, c)| zstd::bulk::decompress(black_box(f), c.len()).unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
