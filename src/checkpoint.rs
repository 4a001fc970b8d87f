//! Checkpoint storage (README, "Checkpoints"; docs/FORMAT.md, "Delta frames"): the
//! frame a save stores, the frame a dependent is re-encoded to when its base goes, and
//! the self-contained snapshot a read returns. Each takes a checkpoint's chain as
//! `pgmem_checkpoint_chain` reads it: ids and frames, keyframe first. The SQL that
//! declares them is `sql/pgmem_checkpoints.sql`.
use crate::chain_cache;
use crate::error::{raise, Source};
use crate::guc;
use crate::snapshot::INTERRUPT;
use pgmem_codec::chain::{self, StepError};
use pgmem_codec::delta::{self, DELTA_HEADER_LEN};
use pgmem_codec::{format, uncompressed, Error, HARD_MAX_BYTES};
use pgrx::fcinfo::pg_getarg_datum_raw;
use pgrx::prelude::*;
use pgrx::{pg_sys, varlena, PgSqlErrorCode};
use std::rc::Rc;

/// A chain as SQL passes it: two arrays of one length, no NULLs.
struct Chain<'a> {
    session_id: &'a str,
    ids: Vec<&'a str>,
    frames: Vec<&'a [u8]>,
}

impl<'a> Chain<'a> {
    fn new<'d: 'a>(
        session_id: &'a str,
        ids: Option<&'a Array<'d, &'d str>>,
        frames: Option<&'a Array<'d, &'d [u8]>>,
    ) -> Self {
        let ids: Vec<_> = ids.map_or(vec![], |a| {
            a.iter().map(Option::unwrap_or_default).collect()
        });
        let frames: Vec<_> = frames.map_or(vec![], |a| {
            a.iter().map(Option::unwrap_or_default).collect()
        });
        if ids.len() != frames.len() {
            damaged(
                session_id,
                ids.last().copied().unwrap_or(""),
                "",
                "its chain is incomplete",
            );
        }
        Chain {
            session_id,
            ids,
            frames,
        }
    }

    fn last_id(&self) -> &'a str {
        self.ids.last().copied().unwrap_or_default()
    }

    /// The document of the last frame, starting from the latest one this backend has;
    /// `visit` sees every document decoded on the way.
    fn document(&self, visit: impl FnMut(usize, &[u8])) -> Rc<Vec<u8>> {
        let known = chain_cache::find(self.session_id, &self.ids, &self.frames);
        if let Some((i, cbor)) = &known {
            if *i + 1 == self.ids.len() {
                return Rc::clone(cbor);
            }
        }
        self.decode(known.map(|(i, cbor)| (i, cbor.as_ref().clone())), visit)
    }

    /// The document of the last frame, decoded from `start` (else from the keyframe),
    /// and kept for the next save.
    fn decode(
        &self,
        start: Option<(usize, Vec<u8>)>,
        visit: impl FnMut(usize, &[u8]),
    ) -> Rc<Vec<u8>> {
        let cbor =
            chain::document(&self.frames, start, visit, INTERRUPT).unwrap_or_else(|e| self.fail(e));
        let cbor = Rc::new(cbor);
        chain_cache::remember(
            self.session_id,
            self.last_id(),
            self.frames.last().copied().unwrap_or_default(),
            Rc::clone(&cbor),
        );
        cbor
    }

    fn fail(&self, e: StepError) -> ! {
        match e.error {
            Error::Corrupt(detail) => damaged(
                self.session_id,
                self.last_id(),
                self.ids.get(e.index).copied().unwrap_or_default(),
                &detail,
            ),
            Error::TooLarge { .. } => damaged(
                self.session_id,
                self.last_id(),
                self.ids.get(e.index).copied().unwrap_or_default(),
                "a frame claims more than any snapshot may hold",
            ),
            error => raise(error, Source::Stored),
        }
    }
}

/// XX001 naming the checkpoint that cannot be read and the frame of its chain at fault.
fn damaged(session_id: &str, checkpoint_id: &str, at: &str, detail: &str) -> ! {
    let whose = if at == checkpoint_id || at.is_empty() {
        "its own stored frame".to_string()
    } else {
        format!("the stored frame of its base checkpoint \"{at}\"")
    };
    ereport!(
        ERROR,
        PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
        format!(
            "checkpoint \"{checkpoint_id}\" of session \"{session_id}\" cannot be read: {whose} is damaged"
        ),
        detail.to_string()
    );
}

fn level() -> i32 {
    guc::compression_level()
}

