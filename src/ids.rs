//! Generated identifiers: UUIDv7 (RFC 9562), time-ordered, so generated checkpoint
//! ids sort by creation time. PostgreSQL 16 has no built-in generator.
use pgrx::prelude::*;

#[pg_extern(volatile, parallel_safe, sql = false)]
fn pgmem_uuidv7() -> pgrx::Uuid {
    pgrx::Uuid::from_bytes(*uuid::Uuid::now_v7().as_bytes())
}
