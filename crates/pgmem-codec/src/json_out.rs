//! CBOR to JSON text, printed as jsonb prints it: numbers in plain notation with
//! their scale, strings escaped the way PostgreSQL escapes them.
use crate::cbor::{walk, Container, Number, Visitor};
use crate::error::{Error, Result};
use crate::number::format_decimal;
use crate::scan::string_stop;
use std::io::Write;

/// PostgreSQL's largest allocation (1 GB - 1): no text value can be longer.
pub const MAX_TEXT_BYTES: usize = 0x3fff_ffff;

struct JsonWriter {
    out: Vec<u8>,
    /// Per open container: has it no item yet?
    first: Vec<bool>,
    after_key: bool,
}

/// The JSON text of one CBOR document, as bytes. They are UTF-8 by construction: every
/// string was checked when it was read and everything else written is ASCII, so callers
/// need not check them again.
pub fn to_json(cbor: &[u8]) -> Result<Vec<u8>> {
    // Text is usually 1.1-1.5x the CBOR; start there to avoid most regrowth.
    let mut out = Vec::new();
    out.try_reserve(cbor.len() + cbor.len() / 4)
        .map_err(|_| Error::OutOfMemory)?;
    let mut writer = JsonWriter {
        out,
        first: Vec::new(),
        after_key: false,
    };
    walk(cbor, &mut writer)?;
    Ok(writer.out)
}

impl JsonWriter {
    fn separator(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if let Some(first) = self.first.last_mut() {
            if *first {
                *first = false;
            } else {
                self.out.push(b',');
            }
        }
    }

    /// Make room for `extra` more bytes, refusing text PostgreSQL could not hold.
    fn reserve(&mut self, extra: usize) -> Result<()> {
        if self.out.len().saturating_add(extra) > MAX_TEXT_BYTES {
            return Err(Error::TextTooLarge);
        }
        self.out.try_reserve(extra).map_err(|_| Error::OutOfMemory)
    }

    fn write_string(&mut self, s: &str) -> Result<()> {
        self.reserve(s.len() + 2)?;
        self.out.push(b'"');
        let mut rest = s.as_bytes();
        while let Some(at) = string_stop(rest) {
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

fn hex(nibble: u8) -> u8 {
    b"0123456789abcdef"[usize::from(nibble)]
}

impl<'a> Visitor<'a> for JsonWriter {
    fn null(&mut self) -> Result<()> {
        self.separator();
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn boolean(&mut self, value: bool) -> Result<()> {
        self.separator();
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn number(&mut self, value: Number<'_>) -> Result<()> {
        self.separator();
        // Writes into a Vec cannot fail.
        match value {
            Number::Integer(n) => {
                let _ = write!(self.out, "{n}");
            }
            Number::Float64(f) => {
                let _ = write!(self.out, "{f}");
            }
            Number::Float32(f) => {
                let _ = write!(self.out, "{f}");
            }
            Number::Decimal {
                negative,
                digits,
                exponent,
            } => {
                self.reserve(digits.len() + exponent.unsigned_abs() as usize + 3)?;
                format_decimal(&mut self.out, negative, digits, exponent);
            }
        }
        Ok(())
    }

    fn string(&mut self, value: &'a str) -> Result<()> {
        self.separator();
        self.write_string(value)
    }

    fn key(&mut self, value: &'a str) -> Result<()> {
        self.separator();
        self.write_string(value)?;
        self.out.push(b':');
        self.after_key = true;
        Ok(())
    }

    fn begin(&mut self, kind: Container, _len: u64) -> Result<()> {
        self.separator();
        self.out
            .push(if kind == Container::Array { b'[' } else { b'{' });
        crate::error::push(&mut self.first, true)
    }

    fn end(&mut self, kind: Container) -> Result<()> {
        self.first.pop();
        self.out
            .push(if kind == Container::Array { b']' } else { b'}' });
        Ok(())
    }
}
