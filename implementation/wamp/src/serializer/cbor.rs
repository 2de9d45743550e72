//! CBOR (`wamp.2.cbor`, RawSocket serializer 3), RFC 8949.
//!
//! Headers are parsed by `ciborium-ll`; this module decides what WAMP accepts: no tags, no
//! `undefined` or other simple values, string keys only, no duplicates, bounded nesting, and
//! declared lengths checked against the input before allocating. Indefinite-length items are
//! accepted (they are well-formed CBOR).

use ciborium_ll::{Decoder, Encoder, Header, simple};

use super::{EncodeError, FormatError, MAX_DEPTH, Serializer};
use crate::value::{Dict, List, Value};

/// The CBOR serializer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cbor;

impl Serializer for Cbor {
    fn decode_value(&self, bytes: &[u8]) -> Result<Value, FormatError> {
        let mut r = Reader {
            dec: Decoder::from(bytes),
            len: bytes.len(),
        };
        let first = r.header()?;
        let value = r.value(first, 0)?;
        let pos = r.dec.offset();
        if pos < bytes.len() {
            return Err(FormatError::TrailingBytes {
                offset: pos,
                count: bytes.len() - pos,
            });
        }
        Ok(value)
    }

    fn encode_value(&self, value: &Value) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        let mut enc = Encoder::from(&mut out);
        write(&mut enc, value)?;
        Ok(out)
    }
}

struct Reader<'a> {
    dec: Decoder<&'a [u8]>,
    len: usize,
}

impl Reader<'_> {
    fn header(&mut self) -> Result<Header, FormatError> {
        let offset = self.dec.offset();
        self.dec.pull().map_err(|e| match e {
            ciborium_ll::Error::Io(_) => FormatError::Truncated { offset },
            ciborium_ll::Error::Syntax(offset) => FormatError::Syntax {
                offset,
                what: "invalid CBOR header",
            },
        })
    }

    fn remaining(&mut self) -> usize {
        self.len.saturating_sub(self.dec.offset())
    }

    fn ensure_room(&mut self, count: usize, min_size: usize) -> Result<(), FormatError> {
        if count.saturating_mul(min_size) > self.remaining() {
            return Err(FormatError::Truncated { offset: self.len });
        }
        Ok(())
    }

    fn raw(&mut self, len: usize) -> Result<Vec<u8>, FormatError> {
        self.ensure_room(len, 1)?;
        let mut buf = vec![0u8; len];
        let offset = self.dec.offset();
        ciborium_io::Read::read_exact(&mut self.dec, &mut buf)
            .map_err(|_| FormatError::Truncated { offset })?;
        Ok(buf)
    }

    /// A definite or indefinite (chunked) byte or text string.
    fn chunks(&mut self, len: Option<usize>, text: bool) -> Result<Vec<u8>, FormatError> {
        let Some(len) = len else {
            let mut all = Vec::new();
            loop {
                let offset = self.dec.offset();
                match self.header()? {
                    Header::Break => return Ok(all),
                    Header::Bytes(Some(n)) if !text => all.extend(self.raw(n)?),
                    Header::Text(Some(n)) if text => {
                        let chunk = self.raw(n)?;
                        // Each chunk of an indefinite text string must itself be UTF-8.
                        if std::str::from_utf8(&chunk).is_err() {
                            return Err(FormatError::InvalidUtf8 { offset });
                        }
                        all.extend(chunk);
                    }
                    _ => {
                        return Err(FormatError::Syntax {
                            offset,
                            what: "indefinite string chunk of the wrong type",
                        });
                    }
                }
            }
        };
        self.raw(len)
    }

    fn value(&mut self, header: Header, depth: usize) -> Result<Value, FormatError> {
        let at = self.dec.offset();
        if depth > MAX_DEPTH {
            return Err(FormatError::TooDeep {
                offset: at,
                limit: MAX_DEPTH,
            });
        }
        Ok(match header {
            Header::Positive(u) => Value::UInt(u),
            Header::Negative(n) => {
                // CBOR negative n encodes -1 - n.
                let v =
                    i64::try_from(n).map_err(|_| FormatError::IntegerOutOfRange { offset: at })?;
                Value::Int(-1 - v)
            }
            Header::Float(f) => Value::Float(f),
            Header::Simple(simple::FALSE) => Value::Bool(false),
            Header::Simple(simple::TRUE) => Value::Bool(true),
            Header::Simple(simple::NULL) => Value::Null,
            Header::Simple(simple::UNDEFINED) => {
                return Err(FormatError::Unsupported {
                    offset: at,
                    what: "CBOR undefined",
                });
            }
            Header::Simple(_) => {
                return Err(FormatError::Unsupported {
                    offset: at,
                    what: "CBOR simple value",
                });
            }
            Header::Tag(_) => {
                return Err(FormatError::Unsupported {
                    offset: at,
                    what: "CBOR tag",
                });
            }
            Header::Break => {
                return Err(FormatError::Syntax {
                    offset: at,
                    what: "unexpected CBOR break",
                });
            }
            Header::Bytes(len) => Value::Bytes(self.chunks(len, false)?),
            Header::Text(len) => {
                let bytes = self.chunks(len, true)?;
                Value::Str(
                    String::from_utf8(bytes)
                        .map_err(|_| FormatError::InvalidUtf8 { offset: at })?,
                )
            }
            Header::Array(len) => {
                let mut list = List::new();
                if let Some(n) = len {
                    self.ensure_room(n, 1)?;
                    list.reserve(n);
                    for _ in 0..n {
                        let h = self.header()?;
                        list.push(self.value(h, depth + 1)?);
                    }
                } else {
                    loop {
                        match self.header()? {
                            Header::Break => break,
                            h => list.push(self.value(h, depth + 1)?),
                        }
                    }
                }
                Value::List(list)
            }
            Header::Map(len) => {
                let mut dict = Dict::new();
                if let Some(n) = len {
                    self.ensure_room(n, 2)?;
                }
                let mut count = 0usize;
                loop {
                    if len.is_some_and(|n| count == n) {
                        break;
                    }
                    let key_at = self.dec.offset();
                    let key = match self.header()? {
                        Header::Break if len.is_none() => break,
                        h => self.value(h, depth + 1)?,
                    };
                    let Value::Str(key) = key else {
                        return Err(FormatError::NonStringKey {
                            offset: key_at,
                            found: key.kind(),
                        });
                    };
                    let h = self.header()?;
                    let value = self.value(h, depth + 1)?;
                    if dict.contains_key(&key) {
                        return Err(FormatError::DuplicateKey {
                            offset: key_at,
                            key,
                        });
                    }
                    dict.insert(key, value);
                    count += 1;
                }
                Value::Dict(dict)
            }
        })
    }
}

