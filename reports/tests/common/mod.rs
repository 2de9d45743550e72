//! A small synthetic run for the writer tests: two agents, one case of every verdict kind,
//! fixed timestamps and durations, and some hostile peer-controlled text.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ampel_cases::{
    Behavior, CloseBehavior, CloseExpect, Judgement, Label, Observation, ObservedEvent, Role,
    SpecRef, TimerKind, WireEntry,
};
use ampel_reports::{
    CaseResult, EventSummary, ExpectedAlternative, ExpectedData, Generator, Mode, RunReport,
    Timestamp,
};

/// The first agent: runs every case.
pub const AGENT_A: &str = "Ampel/0.1";
/// The second agent: a name with HTML metacharacters; skips 12.1.1.
pub const AGENT_B: &str = "Other <Server> & Co/2.0";

/// 2024-05-01T12:00:00.000Z plus `secs`.
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_millis(1_714_564_800_000 + secs * 1000).expect("in range")
}

fn text(s: &str) -> EventSummary {
    EventSummary::Message {
        binary: false,
        len: s.len(),
        sha1: ampel_cases::sha1_hex(s.as_bytes()),
        preview: ampel_reports::text_preview(s.as_bytes(), s.len()),
    }
}

fn judgement(behavior: Behavior, close: CloseBehavior, reason: Option<&str>) -> Judgement {
    let result = match behavior {
        Behavior::Ok | Behavior::NonStrict => "Actual events match at least one expected.",
        Behavior::Informational => "Reported for information only.",
        Behavior::Unimplemented => "permessage-deflate was not negotiated.",
        _ => "Actual events differ from any expected.",
    };
    let result_close = match close {
        CloseBehavior::Ok => "Connection was properly closed",
        CloseBehavior::Unclean => "The spec requires the connection to be failed cleanly here",
        CloseBehavior::WrongCode => "The close code should have been 1007 or empty",
        CloseBehavior::FailedByClient => "It is preferred that the server close the TCP connection",
        CloseBehavior::Informational => "Reported for information only.",
        _ => "The connection was failed by the wrong endpoint",
    };
    Judgement {
        behavior,
        behavior_close: close,
        result: result.to_owned(),
        result_close: result_close.to_owned(),
        reason: reason.map(str::to_owned),
    }
}

/// A plausible wire log: handshake octets, one frame each way, a kill timer, the close, TCP.
fn wire_log(rx_head: &[u8], rx_len: usize, drop_by_me: bool) -> Vec<WireEntry> {
    let request = "474554202f20485454502f312e310d0a486f73743a203132372e302e302e313a393030310d0a557067726164653a20776562736f636b65740d0a436f6e6e656374696f6e3a20557067726164650d0a";
    vec![
        WireEntry::TxOctets {
            at_ms: 0.125,
            len: 200,
            head_hex: request.to_owned(),
            sync: false,
        },
        WireEntry::RxOctets {
            at_ms: 0.875,
            len: 129,
            head_hex: "485454502f312e312031303120537769746368696e672050726f746f636f6c730d0a557067726164653a20776562736f636b65740d0a436f6e6e656374696f6e3a20".to_owned(),
        },
        WireEntry::TxFrame {
            at_ms: 1.0,
            opcode: 1,
            fin: true,
            rsv: 0,
            mask_hex: Some("0e4b33bf".to_owned()),
            len: 5,
            head: b"Hello".to_vec(),
            chop: None,
            sync: false,
        },
        WireEntry::Timer {
            at_ms: 1.5,
            kind: TimerKind::Kill,
            fired: false,
            secs: 1.0,
            tag: None,
        },
        WireEntry::RxOctets {
            at_ms: 2.25,
            len: 2 + rx_len.min(125),
            head_hex: "8105".to_owned(),
        },
        WireEntry::RxFrame {
            at_ms: 2.25,
            opcode: 1,
            fin: true,
            rsv: 0,
            mask_hex: None,
            len: rx_len as u64,
            head: rx_head.to_vec(),
        },
        WireEntry::TxFrame {
            at_ms: 3.0,
            opcode: 8,
            fin: true,
            rsv: 0,
            mask_hex: Some("bd4d6db7".to_owned()),
            len: 2,
            head: vec![0x03, 0xe8],
            chop: Some(1),
            sync: true,
        },
        WireEntry::Timer {
            at_ms: 3.5,
            kind: TimerKind::CloseHandshake,
            fired: false,
            secs: 1.0,
            tag: None,
        },
        WireEntry::TcpDropped {
            at_ms: 4.0,
            by_me: drop_by_me,
        },
    ]
}

