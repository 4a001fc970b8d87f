//! CBOR to JSON text, printed as jsonb prints it: numbers in plain notation with
//! their scale, strings escaped the way PostgreSQL escapes them.
use crate::cbor::{walk, Container, Integer, Number, Visitor};
use crate::error::{Error, Result};
use crate::number::format_decimal;
use crate::scan::string_stop;
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
    out.try_reserve(cbor.len() + cbor.len() / 4)
        .map_err(|_| Error::OutOfMemory)?;
    let mut writer = JsonWriter {
        out,
        first: Vec::new(),
        after_key: false,
        interrupt,
    };
    walk(cbor, &mut writer, interrupt)?;
    Ok(writer.out)
}

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

    /// Make room for `extra` more bytes, refusing text PostgreSQL could not hold.
    fn reserve(&mut self, extra: usize) -> Result<()> {
        if self.out.len().saturating_add(extra) > MAX_TEXT_BYTES {
            return Err(Error::TextTooLarge);
        }
        self.out.try_reserve(extra).map_err(|_| Error::OutOfMemory)
    }

    /// A string; room for it unescaped and its quotes is already reserved.
    fn write_string(&mut self, s: &str) -> Result<()> {
        self.out.push(b'"');
        let mut rest = s.as_bytes();
        let mut escapes = 0usize;
        while let Some(at) = string_stop(rest) {
            escapes += 1;
            if escapes.is_multiple_of(INTERRUPT_EVERY) {
                (self.interrupt)()?;
            }
            // An escape adds up to 5 bytes to what was reserved for the string.
            self.reserve(rest.len() + 8)?;
            self.out.extend_from_slice(&rest[..at]);
            let b = rest[at];
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                _ => &[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)],
            };
            self.out.extend_from_slice(escape);
            rest = &rest[at + 1..];
        }
        self.out.extend_from_slice(rest);
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
