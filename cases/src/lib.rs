//! The Ampel conformance case catalogue as data, and the pure judge.
//!
//! * [`catalogue`] holds every case (Autobahn sections 1-7, 9 and 10, with Autobahn's ids,
//!   order and global indices); [`by_id`], [`by_index`] and [`index_of`] look cases up.
//! * A [`Case`] is data: [`Step`]s for the harness to perform (frames, messages, waits,
//!   timers, echo checks) and an [`Expect`] describing what a conforming peer does.
//! * A harness records an [`Observation`]; [`judge`] turns case + observation into a
//!   [`Judgement`] with Autobahn's verdict strings.
//! * [`select`] / [`select_cases`] apply Autobahn's case-selection globs.
//!
//! # What a harness does with a case
//!
//! 1. Opens one connection per case, offering [`Case::handshake`]; the protocol timers are in
//!    [`Case::timers`] (all durations are [`Secs`], so they can be scaled).
//! 2. Runs [`Case::steps`] in order. Frames are masked per role unless a [`FrameSpec`] says
//!    otherwise; [`Delivery`] says how octets reach the socket. [`Step::Wait`] is a stage
//!    boundary: later steps run only while the connection is OPEN.
//! 3. Records every complete message and every pong as an [`ObservedEvent`] (pings from the
//!    peer are answered, not recorded). After each event it asks
//!    [`Expect::auto_close_due`], and closes with the code it returns, if any.
//! 4. Validates what the peer sends strictly; on a violation it fails the connection itself
//!    (1002, or 1007 for bad UTF-8), which sets `closed_by_me` and `failed_by_me`. It answers a
//!    peer's close with 1000.
//! 5. When TCP is gone, calls [`judge`].
//!
//! ```
//! use ampel_cases::{Behavior, CloseBehavior, Observation, ObservedEvent, Role, by_id, judge};
//!
//! let case = by_id(&"2.2".parse()?).expect("2.2 is in the catalogue");
//! let mut seen = Observation::new(Role::Client);
//! seen.handshake.completed = true;
//! seen.events.push(ObservedEvent::pong(b"Hello, world!"));
//! seen.connection.closed_by_me = true;
//! seen.connection.was_clean = true;
//! seen.connection.remote_close_code = Some(1000);
//! let verdict = judge(case, &seen);
//! assert_eq!(verdict.behavior, Behavior::Ok);
//! assert_eq!(verdict.behavior_close, CloseBehavior::Ok);
//! # Ok::<(), ampel_cases::CaseIdError>(())
//! ```
//!
//! # Deliberate differences from Autobahn
//!
//! * Section 9 echoes are also compared by SHA-1: a reply with the right type and length but
//!   other bytes is FAILED with the reason "content differs".
//! * An exact id in `cases` or `exclude-cases` that names no case is a [`SelectError`] up
//!   front, instead of a crash when the case is reached.
//! * Case texts are our own; Autobahn's known text mistakes (3.6 "ping", the 9.x size labels)
//!   are not reproduced. Wire images are.
//!
//! This crate never depends on the WebSocket implementation it is used to test.
#![forbid(unsafe_code)]

mod case;
mod catalogue;
pub mod corpus;
mod expect;
mod frame;
mod groups;
mod id;
mod judge;
mod message;
mod observation;
mod payload;
mod select;
mod step;
mod verdict;
mod windows;
mod wirelog;

pub use case::{AppliesTo, Case, DeflateAccept, Feature, HandshakeOffer, SpecRef};
pub use catalogue::{by_id, by_index, catalogue, index_of};
pub use expect::{Alternative, Check, CloseExpect, Expect, ExpectedEvent, events_match};
pub use frame::{CloseBody, FrameSpec, LengthEncoding, MaskPolicy, opcode};
pub use groups::{group_title, titles_of};
pub use id::{CaseId, CaseIdError};
pub use judge::{Judgement, judge};
pub use message::{Fragmentation, MessageFrames, MessageSpec};
pub use observation::{
    CompressionStats, ConnectionFlags, EchoLog, EchoReply, HandshakeRecord, MESSAGE_HEAD_LEN,
    Observation, ObservedEvent, PeerViolation, Role,
};
pub use payload::{Chunks, Payload, sha1_hex};
pub use select::{
    SelectError, excluded_for_agent, matches_anchored, matches_prefix, parse_list, select,
    select_cases,
};
pub use step::{Delivery, EchoMismatch, EchoSource, EchoSpec, Secs, Step, Timers};
pub use verdict::{Behavior, CloseBehavior, Label};
pub use windows::Windows;
pub use wirelog::{TimerKind, WIRE_HEAD_LEN, WireEntry};
