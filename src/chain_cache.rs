//! The documents of checkpoints this backend wrote or read last, so that saving the
//! next turn of a session does not read its base's chain again. An entry is found
//! only by the exact bytes of the checkpoint's stored frame: a keyframe's bytes fix
//! its document, and a delta frame's name its base by length and hash, so an entry
//! can never stand for other data, whatever was rolled back or rewritten since.
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// Bytes of documents kept per backend; the oldest entries go first.
const MAX_BYTES: usize = 8 << 20;

/// A checkpoint's document, and how many deltas its chain had when it was kept: the
/// chain may have become shorter since (a base deleted), never longer.
#[derive(Clone)]
pub struct Known {
    pub cbor: Rc<Vec<u8>>,
    pub depth: usize,
}

struct Entry {
    frame: Vec<u8>,
    known: Known,
    stamp: u64,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<(String, String), Entry>,
    /// Keys in the order they were kept, with the stamp they were kept under.
    order: VecDeque<((String, String), u64)>,
    bytes: usize,
    stamp: u64,
}

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

fn with<T>(f: impl FnOnce(&mut Cache) -> T) -> T {
    CACHE.with(|cell| f(cell.borrow_mut().get_or_insert_with(Cache::default)))
}

fn key(session_id: &str, checkpoint_id: &str) -> (String, String) {
    (session_id.to_owned(), checkpoint_id.to_owned())
}

/// The last of `ids` whose frame is kept, with its index.
pub fn find(session_id: &str, ids: &[&str], frames: &[&[u8]]) -> Option<(usize, Known)> {
    with(|cache| {
        (0..ids.len()).rev().find_map(|i| {
            cache
                .entries
                .get(&key(session_id, ids[i]))
                .filter(|e| e.frame == frames[i])
                .map(|e| (i, e.known.clone()))
        })
    })
}

/// Keep the document of a checkpoint stored as `frame`, replacing what was kept for it.
pub fn remember(session_id: &str, checkpoint_id: &str, frame: &[u8], known: Known) {
    let size = frame.len() + known.cbor.len();
    with(|cache| {
        let k = key(session_id, checkpoint_id);
        if let Some(old) = cache.entries.remove(&k) {
            cache.bytes -= old.frame.len() + old.known.cbor.len();
        }
        if size > MAX_BYTES / 4 {
            return;
        }
        while cache.bytes + size > MAX_BYTES {
            let Some((oldest, stamp)) = cache.order.pop_front() else {
                break;
            };
            if cache.entries.get(&oldest).is_some_and(|e| e.stamp == stamp) {
                let gone = cache.entries.remove(&oldest).expect("entry just seen");
                cache.bytes -= gone.frame.len() + gone.known.cbor.len();
            }
        }
        cache.stamp += 1;
        let stamp = cache.stamp;
        // Keys replaced since they were queued are skipped when they reach the front;
        // the queue is rebuilt when such leftovers outnumber the entries.
        if cache.order.len() > 2 * cache.entries.len() + 64 {
            let live = &cache.entries;
            cache
                .order
                .retain(|(k, s)| live.get(k).is_some_and(|e| e.stamp == *s));
        }
        cache.order.push_back((k.clone(), stamp));
        cache.bytes += size;
        cache.entries.insert(
            k,
            Entry {
                frame: frame.to_vec(),
                known,
                stamp,
            },
        );
    });
}
