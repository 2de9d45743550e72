//! What a case expects: alternatives of recorded events, the close, and case rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::observation::ObservedEvent;
use crate::payload::Payload;
use crate::step::{EchoSpec, Secs};
use crate::verdict::Label;
use crate::windows::Windows;

/// An event the peer is expected to cause, as recorded by the harness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ExpectedEvent {
    /// A complete message.
    Message {
        /// Binary (else text).
        binary: bool,
        /// Its content.
        payload: Payload,
    },
    /// A pong.
    Pong {
        /// Its payload.
        payload: Payload,
    },
    /// A timeout marker recorded by a tagged [`crate::Step::Wait`].
    Timeout {
        /// The tag.
        tag: String,
    },
}

impl ExpectedEvent {
    /// True when `observed` is this event: same kind, and for messages the same type, length
    /// and SHA-1; for pongs the same bytes; for timeouts the same tag.
    pub fn matches(&self, observed: &ObservedEvent) -> bool {
        match (self, observed) {
            (
                Self::Message { binary, payload },
                ObservedEvent::Message {
                    binary: ob,
                    len,
                    sha1,
                    ..
                },
            ) => {
                binary == ob
                    && payload.len() == *len
                    && payload.sha1_hex() == sha1.to_ascii_lowercase()
            }
            (Self::Pong { payload }, ObservedEvent::Pong { payload: got }) => {
                *payload.bytes() == **got
            }
            (Self::Timeout { tag }, ObservedEvent::Timeout { tag: got }) => tag == got,
            _ => false,
        }
    }
}

/// True when `observed` equals `expected` exactly, in order, with nothing extra.
pub fn events_match(expected: &[ExpectedEvent], observed: &[ObservedEvent]) -> bool {
    expected.len() == observed.len() && expected.iter().zip(observed).all(|(e, o)| e.matches(o))
}

/// One labelled list of expected events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// The verdict this list gives when it matches.
    pub label: Label,
    /// The exact, ordered events.
    pub events: Vec<ExpectedEvent>,
}

/// How the connection must end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseExpect {
    /// The harness must be the one that sends the first close frame.
    pub closed_by_me: bool,
    /// Close codes allowed from the peer (an absent code is always allowed).
    pub codes: Vec<u16>,
    /// A complete close handshake is required.
    pub require_clean: bool,
    /// If the wrong endpoint closed first, the main verdict is FAILED too (the peer never
    /// noticed the violation it had to detect).
    pub wrong_closer_is_fatal: bool,
}

impl CloseExpect {
    /// The harness closes first; the peer answers with one of `codes`; clean required.
    pub fn harness_closes(codes: &[u16]) -> Self {
        Self {
            closed_by_me: true,
            codes: codes.to_vec(),
            require_clean: true,
            wrong_closer_is_fatal: false,
        }
    }

    /// The peer must fail or close first with one of `codes` (or none); a TCP drop is fine.
    pub fn peer_fails(codes: &[u16]) -> Self {
        Self {
            closed_by_me: false,
            codes: codes.to_vec(),
            require_clean: false,
            wrong_closer_is_fatal: false,
        }
    }
}

/// How the main verdict is computed.
// Externally tagged: internally tagged enums cannot read the integer map keys back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// Recorded events against the alternatives.
    EventsMatch,
    /// Section 9: `count` echoes, each of the right type, length and (beyond Autobahn) SHA-1,
    /// taken from the observation's echo log; events are ignored.
    Echo {
        /// The expected reply, the same for every round trip.
        echo: EchoSpec,
        /// Round trips required.
        count: u32,
        /// The case timer, quoted in the result when it expired.
        timeout: Secs,
    },
    /// Sections 12 and 13: each window of `windows` echoed in turn with the right type, length
    /// and SHA-1; events are ignored.
    WindowEcho {
        /// The messages, and so the expected echoes.
        windows: Windows,
        /// The case timer, quoted in the result when it expired.
        timeout: Secs,
    },
    /// Events against the alternatives, and then, for each opcode listed in `counts`, the
    /// number of frames the harness itself sent with it must be exactly that (10.1.1; other
    /// opcodes, such as the close frame, are not looked at).
    FrameCount {
        /// Opcode → frames sent.
        counts: BTreeMap<u8, u64>,
    },
}

/// The full expectation of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expect {
    /// Tried in order; the first exactly equal list gives the verdict.
    pub alternatives: Vec<Alternative>,
    /// The close expectation.
    pub close: CloseExpect,
    /// A WRONG CODE close verdict also makes the main verdict FAILED.
    pub wrong_code_fails_behavior: bool,
    /// Both verdicts are INFORMATIONAL whatever happened.
    pub forced_informational: bool,
    /// After each recorded event, if the events equal EVERY alternative and the harness is
    /// to close first, it closes at once (see [`Expect::auto_close_due`]).
    pub auto_close_on_match: bool,
    /// How the main verdict is computed.
    pub check: Check,
}

impl Expect {
    /// The auto-close rule: `Some(code)` when the harness should start the closing handshake
    /// now with `code` (the first allowed close code, 1000 in every catalogued case), given
    /// the events so far. Call it after each recorded event.
    pub fn auto_close_due(&self, events: &[ObservedEvent]) -> Option<u16> {
        let due = self.auto_close_on_match
            && self.close.closed_by_me
            && !self.alternatives.is_empty()
            && self
                .alternatives
                .iter()
                .all(|a| events_match(&a.events, events));
        if due {
            Some(self.close.codes.first().copied().unwrap_or(1000))
        } else {
            None
        }
    }

    /// The first alternative that matches `events`.
    pub fn matching_alternative(&self, events: &[ObservedEvent]) -> Option<&Alternative> {
        self.alternatives
            .iter()
            .find(|a| events_match(&a.events, events))
    }
}
