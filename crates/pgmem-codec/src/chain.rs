//! A checkpoint's chain: its keyframe, then each delta frame down to the checkpoint.
//! Every step's document is the base of the next.
use crate::error::{Error, Result};
use crate::{delta, format, Interrupt, HARD_MAX_BYTES};

/// A step of a chain that could not be read: its index, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct StepError {
    pub index: usize,
    pub error: Error,
}

/// The CBOR document of the last of `frames` (keyframe first). `known` is the document
/// of one of the frames if the caller already has it, to start from. `visit` sees each
/// document decoded on the way, with its index.
pub fn document(
    frames: &[&[u8]],
    known: Option<(usize, Vec<u8>)>,
    mut visit: impl FnMut(usize, &[u8]),
    interrupt: Interrupt,
) -> std::result::Result<Vec<u8>, StepError> {
    let fail = |index| move |error| StepError { index, error };
    let (start, mut current) = match known {
        Some((index, cbor)) => (index, cbor),
        None => {
            let first = frames.first().ok_or(StepError {
                index: 0,
                error: Error::Corrupt("a chain has at least one frame".into()),
            })?;
            let cbor = keyframe(first, interrupt).map_err(fail(0))?;
            visit(0, &cbor);
            (0, cbor)
        }
    };
    for (index, frame) in frames.iter().enumerate().skip(start + 1) {
        if !delta::is_delta(frame) {
            return Err(fail(index)(Error::Corrupt(
                "a checkpoint with a base holds a keyframe, not a delta frame".into(),
            )));
        }
        current = delta::decode(frame, &current, HARD_MAX_BYTES, interrupt).map_err(fail(index))?;
        visit(index, &current);
    }
    Ok(current)
}

/// The document of a keyframe, the first frame of every chain.
fn keyframe(frame: &[u8], interrupt: Interrupt) -> Result<Vec<u8>> {
    if delta::is_delta(frame) {
        return Err(missing_keyframe());
    }
    format::decompress(frame, HARD_MAX_BYTES, interrupt)
}

/// What a chain that starts with a delta frame is: damaged, its keyframe gone.
pub fn missing_keyframe() -> Error {
    Error::Corrupt("the chain does not start at a keyframe: its base is missing".into())
}
