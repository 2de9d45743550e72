//! The catalogue: every case, in Autobahn's order, built once. One file per section; families
//! are generated from tables. Small builders here keep the section files close to the
//! tables they transcribe.

use std::sync::OnceLock;

use crate::case::{AppliesTo, Case, HandshakeOffer, SpecRef};
use crate::expect::{Alternative, Check, CloseExpect, Expect, ExpectedEvent};
use crate::frame::{CloseBody, FrameSpec, opcode};
use crate::id::CaseId;
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::step::{Delivery, Secs, Step, Timers};
use crate::verdict::Label;

mod c01_framing;
mod c02_pings;
mod c03_reserved_bits;
mod c04_opcodes;
mod c05_fragmentation;
mod c06_utf8;
mod c07_close;
mod c09_limits;
mod c10_misc;
mod c12_deflate_data;
mod c13_deflate_params;
mod c14_deflate_rules;

#[cfg(test)]
pub(crate) use c06_utf8::families;

/// Every case, sorted by id; the 1-based position is Autobahn's global index.
pub fn catalogue() -> &'static [Case] {
    static CATALOGUE: OnceLock<Vec<Case>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut all = Vec::new();
        c01_framing::cases(&mut all);
        c02_pings::cases(&mut all);
        c03_reserved_bits::cases(&mut all);
        c04_opcodes::cases(&mut all);
        c05_fragmentation::cases(&mut all);
        c06_utf8::cases(&mut all);
        c07_close::cases(&mut all);
        c09_limits::cases(&mut all);
        c10_misc::cases(&mut all);
        c12_deflate_data::cases(&mut all);
        c13_deflate_params::cases(&mut all);
        c14_deflate_rules::cases(&mut all);
        // Sections are written in order already; sorting guards the index invariant.
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    })
}

/// The case with this id.
pub fn by_id(id: &CaseId) -> Option<&'static Case> {
    let all = catalogue();
    all.binary_search_by(|c| c.id.cmp(id))
        .ok()
        .and_then(|i| all.get(i))
}

/// The case at this 1-based global index (Autobahn's: 7.1.6 is 215, 10.1.1 is 301).
pub fn by_index(index: usize) -> Option<&'static Case> {
    index.checked_sub(1).and_then(|i| catalogue().get(i))
}

/// The 1-based global index of an id.
pub fn index_of(id: &CaseId) -> Option<usize> {
    catalogue()
        .binary_search_by(|c| c.id.cmp(id))
        .ok()
        .map(|i| i + 1)
}

// ---- builders shared by the section files ----

pub(crate) fn id(parts: &[u32]) -> CaseId {
    CaseId::from_parts_unchecked(parts)
}

pub(crate) fn rfc(section: &str, requirement: &str) -> SpecRef {
    SpecRef {
        document: "RFC 6455".to_owned(),
        section: section.to_owned(),
        requirement: requirement.to_owned(),
    }
}

/// A case with Autobahn's defaults: both roles, no extension, default timers.
pub(crate) fn case(
    id: CaseId,
    title: impl Into<String>,
    description: impl Into<String>,
    expectation: impl Into<String>,
    spec_ref: SpecRef,
    steps: Vec<Step>,
    expect: Expect,
) -> Case {
    Case {
        id,
        title: title.into(),
        description: description.into(),
        expectation: expectation.into(),
        spec_ref,
        applies_to: AppliesTo::Both,
        required_feature: None,
        handshake: HandshakeOffer::default(),
        steps,
        expect,
        timers: Timers::default(),
    }
}

pub(crate) fn frame(fin: bool, op: u8, payload: Payload) -> FrameSpec {
    FrameSpec::new(fin, op, payload)
}

pub(crate) fn send(frame: FrameSpec) -> Step {
    send_with(frame, Delivery::PLAIN)
}

pub(crate) fn send_with(frame: FrameSpec, delivery: Delivery) -> Step {
    Step::Frame { frame, delivery }
}

pub(crate) fn send_message(message: MessageSpec) -> Step {
    Step::Message {
        message,
        delivery: Delivery::PLAIN,
    }
}

pub(crate) fn text(s: &str) -> Payload {
    Payload::text(s)
}

pub(crate) fn close(body: CloseBody) -> Step {
    Step::Close { body }
}

pub(crate) fn kill(secs: f64) -> Step {
    Step::KillAfter { secs: Secs(secs) }
}

pub(crate) fn close_after(secs: f64) -> Step {
    Step::CloseAfter { secs: Secs(secs) }
}

pub(crate) fn wait(secs: f64, tag: Option<&str>) -> Step {
    Step::Wait {
        secs: Secs(secs),
        tag: tag.map(str::to_owned),
    }
}

pub(crate) fn ev_text(payload: Payload) -> ExpectedEvent {
    ExpectedEvent::Message {
        binary: false,
        payload,
    }
}

pub(crate) fn ev_pong(payload: Payload) -> ExpectedEvent {
    ExpectedEvent::Pong { payload }
}

pub(crate) fn ev_timeout(tag: &str) -> ExpectedEvent {
    ExpectedEvent::Timeout {
        tag: tag.to_owned(),
    }
}

/// The echo of a single data frame.
pub(crate) fn ev_echo(frame: &FrameSpec) -> ExpectedEvent {
    ExpectedEvent::Message {
        binary: frame.opcode == opcode::BINARY,
        payload: frame.payload.clone(),
    }
}

fn expect_of(alternatives: Vec<Alternative>, close: CloseExpect) -> Expect {
    Expect {
        alternatives,
        close,
        wrong_code_fails_behavior: false,
        forced_informational: false,
        auto_close_on_match: true,
        check: Check::EventsMatch,
    }
}

/// The harness checks the echoes itself (`check`, events ignored), then closes with 1000,
/// cleanly.
pub(crate) fn expect_echoes(check: Check) -> Expect {
    Expect {
        alternatives: Vec::new(),
        close: CloseExpect::harness_closes(&[1000]),
        wrong_code_fails_behavior: false,
        forced_informational: false,
        auto_close_on_match: false,
        check,
    }
}

/// The peer must produce exactly `events`; the harness then closes with 1000, cleanly.
pub(crate) fn expect_events(events: Vec<ExpectedEvent>) -> Expect {
    expect_of(
        vec![Alternative {
            label: Label::Ok,
            events,
        }],
        CloseExpect::harness_closes(&[1000]),
    )
}

/// The peer must fail the connection (codes allowed, or none). `ok` is what it may echo
/// first; `non_strict` an alternative it may show instead.
pub(crate) fn expect_peer_fails(
    ok: Vec<ExpectedEvent>,
    non_strict: Option<Vec<ExpectedEvent>>,
    codes: &[u16],
) -> Expect {
    let mut alternatives = vec![Alternative {
        label: Label::Ok,
        events: ok,
    }];
    if let Some(events) = non_strict {
        alternatives.push(Alternative {
            label: Label::NonStrict,
            events,
        });
    }
    expect_of(alternatives, CloseExpect::peer_fails(codes))
}

#[cfg(test)]
mod tests;
