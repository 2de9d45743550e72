//! The wire log: what crossed the socket during a case, for reports only (the judge never
//! reads it). Autobahn's rows (RO/TO/RF/TF, timers, TCP drop) with explicit fields.
use serde::{Deserialize, Serialize};

/// How many payload bytes a frame row keeps, and octet rows show as hex.
pub const WIRE_HEAD_LEN: usize = 64;

/// A timer of the case (see [`crate::Step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// [`crate::Step::KillAfter`].
    Kill,
    /// [`crate::Step::CloseAfter`].
    CloseAfter,
    /// [`crate::Step::Wait`].
    Wait,
    /// The harness's close-handshake timer.
    CloseHandshake,
    /// The wait for the server to drop TCP (harness as client).
    ServerDrop,
    /// An echo step's timer.
    Echo,
}

/// One row of the wire log. `at_ms` counts from the start of the case's TCP connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "row", rename_all = "snake_case")]
pub enum WireEntry {
    /// Octets received in one read.
    RxOctets {
        /// Time.
        at_ms: f64,
        /// How many.
        len: usize,
        /// The first [`WIRE_HEAD_LEN`] octets, hex.
        head_hex: String,
    },
    /// Octets sent in one write.
    TxOctets {
        /// Time.
        at_ms: f64,
        /// How many.
        len: usize,
        /// The first [`WIRE_HEAD_LEN`] octets, hex.
        head_hex: String,
        /// The write was a sync write (own write, flushed, before the next).
        sync: bool,
    },
    /// A frame received (as the lenient observer decoded it).
    RxFrame {
        /// Time.
        at_ms: f64,
        /// Opcode.
        opcode: u8,
        /// FIN bit.
        fin: bool,
        /// RSV bits.
        rsv: u8,
        /// Masking key, hex, if masked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mask_hex: Option<String>,
        /// Payload length.
        len: u64,
        /// The first [`WIRE_HEAD_LEN`] payload bytes (unmasked).
        head: Vec<u8>,
    },
    /// A frame sent.
    TxFrame {
        /// Time.
        at_ms: f64,
        /// Opcode.
        opcode: u8,
        /// FIN bit.
        fin: bool,
        /// RSV bits.
        rsv: u8,
        /// Masking key, hex, if masked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mask_hex: Option<String>,
        /// Payload length.
        len: u64,
        /// The first [`WIRE_HEAD_LEN`] payload bytes (unmasked).
        head: Vec<u8>,
        /// Chop size used to write it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chop: Option<usize>,
        /// Sync write.
        sync: bool,
    },
    /// A timer was scheduled or fired.
    Timer {
        /// Time.
        at_ms: f64,
        /// Which timer.
        kind: TimerKind,
        /// True when it fired, false when scheduled.
        fired: bool,
        /// Its delay in seconds.
        secs: f64,
        /// A timeout-marker tag, for waits.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
    /// The TCP connection ended.
    TcpDropped {
        /// Time.
        at_ms: f64,
        /// The harness closed it (else the peer did).
        by_me: bool,
    },
    /// Rows were left out here (the log is capped, and switched off for bulk cases).
    Elided {
        /// How many rows.
        rows: u64,
    },
}
