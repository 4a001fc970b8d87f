//! jsonb and snapshot CBOR, each straight into the other: no JSON text is printed and
//! parsed again. A jsonb value is walked with PostgreSQL's iterator into the codec's
//! event writer; CBOR is built into jsonb with PostgreSQL's own builder
//! (`pushJsonbValue`), which sorts each object's keys as jsonb stores them. Either
//! way the result is what the text round trip makes, byte for byte.
use pgmem_codec::cbor::{walk, Container, Integer, Number, Visitor};
use pgmem_codec::events::Writer;
use pgmem_codec::stored_number::number_text;
use pgmem_codec::{Error, Interrupt, Result};
use pgrx::fcinfo::direct_function_call_as_datum;
use pgrx::pg_sys::{self, JsonbIteratorToken as Token};
use pgrx::IntoDatum;
use std::ffi::CString;
use std::ptr::null_mut;

struct Builder<'i> {
    state: *mut pg_sys::JsonbParseState,
    /// Per open container: an object's next item is a key's value.
    open: Vec<Container>,
    /// The finished document, once its outermost container (or scalar) ends.
    result: *mut pg_sys::JsonbValue,
    interrupt: Interrupt<'i>,
}

/// The jsonb of one CBOR document (a `Jsonb *` in the current memory context).
pub(crate) fn from_cbor(cbor: &[u8], interrupt: Interrupt) -> Result<*mut pg_sys::Jsonb> {
    let mut builder = Builder {
        state: null_mut(),
        open: Vec::new(),
        result: null_mut(),
        interrupt,
    };
    walk(cbor, &mut builder, interrupt)?;
    if builder.result.is_null() {
        // A walk that succeeds has closed the document; this is only a guard.
        return Err(Error::Corrupt("CBOR document did not finish".into()));
    }
    Ok(unsafe { pg_sys::JsonbValueToJsonb(builder.result) })
}

fn scalar(
    type_: pg_sys::jbvType::Type,
    val: pg_sys::JsonbValue__bindgen_ty_1,
) -> pg_sys::JsonbValue {
    pg_sys::JsonbValue { type_, val }
}

fn null_value() -> pg_sys::JsonbValue {
    scalar(
        pg_sys::jbvType::jbvNull,
        pg_sys::JsonbValue__bindgen_ty_1 { boolean: false },
    )
}

fn text_value(text: &str) -> Result<pg_sys::JsonbValue> {
    // jsonb's own limit is lower (JENTRY_OFFLENMASK); the builder reports it.
    let len = i32::try_from(text.len()).map_err(|_| Error::JsonbTooLarge)?;
    let string = pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_1 {
        len,
        val: text.as_ptr().cast_mut().cast(),
    };
    Ok(scalar(
        pg_sys::jbvType::jbvString,
        pg_sys::JsonbValue__bindgen_ty_1 { string },
    ))
}

impl Builder<'_> {
    /// Push a token; the value, when there is one, is copied by the builder (a
    /// string's bytes are not: they stay in the CBOR, which outlives the build).
    fn push(&mut self, token: Token::Type, value: Option<&mut pg_sys::JsonbValue>) {
        let value = value.map_or(null_mut(), |v| v as *mut _);
        let out = unsafe { pg_sys::pushJsonbValue(&mut self.state, token, value) };
        if self.state.is_null() {
            self.result = out;
        }
    }

    /// An array element, an object member's value, or a document that is one scalar
    /// (jsonb keeps that as a one-element "raw scalar" array).
    fn value(&mut self, mut value: pg_sys::JsonbValue) -> Result<()> {
        match self.open.last() {
            Some(Container::Array) => self.push(Token::WJB_ELEM, Some(&mut value)),
            Some(Container::Object) => self.push(Token::WJB_VALUE, Some(&mut value)),
            None => {
                let mut raw = array_head(1, true);
                self.push(Token::WJB_BEGIN_ARRAY, Some(&mut raw));
                self.push(Token::WJB_ELEM, Some(&mut value));
                self.push(Token::WJB_END_ARRAY, None);
            }
        }
        Ok(())
    }
}

/// The start of an array: `len` is a size hint for the builder's first allocation.
fn array_head(len: u64, raw_scalar: bool) -> pg_sys::JsonbValue {
    let array = pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_2 {
        nElems: i32::try_from(len).unwrap_or(0),
        elems: null_mut(),
        rawScalar: raw_scalar,
    };
    scalar(
        pg_sys::jbvType::jbvArray,
        pg_sys::JsonbValue__bindgen_ty_1 { array },
    )
}

/// `numeric` of a stored number: small integers directly, others from their text
/// (as `jsonb_in` reads them).
fn numeric(number: Number<'_>, interrupt: Interrupt) -> Result<pg_sys::Numeric> {
    if let Number::Integer(Integer::Small(n)) = number {
        if let Ok(n) = i64::try_from(n) {
            return Ok(unsafe { pg_sys::int64_to_numeric(n) });
        }
    }
    let text = CString::new(number_text(number, interrupt)?)
        .map_err(|_| Error::Corrupt("number text holds a NUL byte".into()))?;
    let datum = unsafe {
        direct_function_call_as_datum(
            pg_sys::numeric_in,
            &[
                text.as_c_str().into_datum(),
                pg_sys::InvalidOid.into_datum(),
                (-1i32).into_datum(),
            ],
        )
    };
    datum
        .map(|d| d.cast_mut_ptr())
        .ok_or_else(|| Error::Corrupt("numeric_in gave no value".into()))
}

