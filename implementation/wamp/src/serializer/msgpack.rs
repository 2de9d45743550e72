//! MessagePack (`wamp.2.msgpack`, RawSocket serializer 2), spec v5 (str and bin distinct).
//!
//! Decoding walks the bytes directly (markers from `rmp`) so that every declared length is
//! checked against the bytes actually present before anything is allocated, duplicate and
//! non-string keys are caught, and ext types are rejected.

use rmp::Marker;

use super::{EncodeError, FormatError, MAX_DEPTH, Serializer};
use crate::value::{Dict, List, Value};

/// The MessagePack serializer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MsgPack;

impl Serializer for MsgPack {
    fn decode_value(&self, bytes: &[u8]) -> Result<Value, FormatError> {
        let mut r = Reader {
            data: bytes,
            pos: 0,
        };
        let value = r.value(0)?;
        if r.pos < bytes.len() {
            return Err(FormatError::TrailingBytes {
                offset: r.pos,
                count: bytes.len() - r.pos,
            });
        }
        Ok(value)
    }

    fn encode_value(&self, value: &Value) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        write(&mut out, value)?;
        Ok(out)
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.data.len());
        match end.and_then(|end| self.data.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(FormatError::Truncated { offset: self.pos }),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn len8(&mut self) -> Result<usize, FormatError> {
        Ok(usize::from(u8::from_be_bytes(self.array()?)))
    }

    fn len16(&mut self) -> Result<usize, FormatError> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    fn len32(&mut self) -> Result<usize, FormatError> {
        let n = u32::from_be_bytes(self.array()?);
        usize::try_from(n).map_err(|_| FormatError::Truncated { offset: self.pos })
    }

    /// Fails early when `count` items of at least `min_size` bytes each cannot fit in the
    /// remaining input, so a forged length never drives a large allocation.
    fn ensure_room(&self, count: usize, min_size: usize) -> Result<(), FormatError> {
        let remaining = self.data.len() - self.pos;
        if count.saturating_mul(min_size) > remaining {
            return Err(FormatError::Truncated {
                offset: self.data.len(),
            });
        }
        Ok(())
    }

    fn string(&mut self, len: usize) -> Result<String, FormatError> {
        let start = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| FormatError::InvalidUtf8 { offset: start })
    }

    fn list(&mut self, len: usize, depth: usize) -> Result<Value, FormatError> {
        self.ensure_room(len, 1)?;
        let mut list = List::with_capacity(len);
        for _ in 0..len {
            list.push(self.value(depth + 1)?);
        }
        Ok(Value::List(list))
    }

    fn dict(&mut self, len: usize, depth: usize) -> Result<Value, FormatError> {
        self.ensure_room(len, 2)?;
        let mut dict = Dict::new();
        for _ in 0..len {
            let key_at = self.pos;
            let key = match self.value(depth + 1)? {
                Value::Str(s) => s,
                other => {
                    return Err(FormatError::NonStringKey {
                        offset: key_at,
                        found: other.kind(),
                    });
                }
            };
            let value = self.value(depth + 1)?;
            if dict.contains_key(&key) {
                return Err(FormatError::DuplicateKey {
                    offset: key_at,
                    key,
                });
            }
            dict.insert(key, value);
        }
        Ok(Value::Dict(dict))
    }

    fn value(&mut self, depth: usize) -> Result<Value, FormatError> {
        let at = self.pos;
        if depth > MAX_DEPTH {
            return Err(FormatError::TooDeep {
                offset: at,
                limit: MAX_DEPTH,
            });
        }
        let [byte] = self.array::<1>()?;
        Ok(match Marker::from_u8(byte) {
            Marker::FixPos(v) => Value::UInt(u64::from(v)),
            Marker::FixNeg(v) => Value::Int(i64::from(v)),
            Marker::Null => Value::Null,
            Marker::True => Value::Bool(true),
            Marker::False => Value::Bool(false),
            Marker::U8 => Value::UInt(u64::from(u8::from_be_bytes(self.array()?))),
            Marker::U16 => Value::UInt(u64::from(u16::from_be_bytes(self.array()?))),
            Marker::U32 => Value::UInt(u64::from(u32::from_be_bytes(self.array()?))),
            Marker::U64 => Value::UInt(u64::from_be_bytes(self.array()?)),
            Marker::I8 => Value::from(i64::from(i8::from_be_bytes(self.array()?))),
            Marker::I16 => Value::from(i64::from(i16::from_be_bytes(self.array()?))),
            Marker::I32 => Value::from(i64::from(i32::from_be_bytes(self.array()?))),
            Marker::I64 => Value::from(i64::from_be_bytes(self.array()?)),
            Marker::F32 => Value::Float(f64::from(f32::from_be_bytes(self.array()?))),
            Marker::F64 => Value::Float(f64::from_be_bytes(self.array()?)),
            Marker::FixStr(n) => Value::Str(self.string(usize::from(n))?),
            Marker::Str8 => {
                let n = self.len8()?;
                Value::Str(self.string(n)?)
            }
            Marker::Str16 => {
                let n = self.len16()?;
                Value::Str(self.string(n)?)
            }
            Marker::Str32 => {
                let n = self.len32()?;
                Value::Str(self.string(n)?)
            }
            Marker::Bin8 => {
                let n = self.len8()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            Marker::Bin16 => {
                let n = self.len16()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            Marker::Bin32 => {
                let n = self.len32()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            Marker::FixArray(n) => self.list(usize::from(n), depth)?,
            Marker::Array16 => {
                let n = self.len16()?;
                self.list(n, depth)?
            }
            Marker::Array32 => {
                let n = self.len32()?;
                self.list(n, depth)?
            }
            Marker::FixMap(n) => self.dict(usize::from(n), depth)?,
            Marker::Map16 => {
                let n = self.len16()?;
                self.dict(n, depth)?
            }
            Marker::Map32 => {
                let n = self.len32()?;
                self.dict(n, depth)?
            }
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                return Err(FormatError::Unsupported {
                    offset: at,
                    what: "MessagePack ext type",
                });
            }
            Marker::Reserved => {
                return Err(FormatError::Syntax {
                    offset: at,
                    what: "reserved MessagePack marker 0xc1",
                });
            }
        })
    }
}

fn len32(what: &'static str, len: usize) -> Result<u32, EncodeError> {
    u32::try_from(len).map_err(|_| EncodeError::TooLong { what, len })
}

fn writer<E: std::fmt::Display>(e: E) -> EncodeError {
    EncodeError::Writer {
        detail: e.to_string(),
    }
}

fn write(out: &mut Vec<u8>, value: &Value) -> Result<(), EncodeError> {
    use rmp::encode as enc;
    match value {
        Value::Null => enc::write_nil(out).map_err(writer)?,
        Value::Bool(b) => enc::write_bool(out, *b).map_err(writer)?,
        Value::Int(i) => {
            enc::write_sint(out, *i).map_err(writer)?;
        }
        Value::UInt(u) => {
            enc::write_uint(out, *u).map_err(writer)?;
        }
        Value::Float(f) => enc::write_f64(out, *f).map_err(writer)?,
        Value::Str(s) => {
            enc::write_str_len(out, len32("string", s.len())?).map_err(writer)?;
            out.extend_from_slice(s.as_bytes());
        }
        Value::Bytes(b) => {
            enc::write_bin_len(out, len32("binary", b.len())?).map_err(writer)?;
            out.extend_from_slice(b);
        }
        Value::List(l) => {
            enc::write_array_len(out, len32("list", l.len())?).map_err(writer)?;
            for item in l {
                write(out, item)?;
            }
        }
        Value::Dict(d) => {
            enc::write_map_len(out, len32("dict", d.len())?).map_err(writer)?;
            for (k, v) in d {
                enc::write_str_len(out, len32("string", k.len())?).map_err(writer)?;
                out.extend_from_slice(k.as_bytes());
                write(out, v)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn forged_lengths_fail_without_allocating() {
        // array32 claiming 4 billion elements, map32 likewise, bin32 and str32.
        for bad in [
            "dd ffffffff 01",
            "df ffffffff",
            "c6 ffffffff 00",
            "db ffffffff 61",
        ] {
            let bytes = hex(&bad.replace(' ', ""));
            assert!(matches!(
                MsgPack.decode_value(&bytes),
                Err(FormatError::Truncated { .. })
            ));
        }
    }

    #[test]
    fn strictness() {
        let cases: &[(&str, &str)] = &[
            ("c1", "reserved"),
            ("d40100", "ext"),
            ("82a161 01 a161 02", "duplicate"),
            ("81 01 02", "non-string key"),
            ("a2 ff fe", "utf-8"),
            ("9101 00", "trailing"),
        ];
        for (bad, why) in cases {
            let bytes = hex(&bad.replace(' ', ""));
            assert!(MsgPack.decode_value(&bytes).is_err(), "{why}");
        }
        let deep = [vec![0x91; MAX_DEPTH + 2], vec![0x01]].concat();
        assert!(matches!(
            MsgPack.decode_value(&deep),
            Err(FormatError::TooDeep { .. })
        ));
    }

    #[test]
    fn integers_of_any_width_decode_to_the_same_value() {
        for form in [
            "05",
            "cc05",
            "cd0005",
            "ce00000005",
            "cf0000000000000005",
            "d005",
            "d30000000000000005",
        ] {
            assert_eq!(
                MsgPack.decode_value(&hex(form)),
                Ok(Value::UInt(5)),
                "{form}"
            );
        }
        assert_eq!(MsgPack.decode_value(&hex("ff")), Ok(Value::Int(-1)));
    }

    #[test]
    fn round_trip() {
        let value = Value::List(vec![
            Value::Null,
            Value::Bool(false),
            Value::Int(-300),
            Value::UInt(u64::MAX),
            Value::Float(0.5),
            Value::Str("é".into()),
            Value::Bytes(vec![0, 1]),
            Value::Dict([("k".to_string(), Value::List(vec![]))].into()),
        ]);
        let bytes = MsgPack.encode_value(&value).unwrap();
        assert_eq!(MsgPack.decode_value(&bytes), Ok(value));
    }
}
