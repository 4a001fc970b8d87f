//! Episode search, thin wrappers over the pgrx-free `pgmem-search` crate: the text the
//! full-text parser sees, and BM25 read straight from each episode's stored `tsvector`.
use crate::error::invalid_argument;
use pgmem_search::bm25::Query;
use pgmem_search::keys;
use pgmem_search::tsvector::TsVector;
use pgrx::fcinfo::{pg_getarg, pg_getarg_datum_raw};
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena, PgMemoryContexts, PgSqlErrorCode};

/// `query` as an ILIKE pattern that finds it as typed; NULL is the empty query.
/// Immutable, so with a constant query the planner folds it and sees the pattern.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_like_pattern(query: Option<&str>) -> String {
    pgmem_search::like_pattern(query.unwrap_or(""))
}

/// The score of versions before 0.6.0, which a database not yet updated still calls.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_word_score(content: &str, query: &str) -> i32 {
    use pgmem_search::words::{score, words};
    i32::try_from(score(content, &words(query))).unwrap_or(i32::MAX)
}

/// Content or a query as the text search parser should see it (CJK as bigrams).
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_search_text(text: &str) -> String {
    pgmem_search::text::search_text(text)
}

/// The stored terms of an episode (argument `n`), read in place.
unsafe fn terms_arg(fcinfo: pg_sys::FunctionCallInfo, n: usize) -> TsVector<'static> {
    let datum = pg_getarg_datum_raw(fcinfo, n);
    let bytes =
        varlena::varlena_to_byte_slice(pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr()));
    TsVector::parse(bytes).unwrap_or_else(|_| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
            "stored search terms of an episode are damaged"
        );
    })
}

/// An episode's length for BM25: its lexeme occurrences.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_search_length(fcinfo: pg_sys::FunctionCallInfo) -> i64 {
    let terms = unsafe { terms_arg(fcinfo, 0) };
    i64::try_from(terms.length()).unwrap_or(i64::MAX)
}

fn plan(
    lexemes: Vec<String>,
    with_term: Vec<i64>,
    in_query: Vec<i32>,
    episodes: i64,
    length: i64,
) -> Query {
    if lexemes.len() != with_term.len() || lexemes.len() != in_query.len() {
        invalid_argument(
            "lexemes, episodes_with_term and in_query must have the same length".into(),
        );
    }
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let terms = lexemes
        .into_iter()
        .zip(with_term)
        .zip(in_query)
        .map(|((l, n), q)| (l.into_bytes(), count(n), u32::try_from(q).unwrap_or(1)))
        .collect();
    Query::plan(terms, count(episodes), count(length))
}

/// The query a search scores with: terms rarest first, with their idf over the user's
/// episodes. `lexemes[i]` occurs `in_query[i]` times in the query and is held by
/// `episodes_with_term[i]` of `episodes`.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_bm25_query(
    lexemes: Vec<String>,
    episodes_with_term: Vec<i64>,
    in_query: Vec<i32>,
    episodes: i64,
    length: i64,
) -> Vec<u8> {
    plan(lexemes, episodes_with_term, in_query, episodes, length).encode()
}

/// Each term's bound (the most it adds to a score), in the query's order.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_bm25_bounds(query: &[u8]) -> Vec<f64> {
    decode(query).bounds()
}

/// A tsquery that every episode scoring `threshold` or more for `query` matches: the
/// least sets of terms whose bounds reach it, each a conjunction; NULL when no episode
/// can reach it. Serves databases not yet updated to 0.7.0, which match on terms.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_bm25_match(query: &[u8], threshold: f64) -> Option<String> {
    matching(query, threshold, quoted)
}

/// The same over the index keys of user_id's episodes (pgmem_search_keys).
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_bm25_match_keys(query: &[u8], threshold: f64, user_id: &str) -> Option<String> {
    let tag = keys::tag(user_id.as_bytes());
    matching(query, threshold, |lexeme| quoted(&keys::key(&tag, lexeme)))
}

fn matching(query: &[u8], threshold: f64, term: impl Fn(&[u8]) -> String) -> Option<String> {
    let query = decode(query);
    let lexemes: Vec<&[u8]> = query.lexemes().collect();
    let sets: Vec<String> = query
        .matching(threshold)
        .iter()
        .map(|set| {
            let terms: Vec<String> = set.iter().map(|&t| term(lexemes[t])).collect();
            format!("({})", terms.join(" & "))
        })
        .collect();
    (!sets.is_empty()).then(|| sets.join(" | "))
}

/// The index keys of an episode's terms: each lexeme behind its user's tag, so that
/// the GIN index keeps a posting list per user and lexeme. The result is a tsvector's
/// bytes in a varlena, which is what the SQL declaration (RETURNS tsvector) says.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_search_keys(fcinfo: pg_sys::FunctionCallInfo) -> Vec<u8> {
    let (user_id, terms) = unsafe {
        let user_id: &str = pg_getarg(fcinfo, 0).unwrap_or_default();
        (user_id, terms_arg(fcinfo, 1))
    };
    let tag = keys::tag(user_id.as_bytes());
    keys::keys(&tag, (0..terms.len()).map(|i| terms.lexeme(i))).unwrap_or_else(|_| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            "terms has too many lexemes to index (their keys exceed 1 MiB)"
        );
    })
}

fn decode(query: &[u8]) -> Query {
    Query::decode(query)
        .unwrap_or_else(|_| invalid_argument("query is not a pgmem_bm25_query value".into()))
}

/// `'lexeme'` with quotes and backslashes doubled: the exact lexeme in a tsquery.
fn quoted(lexeme: &[u8]) -> String {
    let text = String::from_utf8_lossy(lexeme);
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

struct CachedQuery {
    bytes: Vec<u8>,
    query: Query,
}

/// The decoded query, kept for the rest of the statement in the call site's fn_extra
/// and decoded again only when the bytes change.
unsafe fn query_arg<'a>(fcinfo: pg_sys::FunctionCallInfo) -> &'a Query {
    let bytes: &[u8] = pg_getarg(fcinfo, 1).unwrap_or_default();
    let flinfo = (*fcinfo).flinfo;
    let cached = (*flinfo).fn_extra.cast::<CachedQuery>();
    if !cached.is_null() && (*cached).bytes == bytes {
        return &(*cached).query;
    }
    let query = decode(bytes);
    let entry = CachedQuery {
        bytes: bytes.to_vec(),
        query,
    };
    if cached.is_null() {
        let mut mcxt = PgMemoryContexts::For((*flinfo).fn_mcxt);
        let kept = mcxt.leak_and_drop_on_delete(entry);
        (*flinfo).fn_extra = kept.cast();
        &(*kept).query
    } else {
        *cached = entry;
        &(*cached).query
    }
}

/// An episode's BM25 score for `query`.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_bm25_score(fcinfo: pg_sys::FunctionCallInfo) -> f32 {
    let (terms, query) = unsafe { (terms_arg(fcinfo, 0), query_arg(fcinfo)) };
    query.score(&terms) as f32
}
