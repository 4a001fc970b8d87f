//! JSON numbers kept exactly, as jsonb keeps them (PostgreSQL `numeric`).
//!
//! A number becomes a CBOR integer when it is one (and fits 64 bits), a CBOR bignum
//! (tags 2/3) when it is a larger integer written without exponent, and otherwise a
//! decimal fraction (tag 4, `[exponent, mantissa]`) that keeps every digit and the
//! display scale: `1.50` stays `1.50`, never a rounded binary float.
//!
//! The canonical rules (docs/FORMAT.md, "Numbers") bound what a number may cost:
//! a mantissa has at most [`MAX_DIGITS`] digits, so converting it between binary and
//! decimal is cheap; a zero is the integer 0, or a decimal fraction whose exponent only
//! carries a scale; and every number's printed length is known before it is printed.
use crate::bigint;
use crate::cbor::{write_head, MAJOR_BYTES, MAJOR_NEGATIVE, MAJOR_TAG, MAJOR_UNSIGNED};
use crate::error::{Error, Result};

/// Most digits a mantissa may have: the largest precision a `numeric` column can be
/// declared with. jsonb alone allows more, at a cost quadratic in the digits.
pub const MAX_DIGITS: usize = 1000;
/// `numeric` holds at most this many digits before the decimal point ...
pub const MAX_WEIGHT: i64 = 131_072;
/// ... and at most this many after it; jsonb rejects anything beyond either.
pub const MAX_SCALE: i64 = 16_383;
/// `numeric_in` refuses exponents of larger magnitude, even on a zero.
const MAX_EXPONENT: i64 = (i32::MAX / 2) as i64;

pub const TAG_POSITIVE_BIGNUM: u64 = 2;
pub const TAG_NEGATIVE_BIGNUM: u64 = 3;
pub const TAG_DECIMAL: u64 = 4;

/// Is `mantissa * 10^exponent` a number pgmem keeps? `digits` counts the mantissa's
/// significant digits (0 for a zero).
pub fn check_range(digits: usize, exponent: i64) -> Result<()> {
    if digits > MAX_DIGITS {
        return Err(Error::TooManyDigits { at: None });
    }
    if !in_numeric_range(digits, exponent) {
        return Err(Error::NumberOutOfRange { at: None });
    }
    Ok(())
}

/// Is `mantissa * 10^exponent` within `numeric`'s range (any number of digits)?
pub fn in_numeric_range(digits: usize, exponent: i64) -> bool {
    let weight = digits as i64 + exponent;
    -exponent <= MAX_SCALE && (digits == 0 || weight <= MAX_WEIGHT)
}

/// Characters `numeric` prints for `±mantissa × 10^exponent` whose mantissa has
/// `digits` significant digits (0 for zero); the number must be in range.
pub fn decimal_text_len(negative: bool, digits: usize, exponent: i64) -> usize {
    let sign = usize::from(negative && digits > 0);
    if exponent >= 0 {
        return if digits == 0 {
            1
        } else {
            sign + digits + exponent as usize
        };
    }
    let scale = exponent.unsigned_abs() as usize;
    if digits > scale {
        sign + digits + 1
    } else {
        sign + 2 + scale
    }
}

/// Digits of `value` in decimal (1 for zero).
pub fn u128_digits(value: u128) -> usize {
    value.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Encode the text of a JSON number (already checked against the JSON grammar);
/// returns the length of the text `numeric` prints for it.
pub fn write_json_number(text: &[u8], out: &mut Vec<u8>) -> Result<usize> {
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let exp_at = body.iter().position(|&b| b == b'e' || b == b'E');
    let (mantissa, exponent) = match exp_at {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])?),
        None => (body, 0),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &mantissa[mantissa.len()..]),
    };
    let all = int.iter().chain(frac.iter());
    let leading = all.clone().take_while(|&&d| d == b'0').count();
    let mut significant = int.len() + frac.len() - leading;
    let mut exponent = exponent - frac.len() as i64;
    if significant == 0 {
        return write_zero(out, exponent);
    }
    let small = all.clone().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    if exponent >= 0 {
        let scaled = small.and_then(|m| m.checked_mul(10u64.checked_pow(exponent as u32)?));
        if let Some(value) = scaled {
            write_integer(out, negative, value);
            return Ok(usize::from(negative) + u128_digits(u128::from(value)));
        }
        // A large integer's trailing zeros go to the exponent: they print the same, the
        // mantissa stays within MAX_DIGITS, and `1e25` and `10000000000000000000000000`
        // are stored alike (a scale, after the point, must stay digits).
        let zeros = all.clone().rev().take_while(|&&d| d == b'0').count();
        significant -= zeros;
        exponent += zeros as i64;
    }
    check_range(significant, exponent)?;
    let text_len = decimal_text_len(negative, significant, exponent);
    let digits = all.skip(leading).take(significant);
    if exponent != 0 {
        write_head(out, MAJOR_TAG, TAG_DECIMAL);
        write_head(out, 4, 2);
        write_integer(out, exponent < 0, exponent.unsigned_abs());
    }
    let small = digits.clone().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    match small {
        Some(value) => write_integer(out, negative, value),
        None => write_bignum(out, negative, &digits.copied().collect::<Vec<u8>>()),
    }
    Ok(text_len)
}

