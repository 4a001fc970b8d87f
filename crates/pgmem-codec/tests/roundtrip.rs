//! JSON text -> snapshot -> JSON text keeps every document as jsonb would: checked
//! against a reference model on random documents, and on a table of edge cases.
use pgmem_codec::cbor::Container;
use pgmem_codec::events::Writer;
use pgmem_codec::UNINTERRUPTED;
mod common;
use common::numeric_text;
use proptest::prelude::*;

const MAX: usize = 64 * 1024 * 1024;

/// A JSON document as written, duplicate keys and all.
#[derive(Clone, Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

fn number() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,30}"],
        proptest::option::of("[0-9]{1,25}"),
        proptest::option::of(("[eE]", "[-+]?", 0u32..400)),
    )
        .prop_map(|(negative, int, frac, exp)| {
            let mut s = String::new();
            if negative {
                s.push('-');
            }
            s.push_str(&int);
            if let Some(frac) = frac {
                s.push('.');
                s.push_str(&frac);
            }
            if let Some((e, sign, n)) = exp {
                s.push_str(&format!("{e}{sign}{n}"));
            }
            s
        })
}

fn text() -> impl Strategy<Value = String> {
    // Any characters but NUL (which jsonb refuses), control characters included.
    prop_oneof![
        "[^\u{0}]{0,20}",
        "[\u{1}-\u{1f}\"\\\\/a\u{e9}\u{1F600}\u{FFFF}]{0,10}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    // A small alphabet, so objects often repeat a key.
    prop_oneof![
        prop::sample::select(vec!["a", "b", "\u{e9}", "\u{1F600}", ""]).prop_map(String::from),
        text()
    ]
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number().prop_map(Json::Number),
        text().prop_map(Json::Text),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
            prop::collection::vec((key(), inner), 0..8).prop_map(Json::Object),
        ]
    })
}

/// Deterministic choices for how a document is written (whitespace, escapes).
struct Style(u64);

impl Style {
    fn pick(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn space(&mut self, out: &mut String) {
        for _ in 0..self.pick(3) {
            out.push([' ', '\t', '\n', '\r'][self.pick(4) as usize]);
        }
    }

    fn string(&mut self, s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            let must = c == '"' || c == '\\' || (c as u32) < 0x20;
            match (must, self.pick(4)) {
                (false, 0..=2) => out.push(c),
                (true, 0) | (false, 3) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04X}"));
                    }
                }
                _ => out.push_str(&match c {
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\n' => "\\n".into(),
                    '\t' => "\\t".into(),
                    '/' => "\\/".into(),
                    _ => format!("\\u{:04x}", c as u32),
                }),
            }
        }
        out.push('"');
    }

    fn write(&mut self, j: &Json, out: &mut String) {
        self.space(out);
        match j {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::Text(s) => self.string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.write(item, out);
                }
                self.space(out);
                out.push(']');
            }
            Json::Object(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.space(out);
                    self.string(k, out);
                    self.space(out);
                    out.push(':');
                    self.write(v, out);
                }
                self.space(out);
                out.push('}');
            }
        }
        self.space(out);
    }
}

/// What the codec must print: compact, numbers as numeric prints them, strings
/// escaped as PostgreSQL escapes them, the last of duplicate keys kept in its place.
fn expected(j: &Json, out: &mut String) {
    let string = |s: &str, out: &mut String| {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    };
    match j {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&numeric_text(n)),
        Json::Text(s) => string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                expected(item, out);
            }
            out.push(']');
        }
        Json::Object(pairs) => {
            out.push('{');
            let kept = pairs
                .iter()
                .enumerate()
                .filter(|(i, (k, _))| !pairs[i + 1..].iter().any(|(later, _)| later == k));
            for (n, (_, (k, v))) in kept.enumerate() {
                if n > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                expected(v, out);
            }
            out.push('}');
        }
    }
}

fn round_trip(text: &str) -> String {
    let stored = pgmem_codec::encode(text, 3, MAX, UNINTERRUPTED)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    pgmem_codec::validate(&stored, MAX, UNINTERRUPTED).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    // Also checks that the output is UTF-8, as decode promises without checking.
    String::from_utf8(pgmem_codec::decode(&stored, UNINTERRUPTED).unwrap())
        .expect("decoded JSON is UTF-8")
}

