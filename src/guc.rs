//! The settings of SPEC section 2, registered when the library loads.
use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};

/// zstd level for new snapshots (1..19).
pub static COMPRESSION_LEVEL: GucSetting<i32> = GucSetting::<i32>::new(3);

/// Largest CBOR document a snapshot may hold when it is written, in bytes.
pub static MAX_SNAPSHOT_BYTES: GucSetting<i32> = GucSetting::<i32>::new(64 * 1024 * 1024);

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
    // Reject misspelt pgmem.* settings instead of keeping them as placeholders.
    unsafe { pgrx::pg_sys::MarkGUCPrefixReserved(c"pgmem".as_ptr()) };
}

pub fn compression_level() -> i32 {
    COMPRESSION_LEVEL.get()
}

pub fn max_snapshot_bytes() -> usize {
    MAX_SNAPSHOT_BYTES.get() as usize
}
