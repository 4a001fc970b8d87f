//! JSON text to CBOR with jsonb's semantics: numbers exact, last duplicate key wins,
//! `\u0000` refused, key order otherwise kept as written.
//!
//! The parser is iterative. It records a flat tape of tokens (containers learn their
//! item count when they close, which CBOR needs up front), drops duplicate keys at
//! each object's close, then writes the CBOR in one pass of exactly the right size.
use crate::cbor::{write_head, MAJOR_ARRAY, MAJOR_MAP, MAJOR_TEXT};
use crate::error::{push, Error, Position, Result};
use crate::scan::string_stop;
use crate::{number, MAX_DEPTH};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    False,
    True,
    /// `a`/`b`: offset and length of its CBOR in `Parser::numbers`.
    Number,
    /// `a`/`b`: offset and length in the input, or in `unescaped` when `escaped`.
    Str,
    Key,
    /// `a`: item count (pairs for objects); `b`: index one past its last token.
    Array,
    Object,
    /// A key whose value a later duplicate replaces; `b`: the index after its value.
    Skipped,
}

#[derive(Clone, Copy)]
struct Token {
    kind: Kind,
    escaped: bool,
    a: u32,
    b: u32,
}

struct Open {
    token: usize,
    count: u32,
    /// Where this object's key token indices start in `Parser::keys`.
    first_key: usize,
}

struct Parser<'a> {
    text: &'a str,
    input: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    unescaped: Vec<u8>,
    numbers: Vec<u8>,
    open: Vec<Open>,
    keys: Vec<usize>,
    max_bytes: usize,
}

/// Parse JSON text into a CBOR document of at most `max_bytes` bytes.
pub fn to_cbor(input: &str, max_bytes: usize) -> Result<Vec<u8>> {
    if input.len() > u32::MAX as usize {
        return Err(Error::TooLarge {
            size: None,
            limit: max_bytes as u64,
        });
    }
    let mut parser = Parser {
        text: input,
        input: input.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        unescaped: Vec::new(),
        numbers: Vec::new(),
        open: Vec::new(),
        keys: Vec::new(),
        max_bytes,
    };
    parser.parse()?;
    parser.emit()
}

