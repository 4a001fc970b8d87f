//! The subset of CBOR (RFC 8949) that snapshots hold, and one non-recursive walk over
//! it that checks every byte: definite lengths only; text, arrays, maps with text keys,
//! integers, bignums (tags 2, 3), decimal fractions (tag 4), finite floats, true,
//! false, null. The walk keeps its own stack, so nesting depth costs heap, not the
//! backend's C stack, and stops at [`crate::MAX_DEPTH`]. Numbers are reported as
//! stored; what a number may be is for the visitor to decide (validation is strict,
//! printing stored values lenient).
use crate::error::{corrupt, Error, Result};
use crate::number::{TAG_DECIMAL, TAG_NEGATIVE_BIGNUM, TAG_POSITIVE_BIGNUM};
use crate::{Interrupt, INTERRUPT_EVERY, MAX_DEPTH};

pub const MAJOR_UNSIGNED: u8 = 0;
pub const MAJOR_NEGATIVE: u8 = 1;
pub const MAJOR_BYTES: u8 = 2;
pub const MAJOR_TEXT: u8 = 3;
pub const MAJOR_ARRAY: u8 = 4;
pub const MAJOR_MAP: u8 = 5;
pub const MAJOR_TAG: u8 = 6;
pub const MAJOR_SIMPLE: u8 = 7;

/// Append a CBOR head (major type and argument) in its shortest form.
pub fn write_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let (bytes, len) = head(major, value);
    out.extend_from_slice(&bytes[..len]);
}

/// A CBOR head in its shortest form, and its length.
pub fn head(major: u8, value: u64) -> ([u8; 9], usize) {
    let mut bytes = [0u8; 9];
    let m = major << 5;
    let len: usize = match value {
        0..=23 => {
            bytes[0] = m | value as u8;
            return (bytes, 1);
        }
        24..=0xff => 1,
        0x100..=0xffff => 2,
        0x1_0000..=0xffff_ffff => 4,
        _ => 8,
    };
    bytes[0] = m | (24 + len.trailing_zeros() as u8);
    bytes[1..=len].copy_from_slice(&value.to_be_bytes()[8 - len..]);
    (bytes, len + 1)
}

/// Bytes of a CBOR head for argument `n`.
pub fn head_size(n: u64) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// The head at `at` of CBOR pgmem wrote itself (so well formed): its major type,
/// additional information, argument and length in bytes.
pub fn head_at(data: &[u8], at: usize) -> (u8, u8, u64, usize) {
    let (major, info) = (data[at] >> 5, data[at] & 0x1f);
    let width = match info {
        0..=23 => return (major, info, u64::from(info), 1),
        _ => 1usize << (info - 24),
    };
    let value = (data[at + 1..=at + width].iter()).fold(0u64, |v, &b| (v << 8) | u64::from(b));
    (major, info, value, 1 + width)
}

/// The content of the text string whose head starts at `at` (written by pgmem).
pub fn text_at(data: &[u8], at: usize) -> &[u8] {
    let (_, _, len, head_len) = head_at(data, at);
    &data[at + head_len..at + head_len + len as usize]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Array,
    Object,
}

/// An integer as stored: a CBOR integer, or a bignum's magnitude bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integer<'d> {
    Small(i128),
    /// Tag 2 (`bytes`) or tag 3 (`-1 - bytes`), big-endian.
    Big {
        negative: bool,
        bytes: &'d [u8],
    },
}

/// A number as the walk reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number<'d> {
    Integer(Integer<'d>),
    /// Tag 4: `mantissa × 10^exponent`.
    Decimal {
        exponent: i128,
        mantissa: Integer<'d>,
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
}

/// Walk one CBOR document that must fill `data` exactly, calling `interrupt` every
/// [`INTERRUPT_EVERY`] bytes.
pub fn walk<'a, V: Visitor<'a>>(
    data: &'a [u8],
    visitor: &mut V,
    interrupt: Interrupt,
) -> Result<()> {
    let mut r = Reader { data, pos: 0 };
    let mut stack: Vec<Frame> = Vec::new();
    let mut next_check = INTERRUPT_EVERY;
    loop {
        if r.pos >= next_check {
            interrupt()?;
            next_check = r.pos + INTERRUPT_EVERY;
        }
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
            (MAJOR_UNSIGNED, n) => visitor.number(Number::Integer(Integer::Small(i128::from(n)))),
            (MAJOR_NEGATIVE, n) => {
                visitor.number(Number::Integer(Integer::Small(-1 - i128::from(n))))
            }
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
        let number = match tag {
            TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM => {
                Number::Integer(self.bignum(tag == TAG_NEGATIVE_BIGNUM)?)
            }
            TAG_DECIMAL => {
                let pair = self.head()?;
                if pair.major != MAJOR_ARRAY || pair.value != 2 {
                    return corrupt("CBOR decimal fraction is not an array of two items");
                }
                let exponent = match self.integer()? {
                    Some(Integer::Small(e)) => e,
                    _ => return corrupt("CBOR decimal fraction exponent is not an integer"),
                };
                let Some(mantissa) = self.integer()? else {
                    return corrupt("CBOR decimal fraction mantissa is not an integer");
                };
                Number::Decimal { exponent, mantissa }
            }
            _ => return corrupt(format!("unsupported CBOR tag {tag}")),
        };
        visitor.number(number)
    }

    /// An integer or bignum item; `None` for any other item.
    fn integer(&mut self) -> Result<Option<Integer<'a>>> {
        let head = self.head()?;
        Ok(match (head.major, head.value) {
            (MAJOR_UNSIGNED, n) => Some(Integer::Small(i128::from(n))),
            (MAJOR_NEGATIVE, n) => Some(Integer::Small(-1 - i128::from(n))),
            (MAJOR_TAG, TAG_POSITIVE_BIGNUM) => Some(self.bignum(false)?),
            (MAJOR_TAG, TAG_NEGATIVE_BIGNUM) => Some(self.bignum(true)?),
            _ => None,
        })
    }

    /// The byte string of a bignum whose tag was just read.
    fn bignum(&mut self, negative: bool) -> Result<Integer<'a>> {
        let head = self.head()?;
        if head.major != MAJOR_BYTES {
            return corrupt("CBOR bignum is not a byte string");
        }
        let bytes = self.take(head.value)?;
        Ok(Integer::Big { negative, bytes })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_shortest() {
        for (value, len) in [(0, 1), (23, 1), (24, 2), (255, 2), (256, 3), (65_536, 5)] {
            assert_eq!(head(MAJOR_TEXT, value).1, len);
            assert_eq!(head_size(value), len);
        }
        assert_eq!(head(MAJOR_ARRAY, 300).0[..3], [0x99, 0x01, 0x2c]);
        assert_eq!(
            head(MAJOR_MAP, u64::MAX).0,
            [0xbb, 255, 255, 255, 255, 255, 255, 255, 255]
        );
        let mut doc = Vec::new();
        write_head(&mut doc, MAJOR_TEXT, 30);
        doc.extend([b'x'; 30]);
        assert_eq!(text_at(&doc, 0), &[b'x'; 30]);
    }
}
