//! JSON text to CBOR with jsonb's semantics: numbers exact, last duplicate key wins,
//! `\u0000` refused, key order otherwise kept as written.
//!
//! One iterative pass writes the CBOR directly. A container's head is first a 5-byte
//! placeholder, given its item count when the container closes; an object's keys are
//! compared when it closes and each earlier duplicate is marked for removal. A last
//! pass moves the bytes down over the placeholders' spare bytes and removed members.
//! Besides the output, memory is 8 bytes per key of the objects still open (README,
//! "Limits"). The length of the JSON text the document will
//! print is counted as it is parsed, to hold it within [`crate::text_limit`].
use crate::cbor::{
    head, head_at, head_size, text_at, write_head, MAJOR_ARRAY, MAJOR_BYTES, MAJOR_MAP, MAJOR_TEXT,
};
use crate::error::{push, Error, Position, Result};
use crate::scan::{escape_extra, string_stop};
use crate::{jsonb_size, number, Interrupt, INTERRUPT_EVERY, MAX_DEPTH};

/// The width of a container head before its count is known: `0x9a`/`0xba` + u32.
const PLACEHOLDER: usize = 5;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Array,
    Object,
}

struct Open {
    kind: Kind,
    /// Where its placeholder head is in the output.
    head: usize,
    /// Items so far (pairs for objects).
    count: u32,
    /// Where this object's keys start in `Parser::keys`.
    first_key: usize,
}

/// A key of an open object: where its head is in the output, and the JSON text length
/// and jsonb size counted before it.
#[derive(Clone, Copy)]
struct Key {
    at: u32,
    text_before: u32,
    jsonb_before: u32,
}

struct Parser<'a> {
    text: &'a str,
    input: &'a [u8],
    pos: usize,
    out: Vec<u8>,
    open: Vec<Open>,
    keys: Vec<Key>,
    /// Output ranges to remove: members a later duplicate key replaces.
    dropped: Vec<(usize, usize)>,
    /// Bytes the last pass removes, as far as known (for the early size check).
    spare: usize,
    text_len: usize,
    jsonb_len: usize,
    max_bytes: usize,
    interrupt: Interrupt<'a>,
    next_check: usize,
}

/// Parse JSON text into a CBOR document of at most `max_bytes` bytes.
pub fn to_cbor(input: &str, max_bytes: usize, interrupt: Interrupt) -> Result<Vec<u8>> {
    // Offsets into the output are kept in 32 bits; the header's length is 32 bits too.
    if input.len() > u32::MAX as usize / 4 {
        return Err(Error::TooLarge {
            size: None,
            limit: max_bytes as u64,
        });
    }
    let mut out = Vec::new();
    out.try_reserve(input.len().min(max_bytes) / 2 + 64)
        .map_err(|_| Error::OutOfMemory)?;
    let mut parser = Parser {
        text: input,
        input: input.as_bytes(),
        pos: 0,
        out,
        open: Vec::new(),
        keys: Vec::new(),
        dropped: Vec::new(),
        spare: 0,
        text_len: 0,
        jsonb_len: 0,
        max_bytes,
        interrupt,
        next_check: INTERRUPT_EVERY,
    };
    parser.parse()?;
    parser.finish()
}

