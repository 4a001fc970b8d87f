//! pgmem: durable memory for AI agents inside PostgreSQL.
//!
//! The snapshot format lives in the pgrx-free `pgmem-codec` crate; this crate only
//! adapts it to PostgreSQL: the `pgmem_snapshot` type, its casts, the GUCs and the
//! mapping of codec errors to SQLSTATEs. The SQL objects are declared by hand in
//! `sql/`, so that their definitions read exactly as a user sees them in `\df+`.
use pgrx::prelude::*;

mod args;
mod chain_cache;
mod checkpoint;
mod dictionary;
mod error;
mod guc;
mod ids;
mod jsonb;
mod limits;
mod search;
mod snapshot;
mod tenant;

::pgrx::pg_module_magic!(name, version);

::pgrx::extension_sql_file!(
    "../sql/pgmem_snapshot.sql",
    name = "pgmem_snapshot",
    bootstrap
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_helpers.sql",
    name = "pgmem_helpers",
    requires = ["pgmem_snapshot"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_checkpoints.sql",
    name = "pgmem_checkpoints",
    requires = ["pgmem_helpers"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_checkpoint_writes.sql",
    name = "pgmem_checkpoint_writes",
    requires = ["pgmem_checkpoints"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_checkpoint_sessions.sql",
    name = "pgmem_checkpoint_sessions",
    requires = ["pgmem_checkpoint_writes"]
);
// After the checkpoints, though it needs only the helpers: a fixed order keeps the
// generated install script the same from build to build.
::pgrx::extension_sql_file!(
    "../sql/pgmem_search.sql",
    name = "pgmem_search",
    requires = ["pgmem_helpers", "pgmem_checkpoint_sessions"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_episodes.sql",
    name = "pgmem_episodes",
    requires = ["pgmem_search"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_episode_stats.sql",
    name = "pgmem_episode_stats",
    requires = ["pgmem_episodes"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_episode_search.sql",
    name = "pgmem_episode_search",
    requires = ["pgmem_episode_stats"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_row_security.sql",
    name = "pgmem_row_security",
    requires = ["pgmem_episode_search"]
);
::pgrx::extension_sql_file!(
    "../sql/pgmem_dictionaries.sql",
    name = "pgmem_dictionaries",
    requires = ["pgmem_row_security"]
);
// The documentation of every object, once they all exist.
::pgrx::extension_sql_file!(
    "../sql/pgmem_comments.sql",
    name = "pgmem_comments",
    requires = ["pgmem_dictionaries"]
);

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    guc::register();
    dictionary::register();
}

#[cfg(any(test, feature = "pg_test"))]
mod pg_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
