//! A stored `tsvector`, read in place: how often each lexeme occurs and how long the
//! document is, without copying or converting it.
//!
//! Layout (PostgreSQL's `TSVectorData`, after the varlena header): an `int32` count,
//! then one 32-bit `WordEntry` per lexeme, sorted by lexeme bytes (shorter first on a
//! common prefix), then the lexeme bytes. A `WordEntry` is a C bit field
//! `haspos:1, len:11, pos:20`: `pos` is the lexeme's offset past the entries, `len`
//! its length. With `haspos`, a `uint16` count of positions and the positions follow
//! the lexeme at the next even offset. Bit fields are laid out from the low bit on
//! little-endian targets and from the high bit on big-endian ones.

use std::cmp::Ordering;

/// A `tsvector` whose entries point outside it: damage, never a panic.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

pub struct TsVector<'a> {
    entries: &'a [u8],
    strings: &'a [u8],
}

#[derive(Clone, Copy)]
struct Entry {
    has_positions: bool,
    len: usize,
    pos: usize,
}

impl Entry {
    fn from_bits(bits: u32) -> Entry {
        #[cfg(target_endian = "little")]
        let (has, len, pos) = (bits & 1, (bits >> 1) & 0x7FF, bits >> 12);
        #[cfg(target_endian = "big")]
        let (has, len, pos) = (bits >> 31, (bits >> 20) & 0x7FF, bits & 0xF_FFFF);
        Entry {
            has_positions: has == 1,
            len: len as usize,
            pos: pos as usize,
        }
    }
}

impl<'a> TsVector<'a> {
    /// `bytes` is the value without its varlena header. Every entry is checked here,
    /// so the accessors below cannot read outside it.
    pub fn parse(bytes: &'a [u8]) -> Result<TsVector<'a>, Malformed> {
        let count = bytes.get(..4).ok_or(Malformed)?;
        let count = i32::from_ne_bytes(count.try_into().map_err(|_| Malformed)?);
        let count = usize::try_from(count).map_err(|_| Malformed)?;
        let end = count
            .checked_mul(4)
            .and_then(|n| n.checked_add(4))
            .ok_or(Malformed)?;
        let entries = bytes.get(4..end).ok_or(Malformed)?;
        let vector = TsVector {
            entries,
            strings: &bytes[end..],
        };
        for i in 0..count {
            let e = vector.entry(i);
            if e.pos + e.len > vector.strings.len() {
                return Err(Malformed);
            }
            if e.has_positions && vector.positions_at(e).is_none() {
                return Err(Malformed);
            }
        }
        Ok(vector)
    }

    pub fn len(&self) -> usize {
        self.entries.len() / 4
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, i: usize) -> Entry {
        let bits = &self.entries[i * 4..i * 4 + 4];
        Entry::from_bits(u32::from_ne_bytes([bits[0], bits[1], bits[2], bits[3]]))
    }

    /// The count of positions stored for an entry, when it has positions.
    fn positions_at(&self, e: Entry) -> Option<usize> {
        let at = (e.pos + e.len + 1) & !1;
        let n = self.strings.get(at..at + 2)?;
        let n = u16::from_ne_bytes([n[0], n[1]]) as usize;
        self.strings.get(at + 2..at + 2 + 2 * n).map(|_| n)
    }

    pub fn lexeme(&self, i: usize) -> &'a [u8] {
        let e = self.entry(i);
        &self.strings[e.pos..e.pos + e.len]
    }

    /// How often lexeme `i` occurs: its stored positions (PostgreSQL keeps at most
    /// 256), or 1 for a lexeme stored without positions.
    pub fn frequency(&self, i: usize) -> u32 {
        let e = self.entry(i);
        match e.has_positions.then(|| self.positions_at(e)).flatten() {
            Some(n) if n > 0 => n as u32,
            _ => 1,
        }
    }

    /// The document's length in lexeme occurrences.
    pub fn length(&self) -> u64 {
        (0..self.len()).map(|i| u64::from(self.frequency(i))).sum()
    }

    /// The index of `lexeme`, by binary search in PostgreSQL's order.
    pub fn find(&self, lexeme: &[u8]) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.lexeme(mid).cmp(lexeme) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// A `WordEntry`'s bits: the bit field laid out as the C compiler does.
pub(crate) fn entry_bits(has_positions: bool, len: u32, pos: u32) -> u32 {
    let has = u32::from(has_positions);
    #[cfg(target_endian = "little")]
    let bits = has | (len << 1) | (pos << 12);
    #[cfg(target_endian = "big")]
    let bits = (has << 31) | (len << 20) | pos;
    bits
}

/// A `tsvector` in PostgreSQL's layout from (lexeme, positions) pairs sorted by
/// lexeme: what `to_tsvector` would store.
#[cfg(test)]
pub(crate) fn build(lexemes: &[(&str, u16)]) -> Vec<u8> {
    let mut out = (lexemes.len() as i32).to_ne_bytes().to_vec();
    let mut strings = Vec::new();
    for (lexeme, positions) in lexemes {
        let (len, pos) = (lexeme.len() as u32, strings.len() as u32);
        out.extend(entry_bits(*positions > 0, len, pos).to_ne_bytes());
        strings.extend(lexeme.as_bytes());
        if *positions > 0 {
            if strings.len() % 2 == 1 {
                strings.push(0);
            }
            strings.extend(positions.to_ne_bytes());
            for p in 1..=*positions {
                strings.extend(p.to_ne_bytes());
            }
        }
    }
    out.extend(strings);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_lexemes_frequencies_and_length() {
        let bytes = build(&[("book", 2), ("flight", 1), ("sea", 3), ("x", 0)]);
        let v = TsVector::parse(&bytes).unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v.find(b"sea"), Some(2));
        assert_eq!(v.frequency(2), 3);
        assert_eq!(v.frequency(3), 1);
        assert_eq!(v.find(b"se"), None);
        assert_eq!(v.find(b"zzz"), None);
        assert_eq!(v.length(), 7);
    }

    #[test]
    fn empty_vector() {
        let bytes = build(&[]);
        let v = TsVector::parse(&bytes).unwrap();
        assert!(v.is_empty());
        assert_eq!(v.length(), 0);
        assert_eq!(v.find(b"a"), None);
    }

    #[test]
    fn damage_is_an_error() {
        assert_eq!(TsVector::parse(&[]).err(), Some(Malformed));
        assert_eq!(
            TsVector::parse(&(-1i32).to_ne_bytes()).err(),
            Some(Malformed)
        );
        assert_eq!(TsVector::parse(&5i32.to_ne_bytes()).err(), Some(Malformed));
        let mut bytes = build(&[("book", 2)]);
        bytes.truncate(bytes.len() - 1);
        assert_eq!(TsVector::parse(&bytes).err(), Some(Malformed));
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(v) = TsVector::parse(&bytes) {
                for i in 0..v.len() {
                    let _ = (v.lexeme(i), v.frequency(i));
                }
                let _ = v.length();
            }
        }

        #[test]
        fn finds_every_lexeme(words in proptest::collection::btree_set("[a-z]{1,6}", 0..20)) {
            let lexemes: Vec<(&str, u16)> = words.iter().map(|w| (w.as_str(), w.len() as u16)).collect();
            let bytes = build(&lexemes);
            let v = TsVector::parse(&bytes).unwrap();
            for (w, n) in &lexemes {
                let i = v.find(w.as_bytes()).unwrap();
                prop_assert_eq!(v.frequency(i), u32::from(*n));
            }
            prop_assert_eq!(v.find(b"0"), None);
        }
    }
}
