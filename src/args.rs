//! Argument checks shared by the SQL functions: each raises 22023 with a message that
//! names the argument, so callers see which one was wrong and why.
use crate::error::invalid_argument;
use pgrx::prelude::*;

/// `value` if it is 1..=`max_chars` characters long; `argument` names it in errors.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_checked_id(value: Option<&str>, argument: &str, max_chars: i32) -> String {
    let Some(value) = value else {
        invalid_argument(format!("{argument} must not be NULL"))
    };
    let chars = value.chars().count();
    if chars == 0 || chars > max_chars as usize {
        invalid_argument(format!(
            "{argument} must be 1 to {max_chars} characters long, not {chars}"
        ));
    }
    value.to_string()
}

/// `value` if it is a row count in 1..=10000; `argument` names it in errors.
#[pg_extern(immutable, parallel_safe, sql = false)]
fn pgmem_checked_limit(value: Option<i32>, argument: &str) -> i32 {
    match value {
        Some(n @ 1..=10_000) => n,
        Some(n) => invalid_argument(format!("{argument} must be between 1 and 10000, not {n}")),
        None => invalid_argument(format!("{argument} must be between 1 and 10000, not NULL")),
    }
}
