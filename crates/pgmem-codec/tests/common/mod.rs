//! Helpers shared by the codec's integration tests.
#![allow(dead_code)]
use std::path::PathBuf;

/// The agent traces to test on: `$PGMEM_TRACES`, else the full corpus beside the
/// repository, else the samples committed under `tests/data`.
pub fn traces_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let candidates = [
        std::env::var_os("PGMEM_TRACES").map(PathBuf::from),
        Some(root.join("../shared/data/agent-traces")),
        Some(root.join("tests/data/agent-traces")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .expect("no agent-trace directory found")
}

/// Every JSON document in the trace files: each run, simulation and episode, and
/// each file whole.
pub fn trace_documents() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(traces_dir())
        .expect("readable trace directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no trace files");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("readable trace file");
        let value: serde_json::Value = serde_json::from_str(&text).expect("trace is JSON");
        let parts: Vec<&serde_json::Value> = match &value {
            serde_json::Value::Array(runs) => runs.iter().collect(),
            serde_json::Value::Object(map) => match map.get("simulations") {
                Some(serde_json::Value::Array(sims)) => sims.iter().collect(),
                _ => map.values().collect(),
            },
            _ => vec![],
        };
        for (i, part) in parts.iter().enumerate() {
            docs.push((format!("{name}[{i}]"), serde_json::to_string(part).unwrap()));
        }
        docs.push((name, text));
    }
    docs
}

/// How PostgreSQL's numeric prints the JSON number `text`: plain digits, scale kept.
/// An independent reference for the codec's own number handling.
pub fn numeric_text(text: &str) -> String {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().unwrap()),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let scale = (frac.len() as i64 - exp).max(0) as usize;
    let mut digits = format!("{int}{frac}");
    let mut point = int.len() as i64 + exp;
    if point < 0 {
        digits.insert_str(0, &"0".repeat((-point) as usize));
        point = 0;
    }
    let point = point as usize;
    if digits.len() < point + scale {
        digits.push_str(&"0".repeat(point + scale - digits.len()));
    }
    let int_part = digits[..point].trim_start_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let frac_part = &digits[point..point + scale];
    let zero = int_part == "0" && frac_part.bytes().all(|b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// `value` with every number rewritten as numeric prints it, so documents can be
/// compared with jsonb's semantics.
pub fn canonical(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let text = numeric_text(&n.to_string());
            Value::Number(serde_json::from_str(&text).unwrap())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, canonical(v))).collect())
        }
        other => other,
    }
}
