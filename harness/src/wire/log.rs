//! The per-case record shared by the writer and the reader: wire-log rows (capped), frame
//! counts by opcode and compressed-message octets. Both halves of a connection write to it, so it sits behind a mutex;
//! every critical section is a push or an increment.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use ampel_cases::{CompressionStats, WIRE_HEAD_LEN, WireEntry};

/// The record of one case's connection.
#[derive(Debug)]
pub struct WireLog {
    start: Instant,
    cap: usize,
    /// Frame and octet rows are suppressed (bulk cases), counted as elided.
    bulk: bool,
    rows: Vec<WireEntry>,
    elided: u64,
    tx_counts: BTreeMap<u8, u64>,
    rx_counts: BTreeMap<u8, u64>,
    compression: CompressionStats,
}

/// What a finished log hands to the observation.
#[derive(Debug, Default)]
pub struct LogParts {
    /// The rows, ending with an `Elided` row if any were left out.
    pub rows: Vec<WireEntry>,
    /// Frames sent, by opcode.
    pub tx_counts: BTreeMap<u8, u64>,
    /// Frames received, by opcode.
    pub rx_counts: BTreeMap<u8, u64>,
    /// Octets of compressed messages, both ways.
    pub compression: CompressionStats,
}

/// A log shared between the tasks of one connection.
#[derive(Debug, Clone)]
pub struct SharedLog(Arc<Mutex<WireLog>>);

impl WireLog {
    /// A log starting now; `cap` rows at most (0 = no rows at all); `bulk` turns off frame
    /// and octet rows.
    pub fn new(cap: usize, bulk: bool) -> Self {
        Self {
            start: Instant::now(),
            cap,
            bulk,
            rows: Vec::new(),
            elided: 0,
            tx_counts: BTreeMap::new(),
            rx_counts: BTreeMap::new(),
            compression: CompressionStats::default(),
        }
    }

    /// Milliseconds since the start.
    pub fn at_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Whether a frame or octet row would be kept now (lets callers skip building it).
    pub fn wants_traffic(&self) -> bool {
        !self.bulk && self.rows.len() < self.cap
    }

    /// Adds a frame or octet row (suppressed in bulk mode).
    pub fn traffic(&mut self, row: impl FnOnce(f64) -> WireEntry) {
        if self.wants_traffic() {
            let at = self.at_ms();
            self.rows.push(row(at));
        } else {
            self.elided += 1;
        }
    }

    /// Adds a timer or TCP row (kept in bulk mode, subject to the cap).
    pub fn event(&mut self, row: impl FnOnce(f64) -> WireEntry) {
        if self.rows.len() < self.cap {
            let at = self.at_ms();
            self.rows.push(row(at));
        } else {
            self.elided += 1;
        }
    }

    /// Counts a frame sent.
    pub fn count_tx(&mut self, opcode: u8) {
        *self.tx_counts.entry(opcode).or_insert(0) += 1;
    }

    /// Counts a frame received.
    pub fn count_rx(&mut self, opcode: u8) {
        *self.rx_counts.entry(opcode).or_insert(0) += 1;
    }

    /// Counts a compressed message sent: `app` octets compressed to `wire`.
    pub fn count_compressed_tx(&mut self, app: u64, wire: u64) {
        self.compression.tx_app += app;
        self.compression.tx_wire += wire;
    }

    /// Counts a compressed message received: `wire` octets inflated to `app`.
    pub fn count_compressed_rx(&mut self, app: u64, wire: u64) {
        self.compression.rx_app += app;
        self.compression.rx_wire += wire;
    }

    /// The rows and counts.
    pub fn into_parts(mut self) -> LogParts {
        if self.elided > 0 && self.cap > 0 {
            self.rows.push(WireEntry::Elided { rows: self.elided });
        }
        LogParts {
            rows: self.rows,
            tx_counts: self.tx_counts,
            rx_counts: self.rx_counts,
            compression: self.compression,
        }
    }
}

impl SharedLog {
    /// A shared [`WireLog`].
    pub fn new(cap: usize, bulk: bool) -> Self {
        Self(Arc::new(Mutex::new(WireLog::new(cap, bulk))))
    }

    /// Locks the log (a poisoned lock is still usable: rows are plain data).
    pub fn lock(&self) -> MutexGuard<'_, WireLog> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the rows and counts out (the log is left empty).
    pub fn take(&self) -> LogParts {
        let mut guard = self.lock();
        let cap = guard.cap;
        let bulk = guard.bulk;
        std::mem::replace(&mut *guard, WireLog::new(cap, bulk)).into_parts()
    }
}

/// The first [`WIRE_HEAD_LEN`] octets as lower-case hex.
pub fn head_hex(bytes: &[u8]) -> String {
    let head = bytes.get(..WIRE_HEAD_LEN).unwrap_or(bytes);
    let mut s = String::with_capacity(head.len() * 2);
    for b in head {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A masking key as hex.
pub fn mask_hex(key: Option<[u8; 4]>) -> Option<String> {
    key.map(|k| head_hex(&k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_and_bulk() {
        let mut log = WireLog::new(2, false);
        for _ in 0..4 {
            log.event(|at_ms| WireEntry::TcpDropped { at_ms, by_me: true });
        }
        let parts = log.into_parts();
        assert_eq!(parts.rows.len(), 3);
        assert_eq!(parts.rows.last(), Some(&WireEntry::Elided { rows: 2 }));

        let mut log = WireLog::new(10, true);
        log.traffic(|at_ms| WireEntry::RxOctets {
            at_ms,
            len: 1,
            head_hex: "00".into(),
        });
        log.event(|at_ms| WireEntry::TcpDropped {
            at_ms,
            by_me: false,
        });
        log.count_tx(1);
        log.count_tx(1);
        let parts = log.into_parts();
        assert!(matches!(parts.rows[0], WireEntry::TcpDropped { .. }));
        assert_eq!(parts.rows[1], WireEntry::Elided { rows: 1 });
        assert_eq!(parts.tx_counts.get(&1), Some(&2));

        let parts = WireLog::new(0, false).into_parts();
        assert!(parts.rows.is_empty());
    }

    #[test]
    fn hex() {
        assert_eq!(head_hex(&[0, 0xab]), "00ab");
        assert_eq!(head_hex(&[1; 100]).len(), 2 * WIRE_HEAD_LEN);
        assert_eq!(mask_hex(Some([1, 2, 3, 4])).as_deref(), Some("01020304"));
    }
}