/// The document as a parsed source (jsonb) reports it: an object's earlier duplicate
/// keys gone, the rest in order.
fn write_events(j: &Json, w: &mut Writer) -> pgmem_codec::Result<()> {
    match j {
        Json::Null => w.null(),
        Json::Bool(b) => w.boolean(*b),
        Json::Number(n) => w.number(n.as_bytes()),
        Json::Text(t) => w.string(t),
        Json::Array(items) => {
            w.begin(Container::Array, items.len() as u64)?;
            items.iter().try_for_each(|item| write_events(item, w))?;
            w.end();
            Ok(())
        }
        Json::Object(pairs) => {
            let kept: Vec<_> = (pairs.iter().enumerate())
                .filter(|(i, (k, _))| !pairs[i + 1..].iter().any(|(later, _)| later == k))
                .map(|(_, pair)| pair)
                .collect();
            w.begin(Container::Object, kept.len() as u64)?;
            for (k, v) in kept {
                w.key(k)?;
                write_events(v, w)?;
            }
            w.end();
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_documents_round_trip(doc in json(), seed in 1u64..) {
        let mut text = String::new();
        Style(seed).write(&doc, &mut text);
        let mut want = String::new();
        expected(&doc, &mut want);
        prop_assert_eq!(round_trip(&text), want);
    }

    /// CBOR written from events is the CBOR text input writes for the same document.
    #[test]
    fn events_write_what_text_input_writes(doc in json(), seed in 1u64..) {
        let mut text = String::new();
        Style(seed).write(&doc, &mut text);
        let mut w = Writer::new(0, MAX, UNINTERRUPTED).unwrap();
        let events = write_events(&doc, &mut w).and_then(|_| w.finish());
        prop_assert_eq!(events.ok(), pgmem_codec::json_in::to_cbor(&text, MAX, UNINTERRUPTED).ok());
    }
}

#[test]
fn edge_cases_print_as_jsonb_does() {
    let cases = [
        ("12345678901234567890123", "12345678901234567890123"),
        ("-12345678901234567890123", "-12345678901234567890123"),
        ("18446744073709551615", "18446744073709551615"),
        ("-18446744073709551616", "-18446744073709551616"),
        (
            "0.1000000000000000055511151231257827",
            "0.1000000000000000055511151231257827",
        ),
        ("-0", "0"),
        ("-0.0", "0.0"),
        ("1.0", "1.0"),
        ("1", "1"),
        ("1.50", "1.50"),
        ("1.5e3", "1500"),
        ("1E-3", "0.001"),
        ("[1E2, 2e+1, 3e-0]", "[100,20,3]"),
        ("\"\\ud83d\\ude00\"", "\"\u{1F600}\""),
        ("\"\\u00e9\\n\\/\"", "\"\u{e9}\\n/\""),
        ("{}", "{}"),
        ("[]", "[]"),
        ("\"\"", "\"\""),
        ("null", "null"),
        ("true", "true"),
        (" false ", "false"),
        ("{\"a\":1,\"b\":2,\"a\":3}", "{\"b\":2,\"a\":3}"),
        ("{\"a\":{\"x\":[1]},\"a\":{\"y\":2}}", "{\"a\":{\"y\":2}}"),
    ];
    for (input, want) in cases {
        assert_eq!(round_trip(input), want, "input {input}");
    }
    let huge = round_trip("1E400");
    assert_eq!(huge, format!("1{}", "0".repeat(400)));
}

#[test]
fn many_duplicate_keys_keep_the_last() {
    let pairs: Vec<String> = (0..100).map(|i| format!("\"k{}\":{i}", i % 7)).collect();
    let text = format!("{{{}}}", pairs.join(","));
    let want: Vec<String> = (93..100).map(|i| format!("\"k{}\":{i}", i % 7)).collect();
    assert_eq!(round_trip(&text), format!("{{{}}}", want.join(",")));
}

#[test]
fn nesting_up_to_the_limit_round_trips() {
    let depth = pgmem_codec::MAX_DEPTH;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(round_trip(&arrays), arrays);
    let objects = format!("{}1{}", "{\"a\":".repeat(1000), "}".repeat(1000));
    assert_eq!(round_trip(&objects), objects);
}

#[test]
fn nesting_past_the_limit_is_an_error() {
    for depth in [pgmem_codec::MAX_DEPTH + 1, 100_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = pgmem_codec::encode(&text, 3, MAX, UNINTERRUPTED).unwrap_err();
        assert_eq!(err, pgmem_codec::Error::TooDeep);
    }
}

#[test]
fn invalid_json_says_where() {
    let cases = [
        ("", 1, 1),
        ("{\"a\":", 1, 6),
        ("[1,]", 1, 4),
        ("{\"a\" 1}", 1, 6),
        ("[1]\n  x", 2, 3),
        ("01", 1, 2),
        ("\"\\x\"", 1, 2),
        ("\"a\nb\"", 1, 3),
        ("[.5]", 1, 2),
        ("[1.]", 1, 2),
        ("[1e]", 1, 2),
        ("\"\\ud800\"", 1, 2),
        ("\"\\udc00\"", 1, 2),
        ("\"\\u12\"", 1, 2),
        ("nul", 1, 1),
        ("{1:2}", 1, 2),
        ("\"open", 1, 6),
    ];
    for (input, line, column) in cases {
        match pgmem_codec::encode(input, 3, MAX, UNINTERRUPTED) {
            Err(pgmem_codec::Error::Syntax { at, .. }) => {
                assert_eq!((at.line, at.column), (line, column), "input {input:?}")
            }
            other => panic!("input {input:?}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn what_jsonb_refuses_is_refused() {
    use pgmem_codec::Error;
    let err = |s: &str| pgmem_codec::encode(s, 3, MAX, UNINTERRUPTED).unwrap_err();
    assert!(matches!(
        err("\"\\u0000\""),
        Error::UnsupportedEscape { .. }
    ));
    assert!(matches!(err("1e131072"), Error::NumberOutOfRange { .. }));
    assert!(matches!(err("1e-16384"), Error::NumberOutOfRange { .. }));
    assert!(matches!(
        err("[1e999999999999999999999]"),
        Error::NumberOutOfRange { .. }
    ));
}

#[test]
fn size_limit_applies_to_the_cbor() {
    let text = format!("\"{}\"", "x".repeat(2000));
    assert!(pgmem_codec::encode(&text, 3, 2003, UNINTERRUPTED).is_ok());
    let err = pgmem_codec::encode(&text, 3, 2002, UNINTERRUPTED).unwrap_err();
    assert_eq!(
        err,
        pgmem_codec::Error::TooLarge {
            size: Some(2003),
            limit: 2002
        }
    );
    let many = format!("[{}]", vec!["1"; 5000].join(","));
    assert!(matches!(
        pgmem_codec::encode(&many, 3, 1024, UNINTERRUPTED),
        Err(pgmem_codec::Error::TooLarge { .. })
    ));
}
