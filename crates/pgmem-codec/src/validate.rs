//! The checks binary input gets beyond well-formed CBOR, so that every stored
//! snapshot is a document jsonb could hold and pgmem can print: no NUL in text, no
//! duplicate keys, canonical numbers (docs/FORMAT.md), JSON text within
//! [`crate::text_limit`] of the CBOR's size, and a size jsonb can hold.
use crate::cbor::{head_size, walk, Container, Integer, Number, Visitor};
use crate::error::{corrupt, push, Error, Result};
use crate::number::u128_digits;
use crate::scan::{escape_extra, string_stop};
use crate::{jsonb_size, stored_number, Interrupt, INTERRUPT_EVERY};

struct Validator<'a> {
    cbor: &'a [u8],
    interrupt: Interrupt<'a>,
    /// Keys of every open object, innermost last, as (offset, length) in `cbor`.
    keys: Vec<(u32, u32)>,
    /// Per open container: where its keys start in `keys` (objects only).
    open: Vec<Option<usize>>,
    /// Length of the JSON text printed so far, and the jsonb size (see `jsonb_size`).
    text_len: usize,
    jsonb_len: usize,
    /// Size of the CBOR that text input would write for the document: its printed text
    /// must fit the text bound of that too, or a dump of it could not be restored.
    canonical_len: usize,
}

/// Check a CBOR document strictly, as `recv` must before anything is stored.
pub fn check(cbor: &[u8], interrupt: Interrupt) -> Result<()> {
    let mut validator = Validator {
        cbor,
        interrupt,
        keys: Vec::new(),
        open: Vec::new(),
        text_len: 0,
        jsonb_len: 0,
        canonical_len: 0,
    };
    walk(cbor, &mut validator, interrupt)?;
    if validator.text_len > crate::text_limit(validator.canonical_len.min(cbor.len())) {
        return Err(Error::TextTooLarge);
    }
    if validator.jsonb_len > jsonb_size::MAX {
        return Err(Error::JsonbTooLarge);
    }
    Ok(())
}

/// The JSON text length of a string (quotes and escapes included); refuses NUL.
fn string_text_len(value: &str, interrupt: Interrupt) -> Result<usize> {
    let mut len = value.len() + 2;
    let mut rest = value.as_bytes();
    let mut escapes = 0usize;
    while let Some(at) = string_stop(rest) {
        escapes += 1;
        if escapes.is_multiple_of(INTERRUPT_EVERY) {
            interrupt()?;
        }
        if rest[at] == 0 {
            return corrupt("CBOR text string contains a NUL character, which jsonb cannot hold");
        }
        len += escape_extra(rest[at]);
        rest = &rest[at + 1..];
    }
    Ok(len)
}

impl<'a> Validator<'a> {
    fn add(&mut self, text: usize, jsonb: usize, canonical: usize) {
        self.text_len = self.text_len.saturating_add(text);
        self.jsonb_len = self.jsonb_len.saturating_add(jsonb);
        self.canonical_len = self.canonical_len.saturating_add(canonical);
    }

    fn key_text(&self, (offset, len): (u32, u32)) -> &'a [u8] {
        &self.cbor[offset as usize..(offset + len) as usize]
    }
}

impl<'a> Visitor<'a> for Validator<'a> {
    fn null(&mut self) -> Result<()> {
        self.add(4, jsonb_size::SCALAR, 1);
        Ok(())
    }

    fn boolean(&mut self, value: bool) -> Result<()> {
        self.add(if value { 4 } else { 5 }, jsonb_size::SCALAR, 1);
        Ok(())
    }

    fn number(&mut self, value: Number<'_>) -> Result<()> {
        let (len, canonical) = match value {
            // The common case, in range whatever its value.
            Number::Integer(Integer::Small(n)) => {
                let magnitude = if n < 0 { -1 - n } else { n };
                let text = usize::from(n < 0) + u128_digits(n.unsigned_abs());
                (text, head_size(magnitude as u64))
            }
            _ => {
                let len = stored_number::check(value)?;
                (len, stored_number::canonical_len(value, self.interrupt)?)
            }
        };
        self.add(len, jsonb_size::number(len), canonical);
        Ok(())
    }

    fn string(&mut self, value: &'a str) -> Result<()> {
        let len = string_text_len(value, self.interrupt)?;
        let canonical = head_size(value.len() as u64) + value.len();
        self.add(len, jsonb_size::string(value.len()), canonical);
        Ok(())
    }

    fn key(&mut self, value: &'a str) -> Result<()> {
        let len = string_text_len(value, self.interrupt)?;
        let canonical = head_size(value.len() as u64) + value.len();
        self.add(len, jsonb_size::string(value.len()), canonical);
        // The walk hands out slices of the document: offsets fit the 32-bit header.
        let offset = value.as_ptr() as usize - self.cbor.as_ptr() as usize;
        push(&mut self.keys, (offset as u32, value.len() as u32))
    }

    fn begin(&mut self, kind: Container, len: u64) -> Result<()> {
        // Brackets, commas between items, a colon per key.
        let colons = if kind == Container::Object { len } else { 0 };
        self.add(
            (2 + len.saturating_sub(1) + colons) as usize,
            jsonb_size::CONTAINER,
            head_size(len),
        );
        let start = (kind == Container::Object).then_some(self.keys.len());
        push(&mut self.open, start)
    }

    fn end(&mut self, _kind: Container) -> Result<()> {
        if let Some(Some(start)) = self.open.pop() {
            let mut keys = std::mem::take(&mut self.keys);
            let object = &mut keys[start..];
            object.sort_unstable_by(|&x, &y| self.key_text(x).cmp(self.key_text(y)));
            let duplicate = object
                .windows(2)
                .any(|pair| self.key_text(pair[0]) == self.key_text(pair[1]));
            keys.truncate(start);
            self.keys = keys;
            if duplicate {
                return corrupt("CBOR map has a duplicate key");
            }
        }
        Ok(())
    }
}
