//! Checkpoint storage (README, "Checkpoints"; docs/FORMAT.md, "Delta frames"): the
//! frame a save stores, the frame a dependent is re-encoded to when its base goes, and
//! the self-contained snapshot a read returns. Each takes a checkpoint's chain as
//! `pgmem_checkpoint_chain` reads it: ids and frames, keyframe first. The SQL that
//! declares them is `sql/pgmem_checkpoints.sql`.
use crate::chain_cache::{self, Known};
use crate::error::{raise, Source};
use crate::guc;
use crate::snapshot::INTERRUPT;
use pgmem_codec::chain::{self, StepError};
use pgmem_codec::delta::{self, DELTA_HEADER_LEN};
use pgmem_codec::{format, json_in, uncompressed, Error, HARD_MAX_BYTES};
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

    /// Whether the chain starts at a keyframe: then it can be read on its own.
    fn is_whole(&self) -> bool {
        self.frames.first().is_some_and(|f| !delta::is_delta(f))
    }

    /// The document of the last frame, starting from the latest one this backend has;
    /// `visit` sees every document decoded on the way. None when the chain is not whole
    /// and this backend has none of it.
    fn known(&self, visit: impl FnMut(usize, &[u8])) -> Option<Known> {
        let found = chain_cache::find(self.session_id, &self.ids, &self.frames);
        match found {
            Some((i, known)) if i + 1 == self.ids.len() => Some(known),
            None if !self.is_whole() => None,
            found => Some(self.decode(found, visit)),
        }
    }

    /// As `known`, for a chain that must be readable: one that is not whole and that
    /// this backend does not have is damaged (its keyframe is missing).
    fn known_or_fail(&self, visit: impl FnMut(usize, &[u8])) -> Known {
        self.known(visit).unwrap_or_else(|| {
            self.fail(StepError {
                index: 0,
                error: chain::missing_keyframe(),
            })
        })
    }

    /// The document of the last frame, decoded from a known one (else from the
    /// keyframe), and kept for the next save.
    fn decode(&self, start: Option<(usize, Known)>, visit: impl FnMut(usize, &[u8])) -> Known {
        let last = self.ids.len().saturating_sub(1);
        // Exact for a whole chain; from a known document, at most what it was.
        let depth = match &start {
            Some((i, known)) if !self.is_whole() => known.depth + (last - i),
            _ => last,
        };
        let start = start.map(|(i, known)| (i, known.cbor.as_ref().clone()));
        let cbor =
            chain::document(&self.frames, start, visit, INTERRUPT).unwrap_or_else(|e| self.fail(e));
        let known = Known {
            cbor: Rc::new(cbor),
            depth,
        };
        chain_cache::remember(
            self.session_id,
            self.last_id(),
            self.frames.last().copied().unwrap_or_default(),
            known.clone(),
        );
        known
    }

    fn fail(&self, e: StepError) -> ! {
        let detail = match e.error {
            Error::Corrupt(detail) => detail,
            Error::TooLarge { .. } => "a frame claims more than any snapshot may hold".into(),
            error => raise(error, Source::Stored),
        };
        damaged(
            self.session_id,
            self.last_id(),
            self.ids.get(e.index).copied().unwrap_or_default(),
            &detail,
        )
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

/// The frame to store for a new checkpoint `checkpoint_id` holding `snapshot`, or the
/// JSON text `document` (encoded once, straight into the frame), and the base it is a
/// delta against (NULL: a keyframe). `chain_ids` and `chain_frames` are the chain of its
/// base (none: no base), or just the base itself: then no row comes back when the base
/// is a delta this backend does not have, and the caller passes the whole chain. A
/// delta, unless the chain already is as long as the keyframe interval, or the delta is
/// no smaller than the keyframe (an unrelated document).
#[pg_extern(stable, parallel_safe, sql = false)]
fn pgmem_checkpoint_encode<'a>(
    session_id: &'a str,
    checkpoint_id: &'a str,
    chain_ids: Option<Array<'a, &'a str>>,
    chain_frames: Option<Array<'a, &'a [u8]>>,
    snapshot: Option<&'a [u8]>,
    document: Option<&'a str>,
) -> TableIterator<'static, (name!(frame, Vec<u8>), name!(base_id, Option<String>))> {
    let chain = Chain::new(session_id, chain_ids.as_ref(), chain_frames.as_ref());
    let base = match chain.ids.is_empty() {
        true => None,
        false => match chain.known(|_, _| {}) {
            Some(base) => Some(base),
            None => return TableIterator::new(std::iter::empty()),
        },
    };
    let cbor = Rc::new(match (snapshot, document) {
        (_, Some(text)) => json_in::to_cbor(text, guc::max_snapshot_bytes(), INTERRUPT)
            .unwrap_or_else(|e| raise(e, Source::Text)),
        (Some(snapshot), None) => format::decompress(snapshot, HARD_MAX_BYTES, INTERRUPT)
            .unwrap_or_else(|e| raise(e, Source::Stored)),
        (None, None) => crate::error::invalid_argument("snapshot must not be NULL".into()),
    });
    let delta = base
        .filter(|b| b.depth + 1 < guc::keyframe_interval())
        .map(|b| {
            let frame = delta::encode(&cbor, &b.cbor, level(), INTERRUPT)
                .unwrap_or_else(|e| raise(e, Source::Text));
            (frame, Some(chain.last_id().to_string()), b.depth + 1)
        });
    let stored = match delta {
        // A delta under an eighth of the document is kept without making the keyframe
        // to compare (zstd rarely compresses agent state that far on its own).
        Some(delta) if delta.0.len() * 8 <= cbor.len() => delta,
        delta => {
            let whole = keyframe(snapshot.filter(|_| document.is_none()), &cbor);
            match delta {
                Some(delta) if delta.0.len() < whole.len() => delta,
                _ => (whole, None, 0),
            }
        }
    };
    let known = Known {
        cbor,
        depth: stored.2,
    };
    chain_cache::remember(session_id, checkpoint_id, &stored.0, known);
    TableIterator::once((stored.0, stored.1))
}

