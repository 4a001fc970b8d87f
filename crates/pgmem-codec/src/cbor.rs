//! The subset of CBOR (RFC 8949) that snapshots hold, and one non-recursive walk over
//! it that checks every byte: definite lengths only; text, arrays, maps with text keys,
//! integers, bignums (tags 2, 3), decimal fractions (tag 4), finite floats, true,
//! false, null. The walk keeps its own stack, so nesting depth costs heap, not the
//! backend's C stack, and stops at [`crate::MAX_DEPTH`].
use crate::bigint;
use crate::error::{corrupt, Error, Result};
use crate::number::{check_range, TAG_DECIMAL, TAG_NEGATIVE_BIGNUM, TAG_POSITIVE_BIGNUM};
use crate::MAX_DEPTH;

pub const MAJOR_UNSIGNED: u8 = 0;
pub const MAJOR_NEGATIVE: u8 = 1;
pub const MAJOR_BYTES: u8 = 2;
pub const MAJOR_TEXT: u8 = 3;
pub const MAJOR_ARRAY: u8 = 4;
pub const MAJOR_MAP: u8 = 5;
pub const MAJOR_TAG: u8 = 6;
pub const MAJOR_SIMPLE: u8 = 7;

/// A bignum longer than this has more digits than any `numeric` (131,072 + 16,383).
const MAX_BIGNUM_BYTES: usize = 61_300;

/// Append a CBOR head (major type and argument) in its shortest form.
pub fn write_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let m = major << 5;
    match value {
        0..=23 => out.push(m | value as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, value as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Array,
    Object,
}

/// A number as the walk reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number<'d> {
    Integer(i128),
    /// `±digits × 10^exponent`, already checked against `numeric`'s range.
    Decimal {
        negative: bool,
        digits: &'d str,
        exponent: i64,
    },
    Float64(f64),
    Float32(f32),
}

