//! pgmem's settings (README, "Settings"), registered when the library loads.
use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting, PostgresGucEnum};
use std::ffi::CString;

/// zstd level for new snapshots (1..19).
pub static COMPRESSION_LEVEL: GucSetting<i32> = GucSetting::<i32>::new(3);

/// Largest CBOR document a snapshot may hold when it is written, in bytes.
pub static MAX_SNAPSHOT_BYTES: GucSetting<i32> = GucSetting::<i32>::new(64 * 1024 * 1024);

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
    GucRegistry::define_enum_guc(
        c"pgmem.on_missing_tenant",
        c"What episode functions do with a NULL or empty user_id: 'empty' or 'error'.",
        c"'empty' returns no rows (false, 0); 'error' raises 22023. Either way no function \
          reads, returns or deletes another user's episodes.",
        &ON_MISSING_TENANT,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"pgmem.max_episodes_per_user",
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

pub fn compression_level() -> i32 {
    COMPRESSION_LEVEL.get()
}

pub fn max_snapshot_bytes() -> usize {
    MAX_SNAPSHOT_BYTES.get() as usize
}
