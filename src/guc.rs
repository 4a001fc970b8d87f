//! pgmem's settings (README, "Settings"), registered when the library loads.
use pgrx::{pg_sys, GucContext, GucFlags, GucRegistry, GucSetting, PostgresGucEnum};
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};

/// zstd level for new snapshots (1..19).
pub static COMPRESSION_LEVEL: GucSetting<i32> = GucSetting::<i32>::new(3);

/// Id of the trained dictionary new snapshots are compressed with; 0 for none.
pub static COMPRESSION_DICTIONARY: GucSetting<i32> = GucSetting::<i32>::new(0);

/// Largest CBOR document a snapshot may hold when it is written, in bytes.
pub static MAX_SNAPSHOT_BYTES: GucSetting<i32> = GucSetting::<i32>::new(64 * 1024 * 1024);

/// Checkpoints from one keyframe to the next: a chain has at most this many frames.
pub static CHECKPOINT_KEYFRAME_INTERVAL: GucSetting<i32> = GucSetting::<i32>::new(16);

/// Longest keyframe interval: reading a checkpoint applies at most this many deltas.
pub const MAX_KEYFRAME_INTERVAL: i32 = 1000;

/// What episode functions do when `user_id` is NULL or empty.
#[derive(PostgresGucEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum MissingTenant {
    /// Return nothing (no rows, false, 0): fail closed, quietly.
    #[name = c"empty"]
    Empty,
    /// Raise 22023.
    #[name = c"error"]
    Error,
}

pub static ON_MISSING_TENANT: GucSetting<MissingTenant> =
    GucSetting::<MissingTenant>::new(MissingTenant::Empty);

/// Episodes kept per user; 0 keeps all.
pub static MAX_EPISODES_PER_USER: GucSetting<i32> = GucSetting::<i32>::new(0);

/// Whether a role that may not set the episode cap gave it at connection start, before
/// pgmem was loaded. PostgreSQL then keeps that value in place of the database's or
/// role's, refuses it when pgmem defines the setting, and falls back to no cap at all:
/// the cap configured for this session is lost, so storing must fail instead.
static EPISODE_CAP_LOST: AtomicBool = AtomicBool::new(false);

/// The tenant and session the current transaction acts for, under row-level security
/// (`pgmem_row_security`). The policies read them with `current_setting`; defining
/// them documents them, and lets them be set although the `pgmem.` prefix is reserved.
static USER_ID: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);
static SESSION_ID: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(None);

