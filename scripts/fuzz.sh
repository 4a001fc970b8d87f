#!/usr/bin/env bash
# make fuzz: cargo-fuzz on the codec (crates/pgmem-codec), whose JSON text, stored bytes
# and binary input can come from any client: whatever it is handed must end in a result
# or an error, never a panic, abort, out-of-memory, timeout or output past its bounds
# (the checks are fuzz/oracles.rs). Runs each target in turn, one process each, for
# SECONDS_PER_TARGET (default 300), then prints executions and coverage per target; fails
# on any crash and leaves its input under fuzz/artifacts/<target>/ (minimize it with
# `cargo +nightly fuzz tmin`, keep it under fuzz/regressions/<target>/, which
# tests/fuzz_replay.rs replays on stable). Seeds (agent traces split into documents,
# hostile JSON and CBOR, and their stored bytes) are generated under
# target/fuzz-corpus/<target>/, never committed; the corpus grows across runs.
# With --smoke: about 15 s per target; without a nightly toolchain it only warns.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
targets=(json_to_stored stored_validate stored_to_json round_trip)
smoke=false seconds=300
case "${1:-}" in
    --smoke) smoke=true seconds=15 ;;
    "") ;;
    *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET | --smoke]" >&2; exit 2 ;;
    *) seconds=$1 ;;
esac

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "==================================================================" >&2
    echo "  NO NIGHTLY RUST TOOLCHAIN: the codec was NOT fuzzed." >&2
    echo "  Install one with: rustup toolchain install nightly" >&2
    echo "  (cargo test still replays fuzz/regressions on stable.)" >&2
    echo "==================================================================" >&2
    $smoke && exit 0
    exit 1
fi
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked

# Seeds: JSON documents for the text targets, their stored bytes and CBOR for the others.
seeds="$root_dir/target/fuzz-seeds" corpus="$root_dir/target/fuzz-corpus"
logs="$root_dir/target/fuzz-logs"
rm -rf "$seeds"
mkdir -p "$seeds/json" "$seeds/stored" "$logs"
python3 - "$root_dir/tests/data/agent-traces" "$seeds/json" "$seeds/stored" <<'PY'
import json, pathlib, sys

traces, json_dir, stored_dir = (pathlib.Path(p) for p in sys.argv[1:])
MAX_SEED, MAX_SEEDS = 16 * 1024, 300