impl Parser<'_> {
    fn parse(&mut self) -> Result<()> {
        'value: loop {
            self.skip_whitespace();
            self.tick()?;
            if let Some(top) = self.open.last_mut() {
                if top.kind == Kind::Array {
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
                Some(b'"') => self.string()?,
                Some(b't') => self.literal(b"true", 0xf5)?,
                Some(b'f') => self.literal(b"false", 0xf4)?,
                Some(b'n') => self.literal(b"null", 0xf6)?,
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
                let array = top.kind == Kind::Array;
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

    /// Call the interrupt check once every INTERRUPT_EVERY bytes of input.
    fn tick(&mut self) -> Result<()> {
        if self.pos >= self.next_check {
            (self.interrupt)()?;
            self.next_check = self.pos + INTERRUPT_EVERY;
        }
        Ok(())
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Room for `n` more output bytes. Growing is when the document's size is checked:
    /// the CBOR it will be after the last pass is at least what is written, less the
    /// bytes known to go and 4 per open placeholder.
    fn room(&mut self, n: usize) -> Result<()> {
        if self.out.capacity() - self.out.len() >= n {
            return Ok(());
        }
        let at_least = self
            .out
            .len()
            .saturating_sub(self.spare + 4 * self.open.len());
        if at_least > self.max_bytes {
            return Err(Error::TooLarge {
                size: None,
                limit: self.max_bytes as u64,
            });
        }
        self.out.try_reserve(n).map_err(|_| Error::OutOfMemory)
    }

    /// Count an item's JSON text and its size in jsonb (see `jsonb_size`).
    fn add(&mut self, text: usize, jsonb: usize) -> Result<()> {
        self.text_len += text;
        self.jsonb_len += jsonb;
        if self.text_len > crate::json_out::MAX_TEXT_BYTES {
            return Err(Error::TextTooLarge);
        }
        if self.jsonb_len > jsonb_size::MAX {
            return Err(Error::JsonbTooLarge);
        }
        Ok(())
    }

    fn open_container(&mut self, kind: Kind) -> Result<()> {
        if self.open.len() >= MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        self.room(PLACEHOLDER)?;
        let open = Open {
            kind,
            head: self.out.len(),
            count: 0,
            first_key: self.keys.len(),
        };
        push(&mut self.open, open)?;
        let major = if kind == Kind::Array {
            MAJOR_ARRAY
        } else {
            MAJOR_MAP
        };
        self.out.extend_from_slice(&[major << 5 | 26, 0, 0, 0, 0]);
        self.add(2, jsonb_size::CONTAINER)?;
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
        if open.kind == Kind::Object {
            count -= self.drop_duplicate_keys(open.first_key)?;
            self.keys.truncate(open.first_key);
        }
        self.out[open.head + 1..open.head + PLACEHOLDER].copy_from_slice(&count.to_be_bytes());
        self.spare += PLACEHOLDER - head_size(u64::from(count));
        // The commas between the items that remain.
        self.add(count.saturating_sub(1) as usize, 0)
    }

    fn key(&mut self) -> Result<()> {
        self.skip_whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string (object key)"));
        }
        let key = Key {
            at: self.out.len() as u32,
            text_before: self.text_len as u32,
            jsonb_before: self.jsonb_len as u32,
        };
        self.string()?;
        push(&mut self.keys, key)?;
        self.add(1, 0)?;
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

    /// Mark every key of the object whose keys start at `first` that a later equal key
    /// replaces, with its value; returns how many were dropped. Memory: a bit per key,
    /// and 4 bytes per key for objects of more than 16 keys (to sort them).
    fn drop_duplicate_keys(&mut self, first: usize) -> Result<u32> {
        let Parser {
            keys, out, dropped, ..
        } = self;
        let keys = &keys[first..];
        let text = |i: usize| text_at(out, keys[i].at as usize);
        let mut replaced: Vec<u64> = Vec::new();
        replaced
            .try_reserve_exact(keys.len().div_ceil(64))
            .map_err(|_| Error::OutOfMemory)?;
        replaced.resize(keys.len().div_ceil(64), 0);
        let mut mark = |i: usize| replaced[i / 64] |= 1 << (i % 64);
        if keys.len() <= 16 {
            for i in 0..keys.len() {
                if (i + 1..keys.len()).any(|later| text(later) == text(i)) {
                    mark(i);
                }
            }
        } else {
            let mut sorted: Vec<u32> = Vec::new();
            sorted
                .try_reserve_exact(keys.len())
                .map_err(|_| Error::OutOfMemory)?;
            sorted.extend(0..keys.len() as u32);
            sorted
                .sort_unstable_by(|&x, &y| text(x as usize).cmp(text(y as usize)).then(x.cmp(&y)));
            for pair in sorted.windows(2) {
                if text(pair[0] as usize) == text(pair[1] as usize) {
                    mark(pair[0] as usize);
                }
            }
        }
        // An earlier duplicate always has a next key: the member ends where it starts.
        // Neighbouring dropped members make one range.
        let mut count = 0;
        for i in (0..keys.len()).filter(|i| replaced[i / 64] & (1 << (i % 64)) != 0) {
            let (key, next) = (keys[i], keys[i + 1]);
            match dropped.last_mut() {
                Some(last) if last.1 == key.at as usize => last.1 = next.at as usize,
                _ => push(dropped, (key.at as usize, next.at as usize))?,
            }
            self.spare += (next.at - key.at) as usize;
            self.text_len -= (next.text_before - key.text_before) as usize;
            self.jsonb_len -= (next.jsonb_before - key.jsonb_before) as usize;
            count += 1;
        }
        Ok(count)
    }

    fn literal(&mut self, word: &[u8], cbor: u8) -> Result<()> {
        if !self.input[self.pos..].starts_with(word) {
            return Err(self.unexpected("a JSON value"));
        }
        self.pos += word.len();
        self.room(1)?;
        self.out.push(cbor);
        self.add(word.len(), jsonb_size::SCALAR)
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
        let text = &self.input[start..self.pos];
        // A number's CBOR is never longer than its text plus the heads around it.
        self.room(text.len() + 32)?;
        let at = |e: Error| match e {
            Error::TooManyDigits { .. } => Error::TooManyDigits {
                at: Some(Position::of(self.input, start)),
            },
            _ => Error::NumberOutOfRange {
                at: Some(Position::of(self.input, start)),
            },
        };
        let text_len = number::write_json_number(text, &mut self.out).map_err(at)?;
        self.add(text_len, jsonb_size::number(text_len))
    }

    fn string(&mut self) -> Result<()> {
        let start = self.pos + 1;
        let plain = string_stop(&self.input[start..]);
        match plain.map(|n| (start + n, self.input[start + n])) {
            Some((end, b'"')) => {
                let len = end - start;
                self.room(len + 9)?;
                write_head(&mut self.out, MAJOR_TEXT, len as u64);
                self.out.extend_from_slice(&self.input[start..end]);
                self.pos = end + 1;
                self.add(len + 2, jsonb_size::string(len))
            }
            Some((end, b'\\')) => self.escaped_string(start, end),
            Some((end, byte)) => Err(self.syntax_at(
                end,
                format!("character with value 0x{byte:02x} must be escaped"),
            )),
            None => Err(self.syntax_at(self.input.len(), "unterminated string".into())),
        }
    }

    /// Strings with escapes, decoded into the output after a head wide enough for the
    /// rest of the input; the head is narrowed once the length is known.
    fn escaped_string(&mut self, start: usize, first_escape: usize) -> Result<()> {
        let head_at = self.out.len();
        let width = head_size((self.input.len() - start) as u64);
        self.room(width + first_escape - start)?;
        self.out.resize(head_at + width, 0);
        self.out.extend_from_slice(&self.input[start..first_escape]);
        self.pos = first_escape;
        // Quotes plus what printing adds: the escapes the output needs again.
        let mut text_extra = 2;
        loop {
            self.tick()?;
            let run = string_stop(&self.input[self.pos..]).unwrap_or(self.input.len() - self.pos);
            self.room(run)?;
            self.out
                .extend_from_slice(&self.input[self.pos..self.pos + run]);
            self.pos += run;
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => text_extra += self.escape()?,
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
        let len = self.out.len() - head_at - width;
        let (bytes, narrow) = head(MAJOR_TEXT, len as u64);
        self.out.copy_within(head_at + width.., head_at + narrow);
        self.out.truncate(head_at + narrow + len);
        self.out[head_at..head_at + narrow].copy_from_slice(&bytes[..narrow]);
        self.add(len + text_extra, jsonb_size::string(len))
    }

    /// Decode one escape sequence; returns how many more bytes than the decoded
    /// character its JSON text takes when printed.
    fn escape(&mut self) -> Result<usize> {
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
        push(&mut self.out, simple)?;
        Ok(escape_extra(simple))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.input.get(at + 2..at + 6)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }

    fn unicode_escape(&mut self) -> Result<usize> {
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
        crate::error::extend(&mut self.out, ch.encode_utf8(&mut [0; 4]).as_bytes())?;
        // Printing escapes control characters again: `\n` style, or `\u00XX`.
        Ok(u8::try_from(code).map_or(0, escape_extra))
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

    /// The final CBOR: placeholders narrowed, dropped members removed, sizes checked.
    fn finish(mut self) -> Result<Vec<u8>> {
        self.compact()?;
        crate::check_finished(self.out.len(), self.text_len, self.max_bytes)?;
        Ok(self.out)
    }

    /// Move the bytes down in place, over the spare bytes of every placeholder and over
    /// every dropped member (a drop nested in another is skipped with it). One walk over
    /// the item heads finds the placeholders; runs of other items move in one copy.
    fn compact(&mut self) -> Result<()> {
        self.dropped.sort_unstable();
        let interrupt = self.interrupt;
        let mut next_check = 0;
        let out = &mut self.out;
        let end = out.len();
        let mut drops = self.dropped.iter().copied().peekable();
        let (mut read, mut write, mut run) = (0, 0, 0);
        let flush = |out: &mut Vec<u8>, run: usize, to: usize, write: &mut usize| {
            out.copy_within(run..to, *write);
            *write += to - run;
        };
        while read < end {
            if read >= next_check {
                interrupt()?;
                next_check = read + INTERRUPT_EVERY;
            }
            while drops.next_if(|&(start, _)| start < read).is_some() {}
            if let Some((_, stop)) = drops.next_if(|&(start, _)| start == read) {
                flush(out, run, read, &mut write);
                (read, run) = (stop, stop);
                continue;
            }
            let (major, info, value, head_len) = head_at(out, read);
            match major {
                // Placeholders are the only 4-byte container heads pgmem writes that
                // may narrow (a decimal fraction's pair is a 1-byte head).
                MAJOR_ARRAY | MAJOR_MAP if info == 26 => {
                    flush(out, run, read, &mut write);
                    let (bytes, len) = head(major, value);
                    out[write..write + len].copy_from_slice(&bytes[..len]);
                    write += len;
                    read += PLACEHOLDER;
                    run = read;
                }
                MAJOR_TEXT | MAJOR_BYTES => read += head_len + value as usize,
                _ => read += head_len,
            }
        }
        flush(out, run, end, &mut write);
        out.truncate(write);
        Ok(())
    }
}