pub fn register() {
    GucRegistry::define_int_guc(
        c"pgmem.compression_level",
        c"zstd compression level of new pgmem snapshots.",
        c"1 is fastest, 19 smallest; values already stored are not affected.",
        &COMPRESSION_LEVEL,
        1,
        19,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pgmem.compression_dictionary",
        c"Id of the pgmem_dictionaries dictionary new pgmem snapshots are compressed with.",
        c"0 compresses without a dictionary; values already stored are not affected.",
        &COMPRESSION_DICTIONARY,
        0,
        i32::MAX,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pgmem.max_snapshot_bytes",
        c"Largest uncompressed (CBOR) size of a pgmem snapshot being written.",
        c"Text and binary input above it fails with SQLSTATE 54000, as does a zstd frame \
          that claims or expands to more; snapshots already stored stay readable.",
        &MAX_SNAPSHOT_BYTES,
        1024,
        pgmem_codec::HARD_MAX_BYTES as i32,
        GucContext::Suset,
        GucFlags::UNIT_BYTE,
    );
    GucRegistry::define_int_guc(
        c"pgmem.checkpoint_keyframe_interval",
        c"Checkpoints from one full snapshot (keyframe) to the next; the others are deltas.",
        c"A checkpoint is stored as a delta against its base unless the chain from the \
          nearest keyframe would grow past this many; 1 stores every checkpoint whole. \
          Checkpoints already stored are not affected.",
        &CHECKPOINT_KEYFRAME_INTERVAL,
        1,
        MAX_KEYFRAME_INTERVAL,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_enum_guc(
        c"pgmem.on_missing_tenant",
        c"What episode functions do with a NULL or empty user_id: 'empty' or 'error'.",
        c"'empty' returns no rows (false, 0); 'error' raises 22023. Either way no function \
          reads, returns or deletes another user's episodes.",
        &ON_MISSING_TENANT,
        GucContext::Userset,
        GucFlags::default(),
    );
    let cap = c"pgmem.max_episodes_per_user";
    EPISODE_CAP_LOST.store(set_by_unprivileged_role(cap), Ordering::Relaxed);
    GucRegistry::define_int_guc(
        cap,
        c"Episodes kept per user; storing more deletes that user's oldest (0: no limit).",
        c"Applied in the same transaction as pgmem_episode_store and pgmem_episode_store_many. \
          Only a superuser sets it (or per role or database, with ALTER ROLE/DATABASE SET), \
          so a caller cannot lift the cap.",
        &MAX_EPISODES_PER_USER,
        0,
        i32::MAX,
        GucContext::Suset,
        GucFlags::default(),
    );
    GucRegistry::define_string_guc(
        c"pgmem.user_id",
        c"The user whose episodes this transaction may see, under pgmem_row_security(true).",
        c"Set it transaction-locally: SELECT set_config('pgmem.user_id', $1, true).",
        &USER_ID,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_string_guc(
        c"pgmem.session_id",
        c"The session whose checkpoints this transaction may see, under pgmem_row_security(true).",
        c"Set it transaction-locally: SELECT set_config('pgmem.session_id', $1, true).",
        &SESSION_ID,
        GucContext::Userset,
        GucFlags::default(),
    );
    // Reject misspelt pgmem.* settings instead of keeping them as placeholders.
    unsafe { pgrx::pg_sys::MarkGUCPrefixReserved(c"pgmem".as_ptr()) };
}

/// Is `name` still a placeholder whose value (the one a reset returns to) was set by a
/// role that is not a superuser? PostgreSQL 15 does not export its GUC records; there,
/// loading pgmem with shared_preload_libraries is the way to refuse such values.
fn set_by_unprivileged_role(name: &CStr) -> bool {
    #[cfg(not(feature = "pg15"))]
    unsafe {
        let record = pg_sys::find_option(name.as_ptr(), false, true, pg_sys::DEBUG1 as i32);
        // No placeholder when pgmem is preloaded, before any session setting exists.
        !record.is_null()
            && pg_sys::IsTransactionState()
            && !pg_sys::superuser_arg((*record).reset_srole)
    }
    #[cfg(feature = "pg15")]
    {
        let _ = name;
        false
    }
}

/// The episode cap of this session, or 42501 when it was lost (see EPISODE_CAP_LOST).
pub fn episode_cap() -> i32 {
    if EPISODE_CAP_LOST.load(Ordering::Relaxed) {
        pgrx::ereport!(
            ERROR,
            pgrx::PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE,
            "pgmem.max_episodes_per_user was given at connection start by a role that may not set it",
            "The cap set for this database or role cannot be applied in this session; connect \
             without that option, or load pgmem with shared_preload_libraries."
        );
    }
    MAX_EPISODES_PER_USER.get()
}

pub fn compression_level() -> i32 {
    COMPRESSION_LEVEL.get()
}

/// The dictionary set by `pgmem.compression_dictionary`, if any.
pub fn compression_dictionary() -> Option<u32> {
    u32::try_from(COMPRESSION_DICTIONARY.get())
        .ok()
        .filter(|&id| id > 0)
}

pub fn keyframe_interval() -> usize {
    CHECKPOINT_KEYFRAME_INTERVAL.get() as usize
}

pub fn max_snapshot_bytes() -> usize {
    MAX_SNAPSHOT_BYTES.get() as usize
}
