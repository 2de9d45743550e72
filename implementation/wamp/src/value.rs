//! The generic value tree every serializer decodes into and encodes from.
//!
//! WAMP needs only non-negative integers, strings, booleans, lists and string-keyed dicts, but
//! application payloads may carry anything the serializers can express, so the tree also has
//! null, negative integers, floats and binary strings. Booleans are never integers.

use std::collections::BTreeMap;

/// A dict: unique string keys (order is not significant in WAMP).
pub type Dict = BTreeMap<String, Value>;
/// A list of values.
pub type List = Vec<Value>;

/// One element of a WAMP message or payload.
#[derive(Debug, Clone)]
pub enum Value {
    /// JSON `null`, MessagePack nil, CBOR null.
    Null,
    /// A boolean (distinct from the integers 0 and 1).
    Bool(bool),
    /// A signed integer; decoders use it only for negative numbers.
    Int(i64),
    /// A non-negative integer.
    UInt(u64),
    /// A floating point number.
    Float(f64),
    /// A Unicode string.
    Str(String),
    /// A binary string (JSON carries it as `"\u0000" + base64`).
    Bytes(Vec<u8>),
    /// A list.
    List(List),
    /// A dict with string keys.
    Dict(Dict),
}

impl Value {
    /// The integer value if this is an integer of either width.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Value::Int(v) => Some(i128::from(*v)),
            Value::UInt(v) => Some(i128::from(*v)),
            _ => None,
        }
    }

    /// The value as a `u64` if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_i128().and_then(|v| u64::try_from(v).ok())
    }

    /// The string if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The dict if this is a dict.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The list if this is a list.
    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::UInt(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Bytes(_) => "binary",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }

    /// Builds an integer value from any integer in the `i64`/`u64` range, using `UInt` for
    /// non-negative numbers (the canonical form decoders produce).
    pub fn integer(v: i128) -> Option<Value> {
        if let Ok(u) = u64::try_from(v) {
            Some(Value::UInt(u))
        } else {
            i64::try_from(v).ok().map(Value::Int)
        }
    }
}

/// Integers compare by numeric value whatever their variant; everything else structurally.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(_) | Value::UInt(_), Value::Int(_) | Value::UInt(_)) => {
                self.as_i128() == other.as_i128()
            }
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Dict(a), Value::Dict(b)) => a == b,
            _ => false,
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::UInt(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        u64::try_from(v).map_or(Value::Int(v), Value::UInt)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Bytes(v)
    }
}

impl From<List> for Value {
    fn from(v: List) -> Value {
        Value::List(v)
    }
}

impl From<Dict> for Value {
    fn from(v: Dict) -> Value {
        Value::Dict(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_compare_by_value_across_widths() {
        assert_eq!(Value::Int(5), Value::UInt(5));
        assert_ne!(Value::Int(-1), Value::UInt(u64::MAX));
        assert_eq!(Value::from(-3i64), Value::Int(-3));
        assert_eq!(Value::from(3i64), Value::UInt(3));
    }

    #[test]
    fn booleans_are_not_integers() {
        assert_ne!(Value::Bool(true), Value::UInt(1));
        assert_ne!(Value::Bool(false), Value::UInt(0));
        assert_eq!(Value::Bool(true).as_u64(), None);
    }

    #[test]
    fn integer_constructor_covers_both_ranges() {
        assert_eq!(Value::integer(-1), Some(Value::Int(-1)));
        assert_eq!(
            Value::integer(i128::from(u64::MAX)),
            Some(Value::UInt(u64::MAX))
        );
        assert_eq!(Value::integer(i128::from(u64::MAX) + 1), None);
        assert_eq!(Value::integer(i128::from(i64::MIN) - 1), None);
    }
}
