//! The Ampel conformance case catalogue as data, and the pure judge.
//!
//! * [`catalogue`] holds every case (Autobahn sections 1-7, 9 and 10, with Autobahn's ids,
//!   order and global indices); [`by_id`] and [`by_index`] look cases up.
//! * A [`Case`] is data: [`Step`]s for the harness to perform (frames, messages, waits,
//!   timers, echo checks) and an [`Expect`] describing what a conforming peer does.
//! * A harness records an [`Observation`]; [`judge`] turns case + observation into a
//!   [`Judgement`] with Autobahn's verdict strings.
//! * [`select`] applies Autobahn's case-selection globs.
//!
//! This crate never depends on the WebSocket implementation it is used to test.
#![forbid(unsafe_code)]

mod case;
mod catalogue;
mod expect;
mod frame;
mod id;
mod judge;
mod message;
mod observation;
mod payload;
mod select;
mod step;
mod verdict;
mod wirelog;

pub use case::{AppliesTo, Case, Feature, HandshakeOffer, SpecRef};
pub use catalogue::{by_id, by_index, catalogue, index_of};
pub use expect::{Alternative, Check, CloseExpect, Expect, ExpectedEvent, events_match};
pub use frame::{CloseBody, FrameSpec, MaskPolicy, opcode};
pub use id::{CaseId, CaseIdError};
pub use judge::{Judgement, judge};
pub use message::{Fragmentation, MessageFrames, MessageSpec};
pub use observation::{
    ConnectionFlags, EchoLog, EchoReply, HandshakeRecord, MESSAGE_HEAD_LEN, Observation,
    ObservedEvent, PeerViolation, Role,
};
pub use payload::{Chunks, Payload, sha1_hex};
pub use select::{
    SelectError, excluded_for_agent, matches_anchored, matches_prefix, parse_list, select,
    select_cases,
};
pub use step::{Delivery, EchoMismatch, EchoSource, EchoSpec, Secs, Step, Timers};
pub use verdict::{Behavior, CloseBehavior, Label};
pub use wirelog::{TimerKind, WIRE_HEAD_LEN, WireEntry};
