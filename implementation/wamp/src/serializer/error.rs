//! Serializer errors.

use crate::message::MessageError;

/// Bytes that are not a well-formed value of the serializer's format.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// JSON syntax or content error (serde_json's description with line and column).
    #[error("invalid JSON: {detail}")]
    Json {
        /// What serde_json reported.
        detail: String,
    },
    /// The input ends inside a value.
    #[error("input truncated at byte {offset}")]
    Truncated {
        /// Where more bytes were needed.
        offset: usize,
    },
    /// Bytes follow the value.
    #[error("{count} trailing bytes after the value at byte {offset}")]
    TrailingBytes {
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
    /// Malformed encoding (e.g. a reserved MessagePack marker or a bad CBOR header).
    #[error("malformed input at byte {offset}: {what}")]
    Syntax {
        /// Where.
        offset: usize,
        /// What.
        what: &'static str,
    },
    /// A type WAMP cannot carry (MessagePack ext, CBOR tag, undefined or simple values).
    #[error("unsupported {what} at byte {offset}")]
    Unsupported {
        /// Where.
        offset: usize,
        /// Which type.
        what: &'static str,
    },
    /// A negative integer below `i64::MIN`.
    #[error("integer out of range at byte {offset}")]
    IntegerOutOfRange {
        /// Where.
        offset: usize,
    },
    /// A text string that is not valid UTF-8.
    #[error("invalid UTF-8 in a string at byte {offset}")]
    InvalidUtf8 {
        /// Where the string starts.
        offset: usize,
    },
    /// A dict key that is not a string.
    #[error("dict key at byte {offset} is a {found}, WAMP dict keys must be strings")]
    NonStringKey {
        /// Where.
        offset: usize,
        /// Kind of key.
        found: &'static str,
    },
    /// The same key twice in one dict.
    #[error("duplicate dict key {key:?} at byte {offset}")]
    DuplicateKey {
        /// Where.
        offset: usize,
        /// The key.
        key: String,
    },
    /// Nesting deeper than [`super::MAX_DEPTH`].
    #[error("nesting deeper than {limit} levels at byte {offset}")]
    TooDeep {
        /// Where.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A batched frame without any message.
    #[error("empty batch")]
    EmptyBatch,
    /// A batched JSON frame whose last message lacks the separator.
    #[error("batched JSON frame does not end with the separator byte {separator:#04x}")]
    MissingSeparator {
        /// The separator expected.
        separator: u8,
    },
    /// An empty message inside a batch.
    #[error("empty message at byte {offset} of the batch")]
    EmptyBatchItem {
        /// Where.
        offset: usize,
    },
    /// A length-prefixed batch item runs past the frame's end.
    #[error("batch item at byte {offset} declares {declared} bytes, only {available} remain")]
    BatchItemTruncated {
        /// Where the item's prefix starts.
        offset: usize,
        /// Declared length.
        declared: usize,
        /// Bytes left in the frame.
        available: usize,
    },
}

/// Why a frame could not be decoded into messages.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not a value of the format.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The value is not a valid WAMP message.
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// Why a value could not be serialized.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// JSON has no NaN or infinity.
    #[error("JSON cannot carry the non-finite float {value}")]
    NonFiniteFloat {
        /// The value.
        value: f64,
    },
    /// In JSON a string starting with U+0000 means binary; a text string cannot start so.
    #[error("JSON cannot carry a text string starting with U+0000 (it would read as binary)")]
    NulPrefixedString,
    /// A string, binary, list or dict longer than the format can express.
    #[error("{what} of {len} elements/bytes is too long for the format")]
    TooLong {
        /// Which kind of item.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A batch frame must hold at least one message.
    #[error("a batch must hold at least one message")]
    EmptyBatch,
    /// A non-batched frame holds exactly one message.
    #[error("a non-batched serialization carries exactly one message per frame, got {count}")]
    NotOneMessage {
        /// Messages given.
        count: usize,
    },
    /// The underlying writer failed (cannot happen when writing to memory).
    #[error("serializer failed: {detail}")]
    Writer {
        /// What failed.
        detail: String,
    },
}
