//! Argument checks shared by the SQL functions: each raises 22023 with a message that
//! names the argument, so callers see which one was wrong and why.
use crate::error::invalid_argument;
use crate::limits::{max_id_chars, min_id_chars, MAX_ROWS};
use pgrx::prelude::*;

/// `value` if it is as long as `argument` allows (see `limits`);
/// `argument` names it in errors.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_checked_id(value: Option<&str>, argument: &str) -> String {
    let Some(value) = value else {
        invalid_argument(format!("{argument} must not be NULL"))
    };
    let (min_chars, max_chars) = (min_id_chars(argument), max_id_chars(argument));
    let chars = value.chars().count();
    if chars < min_chars || chars > max_chars {
        invalid_argument(format!(
            "{argument} must be {min_chars} to {max_chars} characters long, not {chars}"
        ));
    }
    value.to_string()
}

/// Whether `value` is as long as `argument` allows: the tables'
/// CHECK constraints, which keep rows written directly within the same limits.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_id_fits(value: &str, argument: &str) -> bool {
    let chars = value.chars().count();
    (min_id_chars(argument)..=max_id_chars(argument)).contains(&chars)
}

/// `value` if it is a row count in 1..=MAX_ROWS; `argument` names it in errors.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_checked_limit(value: Option<i32>, argument: &str) -> i32 {
    match value {
        Some(n) if (1..=MAX_ROWS).contains(&n) => n,
        Some(n) => invalid_argument(format!(
            "{argument} must be between 1 and {MAX_ROWS}, not {n}"
        )),
        None => invalid_argument(format!(
            "{argument} must be between 1 and {MAX_ROWS}, not NULL"
        )),
    }
}