def split(value, out):
    """The value if it is small enough, else its items (runs, messages, ...)."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text.encode()) <= MAX_SEED:
        out.append(text)
    elif isinstance(value, (list, dict)):
        for item in value.values() if isinstance(value, dict) else value:
            split(item, out)

docs = []
for path in sorted(traces.glob("*.json")):
    split(json.loads(path.read_text()), docs)
docs = [d for d in dict.fromkeys(docs) if len(d) > 64]
docs = docs[:: max(1, len(docs) // MAX_SEEDS)][:MAX_SEEDS]

hostile = [
    "[0e2000000000]", "1e131071", "1e131072", "-1e-16383", "0.000e-16383", "0e-16384",
    "[1e131071,1e131071,1e131071,1e131071,1e131071,1e131071,1e131071,1e131071]",
    "9" * 1000, "9" * 1001, "1" + "0" * 1500, "0." + "0" * 999 + "1", "-" + "1" * 1000 + "e-5",
    "18446744073709551615", "-18446744073709551616", "18446744073709551616", "-0", "-0.0", "1.50",
    "[" * 10000 + "]" * 10000, "[" * 10001 + "]" * 10001, '{"a":' * 500 + "1" + "}" * 500,
    '{"a":1,"a":{"b":2,"b":3},"c":[{"d":4,"d":5}],"a":6}',
    "{" + ",".join(f'"k{i % 20}":{i}' for i in range(60)) + "}",
    r'["\u0000"]', r'["\ud83d\ude00\/\b\f\n\r\t\"\\\u001f\u00e9"]', r'["\ud800"]', r'"\udc00"',
    '["caf\u00e9 \u2603 \U0001f600"]', "[true,false,null,[],{},\"\"]", " \t\n[1 , 2]\r\n",
]
for i, text in enumerate(docs + hostile):
    (json_dir / f"seed-{i:03}.json").write_text(text)

def head(major, n):
    for size, info in ((0, n), (1, 24), (2, 25), (4, 26), (8, 27)):
        if (size == 0 and n < 24) or (size and n < 1 << 8 * size):
            return bytes([major << 5 | info]) + (n.to_bytes(size, "big") if size else b"")

cbor = {
    "bignum-leading-zero": b"\xc2\x49\x00" + bytes(range(1, 9)),
    "bignum-fits-64-bits": b"\xc2\x48" + bytes(range(1, 9)),
    "decimal-bignum-mantissa": b"\xc4\x82\x20\xc3\x49\x01" + bytes(8),
    "decimal-max-weight": b"\xc4\x82\x1a\x00\x01\xff\xff\x01",
    "decimal-max-scale": b"\xc4\x82\x39\x3f\xfe\x01",
    "decimal-zero-positive-exponent": b"\xc4\x82\x01\x00",
    "floats": bytes.fromhex("84 f93c00 fa3fc00000 fb0000000000000001 fb7fefffffffffffff"),
    "float-nan": b"\xf9\x7e\x00",
    "duplicate-key": b"\xa2\x61k\xf6\x61k\xf5",
    "text-nul": b"\x61\x00",
    "text-bad-utf8": b"\x62\xc3\x28",
    "huge-array-count": b"\x9b" + b"\xff" * 8 + b"\xf6",
    "indefinite-array": b"\x9f\xf6\xff",
    "non-shortest-heads": b"\x9a\x00\x00\x00\x02\x7b" + bytes(7) + b"\x01a\x1b" + bytes(8),
    "deep": b"\x81" * 10000 + b"\xf6",
    "too-deep": b"\x81" * 10001 + b"\xf6",
    "big-bignum": b"\xc2" + head(2, 2000) + b"\x01" * 2000,
    "bignum-longest": b"\xc2" + head(2, 416) + b"\xff" * 416,
    "text-near-limit": b"\x89" + b"\xc4\x82\x1a\x00\x01\xff\xff\x01" * 8 + b"\xfb" + bytes(7) + b"\x01",
    "many-keys": head(5, 40) + b"".join(head(3, 2) + b"k%c" % (48 + i % 36) + b"\x00" for i in range(40)),
}
for name, data in cbor.items():
    (stored_dir / f"{name}.cbor").write_bytes(data)
print(f"{len(docs)} trace documents, {len(hostile)} hostile JSON, {len(cbor)} CBOR seeds")
PY
cargo run -q --release --manifest-path "$root_dir/fuzz/Cargo.toml" --example seeds \
    -- "$seeds/json" "$seeds/stored"
for target in "${targets[@]}"; do
    mkdir -p "$corpus/$target"
    case $target in
        json_to_stored | round_trip) cp "$seeds"/json/* "$corpus/$target/" ;;
        *) cp "$seeds"/stored/* "$corpus/$target/" ;;
    esac
done

# The codec is safe Rust: AddressSanitizer would find nothing the panics and overflow
# checks do not, at half the speed (zstd's C code is not instrumented either way).
cd "$root_dir/fuzz"
cargo +nightly fuzz build -s none
failed=()
for target in "${targets[@]}"; do
    echo "fuzzing $target for ${seconds}s (log: target/fuzz-logs/$target.log)"
    if ! cargo +nightly fuzz run -s none "$target" "$corpus/$target" -- -max_total_time="$seconds" \
        -rss_limit_mb=2048 -max_len=65536 -timeout=10 -print_final_stats=1 \
        >"$logs/$target.log" 2>&1; then
        failed+=("$target")
    fi
done

# A number from libFuzzer's last status line (`#runs DONE cov: N ft: N corp: N/size ...`).
field() { sed -n "s/.* $1: \([0-9]*\).*/\1/p" <<<"$last"; }
total=0
printf '\n%-16s %12s %7s %8s %8s %7s\n' target executions cov ft corpus files
for target in "${targets[@]}"; do
    log="$logs/$target.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    cov=$(field cov) ft=$(field ft) corp=$(field corp)
    runs=${runs:-$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")}
    total=$((total + ${runs:-0}))
    printf '%-16s %12s %7s %8s %8s %7s\n' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" \
        "${corp:-?}" "$(find "$corpus/$target" -type f | wc -l)"
done
printf '%-16s %12s\n' total "$total"

if [ ${#failed[@]} -gt 0 ]; then
    for target in "${failed[@]}"; do
        echo "FAILED: $target; last lines of target/fuzz-logs/$target.log:" >&2
        grep -E 'panicked|ERROR|SUMMARY|Test unit written|deadly signal' "$logs/$target.log" | tail -8 >&2 || true
    done
    exit 1
fi
