//! What a harness records while running one case. The judge reads only this and the case.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::payload::sha1_hex;

/// Which side the harness played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The harness connected to the peer (testing a server).
    Client,
    /// The peer connected to the harness (testing a client).
    Server,
}

/// How many leading bytes of a message [`ObservedEvent::message`] keeps.
pub const MESSAGE_HEAD_LEN: usize = 64;

/// One recorded event. Pings from the peer are answered and not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ObservedEvent {
    /// A complete message.
    Message {
        /// Binary (else text).
        binary: bool,
        /// Length in bytes.
        len: usize,
        /// Lower-case hex SHA-1 of the content.
        sha1: String,
        /// The first bytes of the content, for reports.
        head: Vec<u8>,
    },
    /// A pong (at most 125 bytes, kept whole).
    Pong {
        /// Its payload.
        payload: Vec<u8>,
    },
    /// A timeout marker.
    Timeout {
        /// The tag.
        tag: String,
    },
}

impl ObservedEvent {
    /// A message event computed from its full content.
    pub fn message(binary: bool, content: &[u8]) -> Self {
        Self::Message {
            binary,
            len: content.len(),
            sha1: sha1_hex(content),
            head: content.get(..MESSAGE_HEAD_LEN).unwrap_or(content).to_vec(),
        }
    }

    /// A pong event.
    pub fn pong(payload: &[u8]) -> Self {
        Self::Pong {
            payload: payload.to_vec(),
        }
    }

    /// A timeout marker.
    pub fn timeout(tag: &str) -> Self {
        Self::Timeout {
            tag: tag.to_owned(),
        }
    }
}

/// The opening handshake as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandshakeRecord {
    /// The connection reached OPEN.
    pub completed: bool,
    /// The HTTP request text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// The HTTP response text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Extension names in effect after the handshake (e.g. `permessage-deflate`).
    #[serde(default)]
    pub extensions: Vec<String>,
}

/// Connection flags, with the meaning Autobahn gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConnectionFlags {
    /// The harness sent the first close frame (includes its kill timer and its own detection
    /// of a peer violation).
    pub closed_by_me: bool,
    /// The harness failed the connection (kill timer or a detected violation).
    pub failed_by_me: bool,
    /// The harness closed the TCP socket.
    pub dropped_by_me: bool,
    /// A close frame was both sent and received, and TCP ended in time.
    pub was_clean: bool,
    /// Why the close was not clean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was_not_clean_reason: Option<String>,
    /// The opening-handshake timer fired.
    pub was_open_handshake_timeout: bool,
    /// The close-handshake timer fired.
    pub was_close_handshake_timeout: bool,
    /// Harness as client: the server did not drop TCP in time after the close handshake.
    pub was_server_connection_drop_timeout: bool,
    /// Code the harness sent in its close frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_close_code: Option<u16>,
    /// Reason the harness sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_close_reason: Option<String>,
    /// Code the peer sent in its close frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_close_code: Option<u16>,
    /// Reason the peer sent (lossily decoded if it was not UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_close_reason: Option<String>,
}

/// A protocol violation the peer committed, as the harness's lenient observer saw it. These are
/// reported; they influence verdicts only through the flags (the harness fails the
/// connection on them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "violation", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeerViolation {
    /// A server sent a masked frame.
    MaskedServerFrame,
    /// A client sent an unmasked frame.
    UnmaskedClientFrame,
    /// RSV bits set with no extension to give them meaning.
    ReservedBits {
        /// The RSV value.
        rsv: u8,
    },
    /// A reserved opcode.
    ReservedOpcode {
        /// The opcode.
        opcode: u8,
    },
    /// A control frame without FIN.
    FragmentedControl {
        /// The opcode.
        opcode: u8,
    },
    /// A control frame over 125 bytes.
    ControlTooLong {
        /// Its declared length.
        len: u64,
    },
    /// A continuation with no message in progress, or a new message inside one.
    BadContinuation,
    /// A length not in its shortest encoding.
    NonMinimalLength,
    /// A 64-bit length with the most significant bit set.
    LengthTopBit,
    /// A text message that is not UTF-8.
    InvalidUtf8Text,
    /// A close frame with a 1-byte body.
    CloseBodyOneByte,
    /// A close code a peer may not send.
    BadCloseCode {
        /// The code.
        code: u16,
    },
    /// A close reason that is not UTF-8.
    CloseReasonNotUtf8,
    /// A compressed message that does not inflate (permessage-deflate).
    CorruptCompressedData {
        /// What the inflater reported.
        reason: String,
    },
    /// Anything else, described.
    Other {
        /// What happened.
        description: String,
    },
}

/// One reply in an echo check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoReply {
    /// Binary (else text).
    pub binary: bool,
    /// Length in bytes.
    pub len: usize,
    /// Lower-case hex SHA-1.
    pub sha1: String,
    /// Milliseconds from sending the request to receiving this reply.
    pub elapsed_ms: f64,
}

