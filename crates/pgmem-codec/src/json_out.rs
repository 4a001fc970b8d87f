//! CBOR to JSON text, printed as jsonb prints it: numbers in plain notation with
//! their scale, strings escaped the way PostgreSQL escapes them.
use crate::cbor::{walk, Container, Integer, Number, Visitor};
use crate::error::{Error, Result};
use crate::number::format_decimal;
use crate::scan::copy_plain;
use crate::stored_number::{decimal, integer_decimal, write_float};
use crate::{Interrupt, INTERRUPT_EVERY};
use std::io::Write;

/// PostgreSQL's largest allocation (1 GB - 1): no text value can be longer.
pub const MAX_TEXT_BYTES: usize = 0x3fff_ffff;

struct JsonWriter<'i> {
    out: Vec<u8>,
    /// Per open container: has it no item yet?
    first: Vec<bool>,
    after_key: bool,
    interrupt: Interrupt<'i>,
}

/// The JSON text of one CBOR document, as bytes. They are UTF-8 by construction: every
/// string was checked when it was read and everything else written is ASCII, so callers
/// need not check them again. Every write reserves exactly what it prints.
pub fn to_json(cbor: &[u8], interrupt: Interrupt) -> Result<Vec<u8>> {
    // Text is usually 1.1-1.5x the CBOR; start there to avoid most regrowth.
    let mut out = Vec::new();
    out.try_reserve_exact((cbor.len() + cbor.len() / 4).min(MAX_TEXT_BYTES))
        .map_err(|_| Error::OutOfMemory)?;
    let mut writer = JsonWriter {
        out,
        first: Vec::new(),
        after_key: false,
        interrupt,
    };
    walk(cbor, &mut writer, interrupt)?;
    if writer.out.len() > MAX_TEXT_BYTES {
        return Err(Error::TextTooLarge);
    }
    Ok(writer.out)
}

/// Room a string's writer keeps beyond its unprinted bytes: the closing quote, and an
/// escape's bytes (at most 6).
const STRING_SLACK: usize = 8;

/// For each byte, what follows the backslash of its escape: 0 for a byte printed as it
/// is, `u` for `\u00XX`.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table
};

impl JsonWriter<'_> {
    /// Room for an item of up to `len` bytes and the comma before it, then the comma.
    fn item(&mut self, len: usize) -> Result<()> {
        self.reserve(len + 1)?;
        if self.after_key {
            self.after_key = false;
        } else if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.out.push(b',');
            }
        }
        Ok(())
    }

    /// Make room for `extra` more bytes; only growing costs a call.
    #[inline]
    fn reserve(&mut self, extra: usize) -> Result<()> {
        if self.out.capacity() - self.out.len() >= extra {
            return Ok(());
        }
        self.grow(extra)
    }

    /// Grow the output, refusing text PostgreSQL could not hold. The capacity never
    /// passes that limit (and a string's slack), so text written within it is short
    /// enough but for that slack, which [`to_json`] checks at the end.
    #[cold]
    fn grow(&mut self, extra: usize) -> Result<()> {
        let needed = self.out.len().saturating_add(extra);
        if needed > MAX_TEXT_BYTES + STRING_SLACK {
            return Err(Error::TextTooLarge);
        }
        let doubled = (self.out.capacity() * 2).clamp(needed, MAX_TEXT_BYTES + STRING_SLACK);
        self.out
            .try_reserve_exact(doubled - self.out.len())
            .map_err(|_| Error::OutOfMemory)
    }

    /// A string, quoted and escaped: plain runs are copied sixteen bytes at a time, and
    /// the room checked once per escape.
    fn write_string(&mut self, s: &str) -> Result<()> {
        let mut rest = s.as_bytes();
        self.reserve(rest.len() + 1 + STRING_SLACK)?;
        self.out.push(b'"');
        let mut escapes = 0usize;
        loop {
            rest = &rest[copy_plain(&mut self.out, rest)..];
            let Some((&b, after)) = rest.split_first() else {
                break;
            };
            escapes += 1;
            if escapes.is_multiple_of(INTERRUPT_EVERY) {
                (self.interrupt)()?;
            }
            match ESCAPE[usize::from(b)] {
                b'u' => self.out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    hex(b >> 4),
                    hex(b & 0xf),
                ]),
                second => self.out.extend_from_slice(&[b'\\', second]),
            }
            rest = after;
            // The escape printed more than it read: room for the rest again.
            self.reserve(rest.len() + STRING_SLACK)?;
        }
        self.out.push(b'"');
        Ok(())
    }
}

impl JsonWriter<'_> {
    /// Floats print in at most a few hundred characters (`5e-324` is the longest).
    fn float<F: std::fmt::Display + Into<f64> + Copy>(&mut self, f: F) -> Result<()> {
        self.item(400)?;
        write_float(&mut Ascii(&mut self.out), f);
        Ok(())
    }
}

/// `fmt::Write` into the output (numbers are ASCII).
struct Ascii<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Ascii<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A CBOR integer's digits, without the formatting machinery: most numbers in agent
/// state are small integers.
fn write_integer(out: &mut Vec<u8>, n: i128) {
    let Ok(mut magnitude) = u64::try_from(n.unsigned_abs()) else {
        let _ = write!(out, "{n}");
        return;
    };
    let mut digits = [0u8; 21];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    out.extend_from_slice(&digits[at..]);
}

fn hex(nibble: u8) -> u8 {
    b"0123456789abcdef"[usize::from(nibble)]
}

impl<'a> Visitor<'a> for JsonWriter<'_> {
    fn null(&mut self) -> Result<()> {
        self.item(4)?;
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn boolean(&mut self, value: bool) -> Result<()> {
        self.item(5)?;
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn number(&mut self, value: Number<'_>) -> Result<()> {
        // Writes into a Vec cannot fail once the room is reserved.
        match value {
            Number::Integer(Integer::Small(n)) => {
                self.item(40)?;
                write_integer(&mut self.out, n);
            }
            Number::Integer(big) => {
                let (negative, digits) = integer_decimal(big, self.interrupt)?;
                self.item(digits.len() + 1)?;
                format_decimal(&mut self.out, negative, &digits, 0);
            }
            Number::Float64(f) => self.float(f)?,
            Number::Float32(f) => self.float(f)?,
            Number::Decimal { exponent, mantissa } => {
                let (negative, digits, exponent) = decimal(mantissa, exponent, self.interrupt)?;
                let len = crate::number::decimal_text_len(negative, digits.len(), exponent);
                self.item(len)?;
                format_decimal(&mut self.out, negative, &digits, exponent);
            }
        }
        Ok(())
    }

    fn string(&mut self, value: &'a str) -> Result<()> {
        self.item(value.len() + 2)?;
        self.write_string(value)
    }

    fn key(&mut self, value: &'a str) -> Result<()> {
        self.item(value.len() + 3)?;
        self.write_string(value)?;
        self.reserve(1)?;
        self.out.push(b':');
        self.after_key = true;
        Ok(())
    }

    fn begin(&mut self, kind: Container, _len: u64) -> Result<()> {
        self.item(1)?;
        self.out
            .push(if kind == Container::Array { b'[' } else { b'{' });
        crate::error::push(&mut self.first, true)
    }

    fn end(&mut self, kind: Container) -> Result<()> {
        self.first.pop();
        self.reserve(1)?;
        self.out
            .push(if kind == Container::Array { b']' } else { b'}' });
        Ok(())
    }
}
