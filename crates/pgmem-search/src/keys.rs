//! Index keys of a user's terms: every lexeme behind a short tag of its user, so that
//! one GIN index over all users keeps a posting list per user and lexeme, and a search
//! reads only its user's episodes. Users whose tags collide share posting lists; the
//! search still keeps only rows of its own user.
//!
//! The keys are a `tsvector` without positions, in PostgreSQL's layout (see
//! [`crate::tsvector`]): an `int32` count, one `WordEntry` per key, the key bytes.

use crate::tsvector::entry_bits;

/// Tag bytes before each lexeme: 30 bits of the user id's hash. Short, because a
/// content of 256 KiB can hold about 87,000 distinct CJK bigrams, and a `tsvector`'s
/// lexemes must fit in 1 MiB: 87,000 * (6 + 5) bytes does.
pub const TAG_LEN: usize = 5;
/// The longest key: a tsquery takes lexemes shorter than 2047 bytes (MAXSTRLEN).
const MAX_LEXEME: usize = 2046;
/// A `WordEntry`'s 20-bit offset: the key bytes must end below it.
const MAX_STRINGS: usize = 1 << 20;
const ALPHABET: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// More key bytes than a `tsvector` can address.
#[derive(Debug, PartialEq, Eq)]
pub struct TooLong;

/// The tag of a user: FNV-1a (64-bit) of the id's bytes, 6 bits per character. Fixed
/// here rather than taken from PostgreSQL's hashes, so stored keys never change meaning.
pub fn tag(user_id: &[u8]) -> [u8; TAG_LEN] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in user_id {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    std::array::from_fn(|i| ALPHABET[((h >> (6 * i)) & 63) as usize])
}

/// The key of one lexeme: the tag, then the lexeme, cut (at a character boundary) to
/// keep the key a valid lexeme. Cut lexemes may share a key: the index then finds
/// both, and scoring, which reads the terms, tells them apart.
pub fn key(tag: &[u8; TAG_LEN], lexeme: &[u8]) -> Vec<u8> {
    let mut end = lexeme.len().min(MAX_LEXEME - TAG_LEN);
    while end < lexeme.len() && end > 0 && lexeme[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    [tag.as_slice(), &lexeme[..end]].concat()
}

/// The keys of `lexemes` as a `tsvector`'s bytes (no varlena header).
pub fn keys<'a>(
    tag: &[u8; TAG_LEN],
    lexemes: impl Iterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, TooLong> {
    // PostgreSQL's order is the byte order, shorter first on a common prefix: Vec's.
    let mut keys: Vec<Vec<u8>> = lexemes.map(|l| key(tag, l)).collect();
    keys.sort_unstable();
    keys.dedup();
    let total: usize = keys.iter().map(Vec::len).sum();
    if total >= MAX_STRINGS {
        return Err(TooLong);
    }
    let mut out = Vec::with_capacity(4 + 4 * keys.len() + total);
    out.extend((keys.len() as i32).to_ne_bytes());
    let mut pos = 0;
    for k in &keys {
        out.extend(entry_bits(false, k.len() as u32, pos as u32).to_ne_bytes());
        pos += k.len();
    }
    for k in &keys {
        out.extend(k);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsvector::TsVector;
    use proptest::prelude::*;

    #[test]
    fn tags_are_fixed_and_differ_by_user() {
        assert_eq!(tag(b"alice"), tag(b"alice"));
        assert_ne!(tag(b"alice"), tag(b"bob"));
        assert!(tag(b"").iter().all(|c| ALPHABET.contains(c)));
    }

    #[test]
    fn long_lexemes_are_cut_at_a_character_boundary() {
        let t = tag(b"u");
        let long = "é".repeat(2000);
        let k = key(&t, long.as_bytes());
        assert!(k.len() <= MAX_LEXEME);
        assert!(std::str::from_utf8(&k[TAG_LEN..]).is_ok());
        assert_eq!(key(&t, b"flight"), [t.as_slice(), b"flight"].concat());
    }

    #[test]
    fn the_most_a_capped_content_holds_fits() {
        // 87,381 distinct three-byte bigrams: a 256 KiB content of CJK text.
        let t = tag(b"u");
        let bigrams: Vec<Vec<u8>> = (0..87_381u32)
            .map(|i| (i * 7).to_be_bytes()[1..].repeat(2))
            .collect();
        assert!(keys(&t, bigrams.iter().map(|b| b.as_slice())).is_ok());
        let too_many: Vec<Vec<u8>> = (0..100_000u32).map(|i| i.to_be_bytes().repeat(2)).collect();
        assert_eq!(
            keys(&t, too_many.iter().map(|b| b.as_slice())).err(),
            Some(TooLong)
        );
    }

    proptest! {
        #[test]
        fn every_lexeme_has_its_key(words in proptest::collection::vec("[a-z]{1,8}", 0..30), user in ".{0,12}") {
            let t = tag(user.as_bytes());
            let bytes = keys(&t, words.iter().map(|w| w.as_bytes())).unwrap();
            let v = TsVector::parse(&bytes).unwrap();
            let distinct: std::collections::BTreeSet<&String> = words.iter().collect();
            prop_assert_eq!(v.len(), distinct.len());
            for w in &words {
                prop_assert!(v.find(&key(&t, w.as_bytes())).is_some());
            }
        }
    }
}
