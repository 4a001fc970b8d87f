//! The `pgmem_snapshot` type: input/output, binary send/receive, the casts to and
//! from json/jsonb, and the size helpers. Each is a thin call into `pgmem_codec`;
//! the SQL that declares them is `sql/pgmem_snapshot.sql`. The functions that make a
//! snapshot are stable, not immutable: their result depends on pgmem.compression_level
//! and pgmem.max_snapshot_bytes, as timestamptz_in's depends on TimeZone.
use crate::error::{raise, Source};
use crate::guc;
use pgmem_codec::format::{raw_len, HEADER_LEN};
use pgrx::fcinfo::pg_getarg_datum_raw;
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena, Internal, PgSqlErrorCode};
use std::ffi::{CStr, CString};

/// PostgreSQL's interrupt check, between steps of every long conversion: a pending
/// cancel or statement timeout raises its error here.
fn check_for_interrupts() -> pgmem_codec::Result<()> {
    pgrx::check_for_interrupts!();
    Ok(())
}

pub(crate) const INTERRUPT: pgmem_codec::Interrupt = &check_for_interrupts;

fn encode(json: &str) -> Vec<u8> {
    pgmem_codec::json_in::to_cbor(json, guc::max_snapshot_bytes(), INTERRUPT)
        .and_then(|cbor| crate::dictionary::compress(&cbor))
        .unwrap_or_else(|e| raise(e, Source::Text))
}

fn decode(stored: &[u8]) -> Vec<u8> {
    pgmem_codec::decode(stored, INTERRUPT).unwrap_or_else(|e| raise(e, Source::Stored))
}

fn decode_cstring(stored: &[u8]) -> CString {
    let mut json = decode(stored);
    json.push(0);
    // Control characters, NUL included, are always escaped in the JSON text.
    CString::from_vec_with_nul(json).unwrap_or_else(|_| {
        raise(
            pgmem_codec::Error::Corrupt("JSON text holds a NUL byte".into()),
            Source::Stored,
        )
    })
}

pub(crate) fn utf8(text: &[u8]) -> &str {
    std::str::from_utf8(text).unwrap_or_else(|_| {
        ereport!(
            ERROR,
            PgSqlErrorCode::ERRCODE_CHARACTER_NOT_IN_REPERTOIRE,
            "pgmem_snapshot input is not valid UTF-8"
        );
    })
}

#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_in(input: &CStr) -> Vec<u8> {
    encode(utf8(input.to_bytes()))
}

#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_out(value: &[u8]) -> CString {
    decode_cstring(value)
}

/// Binary input is the stored format itself, checked in full before it is kept.
#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_recv(mut internal: Internal) -> Internal {
    let Some(buf) = (unsafe { internal.get_mut::<pg_sys::StringInfoData>() }) else {
        raise(
            pgmem_codec::Error::Corrupt("no input buffer".into()),
            Source::Binary,
        )
    };
    let (start, end) = (buf.cursor as usize, buf.len as usize);
    let bytes =
        unsafe { std::slice::from_raw_parts(buf.data.cast::<u8>().add(start), end - start) };
    pgmem_codec::validate(bytes, guc::max_snapshot_bytes(), INTERRUPT)
        .unwrap_or_else(|e| raise(e, Source::Binary));
    buf.cursor = buf.len;
    let value = varlena::rust_byte_slice_to_bytea(bytes);
    Internal::from(Some(pg_sys::Datum::from(value.into_pg())))
}

/// The stored bytes, copied once (as `byteasend` does: callers such as `array_send`
/// free what a send function returns). A value compressed with a dictionary goes out
/// compressed without one: the binary format a client reads is self-contained.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_send(fcinfo: pg_sys::FunctionCallInfo) -> Internal {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let copy = unsafe { pg_sys::pg_detoast_datum_copy(datum.cast_mut_ptr()) };
    let stored = unsafe { varlena::varlena_to_byte_slice(copy) };
    if pgmem_codec::dictionary::id_in(stored).is_none() {
        return Internal::from(Some(pg_sys::Datum::from(copy)));
    }
    let plain = pgmem_codec::format::decompress(stored, pgmem_codec::HARD_MAX_BYTES, INTERRUPT)
        .and_then(|cbor| pgmem_codec::format::compress(&cbor, guc::compression_level(), INTERRUPT))
        .unwrap_or_else(|e| raise(e, Source::Stored));
    let value = varlena::rust_byte_slice_to_bytea(&plain);
    Internal::from(Some(pg_sys::Datum::from(value.into_pg())))
}

#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_from_json(json: &str) -> Vec<u8> {
    encode(json)
}

#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_from_jsonb(fcinfo: pg_sys::FunctionCallInfo) -> Vec<u8> {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let jsonb = unsafe { pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) }.cast();
    crate::jsonb::to_cbor(jsonb, guc::max_snapshot_bytes(), INTERRUPT)
        .and_then(|cbor| crate::dictionary::compress(&cbor))
        .unwrap_or_else(|e| raise(e, Source::Text))
}

/// json is text inside: the UTF-8 JSON bytes go out as a varlena without another check.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_to_json(value: &[u8]) -> Vec<u8> {
    decode(value)
}

#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_to_jsonb(value: &[u8]) -> Internal {
    let cbor = pgmem_codec::format::decompress(value, pgmem_codec::HARD_MAX_BYTES, INTERRUPT)
        .unwrap_or_else(|e| raise(e, Source::Stored));
    let jsonb =
        crate::jsonb::from_cbor(&cbor, INTERRUPT).unwrap_or_else(|e| raise(e, Source::Stored));
    Internal::from(Some(pg_sys::Datum::from(jsonb)))
}

/// The CBOR size from the header alone: only the first bytes of a toasted value are
/// fetched, which is why snapshots are stored uncompressed by TOAST (`external`).
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_raw_size(fcinfo: pg_sys::FunctionCallInfo) -> i32 {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let header = unsafe {
        let slice = pg_sys::pg_detoast_datum_slice(datum.cast_mut_ptr(), 0, HEADER_LEN as i32);
        varlena::varlena_to_byte_slice(slice)
    };
    let raw = raw_len(header).unwrap_or_else(|e| raise(e, Source::Stored));
    i32::try_from(raw).unwrap_or(i32::MAX)
}

/// Bytes of the value as stored (header and zstd frame), read from the varlena or
/// TOAST pointer header without fetching the value.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_stored_size(fcinfo: pg_sys::FunctionCallInfo) -> i32 {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let size = unsafe { pg_sys::toast_raw_datum_size(datum) } - pg_sys::VARHDRSZ;
    i32::try_from(size).unwrap_or(i32::MAX)
}