/// Zero is the integer 0 unless it has a scale (`0.00`): then `[-scale, 0]`.
fn write_zero(out: &mut Vec<u8>, exponent: i64) -> Result<usize> {
    if exponent >= 0 {
        write_integer(out, false, 0);
        return Ok(1);
    }
    check_range(0, exponent)?;
    write_head(out, MAJOR_TAG, TAG_DECIMAL);
    write_head(out, 4, 2);
    write_integer(out, true, exponent.unsigned_abs());
    write_integer(out, false, 0);
    Ok(decimal_text_len(false, 0, exponent))
}

/// The exponent's value; beyond what `numeric_in` takes is out of range, as in jsonb.
fn parse_exponent(text: &[u8]) -> Result<i64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mut magnitude = 0i64;
    for &d in digits {
        magnitude = magnitude * 10 + i64::from(d - b'0');
        if magnitude > MAX_EXPONENT {
            return Err(Error::NumberOutOfRange { at: None });
        }
    }
    Ok(if negative { -magnitude } else { magnitude })
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
/// exponent, the scale kept (`[-2, 150]` prints `1.50`). `digits` has no leading
/// zeros ("0" or "" for zero) and the number is in range.
pub fn format_decimal(out: &mut Vec<u8>, negative: bool, digits: &str, exponent: i64) {
    let digits = digits.trim_start_matches('0');
    if negative && !digits.is_empty() {
        out.push(b'-');
    }
    if exponent >= 0 {
        if digits.is_empty() {
            out.push(b'0');
        } else {
            out.extend_from_slice(digits.as_bytes());
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
        let text = String::from_utf8(out).unwrap();
        let significant = digits.trim_start_matches('0').len();
        assert_eq!(
            decimal_text_len(negative, significant, exponent),
            text.len()
        );
        text
    }

    fn enc(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write_json_number(text.as_bytes(), &mut out).unwrap();
        out
    }

    #[test]
    fn prints_like_numeric() {
        assert_eq!(decimal(false, "150", -2), "1.50");
        assert_eq!(decimal(true, "5", -3), "-0.005");
        assert_eq!(decimal(false, "1", 3), "1000");
        assert_eq!(decimal(true, "0", -1), "0.0");
        assert_eq!(decimal(false, "0", 4), "0");
        assert_eq!(decimal(false, "", 1 << 40), "0");
    }

    #[test]
    fn integers_are_cbor_integers() {
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
    fn zeros_are_canonical() {
        assert_eq!(enc("0e1073741820"), vec![0x00]);
        assert_eq!(enc("-0.0e5"), vec![0x00]);
        assert_eq!(enc("0.00"), vec![0xc4, 0x82, 0x21, 0x00]);
        assert_eq!(enc("0e-3"), vec![0xc4, 0x82, 0x22, 0x00]);
        let mut out = Vec::new();
        assert_eq!(write_json_number(b"0e1073741820", &mut out), Ok(1));
        assert_eq!(write_json_number(b"-0.000", &mut out), Ok(5));
    }

    #[test]
    fn long_integers_keep_their_zeros_in_the_exponent() {
        let text = format!("7{}", "0".repeat(5000));
        let mut out = Vec::new();
        assert_eq!(write_json_number(text.as_bytes(), &mut out), Ok(5001));
        assert_eq!(out, vec![0xc4, 0x82, 0x19, 0x13, 0x88, 0x07]);
    }

    #[test]
    fn rejects_what_numeric_rejects() {
        let mut out = Vec::new();
        let mut number = |t: &str| write_json_number(t.as_bytes(), &mut out);
        assert!(number("1e131071").is_ok());
        assert!(number("1e131072").is_err());
        assert!(number("1e-16383").is_ok());
        assert!(number("1e-16384").is_err());
        assert!(number("0e-16384").is_err());
        assert!(number("0e2000000000").is_err());
        assert!(number("1e99999999999999999999").is_err());
    }

    #[test]
    fn mantissas_stop_at_max_digits() {
        let mut out = Vec::new();
        let digits = |n: usize| "9".repeat(n);
        assert!(write_json_number(digits(MAX_DIGITS).as_bytes(), &mut out).is_ok());
        assert_eq!(
            write_json_number(digits(MAX_DIGITS + 1).as_bytes(), &mut out),
            Err(Error::TooManyDigits { at: None })
        );
        let scaled = format!("1.{}", "0".repeat(MAX_DIGITS));
        assert!(write_json_number(scaled.as_bytes(), &mut out).is_err());
    }
}