struct Spec {
    id: &'static str,
    index: usize,
    title: &'static str,
    behavior: Behavior,
    close: CloseBehavior,
    reason: Option<&'static str>,
    alternatives: Vec<ExpectedAlternative>,
    close_expect: CloseExpect,
    received: Vec<ObservedEvent>,
    remote_code: Option<u16>,
    clean: bool,
    closed_by_me: bool,
    dropped_by_me: bool,
}

fn result(spec: Spec, start: i64, duration_ms: u64, role: Role) -> CaseResult {
    let mut obs = Observation::new(role);
    obs.handshake.completed = true;
    obs.handshake.request = Some(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            .to_owned(),
    );
    obs.handshake.response = Some(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: <b>evil</b>\r\n\r\n"
            .to_owned(),
    );
    obs.events = spec.received;
    let c = &mut obs.connection;
    c.closed_by_me = spec.closed_by_me;
    c.failed_by_me = false;
    c.dropped_by_me = spec.dropped_by_me;
    c.was_clean = spec.clean;
    if !spec.clean {
        c.was_not_clean_reason = Some("peer did not respond (in time) in closing handshake".into());
        c.was_close_handshake_timeout = true;
    }
    c.local_close_code = spec.closed_by_me.then_some(1000);
    c.remote_close_code = spec.remote_code;
    c.remote_close_reason = spec
        .remote_code
        .map(|_| "<script>alert('peer')</script>".to_owned());
    obs.tx_frame_counts = BTreeMap::from([(1, 1), (8, 1)]);
    obs.rx_frame_counts = BTreeMap::from([(1, 1), (8, u64::from(spec.remote_code.is_some()))]);
    obs.duration_ms = duration_ms as f64;
    let (rx_head, rx_len) = match obs.events.first() {
        Some(ObservedEvent::Message { head, len, .. }) => (head.clone(), *len),
        _ => (b"Hello".to_vec(), 5),
    };
    obs.wire_log = wire_log(&rx_head, rx_len, spec.dropped_by_me);
    CaseResult {
        id: spec.id.parse().expect("valid id"),
        index: spec.index,
        title: spec.title.to_owned(),
        description: format!("Synthetic case {} for the report writers.", spec.id),
        expectation: "The peer behaves as the alternatives say.".to_owned(),
        spec_ref: SpecRef {
            document: "RFC 6455".to_owned(),
            section: "5.6".to_owned(),
            requirement: "A synthetic requirement.".to_owned(),
        },
        judgement: judgement(spec.behavior, spec.close, spec.reason),
        expected: ExpectedData {
            alternatives: spec.alternatives,
            close: spec.close_expect,
            echo: None,
            frame_counts: None,
            report_time: false,
            report_compression_ratio: false,
        },
        observation: obs,
        started: at(start),
        duration_ms,
    }
}

fn ok_alt(events: Vec<EventSummary>) -> Vec<ExpectedAlternative> {
    vec![ExpectedAlternative {
        label: Label::Ok,
        events,
    }]
}