/// The frame to store for a new checkpoint `checkpoint_id` holding `snapshot`, whose
/// base has the chain given (none: no base). A delta against the base, unless the
/// chain is already as long as the keyframe interval, or the delta is no smaller than
/// the snapshot (an unrelated document): then the snapshot itself, a keyframe.
#[pg_extern(stable, parallel_safe, sql = false)]
fn pgmem_checkpoint_encode<'a>(
    session_id: &'a str,
    checkpoint_id: &'a str,
    chain_ids: Option<Array<'a, &'a str>>,
    chain_frames: Option<Array<'a, &'a [u8]>>,
    snapshot: &'a [u8],
) -> TableIterator<'static, (name!(frame, Vec<u8>), name!(base_id, Option<String>))> {
    let chain = Chain::new(session_id, chain_ids.as_ref(), chain_frames.as_ref());
    let cbor = Rc::new(
        format::decompress(snapshot, HARD_MAX_BYTES, INTERRUPT)
            .unwrap_or_else(|e| raise(e, Source::Stored)),
    );
    let mut stored = (keyframe(snapshot, &cbor), None);
    if !chain.ids.is_empty() && chain.ids.len() < guc::keyframe_interval() {
        let base = chain.document(|_, _| {});
        let frame = delta::encode(&cbor, &base, level(), INTERRUPT)
            .unwrap_or_else(|e| raise(e, Source::Text));
        if frame.len() < snapshot.len() {
            stored = (frame, Some(chain.last_id().to_string()));
        }
    }
    chain_cache::remember(session_id, checkpoint_id, &stored.0, cbor);
    TableIterator::once(stored)
}

/// A snapshot as a keyframe: as it is, unless it was stored uncompressed (a checkpoint
/// read back and saved again), which is compressed now.
fn keyframe(snapshot: &[u8], cbor: &[u8]) -> Vec<u8> {
    if snapshot.len() < cbor.len() {
        return snapshot.to_vec();
    }
    format::compress(cbor, level(), INTERRUPT).unwrap_or_else(|e| raise(e, Source::Stored))
}

/// The frame the last checkpoint of a chain is stored as once the checkpoints in
/// `removed` are gone: a delta against the nearest checkpoint before it that stays, or a
/// keyframe when none does or the chain would be longer than the keyframe interval.
#[pg_extern(stable, strict, parallel_safe, sql = false)]
fn pgmem_checkpoint_rebase<'a>(
    session_id: &'a str,
    chain_ids: Array<'a, &'a str>,
    chain_frames: Array<'a, &'a [u8]>,
    removed: Array<'a, &'a str>,
) -> TableIterator<'static, (name!(frame, Vec<u8>), name!(base_id, Option<String>))> {
    let chain = Chain::new(session_id, Some(&chain_ids), Some(&chain_frames));
    let removed: Vec<&str> = removed.iter().flatten().collect();
    let last = chain.ids.len().saturating_sub(1);
    let stays: Vec<usize> = (0..last)
        .filter(|&i| !removed.contains(&chain.ids[i]))
        .collect();
    let base = stays
        .last()
        .copied()
        .filter(|_| stays.len() < guc::keyframe_interval());
    let mut base_cbor = None;
    let cbor = chain.document(|i, doc| {
        if Some(i) == base {
            base_cbor = Some(doc.to_vec());
        }
    });
    let stored = match (base, base_cbor) {
        (Some(i), Some(base_cbor)) => (
            delta::encode(&cbor, &base_cbor, level(), INTERRUPT),
            Some(chain.ids[i].to_string()),
        ),
        // The base was this backend's last-known document: read it on its own.
        (Some(i), None) => {
            let base_chain = Chain {
                session_id,
                ids: chain.ids[..=i].to_vec(),
                frames: chain.frames[..=i].to_vec(),
            };
            let base_cbor = base_chain.document(|_, _| {});
            (
                delta::encode(&cbor, &base_cbor, level(), INTERRUPT),
                Some(chain.ids[i].to_string()),
            )
        }
        (None, _) => (format::compress(&cbor, level(), INTERRUPT), None),
    };
    let frame = stored.0.unwrap_or_else(|e| raise(e, Source::Stored));
    chain_cache::remember(session_id, chain.last_id(), &frame, cbor);
    TableIterator::once((frame, stored.1))
}

/// The checkpoint at the end of a chain as a self-contained snapshot: a keyframe as it
/// is stored, a delta's document rebuilt and returned uncompressed (cheaper to make
/// and to read than compressing it again; docs/FORMAT.md). Reads always decode the
/// whole chain, so that damage anywhere in it is reported; the document is kept for
/// a save that follows.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_checkpoint_snapshot<'a>(
    session_id: &'a str,
    chain_ids: Array<'a, &'a str>,
    chain_frames: Array<'a, &'a [u8]>,
) -> Vec<u8> {
    let chain = Chain::new(session_id, Some(&chain_ids), Some(&chain_frames));
    if let [keyframe] = chain.frames[..] {
        if let Err(e) = format::raw_len(keyframe) {
            chain.fail(StepError { index: 0, error: e });
        }
        return keyframe.to_vec();
    }
    let cbor = chain.decode(None, |_, _| {});
    uncompressed::store(&cbor, INTERRUPT).unwrap_or_else(|e| raise(e, Source::Stored))
}

/// The CBOR size of the checkpoint a frame holds, from its header: only the first bytes
/// of a toasted frame are fetched.
#[pg_extern(immutable, strict, parallel_safe, sql = false)]
fn pgmem_frame_raw_size(fcinfo: pg_sys::FunctionCallInfo) -> i64 {
    let datum = unsafe { pg_getarg_datum_raw(fcinfo, 0) };
    let header = unsafe {
        let slice =
            pg_sys::pg_detoast_datum_slice(datum.cast_mut_ptr(), 0, DELTA_HEADER_LEN as i32);
        varlena::varlena_to_byte_slice(slice)
    };
    let raw = delta::frame_raw_len(header).unwrap_or_else(|e| raise(e, Source::Stored));
    i64::from(raw)
}
