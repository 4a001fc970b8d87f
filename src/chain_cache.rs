//! The documents of checkpoints this backend wrote or read last, so that saving the
//! next turn of a session does not read its base's chain again. An entry is found
//! only by the exact bytes of the checkpoint's stored frame: a keyframe's bytes fix
//! its document, and a delta frame's name its base by length and hash, so an entry
//! can never stand for other data, whatever was rolled back or rewritten since.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Bytes of documents kept per backend; the oldest entries go first.
const MAX_BYTES: usize = 8 << 20;

struct Entry {
    session_id: String,
    checkpoint_id: String,
    frame: Vec<u8>,
    cbor: Rc<Vec<u8>>,
}

thread_local! {
    static ENTRIES: RefCell<VecDeque<Entry>> = const { RefCell::new(VecDeque::new()) };
}

/// The last of `ids` whose frame is cached, with its index and document.
pub fn find(session_id: &str, ids: &[&str], frames: &[&[u8]]) -> Option<(usize, Rc<Vec<u8>>)> {
    ENTRIES.with(|cell| {
        let entries = cell.borrow();
        (0..ids.len()).rev().find_map(|i| {
            entries
                .iter()
                .find(|e| {
                    e.checkpoint_id == ids[i] && e.session_id == session_id && e.frame == frames[i]
                })
                .map(|e| (i, Rc::clone(&e.cbor)))
        })
    })
}

/// Keep the document of a checkpoint stored as `frame`, replacing what was kept for it.
pub fn remember(session_id: &str, checkpoint_id: &str, frame: &[u8], cbor: Rc<Vec<u8>>) {
    let size = frame.len() + cbor.len();
    ENTRIES.with(|cell| {
        let mut entries = cell.borrow_mut();
        entries.retain(|e| !(e.checkpoint_id == checkpoint_id && e.session_id == session_id));
        if size > MAX_BYTES / 4 {
            return;
        }
        let mut total: usize = entries.iter().map(|e| e.frame.len() + e.cbor.len()).sum();
        while total + size > MAX_BYTES {
            let Some(old) = entries.pop_front() else {
                break;
            };
            total -= old.frame.len() + old.cbor.len();
        }
        entries.push_back(Entry {
            session_id: session_id.to_owned(),
            checkpoint_id: checkpoint_id.to_owned(),
            frame: frame.to_vec(),
            cbor,
        });
    });
}
