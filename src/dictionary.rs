//! Compression dictionaries (README, "Compression dictionaries"): found by id in
//! `pgmem_dictionaries` and kept for the backend's life. A dictionary's bytes never
//! change under its id (the id is made from them), so nothing kept goes stale.
use crate::error::{raise, Source};
use crate::guc;
use crate::snapshot::INTERRUPT;
use pgmem_codec::dictionary::{self, Dictionary};
use pgmem_codec::{format, Error};
use pgrx::fcinfo::pg_getarg_datum_raw;
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena, PgSqlErrorCode};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    static KNOWN: RefCell<HashMap<u32, Rc<Dictionary>>> = RefCell::new(HashMap::new());
}

pub fn register() {
    dictionary::set_resolver(resolve);
}

/// The dictionary `id` names: from memory, else read from its table.
fn resolve(id: u32) -> pgmem_codec::Result<Rc<Dictionary>> {
    if let Some(known) = KNOWN.with(|known| known.borrow().get(&id).cloned()) {
        return Ok(known);
    }
    let bytes = read(id).ok_or(Error::MissingDictionary(id))?;
    let dictionary = Rc::new(Dictionary::new(id, bytes)?);
    KNOWN.with(|known| known.borrow_mut().insert(id, dictionary.clone()));
    Ok(dictionary)
}

/// A dictionary's bytes, read with the caller's privileges from the table in pgmem's
/// schema (found each time: reads happen once per dictionary and backend).
fn read(id: u32) -> Option<Vec<u8>> {
    Spi::connect(|client| {
        let schema: Option<String> = client
            .select(
                "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e \
                 JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
                 WHERE e.extname = 'pgmem'",
                Some(1),
                &[],
            )?
            .first()
            .get_one()?;
        let Some(schema) = schema else {
            return Ok(None);
        };
        let query = format!("SELECT dictionary FROM {schema}.pgmem_dictionaries WHERE id = $1");
        let found = client.select(&query, Some(1), &[(id as i32).into()])?;
        match found.is_empty() {
            true => Ok(None),
            false => found.first().get_one::<Vec<u8>>(),
        }
    })
    .unwrap_or_else(|e| pgrx::error!("could not read pgmem_dictionaries: {e}"))
}

/// The dictionary new values are compressed with (`pgmem.compression_dictionary`).
fn active() -> Option<Rc<Dictionary>> {
    let id = guc::compression_dictionary()?;
    match resolve(id) {
        Ok(dictionary) => Some(dictionary),
        Err(Error::MissingDictionary(_)) => {
            ereport!(
                ERROR,
                PgSqlErrorCode::ERRCODE_UNDEFINED_OBJECT,
                format!("pgmem.compression_dictionary is {id}, which is not in pgmem_dictionaries"),
                "Set it to an id pgmem_dictionary_train returned, or to 0 for none."
            );
        }
        Err(e) => raise(e, Source::Stored),
    }
}

/// The stored bytes of a new value holding `cbor`: with the active dictionary, if
/// one is set, at `pgmem.compression_level`.
pub fn compress(cbor: &[u8]) -> pgmem_codec::Result<Vec<u8>> {
    let level = guc::compression_level();
    match active() {
        Some(dictionary) => dictionary::compress(cbor, level, &dictionary, INTERRUPT),
        None => format::compress(cbor, level, INTERRUPT),
    }
}

/// A dictionary trained from snapshots, at most `max_bytes` long.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_dictionary_build(samples: Array<&[u8]>, max_bytes: i32) -> Vec<u8> {
    let (mut all, mut sizes) = (Vec::new(), Vec::new());
    for sample in samples.iter().flatten() {
        let cbor = format::decompress(sample, pgmem_codec::HARD_MAX_BYTES, INTERRUPT)
            .unwrap_or_else(|e| raise(e, Source::Stored));
        if all.len() + cbor.len() > MAX_SAMPLE_BYTES {
            crate::error::invalid_argument(format!(
                "samples hold more than {MAX_SAMPLE_BYTES} bytes of documents; train from fewer"
            ));
        }
        all.extend_from_slice(&cbor);
        sizes.push(cbor.len());
    }
    let max_bytes = usize::try_from(max_bytes).unwrap_or(0);
    dictionary::train(&all, &sizes, max_bytes).unwrap_or_else(|e| raise(e, Source::Text))
}

/// Documents a training may read: zstd's trainer works in memory a few times their
/// size and cannot be interrupted, so this bounds both.
const MAX_SAMPLE_BYTES: usize = 256 * 1024 * 1024;

/// The id `pgmem_dictionaries` keeps a dictionary's bytes under.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_dictionary_id(dictionary: &[u8]) -> i32 {
    dictionary::id_of(dictionary) as i32
}

/// The id of the dictionary a snapshot was compressed with, NULL for one without;
/// only the header of a toasted value is fetched.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_snapshot_dictionary(fcinfo: pg_sys::FunctionCallInfo) -> Option<i32> {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let header = unsafe {
        let len = dictionary::DICTIONARY_HEADER_LEN as i32;
        let slice = pg_sys::pg_detoast_datum_slice(datum.cast_mut_ptr(), 0, len);
        varlena::varlena_to_byte_slice(slice)
    };
    format::raw_len(header).unwrap_or_else(|e| raise(e, Source::Stored));
    dictionary::id_in(header).map(|id| id as i32)
}
