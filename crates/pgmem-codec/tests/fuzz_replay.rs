//! The fuzz targets' checks (fuzz/oracles.rs) on stable Rust: every input under
//! fuzz/regressions/<target>/ (crashes the fuzzer found, kept as regression tests) and
//! a few hostile inputs. scripts/fuzz.sh runs the fuzzer itself.
#[path = "../../../fuzz/oracles.rs"]
mod oracles;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// JSON at the edges of the limits: numeric's range, the digit cap, nesting, and
/// what jsonb itself refuses or rewrites.
const HOSTILE_JSON: &[&str] = &[
    "[0e2000000000]",
    "1e131071",
    "1e131072",
    "0.000e-16383",
    "-0.0",
    "[1e131071,1e131071,1e131071,1e131071,1e131071,1e131071,1e131071,1e131071]",
    r#"{"a":1,"a":{"b":2,"b":3},"c":[{"d":4,"d":5}],"a":6}"#,
    r#"["\u0000"]"#,
    r#"["\ud83d\ude00\/\b\f\n\r\t\"\\\u001f","\ud800"]"#,
];

/// CBOR documents (wrapped in a valid frame by the stored-bytes checks).
const HOSTILE_CBOR: &[&[u8]] = &[
    // Bignum with a leading zero byte; one that fits 64 bits; decimal of a bignum.
    &[0xc2, 0x49, 0, 1, 2, 3, 4, 5, 6, 7, 8],
    &[0xc2, 0x48, 1, 2, 3, 4, 5, 6, 7, 8],
    &[0xc4, 0x82, 0x20, 0xc3, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    // Decimals at and past numeric's range; a zero with a positive exponent.
    &[0xc4, 0x82, 0x1a, 0x00, 0x01, 0xff, 0xff, 0x01],
    &[0xc4, 0x82, 0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x01],
    &[0xc4, 0x82, 0x01, 0x00],
    // A map with a duplicate key, text with NUL, NaN, an array that claims 2^64 - 1.
    &[0xa2, 0x61, b'k', 0xf6, 0x61, b'k', 0xf5],
    &[0x61, 0x00],
    &[0xf9, 0x7e, 0x00],
    &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf6],
];

#[test]
fn fuzz_regressions_and_hostile_inputs_pass_every_check() {
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let too_deep = format!("{}{}", "[".repeat(10_001), "]".repeat(10_001));
    let digits = [
        "9".repeat(1000),
        "9".repeat(1001),
        format!("0.{}", "1".repeat(1000)),
    ];
    let json = HOSTILE_JSON
        .iter()
        .map(|s| s.to_string())
        .chain([deep, too_deep]);
    inputs.extend(json.chain(digits).map(|s| (s.clone(), s.into_bytes())));
    inputs.extend(
        HOSTILE_CBOR
            .iter()
            .map(|b| (format!("{b:02x?}"), b.to_vec())),
    );
    inputs.push(("81 x 10001".into(), vec![0x81; 10_001]));
    let mut failed = Vec::new();
    for (target, check) in oracles::TARGETS {
        for (name, data) in &inputs {
            if catch_unwind(AssertUnwindSafe(|| check(data))).is_err() {
                failed.push(format!("{target}: {:.60}", name));
            }
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/regressions")
            .join(target);
        for path in std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .map(|e| e.unwrap().path())
        {
            let data = std::fs::read(&path).unwrap();
            if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
                failed.push(format!("{target}: {}", path.display()));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "checks failed for:\n{}",
        failed.join("\n")
    );
}
