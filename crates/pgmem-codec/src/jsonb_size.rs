//! An upper bound on the size of a document in jsonb's binary form, counted while it
//! is read: jsonb refuses a document whose containers hold more than [`MAX`] bytes
//! (each item's 4-byte entry, its data, alignment), so pgmem refuses it too, and every
//! snapshot can be cast to jsonb. Ordinary documents stay far below the bound; it is
//! reached by tens of millions of small numbers, which cost jsonb 8 to 12 bytes each.

/// jsonb's limit on the data of one container (the whole document, for the root).
pub const MAX: usize = 0x0fff_ffff;

/// `null`, `true`, `false`: an entry, no data.
pub const SCALAR: usize = 4;

/// An array or object: its entry, header, and alignment.
pub const CONTAINER: usize = 4 + 4 + 3;

/// A string or key of `len` bytes.
pub fn string(len: usize) -> usize {
    4 + len
}

/// A number printed in `text_len` characters: an entry, alignment, a varlena and
/// `numeric` header, and 2 bytes per 4 digits (plus a partial group at each end).
pub fn number(text_len: usize) -> usize {
    4 + 3 + 4 + 2 * (text_len / 4 + 2)
}