/// What a walk reports, in document order. `'a` is the lifetime of the CBOR bytes.
pub trait Visitor<'a> {
    fn null(&mut self) -> Result<()>;
    fn boolean(&mut self, value: bool) -> Result<()>;
    fn number(&mut self, value: Number<'_>) -> Result<()>;
    fn string(&mut self, value: &'a str) -> Result<()>;
    fn key(&mut self, value: &'a str) -> Result<()>;
    fn begin(&mut self, kind: Container, len: u64) -> Result<()>;
    fn end(&mut self, kind: Container) -> Result<()>;
}

struct Frame {
    kind: Container,
    /// Items still to read; a map counts keys and values separately.
    remaining: u64,
}

struct Head {
    major: u8,
    /// The low five bits of the initial byte; tells float widths apart.
    info: u8,
    value: u64,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Digits of the current decimal, reused so numbers allocate nothing.
    digits: String,
}

/// Walk one CBOR document that must fill `data` exactly.
pub fn walk<'a, V: Visitor<'a>>(data: &'a [u8], visitor: &mut V) -> Result<()> {
    let mut r = Reader {
        data,
        pos: 0,
        digits: String::new(),
    };
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let is_key = match stack.last_mut() {
            Some(frame) => {
                let key = frame.kind == Container::Object && frame.remaining % 2 == 0;
                frame.remaining -= 1;
                key
            }
            None => false,
        };
        let head = r.head()?;
        if is_key && head.major != MAJOR_TEXT {
            return corrupt("CBOR map key is not a text string");
        }
        match head.major {
            MAJOR_TEXT => {
                let text = r.text(head.value)?;
                if is_key {
                    visitor.key(text)?;
                } else {
                    visitor.string(text)?;
                }
            }
            MAJOR_ARRAY | MAJOR_MAP => {
                let (kind, items) = if head.major == MAJOR_ARRAY {
                    (Container::Array, head.value)
                } else {
                    (Container::Object, head.value.saturating_mul(2))
                };
                // Every item takes at least a byte: a count beyond that is a lie.
                if items > r.left() as u64 {
                    return corrupt("CBOR container is longer than its data");
                }
                visitor.begin(kind, head.value)?;
                if items > 0 {
                    if stack.len() >= MAX_DEPTH {
                        return Err(Error::TooDeep);
                    }
                    crate::error::push(
                        &mut stack,
                        Frame {
                            kind,
                            remaining: items,
                        },
                    )?;
                    continue;
                }
                visitor.end(kind)?;
            }
            _ => r.scalar(head, visitor)?,
        }
        while let Some(frame) = stack.last() {
            if frame.remaining > 0 {
                break;
            }
            visitor.end(frame.kind)?;
            stack.pop();
        }
        if stack.is_empty() {
            break;
        }
    }
    if r.pos != data.len() {
        return corrupt("trailing bytes after the CBOR document");
    }
    Ok(())
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8]> {
        if n > self.left() as u64 {
            return corrupt("CBOR document is truncated");
        }
        let bytes = &self.data[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(bytes)
    }

    fn head(&mut self) -> Result<Head> {
        let first = self.take(1)?[0];
        let (major, info) = (first >> 5, first & 0x1f);
        let value = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let bytes = self.take(1 << (info - 24))?;
                bytes.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b))
            }
            31 => return corrupt("indefinite-length CBOR items are not supported"),
            _ => return corrupt("reserved CBOR additional information"),
        };
        Ok(Head { major, info, value })
    }

    fn text(&mut self, len: u64) -> Result<&'a str> {
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).or_else(|_| corrupt("CBOR text string is not valid UTF-8"))
    }

    fn scalar<V: Visitor<'a>>(&mut self, head: Head, visitor: &mut V) -> Result<()> {
        match (head.major, head.value) {
            (MAJOR_UNSIGNED, n) => visitor.number(Number::Integer(i128::from(n))),
            (MAJOR_NEGATIVE, n) => visitor.number(Number::Integer(-1 - i128::from(n))),
            (MAJOR_TAG, tag) => self.tagged(tag, visitor),
            (MAJOR_SIMPLE, _) => self.simple(head, visitor),
            (MAJOR_BYTES, _) => corrupt("CBOR byte string outside a bignum"),
            _ => unreachable!("containers and text are handled by walk"),
        }
    }

    fn simple<V: Visitor<'a>>(&mut self, head: Head, visitor: &mut V) -> Result<()> {
        let number = match head.info {
            20 => return visitor.boolean(false),
            21 => return visitor.boolean(true),
            22 => return visitor.null(),
            25 => Number::Float32(half_to_f32(head.value as u16)),
            26 => Number::Float32(f32::from_bits(head.value as u32)),
            27 => Number::Float64(f64::from_bits(head.value)),
            _ => return corrupt("unsupported CBOR simple value"),
        };
        let finite = match number {
            Number::Float32(f) => f.is_finite(),
            Number::Float64(f) => f.is_finite(),
            _ => true,
        };
        if !finite {
            return corrupt("CBOR float is not finite");
        }
        visitor.number(number)
    }

    fn tagged<V: Visitor<'a>>(&mut self, tag: u64, visitor: &mut V) -> Result<()> {
        let (negative, exponent) = match tag {
            TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM => {
                self.bignum_digits(tag == TAG_NEGATIVE_BIGNUM)?;
                (tag == TAG_NEGATIVE_BIGNUM, 0)
            }
            TAG_DECIMAL => {
                let pair = self.head()?;
                if pair.major != MAJOR_ARRAY || pair.value != 2 {
                    return corrupt("CBOR decimal fraction is not an array of two items");
                }
                let exponent = self.exponent()?;
                (self.mantissa()?, exponent)
            }
            _ => return corrupt(format!("unsupported CBOR tag {tag}")),
        };
        let significant = self.digits.trim_start_matches('0').len();
        check_range(significant, exponent)?;
        visitor.number(Number::Decimal {
            negative,
            digits: &self.digits,
            exponent,
        })
    }

    fn exponent(&mut self) -> Result<i64> {
        let head = self.head()?;
        let value = match head.major {
            MAJOR_UNSIGNED => i128::from(head.value),
            MAJOR_NEGATIVE => -1 - i128::from(head.value),
            _ => return corrupt("CBOR decimal fraction exponent is not an integer"),
        };
        // Far beyond numeric's range either way; check_range rejects it.
        Ok(value.clamp(-(1 << 40), 1 << 40) as i64)
    }

    /// Read a mantissa into `self.digits`; returns whether it is negative.
    fn mantissa(&mut self) -> Result<bool> {
        let head = self.head()?;
        let (negative, magnitude) = match head.major {
            MAJOR_UNSIGNED => (false, u128::from(head.value)),
            MAJOR_NEGATIVE => (true, u128::from(head.value) + 1),
            MAJOR_TAG if head.value == TAG_POSITIVE_BIGNUM || head.value == TAG_NEGATIVE_BIGNUM => {
                let negative = head.value == TAG_NEGATIVE_BIGNUM;
                self.bignum_digits(negative)?;
                return Ok(negative);
            }
            _ => return corrupt("CBOR decimal fraction mantissa is not an integer"),
        };
        self.digits.clear();
        self.digits.push_str(&magnitude.to_string());
        Ok(negative)
    }

    /// Read the byte string of a bignum and put its magnitude's digits in `self.digits`.
    fn bignum_digits(&mut self, negative: bool) -> Result<()> {
        let head = self.head()?;
        if head.major != MAJOR_BYTES {
            return corrupt("CBOR bignum is not a byte string");
        }
        let bytes = self.take(head.value)?;
        let significant = &bytes[bytes.iter().take_while(|&&b| b == 0).count()..];
        if significant.len() > MAX_BIGNUM_BYTES {
            return Err(Error::NumberOutOfRange { at: None });
        }
        self.digits = if negative {
            bigint::bytes_to_decimal(&bigint::increment(significant))
        } else {
            bigint::bytes_to_decimal(significant)
        };
        Ok(())
    }
}

/// IEEE 754 half precision to single (exact: every half is a single).
fn half_to_f32(bits: u16) -> f32 {
    let sign = if bits >> 15 == 1 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f32::from(bits & 0x3ff);
    sign * match exp {
        0 => frac * 2f32.powi(-24),
        0x1f if frac == 0.0 => f32::INFINITY,
        0x1f => f32::NAN,
        _ => (1.0 + frac / 1024.0) * 2f32.powi(exp - 15),
    }
}
