//! Every way a codec call can fail. The PostgreSQL layer maps each variant to a
//! SQLSTATE; the codec itself knows nothing of PostgreSQL.
use std::fmt;

/// A place in JSON input text, 1-based like PostgreSQL's own JSON errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The line and column of byte `offset` of `text`.
    pub fn of(text: &[u8], offset: usize) -> Position {
        let before = &text[..offset.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Position { line, column }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input text is not JSON (SQLSTATE 22P02).
    Syntax { message: String, at: Position },
    /// `\u0000`, which jsonb cannot store either (SQLSTATE 22P05).
    UnsupportedEscape { at: Position },
    /// A number outside PostgreSQL `numeric`'s range (SQLSTATE 22003).
    NumberOutOfRange { at: Option<Position> },
    /// A number with more than [`crate::number::MAX_DIGITS`] digits (SQLSTATE 22003).
    TooManyDigits { at: Option<Position> },
    /// Arrays and objects nested deeper than [`crate::MAX_DEPTH`] (SQLSTATE 54000).
    TooDeep,
    /// The CBOR document is larger than the configured maximum (SQLSTATE 54000);
    /// `size` is `None` when parsing stopped before the whole size was known.
    TooLarge { size: Option<u64>, limit: u64 },
    /// The JSON text of a document would exceed PostgreSQL's 1 GB limit (SQLSTATE 54000).
    TextTooLarge,
    /// The document would exceed jsonb's size limit (SQLSTATE 54000).
    JsonbTooLarge,
    /// Binary input or stored bytes that are not a valid snapshot (SQLSTATE 22P03).
    Corrupt(String),
    /// A memory allocation the input asked for could not be made (SQLSTATE 53200).
    OutOfMemory,
    /// The interrupt check asked the conversion to stop (SQLSTATE 57014).
    Interrupted,
    /// A value names a compression dictionary this database does not have (SQLSTATE 42704).
    MissingDictionary(u32),
    /// zstd could not train a dictionary from the samples given (SQLSTATE 22023).
    Training(String),
}

pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn corrupt<T>(message: impl Into<String>) -> Result<T> {
    Err(Error::Corrupt(message.into()))
}

/// Push without aborting the process when memory runs out: a PostgreSQL backend must
/// report an error, never die, whatever size of input it is handed.
pub fn push<T>(vec: &mut Vec<T>, item: T) -> Result<()> {
    if vec.len() == vec.capacity() {
        vec.try_reserve(vec.len().max(16))
            .map_err(|_| Error::OutOfMemory)?;
    }
    vec.push(item);
    Ok(())
}

/// Append bytes without aborting the process when memory runs out.
pub(crate) fn extend(vec: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    vec.try_reserve(bytes.len())
        .map_err(|_| Error::OutOfMemory)?;
    vec.extend_from_slice(bytes);
    Ok(())
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax { message, at } => write!(f, "{message} at {at}"),
            Error::UnsupportedEscape { at } => {
                write!(f, "unsupported Unicode escape sequence \\u0000 at {at}")
            }
            Error::NumberOutOfRange { at: Some(at) } => {
                write!(f, "number at {at} is outside the range of type numeric")
            }
            Error::NumberOutOfRange { at: None } => {
                write!(f, "number is outside the range of type numeric")
            }
            Error::TooManyDigits { at: Some(at) } => write!(
                f,
                "number at {at} has more than {} digits",
                crate::number::MAX_DIGITS
            ),
            Error::TooManyDigits { at: None } => {
                write!(f, "number has more than {} digits", crate::number::MAX_DIGITS)
            }
            Error::TooDeep => write!(
                f,
                "arrays and objects nested deeper than {} levels",
                crate::MAX_DEPTH
            ),
            Error::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "snapshot of {size} bytes exceeds pgmem.max_snapshot_bytes ({limit} bytes)"
            ),
            Error::TooLarge { size: None, limit } => {
                write!(
                    f,
                    "snapshot exceeds pgmem.max_snapshot_bytes ({limit} bytes)"
                )
            }
            Error::TextTooLarge => f.write_str(
                "its JSON text would be too long (over 8 bytes per byte of CBOR plus 1 MiB, or over 1 GB)",
            ),
            Error::JsonbTooLarge => write!(
                f,
                "its jsonb form would exceed jsonb's limit of {} bytes",
                crate::jsonb_size::MAX
            ),
            Error::Corrupt(message) => f.write_str(message),
            Error::OutOfMemory => f.write_str("out of memory"),
            Error::Interrupted => f.write_str("conversion interrupted"),
            Error::MissingDictionary(id) => {
                write!(f, "compression dictionary {id} is not in pgmem_dictionaries")
            }
            Error::Training(message) => {
                write!(f, "could not train a compression dictionary: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}