impl<'a> Visitor<'a> for Builder<'_> {
    fn null(&mut self) -> Result<()> {
        self.value(null_value())
    }

    fn boolean(&mut self, boolean: bool) -> Result<()> {
        self.value(scalar(
            pg_sys::jbvType::jbvBool,
            pg_sys::JsonbValue__bindgen_ty_1 { boolean },
        ))
    }

    fn number(&mut self, value: Number<'_>) -> Result<()> {
        let numeric = numeric(value, self.interrupt)?;
        self.value(scalar(
            pg_sys::jbvType::jbvNumeric,
            pg_sys::JsonbValue__bindgen_ty_1 { numeric },
        ))
    }

    fn string(&mut self, value: &'a str) -> Result<()> {
        self.value(text_value(value)?)
    }

    fn key(&mut self, value: &'a str) -> Result<()> {
        let mut key = text_value(value)?;
        self.push(Token::WJB_KEY, Some(&mut key));
        Ok(())
    }

    fn begin(&mut self, kind: Container, len: u64) -> Result<()> {
        match kind {
            Container::Array => {
                let mut head = array_head(len, false);
                self.push(Token::WJB_BEGIN_ARRAY, Some(&mut head));
            }
            // The builder takes no value for an object's start.
            Container::Object => self.push(Token::WJB_BEGIN_OBJECT, None),
        }
        pgmem_codec::error::push(&mut self.open, kind)
    }

    fn end(&mut self, kind: Container) -> Result<()> {
        self.open.pop();
        let token = match kind {
            Container::Array => Token::WJB_END_ARRAY,
            Container::Object => Token::WJB_END_OBJECT,
        };
        self.push(token, None);
        Ok(())
    }
}

/// The CBOR of a jsonb value (`jsonb` detoasted), of at most `max_bytes`.
pub(crate) fn to_cbor(
    jsonb: *mut pg_sys::Jsonb,
    max_bytes: usize,
    interrupt: Interrupt,
) -> Result<Vec<u8>> {
    let size = unsafe { pgrx::varsize_any_exhdr(jsonb.cast()) };
    let mut writer = Writer::new(size, max_bytes, interrupt)?;
    let mut it = unsafe { pg_sys::JsonbIteratorInit(&mut (*jsonb).root) };
    let mut value = null_value();
    // A document that is one scalar is a one-element array marked "raw scalar".
    let mut raw_scalar = false;
    let utf8 = unsafe { pg_sys::GetDatabaseEncoding() } == pg_sys::pg_enc::PG_UTF8 as i32;
    loop {
        let token = unsafe { pg_sys::JsonbIteratorNext(&mut it, &mut value, false) };
        match token {
            Token::WJB_DONE => break,
            Token::WJB_BEGIN_ARRAY if unsafe { value.val.array.rawScalar } => raw_scalar = true,
            Token::WJB_BEGIN_ARRAY => {
                writer.begin(Container::Array, unsafe { value.val.array.nElems } as u64)?
            }
            Token::WJB_BEGIN_OBJECT => {
                writer.begin(Container::Object, unsafe { value.val.object.nPairs } as u64)?
            }
            Token::WJB_END_ARRAY if raw_scalar && writer.depth() == 0 => {}
            Token::WJB_END_ARRAY | Token::WJB_END_OBJECT => writer.end(),
            Token::WJB_KEY => writer.key(jsonb_str(&value, utf8)?)?,
            _ => write_scalar(&mut writer, &value, utf8)?,
        }
    }
    writer.finish()
}

/// A jsonb string's bytes, which are in the database's encoding, as UTF-8: checked,
/// unless the database is UTF-8 (PostgreSQL then keeps no text that is not).
fn jsonb_str(value: &pg_sys::JsonbValue, utf8_database: bool) -> Result<&str> {
    let string = unsafe { value.val.string };
    let bytes = unsafe { std::slice::from_raw_parts(string.val.cast::<u8>(), string.len as usize) };
    Ok(match utf8_database {
        true => unsafe { std::str::from_utf8_unchecked(bytes) },
        false => crate::snapshot::utf8(bytes),
    })
}

fn write_scalar(writer: &mut Writer, value: &pg_sys::JsonbValue, utf8: bool) -> Result<()> {
    match value.type_ {
        pg_sys::jbvType::jbvNull => writer.null(),
        pg_sys::jbvType::jbvBool => writer.boolean(unsafe { value.val.boolean }),
        pg_sys::jbvType::jbvString => writer.string(jsonb_str(value, utf8)?),
        pg_sys::jbvType::jbvNumeric => {
            let numeric = pg_sys::Datum::from(unsafe { value.val.numeric });
            let text =
                unsafe { direct_function_call_as_datum(pg_sys::numeric_out, &[Some(numeric)]) };
            let Some(cstr) = text.map(|d| d.cast_mut_ptr::<std::ffi::c_char>()) else {
                return Err(Error::Corrupt("numeric_out gave no text".into()));
            };
            let written = writer.number(unsafe { std::ffi::CStr::from_ptr(cstr) }.to_bytes());
            // Documents of millions of numbers would otherwise hold every text at once.
            unsafe { pg_sys::pfree(cstr.cast()) };
            written
        }
        other => Err(Error::Corrupt(format!(
            "jsonb value of unexpected type {other}"
        ))),
    }
}