/// A checkpoint as a keyframe: the snapshot as it is, unless there is none (JSON text
/// was given) or it was stored uncompressed (a checkpoint read back and saved again).
fn keyframe(snapshot: Option<&[u8]>, cbor: &[u8]) -> Vec<u8> {
    match snapshot {
        Some(snapshot) if snapshot.len() < cbor.len() => snapshot.to_vec(),
        _ => crate::dictionary::compress(cbor).unwrap_or_else(|e| raise(e, Source::Stored)),
    }
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
    let whole = chain.known_or_fail(|i, doc| {
        if Some(i) == base {
            base_cbor = Some(doc.to_vec());
        }
    });
    let (frame, base_id, depth) = match base {
        Some(i) => {
            // Unless it was decoded on the way, the base is read on its own.
            let base_cbor = base_cbor.map(Rc::new).unwrap_or_else(|| {
                let base_chain = Chain {
                    session_id,
                    ids: chain.ids[..=i].to_vec(),
                    frames: chain.frames[..=i].to_vec(),
                };
                base_chain.known_or_fail(|_, _| {}).cbor
            });
            (
                delta::encode(&whole.cbor, &base_cbor, level(), INTERRUPT),
                Some(chain.ids[i].to_string()),
                stays.len(),
            )
        }
        None => (crate::dictionary::compress(&whole.cbor), None, 0),
    };
    let frame = frame.unwrap_or_else(|e| raise(e, Source::Stored));
    let known = Known {
        cbor: whole.cbor,
        depth,
    };
    chain_cache::remember(session_id, chain.last_id(), &frame, known);
    TableIterator::once((frame, base_id))
}

/// The checkpoint at the end of a chain as a self-contained snapshot: a keyframe as it
/// is stored, a delta's document rebuilt and returned uncompressed (cheaper to make
/// and to read than compressing it again; docs/FORMAT.md). The rebuild starts from the
/// latest document of the chain this backend has (found only by the exact bytes of its
/// frame, so it is that frame's document), else from the keyframe; the document is
/// kept for the next read or save. Damage in a frame before the one started from is
/// reported by the reads that decode it.
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
    let known = chain.known_or_fail(|_, _| {});
    uncompressed::store(&known.cbor, INTERRUPT).unwrap_or_else(|e| raise(e, Source::Stored))
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
