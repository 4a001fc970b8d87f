//! Matching for episodic memory, with no PostgreSQL dependency.
//!
//! - Keyword search: a query's text as an ILIKE pattern that matches it literally
//!   ([`like_pattern`]).
//! - Ranked search: BM25 over PostgreSQL's full-text machinery. [`text::search_text`]
//!   prepares content and queries for the text search parser (CJK runs as character
//!   bigrams), [`tsvector`] reads a stored `tsvector` in place, [`bm25`] holds the
//!   formula and the term sets that let the index leave out episodes that cannot
//!   reach the top k; [`keys`] tags each lexeme with its user, so that the index keeps
//!   a posting list per user.
//! - [`words`]: the word-count score of versions before 0.6.0, for databases not yet
//!   updated.

pub mod bm25;
pub mod keys;
pub mod text;
pub mod tsvector;
pub mod words;

/// `%query%` for LIKE/ILIKE with its `\\`, `%` and `_` escaped (backslash is LIKE's
/// default escape), so the query is found as typed, never as wildcards.
pub fn like_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 8);
    pattern.push('%');
    for c in query.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(""), "%%");
        assert_eq!(like_pattern("100%"), "%100\\%%");
        assert_eq!(like_pattern(r"a_b\c"), r"%a\_b\\c%");
        assert_eq!(like_pattern("café"), "%café%");
    }
}
