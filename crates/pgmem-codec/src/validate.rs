//! The checks binary input gets beyond well-formed CBOR, so that every stored
//! snapshot is a document jsonb could hold: no NUL in text, no duplicate keys.
use crate::cbor::{walk, Container, Number, Visitor};
use crate::error::{corrupt, push, Result};

#[derive(Default)]
struct Validator<'a> {
    /// Keys of every open object, innermost last.
    keys: Vec<&'a str>,
    /// Per open container: where its keys start in `keys` (objects only).
    open: Vec<Option<usize>>,
}

/// Check a CBOR document strictly, as `recv` must before anything is stored.
pub fn check(cbor: &[u8]) -> Result<()> {
    walk(cbor, &mut Validator::default())
}

fn text(value: &str) -> Result<()> {
    if value.as_bytes().contains(&0) {
        return corrupt("CBOR text string contains a NUL character, which jsonb cannot hold");
    }
    Ok(())
}

impl<'a> Visitor<'a> for Validator<'a> {
    fn null(&mut self) -> Result<()> {
        Ok(())
    }

    fn boolean(&mut self, _value: bool) -> Result<()> {
        Ok(())
    }

    fn number(&mut self, _value: Number<'_>) -> Result<()> {
        Ok(())
    }

    fn string(&mut self, value: &'a str) -> Result<()> {
        text(value)
    }

    fn key(&mut self, value: &'a str) -> Result<()> {
        text(value)?;
        push(&mut self.keys, value)
    }

    fn begin(&mut self, kind: Container, _len: u64) -> Result<()> {
        let start = (kind == Container::Object).then_some(self.keys.len());
        push(&mut self.open, start)
    }

    fn end(&mut self, _kind: Container) -> Result<()> {
        if let Some(Some(start)) = self.open.pop() {
            let keys = &mut self.keys[start..];
            keys.sort_unstable();
            if keys.windows(2).any(|pair| pair[0] == pair[1]) {
                return corrupt("CBOR map has a duplicate key");
            }
            self.keys.truncate(start);
        }
        Ok(())
    }
}