impl Parser<'_> {
    fn parse(&mut self) -> Result<()> {
        'value: loop {
            self.skip_whitespace();
            if let Some(top) = self.open.last_mut() {
                if self.tokens[top.token].kind == Kind::Array {
                    top.count += 1;
                }
            }
            match self.peek() {
                Some(b'[') => {
                    self.open_container(Kind::Array)?;
                    if !self.close_if(b']')? {
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.open_container(Kind::Object)?;
                    if !self.close_if(b'}')? {
                        self.key()?;
                        continue 'value;
                    }
                }
                Some(b'"') => self.string(Kind::Str)?,
                Some(b't') => self.literal(b"true", Kind::True)?,
                Some(b'f') => self.literal(b"false", Kind::False)?,
                Some(b'n') => self.literal(b"null", Kind::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(self.unexpected("a JSON value")),
            }
            // After a value: separators and closing brackets until the next value.
            loop {
                self.skip_whitespace();
                let Some(top) = self.open.last() else {
                    return match self.peek() {
                        None => Ok(()),
                        Some(_) => Err(self.unexpected("the end of input")),
                    };
                };
                let array = self.tokens[top.token].kind == Kind::Array;
                match (self.peek(), array) {
                    (Some(b','), _) => {
                        self.pos += 1;
                        if !array {
                            self.key()?;
                        }
                        continue 'value;
                    }
                    (Some(b']'), true) | (Some(b'}'), false) => {
                        self.pos += 1;
                        self.close()?;
                    }
                    (_, true) => return Err(self.unexpected("\",\" or \"]\"")),
                    (_, false) => return Err(self.unexpected("\",\" or \"}\"")),
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn token(&mut self, kind: Kind, escaped: bool, a: usize, b: usize) -> Result<()> {
        // Every token becomes at least one byte of CBOR.
        if self.tokens.len() >= self.max_bytes {
            return Err(Error::TooLarge {
                size: None,
                limit: self.max_bytes as u64,
            });
        }
        push(
            &mut self.tokens,
            Token {
                kind,
                escaped,
                a: a as u32,
                b: b as u32,
            },
        )
    }

    fn open_container(&mut self, kind: Kind) -> Result<()> {
        if self.open.len() >= MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        let open = Open {
            token: self.tokens.len(),
            count: 0,
            first_key: self.keys.len(),
        };
        push(&mut self.open, open)?;
        self.token(kind, false, 0, 0)?;
        self.pos += 1;
        Ok(())
    }

    /// Close the container just opened if `closing` follows; for `[]` and `{}`.
    fn close_if(&mut self, closing: u8) -> Result<bool> {
        self.skip_whitespace();
        if self.peek() != Some(closing) {
            return Ok(false);
        }
        self.pos += 1;
        self.close()?;
        Ok(true)
    }

    fn close(&mut self) -> Result<()> {
        let Some(open) = self.open.pop() else {
            unreachable!("close is only called with a container open")
        };
        let mut count = open.count;
        if self.tokens[open.token].kind == Kind::Object {
            count -= self.drop_duplicate_keys(open.first_key);
            self.keys.truncate(open.first_key);
        }
        let end = self.tokens.len() as u32;
        let token = &mut self.tokens[open.token];
        token.a = count;
        token.b = end;
        Ok(())
    }

    fn key(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string (object key)"));
        }
        let index = self.tokens.len();
        self.string(Kind::Key)?;
        push(&mut self.keys, index)?;
        if let Some(top) = self.open.last_mut() {
            top.count += 1;
        }
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.unexpected("\":\""));
        }
        self.pos += 1;
        Ok(())
    }

    fn key_bytes(&self, index: usize) -> &[u8] {
        let t = self.tokens[index];
        let source = if t.escaped {
            &self.unescaped[..]
        } else {
            self.input
        };
        &source[t.a as usize..(t.a + t.b) as usize]
    }

    /// Mark every key of the object whose keys start at `first` that a later equal key
    /// replaces; returns how many were dropped.
    fn drop_duplicate_keys(&mut self, first: usize) -> u32 {
        let keys = &self.keys[first..];
        let mut replaced = Vec::new();
        if keys.len() <= 16 {
            for (i, &k) in keys.iter().enumerate() {
                if keys[i + 1..]
                    .iter()
                    .any(|&later| self.key_bytes(later) == self.key_bytes(k))
                {
                    replaced.push(k);
                }
            }
        } else {
            let mut sorted = keys.to_vec();
            sorted.sort_by(|&x, &y| self.key_bytes(x).cmp(self.key_bytes(y)).then(x.cmp(&y)));
            for pair in sorted.windows(2) {
                if self.key_bytes(pair[0]) == self.key_bytes(pair[1]) {
                    replaced.push(pair[0]);
                }
            }
        }
        for &k in &replaced {
            let value = self.tokens[k + 1];
            let after = match value.kind {
                Kind::Array | Kind::Object => value.b,
                _ => (k + 2) as u32,
            };
            self.tokens[k] = Token {
                kind: Kind::Skipped,
                escaped: false,
                a: 0,
                b: after,
            };
        }
        replaced.len() as u32
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<()> {
        if !self.input[self.pos..].starts_with(word) {
            return Err(self.unexpected("a JSON value"));
        }
        self.pos += word.len();
        self.token(kind, false, 0, 0)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let valid = match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                true
            }
            _ => self.digits() > 0,
        } && (self.peek() != Some(b'.') || {
            self.pos += 1;
            self.digits() > 0
        }) && (!matches!(self.peek(), Some(b'e' | b'E')) || {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.digits() > 0
        });
        if !valid {
            return Err(self.syntax_at(start, "invalid number".into()));
        }
        let offset = self.numbers.len();
        number::write_json_number(&self.input[start..self.pos], &mut self.numbers).map_err(
            |_| Error::NumberOutOfRange {
                at: Some(Position::of(self.input, start)),
            },
        )?;
        self.token(Kind::Number, false, offset, self.numbers.len() - offset)
    }

    fn string(&mut self, kind: Kind) -> Result<()> {
        let start = self.pos + 1;
        let plain = string_stop(&self.input[start..]);
        match plain.map(|n| (start + n, self.input[start + n])) {
            Some((end, b'"')) => {
                self.pos = end + 1;
                self.token(kind, false, start, end - start)
            }
            Some((end, b'\\')) => self.escaped_string(kind, start, end),
            Some((end, byte)) => Err(self.syntax_at(
                end,
                format!("character with value 0x{byte:02x} must be escaped"),
            )),
            None => Err(self.syntax_at(self.input.len(), "unterminated string".into())),
        }
    }

    /// Strings with escapes: decode into `self.unescaped`, copying the plain runs between
    /// escapes whole.
    fn escaped_string(&mut self, kind: Kind, start: usize, first_escape: usize) -> Result<()> {
        let offset = self.unescaped.len();
        crate::error::extend(&mut self.unescaped, &self.input[start..first_escape])?;
        self.pos = first_escape;
        loop {
            let run = string_stop(&self.input[self.pos..]).unwrap_or(self.input.len() - self.pos);
            crate::error::extend(&mut self.unescaped, &self.input[self.pos..self.pos + run])?;
            self.pos += run;
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => self.escape()?,
                Some(byte) => {
                    return Err(self.syntax_at(
                        self.pos,
                        format!("character with value 0x{byte:02x} must be escaped"),
                    ))
                }
                None => return Err(self.syntax_at(self.input.len(), "unterminated string".into())),
            }
        }
        self.pos += 1;
        self.token(kind, true, offset, self.unescaped.len() - offset)
    }

    fn escape(&mut self) -> Result<()> {
        let at = self.pos;
        let simple = match self.input.get(at + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => return self.unicode_escape(),
            _ => return Err(self.syntax_at(at, "invalid escape sequence".into())),
        };
        self.pos += 2;
        push(&mut self.unescaped, simple)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.input.get(at + 2..at + 6)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }

    fn unicode_escape(&mut self) -> Result<()> {
        let at = self.pos;
        let bad = |p: &Self, m: &str| p.syntax_at(at, m.into());
        let unit = self
            .hex4(at)
            .ok_or_else(|| bad(self, "\"\\u\" must be followed by four hexadecimal digits"))?;
        self.pos += 6;
        let code = match unit {
            0 => {
                return Err(Error::UnsupportedEscape {
                    at: Position::of(self.input, at),
                })
            }
            0xd800..=0xdbff => {
                let low = (self.input.get(self.pos..self.pos + 2) == Some(b"\\u"))
                    .then(|| self.hex4(self.pos))
                    .flatten()
                    .filter(|low| (0xdc00..=0xdfff).contains(low))
                    .ok_or_else(|| {
                        bad(
                            self,
                            "Unicode high surrogate must be followed by a low surrogate",
                        )
                    })?;
                self.pos += 6;
                0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
            }
            0xdc00..=0xdfff => {
                return Err(bad(
                    self,
                    "Unicode low surrogate must follow a high surrogate",
                ))
            }
            _ => unit,
        };
        let ch = char::from_u32(code).ok_or_else(|| bad(self, "invalid Unicode escape"))?;
        crate::error::extend(&mut self.unescaped, ch.encode_utf8(&mut [0; 4]).as_bytes())
    }

    fn syntax_at(&self, offset: usize, message: String) -> Error {
        Error::Syntax {
            message,
            at: Position::of(self.input, offset),
        }
    }

    fn unexpected(&self, expected: &str) -> Error {
        // Errors are raised between tokens, so `pos` is on a character boundary.
        let found = match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("\"{c}\""),
            None => "the end of input".to_string(),
        };
        self.syntax_at(self.pos, format!("expected {expected} but found {found}"))
    }

    /// CBOR size of the tape, without writing it.
    fn cbor_size(&self) -> usize {
        let mut size = 0;
        self.walk(|t, bytes| {
            size += match (t.kind, bytes) {
                (Kind::Str | Kind::Key, Some(text)) => head_size(text.len()) + text.len(),
                (_, Some(encoded)) => encoded.len(),
                (_, None) => head_size(t.a as usize),
            }
        });
        size
    }

    fn emit(&self) -> Result<Vec<u8>> {
        let size = self.cbor_size();
        if size > self.max_bytes {
            return Err(Error::TooLarge {
                size: Some(size as u64),
                limit: self.max_bytes as u64,
            });
        }
        let mut out = Vec::new();
        out.try_reserve_exact(size)
            .map_err(|_| Error::OutOfMemory)?;
        self.walk(|t, bytes| match (t.kind, bytes) {
            (Kind::Array, _) => write_head(&mut out, MAJOR_ARRAY, u64::from(t.a)),
            (Kind::Object, _) => write_head(&mut out, MAJOR_MAP, u64::from(t.a)),
            (Kind::Str | Kind::Key, Some(text)) => {
                write_head(&mut out, MAJOR_TEXT, text.len() as u64);
                out.extend_from_slice(text);
            }
            (_, Some(encoded)) => out.extend_from_slice(encoded),
            (_, None) => unreachable!("scalars always carry their bytes"),
        });
        debug_assert_eq!(out.len(), size);
        Ok(out)
    }

    /// Visit the tokens that make the document, skipping replaced keys: containers
    /// with `None`, strings with their text, other scalars with their CBOR bytes.
    fn walk(&self, mut each: impl FnMut(Token, Option<&[u8]>)) {
        let mut i = 0;
        while i < self.tokens.len() {
            let t = self.tokens[i];
            i += 1;
            match t.kind {
                Kind::Skipped => i = t.b as usize,
                Kind::Array | Kind::Object => each(t, None),
                Kind::Null => each(t, Some(&[0xf6])),
                Kind::False => each(t, Some(&[0xf4])),
                Kind::True => each(t, Some(&[0xf5])),
                Kind::Number => each(t, Some(&self.numbers[t.a as usize..(t.a + t.b) as usize])),
                Kind::Str | Kind::Key => each(t, Some(self.key_bytes(i - 1))),
            }
        }
    }
}

/// Bytes of a CBOR head for argument `n`.
fn head_size(n: usize) -> usize {
    match n {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}