fn specs(agent_b: bool) -> Vec<Spec> {
    let hello = || ObservedEvent::message(false, b"Hello");
    // 100 bytes, not UTF-8: previews fall back to hex and are cut.
    let long_binary: Vec<u8> = (0u8..100).map(|b| b.wrapping_mul(37) | 0x80).collect();
    let mut list = vec![
        Spec {
            id: "1.1.1",
            index: 1,
            title: "Text message, 5-byte payload",
            behavior: Behavior::Ok,
            close: CloseBehavior::Ok,
            reason: None,
            alternatives: ok_alt(vec![text("Hello")]),
            close_expect: CloseExpect::harness_closes(&[1000]),
            received: vec![hello()],
            remote_code: Some(1000),
            clean: true,
            closed_by_me: true,
            dropped_by_me: false,
        },
        Spec {
            id: "3.1",
            index: 28,
            title: "RSV bits set on a text message",
            behavior: Behavior::NonStrict,
            close: CloseBehavior::Ok,
            reason: None,
            alternatives: vec![
                ExpectedAlternative {
                    label: Label::Ok,
                    events: vec![],
                },
                ExpectedAlternative {
                    label: Label::NonStrict,
                    events: vec![text("Hello")],
                },
            ],
            close_expect: CloseExpect::peer_fails(&[1002]),
            received: vec![hello()],
            remote_code: Some(1002),
            clean: true,
            closed_by_me: false,
            dropped_by_me: agent_b,
        },
        Spec {
            id: "5.1",
            index: 45,
            title: "Fragmented ping",
            behavior: if agent_b {
                Behavior::Ok
            } else {
                Behavior::Failed
            },
            close: CloseBehavior::Ok,
            reason: (!agent_b).then_some("an unexpected binary message arrived"),
            alternatives: ok_alt(vec![]),
            close_expect: CloseExpect::peer_fails(&[1002]),
            received: if agent_b {
                vec![]
            } else {
                vec![ObservedEvent::message(true, &long_binary)]
            },
            remote_code: Some(1002),
            clean: true,
            closed_by_me: false,
            dropped_by_me: false,
        },
        Spec {
            id: "6.3.1",
            index: 70,
            title: "Invalid UTF-8 in one frame",
            behavior: Behavior::Ok,
            close: CloseBehavior::WrongCode,
            reason: None,
            alternatives: ok_alt(vec![]),
            close_expect: CloseExpect::peer_fails(&[1007]),
            received: vec![],
            remote_code: Some(1002),
            clean: true,
            closed_by_me: false,
            dropped_by_me: false,
        },
        Spec {
            id: "7.1.1",
            index: 210,
            title: "Echo, then close",
            behavior: Behavior::Ok,
            close: if agent_b {
                CloseBehavior::FailedByClient
            } else {
                CloseBehavior::Unclean
            },
            reason: None,
            alternatives: ok_alt(vec![text("Hello")]),
            close_expect: CloseExpect::harness_closes(&[1000]),
            received: vec![hello()],
            remote_code: if agent_b { Some(1000) } else { None },
            clean: agent_b,
            closed_by_me: true,
            dropped_by_me: true,
        },
        Spec {
            id: "7.13.1",
            index: 246,
            title: "Close code 5000",
            behavior: Behavior::Informational,
            close: CloseBehavior::Informational,
            reason: None,
            alternatives: ok_alt(vec![]),
            close_expect: CloseExpect::peer_fails(&[1002]),
            received: vec![],
            remote_code: Some(5000),
            clean: true,
            closed_by_me: false,
            dropped_by_me: false,
        },
    ];
    if !agent_b {
        list.push(Spec {
            id: "12.1.1",
            index: 302,
            title: "Compressed text messages",
            behavior: Behavior::Unimplemented,
            close: CloseBehavior::Ok,
            reason: None,
            alternatives: vec![],
            close_expect: CloseExpect::harness_closes(&[1000]),
            received: vec![],
            remote_code: Some(1000),
            clean: true,
            closed_by_me: true,
            dropped_by_me: false,
        });
    }
    list
}

/// The synthetic report.
pub fn report() -> RunReport {
    let mut report = RunReport {
        generator: Generator {
            name: "ampel".to_owned(),
            version: "0.1.0-test".to_owned(),
        },
        mode: Mode::TestServer,
        started: at(0),
        finished: Some(at(60)),
        agents: BTreeMap::new(),
    };
    for (agent, b) in [(AGENT_A, false), (AGENT_B, true)] {
        for (i, spec) in specs(b).into_iter().enumerate() {
            let i = i as i64;
            let r = result(spec, 1 + i, 3 + 2 * i as u64, Role::Client);
            report.insert(agent, r);
        }
    }
    report
}

/// One result of the synthetic report.
pub fn case(agent: &str, id: &str) -> CaseResult {
    let report = report();
    report.agents[agent]
        .get(&id.parse().expect("valid id"))
        .expect("case in the synthetic report")
        .clone()
}

/// `tests/golden` of this crate.
pub fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}
