//! Numbers as stored: what binary input may hold (strict, [`check`]), and the decimal
//! view the JSON writer prints (lenient, [`decimal`]: values stored before the
//! canonical rules of docs/FORMAT.md still print, within `numeric`'s range).
use crate::bigint;
use crate::cbor::{Integer, Number};
use crate::error::{corrupt, Result};
use crate::number::{
    check_range, decimal_text_len, format_decimal, in_numeric_range, u128_digits,
    write_json_number, MAX_DIGITS,
};
use crate::Interrupt;

/// Check a number from binary input against the canonical rules; returns the length of
/// its JSON text, computed without converting anything to decimal.
pub fn check(number: Number<'_>) -> Result<usize> {
    match number {
        Number::Integer(integer) => {
            let (negative, digits) = integer_digits(integer)?;
            check_range(digits, 0)?;
            Ok(usize::from(negative) + digits)
        }
        Number::Decimal { exponent, mantissa } => {
            let (negative, digits) = integer_digits(mantissa)?;
            let digits = if is_zero(mantissa) { 0 } else { digits };
            if digits == 0 && exponent > 0 {
                return corrupt(
                    "CBOR decimal fraction is a zero with a positive exponent (write 0)",
                );
            }
            let exponent = clamp_exponent(exponent);
            check_range(digits, exponent)?;
            Ok(decimal_text_len(negative, digits, exponent))
        }
        Number::Float64(f) => Ok(float_text_len(f)),
        Number::Float32(f) => Ok(float_text_len(f)),
    }
}

/// Whether the integer is negative, and its decimal digits. Bignums must be canonical:
/// no leading zero bytes, too large for a CBOR integer, at most MAX_DIGITS digits.
fn integer_digits(integer: Integer<'_>) -> Result<(bool, usize)> {
    match integer {
        Integer::Small(n) => Ok((n < 0, u128_digits(n.unsigned_abs()))),
        Integer::Big { bytes, .. } if bytes.first() == Some(&0) => {
            corrupt("CBOR bignum has leading zero bytes")
        }
        Integer::Big { bytes, .. } if bytes.len() <= 8 => {
            corrupt("CBOR bignum fits a CBOR integer (write it as one)")
        }
        Integer::Big { bytes, .. } if bytes.len() > bigint::MAX_BYTES => {
            check_range(MAX_DIGITS + 1, 0).map(|_| (false, 0))
        }
        Integer::Big { negative, bytes } => {
            // A negative bignum's magnitude is one more than its bytes: it may be longer.
            let incremented;
            let magnitude = if negative {
                incremented = bigint::increment(bytes);
                &incremented
            } else {
                bytes
            };
            if magnitude.len() > bigint::MAX_BYTES {
                return check_range(MAX_DIGITS + 1, 0).map(|_| (false, 0));
            }
            Ok((negative, bigint::decimal_digits(magnitude)))
        }
    }
}

fn is_zero(integer: Integer<'_>) -> bool {
    matches!(integer, Integer::Small(0))
        || matches!(integer, Integer::Big { negative: false, bytes } if bytes.iter().all(|&b| b == 0))
}

/// Exponents far beyond `numeric`'s range are all equally out of it.
pub fn clamp_exponent(exponent: i128) -> i64 {
    exponent.clamp(-(1 << 40), 1 << 40) as i64
}

/// A stored decimal fraction's sign, significant digits and exponent, refused as
/// damaged if it is outside `numeric`'s range (nothing pgmem ever stored is).
pub fn decimal(
    mantissa: Integer<'_>,
    exponent: i128,
    interrupt: Interrupt,
) -> Result<(bool, String, i64)> {
    let (negative, mut digits) = integer_decimal(mantissa, interrupt)?;
    let zeros = digits.bytes().take_while(|&d| d == b'0').count();
    digits.drain(..zeros);
    let exponent = clamp_exponent(exponent);
    if !in_numeric_range(digits.len(), exponent) {
        return corrupt("stored number is outside the range of type numeric");
    }
    Ok((negative, digits, exponent))
}

/// The longest bignum versions before 0.3.0 accepted: more digits than any `numeric`.
const LEGACY_MAX_BIGNUM_BYTES: usize = 61_300;

/// Sign and decimal digits of a stored integer (bignums of any length).
pub fn integer_decimal(integer: Integer<'_>, interrupt: Interrupt) -> Result<(bool, String)> {
    // No version ever stored a bignum of more digits than numeric holds (61,300 bytes).
    if matches!(integer, Integer::Big { bytes, .. } if bytes.len() > LEGACY_MAX_BIGNUM_BYTES) {
        return corrupt("stored bignum is outside the range of type numeric");
    }
    Ok(match integer {
        Integer::Small(n) => (n < 0, n.unsigned_abs().to_string()),
        Integer::Big {
            negative: false,
            bytes,
        } => (false, bigint::bytes_to_decimal(bytes, interrupt)?),
        Integer::Big {
            negative: true,
            bytes,
        } => (
            true,
            bigint::bytes_to_decimal(&bigint::increment(bytes), interrupt)?,
        ),
    })
}

/// A stored number's JSON text, as snapshot output prints it.
pub fn number_text(number: Number<'_>, interrupt: Interrupt) -> Result<String> {
    let mut text = String::new();
    match number {
        Number::Integer(integer) => {
            let (negative, digits) = integer_decimal(integer, interrupt)?;
            text = format!("{}{digits}", if negative { "-" } else { "" });
        }
        Number::Decimal { exponent, mantissa } => {
            let (negative, digits, exponent) = decimal(mantissa, exponent, interrupt)?;
            let mut bytes = Vec::new();
            format_decimal(&mut bytes, negative, &digits, exponent);
            text = String::from_utf8(bytes).expect("digits are ASCII");
        }
        Number::Float64(f) => write_float(&mut text, f),
        Number::Float32(f) => write_float(&mut text, f),
    }
    Ok(text)
}

/// Bytes of the CBOR text input writes for this number's printed text (what a dump
/// and restore makes of it).
pub fn canonical_len(number: Number<'_>, interrupt: Interrupt) -> Result<usize> {
    let mut cbor = Vec::new();
    write_json_number(number_text(number, interrupt)?.as_bytes(), &mut cbor)?;
    Ok(cbor.len())
}

/// Floats print as the shortest decimal that reads back as the same float, in plain
/// notation (at most a few hundred characters); a negative zero prints as `0`, as
/// `numeric` prints it.
pub fn write_float<F, W>(out: &mut W, f: F)
where
    F: std::fmt::Display + Into<f64> + Copy,
    W: std::fmt::Write,
{
    let _ = if f.into() == 0.0 {
        out.write_str("0")
    } else {
        write!(out, "{f}")
    };
}

fn float_text_len<F: std::fmt::Display + Into<f64> + Copy>(f: F) -> usize {
    let mut counter = Counter(0);
    write_float(&mut counter, f);
    counter.0
}

/// Counts what would be written.
struct Counter(usize);

impl std::fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}
