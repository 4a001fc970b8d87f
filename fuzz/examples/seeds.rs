//! Seeds for the targets that read stored bytes (used by scripts/fuzz.sh): every file
//! in JSON_DIR, encoded, written to OUT_DIR twice, as `<name>.stored` (the stored
//! value) and as `<name>.cbor` (its CBOR document alone). Text the codec refuses is
//! skipped.
use pgmem_codec::{format, UNINTERRUPTED};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to] = &args[..] else {
        panic!("usage: seeds JSON_DIR OUT_DIR");
    };
    let mut written = 0;
    for entry in std::fs::read_dir(from).expect("readable JSON_DIR") {
        let path = entry.expect("directory entry").path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(stored) = pgmem_codec::encode(&text, 1, 64 << 20, UNINTERRUPTED) else {
            continue;
        };
        let len = format::raw_len(&stored).expect("header") as usize;
        let cbor = format::decompress(&stored, len, UNINTERRUPTED).expect("frame");
        let name = path.file_stem().expect("file name").to_string_lossy();
        let out = std::path::Path::new(to);
        std::fs::write(out.join(format!("{name}.stored")), &stored).expect("writable OUT_DIR");
        std::fs::write(out.join(format!("{name}.cbor")), &cbor).expect("writable OUT_DIR");
        written += 1;
    }
    eprintln!("{written} documents encoded into {to}");
}
