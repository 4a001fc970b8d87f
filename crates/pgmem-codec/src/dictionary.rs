//! Trained compression dictionaries (docs/FORMAT.md, "Dictionary frames"): a value
//! compressed with one names it by id in its header, and decodes wherever that
//! dictionary is known.
//!
//! ```text
//! 0..3   magic "PGM"   3  format version (1)   4  codec (3 = zstd CBOR with a dictionary)
//! 5..9   CBOR length, unsigned 32-bit big-endian
//! 9..13  dictionary id, unsigned 32-bit big-endian
//! 13..   one zstd frame, compressed with that dictionary
//! ```
//!
//! A dictionary's id is derived from its bytes ([`id_of`]), so a value can only ever
//! name the dictionary it was compressed with: a database that lacks it reports it
//! missing rather than decoding with another one. The host finds dictionaries by id
//! through the resolver it registers ([`set_resolver`]).
use crate::error::{corrupt, Error, Result};
use crate::format::{self, HEADER_LEN};
use crate::Interrupt;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;
use twox_hash::XxHash3_64;
use zstd::zstd_safe::{self, CCtx, CDict, CParameter, DDict, ResetDirective};

pub const CODEC_ZSTD_CBOR_DICTIONARY: u8 = 3;
pub const DICTIONARY_HEADER_LEN: usize = HEADER_LEN + 4;

/// Dictionary sizes [`train`] accepts: zstd's own minimum, and a bound on what every
/// backend that reads such values keeps in memory.
pub const MIN_BYTES: usize = 1024;
pub const MAX_BYTES: usize = 1024 * 1024;

/// How a host finds a dictionary by id; [`Error::MissingDictionary`] when it has none.
pub type Resolver = fn(u32) -> Result<Rc<Dictionary>>;

static RESOLVER: OnceLock<Resolver> = OnceLock::new();

thread_local! {
    static COMPRESSOR: RefCell<Option<CCtx<'static>>> = const { RefCell::new(None) };
}

/// Register how dictionaries are found; the first registration stays.
pub fn set_resolver(resolver: Resolver) {
    let _ = RESOLVER.set(resolver);
}

/// The dictionary `id` names, from the registered resolver.
pub(crate) fn resolve(id: u32) -> Result<Rc<Dictionary>> {
    match RESOLVER.get() {
        Some(resolver) => resolver(id),
        None => Err(Error::MissingDictionary(id)),
    }
}

/// The id of a dictionary's bytes: 31 bits of their XXH3-64 hash, never 0 (so that it
/// fits a SQL integer and 0 can mean "no dictionary").
pub fn id_of(bytes: &[u8]) -> u32 {
    ((XxHash3_64::oneshot(bytes) as u32) & 0x7fff_ffff).max(1)
}

/// A dictionary ready to compress and decompress with.
pub struct Dictionary {
    id: u32,
    bytes: Vec<u8>,
    ddict: DDict<'static>,
    /// Prepared for one compression level at a time, when first compressed with.
    cdict: RefCell<Option<(i32, CDict<'static>)>>,
}

impl Dictionary {
    /// The dictionary of `bytes`, which must be the bytes `id` was derived from.
    pub fn new(id: u32, bytes: Vec<u8>) -> Result<Self> {
        if id_of(&bytes) != id {
            return corrupt(format!(
                "compression dictionary {id} does not hold the bytes its id was made from"
            ));
        }
        // zstd checks a dictionary's tables as it loads them; it fails for no other
        // reason than memory, which a dictionary of at most 1 MB hardly runs out of.
        let ddict = DDict::try_create(&bytes).ok_or_else(|| {
            Error::Corrupt(format!(
                "compression dictionary {id} is not a valid zstd dictionary"
            ))
        })?;
        Ok(Dictionary {
            id,
            bytes,
            ddict,
            cdict: RefCell::new(None),
        })
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    pub(crate) fn ddict(&self) -> &DDict<'static> {
        &self.ddict
    }
}

/// The id a stored value's header names, if it was compressed with a dictionary.
pub fn id_in(stored: &[u8]) -> Option<u32> {
    (stored.len() >= DICTIONARY_HEADER_LEN && stored[4] == CODEC_ZSTD_CBOR_DICTIONARY)
        .then(|| u32::from_be_bytes([stored[9], stored[10], stored[11], stored[12]]))
}

/// Header plus a checksummed zstd frame of `cbor`, compressed at `level` with
/// `dictionary`.
pub fn compress(
    cbor: &[u8],
    level: i32,
    dictionary: &Dictionary,
    interrupt: Interrupt,
) -> Result<Vec<u8>> {
    let id = dictionary.id.to_be_bytes();
    let mut out = format::with_header(cbor, CODEC_ZSTD_CBOR_DICTIONARY, &id)?;
    let mut prepared = dictionary.cdict.borrow_mut();
    if prepared.as_ref().map(|(l, _)| *l) != Some(level) {
        let cdict = CDict::try_create(&dictionary.bytes, level).ok_or(Error::OutOfMemory)?;
        *prepared = Some((level, cdict));
    }
    let (_, cdict) = prepared.as_ref().expect("prepared just above");
    COMPRESSOR.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.is_none() {
            *cached = Some(CCtx::try_create().ok_or(Error::OutOfMemory)?);
        }
        let cctx = format::Cleared(cached.as_mut().expect("compressor was just created"));
        let failed = |_| Error::OutOfMemory;
        cctx.0
            .reset(ResetDirective::SessionAndParameters)
            .map_err(failed)?;
        format::set_parameters(cctx.0, level)?;
        // The header names the dictionary; the frame need not repeat its zstd id.
        cctx.0
            .set_parameter(CParameter::DictIdFlag(false))
            .map_err(failed)?;
        // `Cleared` drops the reference before this call returns or unwinds, and the
        // dictionary outlives the call.
        cctx.0.ref_cdict(cdict).map_err(failed)?;
        format::stream_compress(cctx.0, cbor, &mut out, interrupt)
    })?;
    Ok(out)
}

/// A dictionary of at most `max_bytes` trained from CBOR documents: `samples` holds
/// them one after another, `sizes` their lengths. zstd's trainer cannot be
/// interrupted; its time grows with the samples' total size.
pub fn train(samples: &[u8], sizes: &[usize], max_bytes: usize) -> Result<Vec<u8>> {
    if !(MIN_BYTES..=MAX_BYTES).contains(&max_bytes) {
        return Err(Error::Training(format!(
            "a dictionary's size must be between {MIN_BYTES} and {MAX_BYTES} bytes"
        )));
    }
    let mut dictionary = Vec::new();
    dictionary
        .try_reserve_exact(max_bytes)
        .map_err(|_| Error::OutOfMemory)?;
    match zstd_safe::train_from_buffer(&mut dictionary, samples, sizes) {
        Ok(_) => Ok(dictionary),
        Err(code) => Err(Error::Training(zstd_safe::get_error_name(code).to_string())),
    }
}
