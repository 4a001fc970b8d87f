//! Tenant scoping for episodic memory, failing closed: a missing user_id never
//! matches anyone's rows.
use crate::error::invalid_argument;
use crate::guc::{MissingTenant, ON_MISSING_TENANT};
use crate::limits::MAX_OWNER_ID_CHARS;
use pgrx::prelude::*;

/// `user_id` when it names a user. NULL or empty gives NULL (which matches no row) or
/// raises 22023, as `pgmem.on_missing_tenant` says; too long raises 22023.
#[pg_extern(stable, parallel_safe, sql = false)]
fn pgmem_tenant(user_id: Option<&str>) -> Option<String> {
    match user_id {
        None | Some("") => match ON_MISSING_TENANT.get() {
            MissingTenant::Empty => None,
            MissingTenant::Error => invalid_argument(
                "user_id must not be NULL or empty (pgmem.on_missing_tenant = error)".into(),
            ),
        },
        Some(id) if id.chars().count() > MAX_OWNER_ID_CHARS => invalid_argument(format!(
            "user_id must be 1 to {MAX_OWNER_ID_CHARS} characters long, not {}",
            id.chars().count()
        )),
        Some(id) => Some(id.to_string()),
    }
}

/// The number of episodes kept per user in this session (0: all). Refuses with 42501
/// when a role gave the setting at connection start that it may not set.
#[pg_extern(stable, parallel_safe, sql = false)]
fn pgmem_episode_cap() -> i32 {
    crate::guc::episode_cap()
}