fn writer<E: std::fmt::Debug>(e: E) -> EncodeError {
    EncodeError::Writer {
        detail: format!("{e:?}"),
    }
}

fn write<W: ciborium_io::Write>(enc: &mut Encoder<W>, value: &Value) -> Result<(), EncodeError>
where
    W::Error: std::fmt::Debug,
{
    match value {
        Value::Null => enc.push(Header::Simple(simple::NULL)).map_err(writer)?,
        Value::Bool(b) => enc
            .push(Header::Simple(if *b {
                simple::TRUE
            } else {
                simple::FALSE
            }))
            .map_err(writer)?,
        Value::UInt(u) => enc.push(Header::Positive(*u)).map_err(writer)?,
        Value::Int(i) => match u64::try_from(*i) {
            Ok(u) => enc.push(Header::Positive(u)).map_err(writer)?,
            // -1 - n == i  ⇔  n == !i (two's complement), and !i ≥ 0 for negative i.
            Err(_) => enc
                .push(Header::Negative(u64::try_from(!*i).unwrap_or(0)))
                .map_err(writer)?,
        },
        Value::Float(f) => enc.push(Header::Float(*f)).map_err(writer)?,
        Value::Str(s) => enc.text(s, None).map_err(writer)?,
        Value::Bytes(b) => enc.bytes(b, None).map_err(writer)?,
        Value::List(l) => {
            enc.push(Header::Array(Some(l.len()))).map_err(writer)?;
            for item in l {
                write(enc, item)?;
            }
        }
        Value::Dict(d) => {
            enc.push(Header::Map(Some(d.len()))).map_err(writer)?;
            for (k, v) in d {
                enc.text(k, None).map_err(writer)?;
                write(enc, v)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s = s.replace(' ', "");
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn rejects_what_wamp_cannot_carry() {
        let cases: &[(&str, &str)] = &[
            ("c1 1a 00000000", "tag"),
            ("f7", "undefined"),
            ("f0", "simple value"),
            ("a2 6161 01 6161 02", "duplicate key"),
            ("a1 01 02", "integer key"),
            ("62 ff fe", "invalid utf-8"),
            ("3b ffffffffffffffff", "below i64::MIN"),
            ("81 01 00", "trailing byte"),
            ("ff", "stray break"),
            ("9b ffffffffffffffff", "forged array length"),
            ("5b 00000000ffffffff", "forged bytes length"),
            ("bb ffffffffffffffff", "forged map length"),
            ("7f 61 41 41 ff", "bytes chunk inside a text string"),
            ("9f 01", "unterminated indefinite array"),
        ];
        for (bad, why) in cases {
            assert!(Cbor.decode_value(&hex(bad)).is_err(), "{why} accepted");
        }
        let deep = [vec![0x81; MAX_DEPTH + 2], vec![0x01]].concat();
        assert!(matches!(
            Cbor.decode_value(&deep),
            Err(FormatError::TooDeep { .. })
        ));
    }

    #[test]
    fn accepts_well_formed_variants() {
        // Indefinite array, indefinite text, half float, 8-byte integer for a small number.
        assert_eq!(
            Cbor.decode_value(&hex("9f 1b0000000000000005 7f 6161 6162 ff f93c00 ff")),
            Ok(Value::List(vec![
                Value::UInt(5),
                Value::Str("ab".into()),
                Value::Float(1.0)
            ]))
        );
        assert_eq!(Cbor.decode_value(&hex("20")), Ok(Value::Int(-1)));
        assert_eq!(
            Cbor.decode_value(&hex("3b 7fffffffffffffff")),
            Ok(Value::Int(i64::MIN))
        );
    }

    #[test]
    fn round_trip() {
        let value = Value::List(vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::UInt(u64::MAX),
            Value::Float(-2.5),
            Value::Str("ü".into()),
            Value::Bytes(vec![9; 30]),
            Value::Dict([("x".to_string(), Value::Dict(Dict::new()))].into()),
        ]);
        let bytes = Cbor.encode_value(&value).unwrap();
        assert_eq!(Cbor.decode_value(&bytes), Ok(value));
    }
}