impl EchoReply {
    /// A reply computed from its full content.
    pub fn of(binary: bool, content: &[u8], elapsed_ms: f64) -> Self {
        Self {
            binary,
            len: content.len(),
            sha1: sha1_hex(content),
            elapsed_ms,
        }
    }
}

/// The replies of an echo step ([`crate::Step::AwaitEcho`] / [`crate::Step::EchoLoop`]).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EchoLog {
    /// Replies in arrival order (the harness stops after the first mismatch).
    pub replies: Vec<EchoReply>,
    /// The echo timer expired.
    pub timed_out: bool,
    /// Milliseconds from the first request to the end of the check.
    pub elapsed_ms: f64,
}

/// Payload octets of the compressed messages, before and after compression, per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CompressionStats {
    /// Inflated octets of the messages received.
    pub rx_app: u64,
    /// Compressed octets of the messages received (the frames' payloads).
    pub rx_wire: u64,
    /// Octets of the messages sent, before compression.
    pub tx_app: u64,
    /// Compressed octets of the messages sent.
    pub tx_wire: u64,
}

impl CompressionStats {
    /// Compressed ÷ uncompressed octets received (Autobahn's "in" ratio), if any arrived.
    pub fn ratio_in(&self) -> Option<f64> {
        ratio(self.rx_wire, self.rx_app)
    }

    /// Compressed ÷ uncompressed octets sent (the "out" ratio), if any were sent.
    pub fn ratio_out(&self) -> Option<f64> {
        ratio(self.tx_wire, self.tx_app)
    }
}

fn ratio(wire: u64, app: u64) -> Option<f64> {
    // Octet counts stay far below 2^52, where f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    (app > 0).then(|| wire as f64 / app as f64)
}

/// Everything a harness recorded for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The side the harness played.
    pub harness_role: Role,
    /// The opening handshake.
    pub handshake: HandshakeRecord,
    /// Recorded events, in order.
    pub events: Vec<ObservedEvent>,
    /// How the connection ended.
    pub connection: ConnectionFlags,
    /// Violations by the peer.
    #[serde(default)]
    pub peer_violations: Vec<PeerViolation>,
    /// Frames the harness sent, by opcode.
    #[serde(default)]
    pub tx_frame_counts: BTreeMap<u8, u64>,
    /// Frames the harness received, by opcode.
    #[serde(default)]
    pub rx_frame_counts: BTreeMap<u8, u64>,
    /// Echo-check replies (section 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo: Option<EchoLog>,
    /// permessage-deflate traffic, when it was negotiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<CompressionStats>,
    /// Milliseconds from OPEN to the end of TCP.
    pub duration_ms: f64,
    /// What crossed the wire (reports only; the judge never reads it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wire_log: Vec<crate::WireEntry>,
}

impl Observation {
    /// An empty observation for the given role: no handshake, no events, nothing closed.
    pub fn new(harness_role: Role) -> Self {
        Self {
            harness_role,
            handshake: HandshakeRecord::default(),
            events: Vec::new(),
            connection: ConnectionFlags::default(),
            peer_violations: Vec::new(),
            tx_frame_counts: BTreeMap::new(),
            rx_frame_counts: BTreeMap::new(),
            echo: None,
            compression: None,
            duration_ms: 0.0,
            wire_log: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_events_keep_a_bounded_head() {
        let big = vec![b'x'; 1000];
        match ObservedEvent::message(false, &big) {
            ObservedEvent::Message {
                len, head, sha1, ..
            } => {
                assert_eq!(len, 1000);
                assert_eq!(head.len(), MESSAGE_HEAD_LEN);
                assert_eq!(sha1, sha1_hex(&big));
            }
            other => panic!("unexpected event {other:?}"),
        }
        match ObservedEvent::message(true, b"ab") {
            ObservedEvent::Message { head, binary, .. } => {
                assert_eq!((head, binary), (b"ab".to_vec(), true))
            }
            other => panic!("unexpected event {other:?}"),
        }
    }

    #[test]
    fn observation_round_trips_through_json() {
        let mut o = Observation::new(Role::Server);
        o.handshake.completed = true;
        o.handshake.request = Some("GET / HTTP/1.1\r\n\r\n".into());
        o.events = vec![
            ObservedEvent::message(false, b"hi"),
            ObservedEvent::pong(&[0xff]),
            ObservedEvent::timeout("A"),
        ];
        o.connection.closed_by_me = true;
        o.connection.remote_close_code = Some(1002);
        o.peer_violations = vec![
            PeerViolation::UnmaskedClientFrame,
            PeerViolation::BadCloseCode { code: 999 },
        ];
        o.tx_frame_counts.insert(0, 50);
        o.echo = Some(EchoLog {
            replies: vec![EchoReply::of(true, b"x", 1.5)],
            timed_out: false,
            elapsed_ms: 2.0,
        });
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<Observation>(&json).unwrap(), o);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["harness_role"], "server");
        assert_eq!(value["events"][1]["event"], "pong");
        assert_eq!(value["peer_violations"][1]["violation"], "bad_close_code");
    }
}
