//! CBOR written from a document someone else has parsed (the extension walks a jsonb
//! value): each container's length is known when it opens and an object's keys are
//! already unique, so nothing is patched or moved afterwards, as [`crate::json_in`]
//! must for text. The checks are text input's: the CBOR size limit, the depth limit,
//! and the length of the text the snapshot will print.
use crate::cbor::{write_head, Container, MAJOR_ARRAY, MAJOR_MAP, MAJOR_TEXT};
use crate::error::{Error, Result};
use crate::scan::printed_len;
use crate::{number, Interrupt, INTERRUPT_EVERY, MAX_DEPTH};

pub struct Writer<'i> {
    out: Vec<u8>,
    depth: usize,
    text_len: usize,
    max_bytes: usize,
    interrupt: Interrupt<'i>,
    next_check: usize,
}

impl<'i> Writer<'i> {
    /// A writer of at most `max_bytes` of CBOR, with room for `size_hint` to start.
    pub fn new(size_hint: usize, max_bytes: usize, interrupt: Interrupt<'i>) -> Result<Self> {
        let mut out = Vec::new();
        out.try_reserve(size_hint.min(max_bytes))
            .map_err(|_| Error::OutOfMemory)?;
        Ok(Writer {
            out,
            depth: 0,
            text_len: 0,
            max_bytes,
            interrupt,
            next_check: INTERRUPT_EVERY,
        })
    }

    /// Containers open now.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Room for `n` more bytes; the interrupt check, every so often.
    fn room(&mut self, n: usize) -> Result<()> {
        if self.out.len() > self.max_bytes {
            return Err(Error::TooLarge {
                size: None,
                limit: self.max_bytes as u64,
            });
        }
        if self.out.len() >= self.next_check {
            (self.interrupt)()?;
            self.next_check = self.out.len() + INTERRUPT_EVERY;
        }
        self.out.try_reserve(n).map_err(|_| Error::OutOfMemory)
    }

    fn printed(&mut self, len: usize) -> Result<()> {
        self.text_len += len;
        if self.text_len > crate::json_out::MAX_TEXT_BYTES {
            return Err(Error::TextTooLarge);
        }
        Ok(())
    }

    /// Open an array or object of `len` items (pairs, for an object).
    pub fn begin(&mut self, kind: Container, len: u64) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        self.depth += 1;
        self.room(9)?;
        let major = match kind {
            Container::Array => MAJOR_ARRAY,
            Container::Object => MAJOR_MAP,
        };
        write_head(&mut self.out, major, len);
        // Brackets, and the commas between the items.
        self.printed(2 + len.saturating_sub(1) as usize)
    }

    pub fn end(&mut self) {
        self.depth -= 1;
    }

    pub fn key(&mut self, key: &str) -> Result<()> {
        self.string(key)?;
        self.printed(1)
    }

    pub fn string(&mut self, value: &str) -> Result<()> {
        self.room(value.len() + 9)?;
        write_head(&mut self.out, MAJOR_TEXT, value.len() as u64);
        self.out.extend_from_slice(value.as_bytes());
        self.printed(printed_len(value.as_bytes()))
    }

    /// A number given as JSON number text (as `numeric` prints it).
    pub fn number(&mut self, text: &[u8]) -> Result<()> {
        // A number's CBOR is never longer than its text plus the heads around it.
        self.room(text.len() + 32)?;
        let len = number::write_json_number(text, &mut self.out)?;
        self.printed(len)
    }

    pub fn boolean(&mut self, value: bool) -> Result<()> {
        self.room(1)?;
        self.out.push(if value { 0xf5 } else { 0xf4 });
        self.printed(if value { 4 } else { 5 })
    }

    pub fn null(&mut self) -> Result<()> {
        self.room(1)?;
        self.out.push(0xf6);
        self.printed(4)
    }

    /// The document, checked as text input's is.
    pub fn finish(self) -> Result<Vec<u8>> {
        crate::check_finished(self.out.len(), self.text_len, self.max_bytes)?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::Writer;
    use crate::cbor::Container;
    use crate::error::Error;
    use crate::{json_in, UNINTERRUPTED};

    /// `{"a":[1,-2.50,"x\n"],"b":{"c":null,"d":true,"e":false}}` through the writer.
    fn document(max_bytes: usize) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(16, max_bytes, UNINTERRUPTED)?;
        w.begin(Container::Object, 2)?;
        w.key("a")?;
        w.begin(Container::Array, 3)?;
        w.number(b"1")?;
        w.number(b"-2.50")?;
        w.string("x\n")?;
        w.end();
        w.key("b")?;
        w.begin(Container::Object, 3)?;
        w.key("c")?;
        w.null()?;
        w.key("d")?;
        w.boolean(true)?;
        w.key("e")?;
        w.boolean(false)?;
        w.end();
        w.end();
        assert_eq!(w.depth(), 0);
        // The printed length it counted is the text's.
        assert_eq!(
            w.text_len,
            r#"{"a":[1,-2.50,"x\n"],"b":{"c":null,"d":true,"e":false}}"#.len()
        );
        w.finish()
    }

    #[test]
    fn writes_what_text_input_writes() {
        let text = r#"{"a": [1, -2.50, "x\n"], "b": {"c": null, "d": true, "e": false}}"#;
        assert_eq!(
            document(1 << 20).unwrap(),
            json_in::to_cbor(text, 1 << 20, UNINTERRUPTED).unwrap()
        );
    }

    #[test]
    fn refuses_what_text_input_refuses() {
        assert!(matches!(document(10), Err(Error::TooLarge { .. })));
        let mut w = Writer::new(0, 1 << 20, UNINTERRUPTED).unwrap();
        let deep = (0..=crate::MAX_DEPTH).try_for_each(|_| w.begin(Container::Array, 1));
        assert!(matches!(deep, Err(Error::TooDeep)));
        let mut w = Writer::new(0, 1 << 20, UNINTERRUPTED).unwrap();
        assert!(w.number(b"1e1000000").is_err());
    }
}
