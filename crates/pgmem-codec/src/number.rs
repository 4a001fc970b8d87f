//! JSON numbers kept exactly, as jsonb keeps them (PostgreSQL `numeric`).
//!
//! A number becomes a CBOR integer when it is one (and fits 64 bits), a CBOR bignum
//! (tags 2/3) when it is a larger integer written without exponent, and otherwise a
//! decimal fraction (tag 4, `[exponent, mantissa]`) that keeps every digit and the
//! display scale: `1.50` stays `1.50`, never a rounded binary float.
use crate::bigint;
use crate::cbor::{write_head, MAJOR_BYTES, MAJOR_NEGATIVE, MAJOR_TAG, MAJOR_UNSIGNED};
use crate::error::{Error, Result};

/// `numeric` holds at most this many digits before the decimal point ...
const MAX_WEIGHT: i64 = 131_072;
/// ... and at most this many after it; jsonb rejects anything beyond either.
const MAX_SCALE: i64 = 16_383;
/// Exponents are clamped here while parsing; anything this large is out of range.
const EXPONENT_CLAMP: i64 = 1 << 40;

pub const TAG_POSITIVE_BIGNUM: u64 = 2;
pub const TAG_NEGATIVE_BIGNUM: u64 = 3;
pub const TAG_DECIMAL: u64 = 4;

/// Is `mantissa * 10^exponent`, with `digits` significant digits, a `numeric`?
pub fn check_range(digits: usize, exponent: i64) -> Result<()> {
    let weight = digits as i64 + exponent;
    if (digits > 0 && weight > MAX_WEIGHT) || -exponent > MAX_SCALE {
        return Err(Error::NumberOutOfRange { at: None });
    }
    Ok(())
}

/// Encode the text of a JSON number (already checked against the JSON grammar).
pub fn write_json_number(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let exp_at = body.iter().position(|&b| b == b'e' || b == b'E');
    let (mantissa, exponent) = match exp_at {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])),
        None => (body, 0),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &mantissa[mantissa.len()..]),
    };
    let all = int.iter().chain(frac.iter());
    let leading = all.clone().take_while(|&&d| d == b'0').count();
    let significant = int.len() + frac.len() - leading;
    let exponent = exponent - frac.len() as i64;
    check_range(significant, exponent)?;
    let small = all.clone().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    let digits = || all.clone().skip(leading).copied().collect::<Vec<u8>>();
    if exponent >= 0 {
        let scaled = small.and_then(|m| m.checked_mul(10u64.checked_pow(exponent as u32)?));
        if let Some(value) = scaled {
            write_integer(out, negative, value);
            return Ok(());
        }
        if exponent == 0 {
            write_bignum(out, negative, &digits());
            return Ok(());
        }
    }
    write_head(out, MAJOR_TAG, TAG_DECIMAL);
    write_head(out, 4, 2);
    write_integer(out, exponent < 0, exponent.unsigned_abs());
    match small {
        Some(value) => write_integer(out, negative, value),
        None => write_bignum(out, negative, &digits()),
    }
    Ok(())
}

fn parse_exponent(text: &[u8]) -> i64 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let magnitude = digits.iter().fold(0i64, |v, &d| {
        (v * 10 + i64::from(d - b'0')).min(EXPONENT_CLAMP)
    });
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// A CBOR integer; `-value` when negative (zero has no sign, like `numeric`).
fn write_integer(out: &mut Vec<u8>, negative: bool, value: u64) {
    if negative && value > 0 {
        write_head(out, MAJOR_NEGATIVE, value - 1);
    } else {
        write_head(out, MAJOR_UNSIGNED, value);
    }
}

/// An integer too large for 64 bits, from its significant decimal digits.
fn write_bignum(out: &mut Vec<u8>, negative: bool, digits: &[u8]) {
    let mut bytes = bigint::decimal_to_bytes(digits);
    if negative {
        bigint::decrement(&mut bytes);
        if bytes.len() <= 8 {
            let n = bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
            write_head(out, MAJOR_NEGATIVE, n);
            return;
        }
    }
    let tag = if negative {
        TAG_NEGATIVE_BIGNUM
    } else {
        TAG_POSITIVE_BIGNUM
    };
    write_head(out, MAJOR_TAG, tag);
    write_head(out, MAJOR_BYTES, bytes.len() as u64);
    out.extend_from_slice(&bytes);
}

/// Write `±digits * 10^exponent` as `numeric` prints it: plain digits, never an
/// exponent, the scale kept (`[-2, 150]` prints `1.50`).
pub fn format_decimal(out: &mut Vec<u8>, negative: bool, digits: &str, exponent: i64) {
    let zero = digits.bytes().all(|d| d == b'0');
    if negative && !zero {
        out.push(b'-');
    }
    let digits = if zero {
        ""
    } else {
        digits.trim_start_matches('0')
    };
    if exponent >= 0 {
        out.extend_from_slice(if zero { b"0" } else { digits.as_bytes() });
        if !zero {
            out.resize(out.len() + exponent as usize, b'0');
        }
        return;
    }
    let scale = exponent.unsigned_abs() as usize;
    if digits.len() > scale {
        let point = digits.len() - scale;
        out.extend_from_slice(&digits.as_bytes()[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits.as_bytes()[point..]);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - digits.len(), b'0');
        out.extend_from_slice(digits.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(negative: bool, digits: &str, exponent: i64) -> String {
        let mut out = Vec::new();
        format_decimal(&mut out, negative, digits, exponent);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prints_like_numeric() {
        assert_eq!(decimal(false, "150", -2), "1.50");
        assert_eq!(decimal(true, "5", -3), "-0.005");
        assert_eq!(decimal(false, "1", 3), "1000");
        assert_eq!(decimal(true, "0", -1), "0.0");
        assert_eq!(decimal(false, "0", 4), "0");
    }

    #[test]
    fn integers_are_cbor_integers() {
        let enc = |t: &str| {
            let mut out = Vec::new();
            write_json_number(t.as_bytes(), &mut out).unwrap();
            out
        };
        assert_eq!(enc("0"), vec![0x00]);
        assert_eq!(enc("-0"), vec![0x00]);
        assert_eq!(enc("-1"), vec![0x20]);
        assert_eq!(enc("1.5e3"), vec![0x19, 0x05, 0xdc]);
        assert_eq!(enc("1.5"), vec![0xc4, 0x82, 0x20, 0x0f]);
        assert_eq!(
            enc("18446744073709551616"),
            vec![0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(enc("-18446744073709551616"), {
            let mut v = vec![0x3b];
            v.extend([0xff; 8]);
            v
        });
    }

    #[test]
    fn rejects_what_numeric_rejects() {
        let mut out = Vec::new();
        assert!(write_json_number(b"1e131071", &mut out).is_ok());
        assert!(write_json_number(b"1e131072", &mut out).is_err());
        assert!(write_json_number(b"1e-16383", &mut out).is_ok());
        assert!(write_json_number(b"1e-16384", &mut out).is_err());
        assert!(write_json_number(b"1e99999999999999999999", &mut out).is_err());
    }
}
