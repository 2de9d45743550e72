//! JSON (`wamp.2.json`, RawSocket serializer 1). Binary strings travel as a JSON string of
//! U+0000 followed by standard base64 (`advanced/serialization_binary_json.md`).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};

use super::{EncodeError, FormatError, Serializer};
use crate::value::{Dict, List, Value};

/// The JSON serializer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json;

impl Serializer for Json {
    fn decode_value(&self, bytes: &[u8]) -> Result<Value, FormatError> {
        // serde_json enforces its own nesting limit (128), equal to MAX_DEPTH.
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = ValueSeed
            .deserialize(&mut de)
            .map_err(|e| FormatError::Json {
                detail: e.to_string(),
            })?;
        de.end().map_err(|e| FormatError::Json {
            detail: e.to_string(),
        })?;
        Ok(value)
    }

    fn encode_value(&self, value: &Value) -> Result<Vec<u8>, EncodeError> {
        check_representable(value)?;
        serde_json::to_vec(&JsonValue(value)).map_err(|e| EncodeError::Writer {
            detail: e.to_string(),
        })
    }
}

/// Rejects what JSON cannot carry faithfully, so serialization itself cannot fail.
fn check_representable(value: &Value) -> Result<(), EncodeError> {
    match value {
        Value::Float(f) if !f.is_finite() => Err(EncodeError::NonFiniteFloat { value: *f }),
        Value::Str(s) if s.starts_with('\0') => Err(EncodeError::NulPrefixedString),
        Value::List(l) => l.iter().try_for_each(check_representable),
        Value::Dict(d) => d.values().try_for_each(check_representable),
        _ => Ok(()),
    }
}

struct JsonValue<'a>(&'a Value);

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::UInt(u) => s.serialize_u64(*u),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(v) => s.serialize_str(v),
            Value::Bytes(b) => {
                let mut text = String::with_capacity(1 + b.len().div_ceil(3) * 4);
                text.push('\0');
                STANDARD.encode_string(b, &mut text);
                s.serialize_str(&text)
            }
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for item in l {
                    seq.serialize_element(&JsonValue(item))?;
                }
                seq.end()
            }
            Value::Dict(d) => {
                let mut map = s.serialize_map(Some(d.len()))?;
                for (k, v) in d {
                    map.serialize_entry(k, &JsonValue(v))?;
                }
                map.end()
            }
        }
    }
}

struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::UInt(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        match v.strip_prefix('\0') {
            Some(b64) => STANDARD
                .decode(b64)
                .map(Value::Bytes)
                .map_err(|e| E::custom(format_args!("invalid base64 in binary string: {e}"))),
            None => Ok(Value::Str(v.to_owned())),
        }
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = List::new();
        while let Some(item) = seq.next_element_seed(ValueSeed)? {
            list.push(item);
        }
        Ok(Value::List(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut dict = Dict::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed)?;
            if dict.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate dict key {key:?}"
                )));
            }
            dict.insert(key, value);
        }
        Ok(Value::Dict(dict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Result<Value, FormatError> {
        Json.decode_value(s.as_bytes())
    }

    #[test]
    fn binary_convention_round_trips() {
        let bytes = vec![0x10, 0xe3, 0xff, 0x00];
        let text = Json.encode_value(&Value::Bytes(bytes.clone())).unwrap();
        assert_eq!(text, b"\"\\u0000EOP/AA==\"");
        assert_eq!(
            decode(std::str::from_utf8(&text).unwrap()),
            Ok(Value::Bytes(bytes))
        );
    }

    #[test]
    fn rejects_what_json_cannot_carry() {
        assert_eq!(
            Json.encode_value(&Value::Float(f64::NAN))
                .map_err(|e| matches!(e, EncodeError::NonFiniteFloat { .. })),
            Err(true)
        );
        assert_eq!(
            Json.encode_value(&Value::Str("\0x".into())),
            Err(EncodeError::NulPrefixedString)
        );
    }

    #[test]
    fn strict_parsing() {
        for bad in [
            "{\"a\":1,\"a\":2}",
            "[1] x",
            "\"\\u0000!!\"",
            "[1,]",
            "\"\\ud800\"",
            "",
            &"[".repeat(200),
        ] {
            assert!(decode(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            decode(" [1, -2, 1.5, true, null] "),
            Ok(Value::List(vec![
                Value::UInt(1),
                Value::Int(-2),
                Value::Float(1.5),
                Value::Bool(true),
                Value::Null,
            ]))
        );
    }
}
