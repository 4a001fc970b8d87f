//! Episode matching, thin wrappers over the pgrx-free `pgmem-search` crate.
use pgrx::prelude::*;

/// `query` as an ILIKE pattern that finds it as typed; NULL is the empty query.
/// Immutable, so with a constant query the planner folds it and sees the pattern.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_like_pattern(query: Option<&str>) -> String {
    pgmem_search::like_pattern(query.unwrap_or(""))
}

/// How many distinct words of `query` are words of `content` (case-insensitive).
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_word_score(content: &str, query: &str) -> i32 {
    pgmem_search::score(content, &pgmem_search::words(query)) as i32
}
