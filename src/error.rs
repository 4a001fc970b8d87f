//! Codec errors as PostgreSQL errors, each with the SQLSTATE the README lists.
use pgmem_codec::Error;
use pgrx::{ereport, PgSqlErrorCode};

/// Where the bytes that failed came from; it decides who is to blame.
#[derive(Clone, Copy)]
pub enum Source {
    /// JSON text from the caller.
    Text,
    /// Binary input (`recv`) from a client.
    Binary,
    /// A value already stored: failing to decode it means damaged data.
    Stored,
}

/// Raise `err` as an ERROR; never returns.
pub fn raise(err: Error, source: Source) -> ! {
    use PgSqlErrorCode::*;
    let (code, message, detail) = match (&err, source) {
        (Error::Syntax { .. }, _) => (
            ERRCODE_INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type pgmem_snapshot".to_string(),
            Some(err.to_string()),
        ),
        (Error::UnsupportedEscape { .. }, _) => (
            ERRCODE_UNTRANSLATABLE_CHARACTER,
            "unsupported Unicode escape sequence in pgmem_snapshot input".to_string(),
            Some(format!("{err}; jsonb cannot store it either.")),
        ),
        (Error::NumberOutOfRange { .. } | Error::TooManyDigits { .. }, _) => {
            (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, err.to_string(), None)
        }
        (Error::TooDeep, _) => (
            ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("pgmem_snapshot nesting is too deep: {err}"),
            None,
        ),
        (Error::TooLarge { .. } | Error::TextTooLarge | Error::JsonbTooLarge, _) => (
            ERRCODE_PROGRAM_LIMIT_EXCEEDED,
            format!("pgmem_snapshot is too large: {err}"),
            None,
        ),
        (Error::OutOfMemory, _) => (ERRCODE_OUT_OF_MEMORY, err.to_string(), None),
        (Error::Interrupted, _) => (ERRCODE_QUERY_CANCELED, err.to_string(), None),
        (Error::MissingDictionary(_), _) => (
            ERRCODE_UNDEFINED_OBJECT,
            err.to_string(),
            Some(
                "The value was compressed with a dictionary this database does not have: \
                  restore pgmem_dictionaries with the data, or check pgmem.compression_dictionary."
                    .to_string(),
            ),
        ),
        (Error::Training(_), _) => (ERRCODE_INVALID_PARAMETER_VALUE, err.to_string(), None),
        (Error::Corrupt(_), Source::Binary) => (
            ERRCODE_INVALID_BINARY_REPRESENTATION,
            "invalid binary input for type pgmem_snapshot".to_string(),
            Some(err.to_string()),
        ),
        (Error::Corrupt(_), _) => (
            ERRCODE_DATA_CORRUPTED,
            "stored pgmem_snapshot value is damaged".to_string(),
            Some(err.to_string()),
        ),
    };
    match detail {
        Some(detail) => {
            ereport!(ERROR, code, message, detail);
        }
        None => {
            ereport!(ERROR, code, message);
        }
    }
}

/// Raise 22023 (invalid_parameter_value) about a function argument named in `message`.
pub fn invalid_argument(message: String) -> ! {
    ereport!(
        ERROR,
        PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        message
    );
}
