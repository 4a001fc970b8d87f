//! Similarity search scoring, a thin wrapper over the pgrx-free `pgmem-search` crate.
use pgrx::prelude::*;

/// How many distinct words of `query` are words of `content` (case-insensitive).
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_word_score(content: &str, query: &str) -> i32 {
    pgmem_search::score(content, &pgmem_search::words(query)) as i32
}
