//! Table tests of every verdict and close-verdict path, over synthetic observations.

use super::*;
use crate::case::Feature;
use crate::observation::{EchoReply, ObservedEvent};
use crate::payload::Payload;
use crate::{CaseId, by_id};

fn case(id: &str) -> &'static Case {
    by_id(&id.parse::<CaseId>().unwrap()).unwrap()
}

fn echo_of(text: &[u8]) -> ObservedEvent {
    ObservedEvent::message(false, text)
}

/// A finished connection: handshake done, close flags as given.
fn obs(
    role: Role,
    events: Vec<ObservedEvent>,
    closed_by_me: bool,
    clean: bool,
    code: Option<u16>,
) -> Observation {
    let mut o = Observation::new(role);
    o.handshake.completed = true;
    o.events = events;
    o.connection.closed_by_me = closed_by_me;
    o.connection.was_clean = clean;
    o.connection.remote_close_code = code;
    // A server always drops TCP after the close handshake; a client waits for the server.
    o.connection.dropped_by_me = role == Role::Server;
    o
}

/// The same observation with the harness having dropped TCP.
fn dropped(mut o: Observation) -> Observation {
    o.connection.dropped_by_me = true;
    o
}

fn verdicts(case_id: &str, o: &Observation) -> (Behavior, CloseBehavior) {
    let j = judge(case(case_id), o);
    (j.behavior, j.behavior_close)
}

use Behavior as B;
use CloseBehavior as C;

#[test]
fn events_and_close_table() {
    let hello = b"Hello, world!";
    let stars = |n: usize| Payload::repeat(*b"*", n).bytes().into_owned();
    let (client, server) = (Role::Client, Role::Server);
    #[rustfmt::skip]
    let table: Vec<(&str, &str, Observation, Behavior, CloseBehavior)> = vec![
        ("echo, clean close", "1.1.2", obs(client, vec![echo_of(&stars(125))], true, true, Some(1000)), B::Ok, C::Ok),
        ("echo, harness as server", "1.1.2", obs(server, vec![echo_of(&stars(125))], true, true, Some(1000)), B::Ok, C::Ok),
        ("no code in the peer's close is fine", "1.1.2", obs(client, vec![echo_of(&stars(125))], true, true, None), B::Ok, C::Ok),
        ("missing echo", "1.1.2", obs(client, vec![], true, true, Some(1000)), B::Failed, C::Ok),
        ("extra event", "1.1.2", obs(client, vec![echo_of(&stars(125)), ObservedEvent::pong(b"")], true, true, Some(1000)), B::Failed, C::Ok),
        ("same length, other content", "1.1.2", obs(client, vec![echo_of(&[b'+'; 125])], true, true, Some(1000)), B::Failed, C::Ok),
        ("binary instead of text", "1.1.2", obs(client, vec![ObservedEvent::message(true, &stars(125))], true, true, Some(1000)), B::Failed, C::Ok),
        ("peer closed first in an echo case", "1.1.2", obs(client, vec![echo_of(&stars(125))], false, true, Some(1000)), B::Ok, C::Failed),
        ("unclean where clean required", "1.1.2", obs(client, vec![echo_of(&stars(125))], true, false, None), B::Ok, C::Unclean),
        ("wrong code shows only in the close column", "1.1.2", obs(client, vec![echo_of(&stars(125))], true, true, Some(1002)), B::Ok, C::WrongCode),
        ("pong echo", "2.2", obs(client, vec![ObservedEvent::pong(hello)], true, true, Some(1000)), B::Ok, C::Ok),
        ("pong with other payload", "2.2", obs(client, vec![ObservedEvent::pong(b"Hello")], true, true, Some(1000)), B::Failed, C::Ok),
        ("peer fails: OK alternative", "3.2", obs(client, vec![echo_of(hello)], false, false, Some(1002)), B::Ok, C::Ok),
        ("peer fails before echo: NON-STRICT", "3.2", obs(client, vec![], false, false, Some(1002)), B::NonStrict, C::Ok),
        ("peer answers the ping: FAILED", "3.2", obs(client, vec![echo_of(hello), ObservedEvent::pong(b"")], false, false, Some(1002)), B::Failed, C::Ok),
        ("peer ignores the violation, harness kills", "3.1", obs(client, vec![], true, true, Some(1001)), B::Ok, C::Failed),
        ("peer drops TCP without a close frame", "3.1", obs(server, vec![], false, false, None), B::Ok, C::Ok),
        ("peer fails with the wrong code", "4.1.1", obs(client, vec![], false, false, Some(1000)), B::Ok, C::WrongCode),
        ("invalid UTF-8 rejected with 1007", "6.3.1", obs(client, vec![], false, false, Some(1007)), B::Ok, C::Ok),
        ("invalid UTF-8 rejected with 1002", "6.3.1", obs(client, vec![], false, false, Some(1002)), B::Ok, C::WrongCode),
        ("invalid UTF-8 never noticed: fatal", "6.3.1", obs(client, vec![], true, true, Some(1000)), B::Failed, C::Failed),
        ("fail fast", "6.4.1", obs(client, vec![ObservedEvent::timeout("A")], false, false, Some(1007)), B::Ok, C::Ok),
        ("fail after the message", "6.4.3", obs(client, vec![ObservedEvent::timeout("A"), ObservedEvent::timeout("B")], false, false, Some(1007)), B::NonStrict, C::Ok),
        ("never fails: killed", "6.4.2", obs(client, vec![ObservedEvent::timeout("A"), ObservedEvent::timeout("B")], true, false, None), B::Failed, C::Failed),
        ("valid generated sequence echoed", "6.22.34", obs(client, vec![echo_of(&[0xf4, 0x8f, 0xbf, 0xbf])], true, true, Some(1000)), B::Ok, C::Ok),
        ("7.1.1 echo and close", "7.1.1", obs(client, vec![echo_of(b"Hello World!")], true, true, Some(1000)), B::Ok, C::Ok),
        ("7.1.3 pong after close", "7.1.3", obs(client, vec![ObservedEvent::pong(b"")], true, true, Some(1000)), B::Failed, C::Ok),
        ("wrong code fails 7.1.x", "7.1.2", obs(client, vec![], true, true, Some(1001)), B::Failed, C::WrongCode),
        ("wrong code fails 7.3.x", "7.3.4", obs(client, vec![], true, true, Some(1002)), B::Failed, C::WrongCode),
        ("valid code echoed back", "7.7.10", obs(client, vec![], true, true, Some(3000)), B::Ok, C::Ok),
        ("valid code, answered 1000", "7.7.10", obs(client, vec![], true, true, Some(1000)), B::Ok, C::Ok),
        ("wrong code fails 7.7.x", "7.7.10", obs(client, vec![], true, true, Some(1002)), B::Failed, C::WrongCode),
        ("wrong code fails 7.9.x", "7.9.1", obs(server, vec![], true, false, Some(1000)), B::Failed, C::WrongCode),
        ("invalid code, 1002, harness as server", "7.9.1", obs(server, vec![], true, false, Some(1002)), B::Ok, C::Ok),
        ("invalid code, harness client had to drop", "7.9.1", dropped(obs(client, vec![], true, false, Some(1002))), B::Ok, C::FailedByClient),
        ("invalid reason, 1007 allowed", "7.5.1", obs(server, vec![], true, false, Some(1007)), B::Ok, C::Ok),
        ("7.1.6 forced informational", "7.1.6", obs(client, vec![echo_of(&[]), echo_of(b"Hello World!")], true, true, Some(1000)), B::Informational, C::Informational),
        ("7.13.x forced informational", "7.13.1", obs(client, vec![], false, false, Some(1002)), B::Informational, C::Informational),
        ("7.13.x informational even with a wrong code", "7.13.2", obs(client, vec![], true, true, Some(1001)), B::Informational, C::Informational),
    ];
    for (what, id, o, behavior, close) in table {
        assert_eq!(verdicts(id, &o), (behavior, close), "{what} ({id})");
    }
}

#[test]
fn failed_by_client_only_when_the_harness_is_client() {
    let mut o = obs(Role::Client, vec![echo_of(b"")], true, true, Some(1000));
    assert_eq!(verdicts("1.1.1", &o), (B::Ok, C::Ok));
    o.connection.dropped_by_me = true;
    assert_eq!(verdicts("1.1.1", &o), (B::Ok, C::FailedByClient));
    o.harness_role = Role::Server;
    assert_eq!(verdicts("1.1.1", &o), (B::Ok, C::Ok));
}

#[test]
fn close_checks_run_in_order() {
    // Wrong endpoint, unclean and wrong code at once: the wrong endpoint wins.
    let o = obs(Role::Client, vec![echo_of(b"")], false, false, Some(1002));
    assert_eq!(verdicts("1.1.1", &o).1, C::Failed);
    // Unclean and wrong code: unclean wins.
    let o = obs(Role::Client, vec![echo_of(b"")], true, false, Some(1002));
    assert_eq!(verdicts("1.1.1", &o).1, C::Unclean);
    // Wrong code and a client-side drop: wrong code wins.
    let mut o = obs(Role::Client, vec![echo_of(b"")], true, true, Some(1002));
    o.connection.dropped_by_me = true;
    assert_eq!(verdicts("1.1.1", &o).1, C::WrongCode);
}

#[test]
fn handshake_never_completed() {
    let mut o = obs(Role::Client, vec![], true, true, Some(1000));
    o.handshake.completed = false;
    for id in ["1.1.1", "7.1.6", "9.1.1"] {
        let j = judge(case(id), &o);
        assert_eq!(
            (j.behavior, j.behavior_close),
            (B::Failed, C::Failed),
            "{id}"
        );
        assert_eq!(j.reason.as_deref(), Some("handshake never completed"));
    }
}

#[test]
fn results_and_reasons() {
    let ok = judge(case("3.2"), &obs(Role::Client, vec![], false, false, None));
    assert_eq!(ok.behavior, B::NonStrict);
    assert!(ok.result.contains("NON-STRICT"), "{}", ok.result);
    assert_eq!(ok.reason, None);
    let failed = judge(case("2.1"), &obs(Role::Client, vec![], true, true, None));
    assert_eq!(failed.reason.as_deref(), Some("events differ"));
    let wrong = judge(
        case("7.7.1"),
        &obs(Role::Client, vec![], true, true, Some(1002)),
    );
    assert_eq!(wrong.result, wrong.result_close);
    assert!(
        wrong.result_close.contains("1002"),
        "{}",
        wrong.result_close
    );
    let fatal = judge(
        case("6.3.2"),
        &obs(Role::Client, vec![], true, true, Some(1000)),
    );
    assert!(fatal.reason.unwrap().contains("never failed"));
    let json = serde_json::to_value(&wrong).unwrap();
    assert_eq!(json["behavior"], "FAILED");
    assert_eq!(json["behavior_close"], "WRONG CODE");
}

fn with_echo(replies: Vec<EchoReply>, timed_out: bool) -> Observation {
    let mut o = obs(Role::Client, vec![], true, true, Some(1000));
    o.echo = Some(crate::EchoLog {
        replies,
        timed_out,
        elapsed_ms: 12.0,
    });
    o
}

#[test]
fn echo_checks() {
    let text64k = Payload::repeat(*b"BAsd7&jh23", 64 * 1024)
        .bytes()
        .into_owned();
    let good = EchoReply::of(false, &text64k, 5.0);
    let j = judge(case("9.1.1"), &with_echo(vec![good.clone()], false));
    assert_eq!((j.behavior, j.behavior_close), (B::Ok, C::Ok));

    let binary = EchoReply::of(true, &text64k, 5.0);
    let j = judge(case("9.1.1"), &with_echo(vec![binary], false));
    assert_eq!(j.behavior, B::Failed);
    assert!(j.reason.unwrap().contains("text"));

    let short = EchoReply::of(false, text64k.get(1..).unwrap(), 5.0);
    let j = judge(case("9.1.1"), &with_echo(vec![short], false));
    assert_eq!(j.behavior, B::Failed);
    assert!(j.reason.unwrap().contains("65535"));

    let mut altered = text64k.clone();
    altered[100] ^= 1;
    let j = judge(
        case("9.1.1"),
        &with_echo(vec![EchoReply::of(false, &altered, 5.0)], false),
    );
    assert_eq!(j.behavior, B::Failed);
    assert_eq!(j.reason.as_deref(), Some("content differs"));

    let mut o = with_echo(vec![], true);
    o.connection.remote_close_code = None;
    let j = judge(case("9.1.1"), &o);
    assert_eq!(j.behavior, B::Failed);
    assert!(j.reason.unwrap().contains("0 of 1"));
    // No echo log at all counts as no reply.
    let mut o = obs(Role::Client, vec![], true, true, Some(1000));
    o.echo = None;
    assert_eq!(judge(case("9.1.1"), &o).behavior, B::Failed);
    // Events are ignored by the echo check.
    let mut o = with_echo(vec![good], false);
    o.events.push(ObservedEvent::pong(b"x"));
    assert_eq!(judge(case("9.1.1"), &o).behavior, B::Ok);
}

#[test]
fn echo_loop_needs_every_round_trip() {
    let reply = EchoReply::of(true, &[0xfe; 16], 0.1);
    let all = vec![reply.clone(); 1000];
    assert_eq!(judge(case("9.8.2"), &with_echo(all, false)).behavior, B::Ok);
    let partial = vec![reply.clone(); 999];
    let j = judge(case("9.8.2"), &with_echo(partial, true));
    assert_eq!(j.behavior, B::Failed);
    assert!(j.reason.unwrap().contains("999 of 1000"));
    let mut bad = vec![reply; 10];
    bad.push(EchoReply::of(true, &[0xfd; 16], 0.1));
    let j = judge(case("9.8.2"), &with_echo(bad, false));
    assert_eq!(j.reason.as_deref(), Some("content differs"));
    assert!(j.result.contains("Echo 11 of 1000"), "{}", j.result);
}

#[test]
fn own_frame_counts() {
    let echo = echo_of(&vec![b'*'; 65_536]);
    let mut o = obs(Role::Client, vec![echo], true, true, Some(1000));
    // Only the listed opcodes (0 and 1) are looked at: the close frame does not count.
    o.tx_frame_counts = [(0, 50), (1, 1), (8, 1), (9, 0)].into_iter().collect();
    assert_eq!(verdicts("10.1.1", &o), (B::Ok, C::Ok));
    o.tx_frame_counts = [(0, 49), (1, 1), (8, 1)].into_iter().collect();
    let j = judge(case("10.1.1"), &o);
    assert_eq!(j.behavior, B::Failed);
    assert!(j.reason.unwrap().contains("op0: 49"));
    o.tx_frame_counts = [(0, 50)].into_iter().collect();
    assert_eq!(verdicts("10.1.1", &o).0, B::Failed);
    // Right counts but no echo: still FAILED on events.
    o.tx_frame_counts = [(0, 50), (1, 1)].into_iter().collect();
    o.events.clear();
    assert_eq!(verdicts("10.1.1", &o).0, B::Failed);
}

#[test]
fn unimplemented_when_the_feature_is_missing() {
    let mut c = case("1.1.1").clone();
    c.required_feature = Some(Feature::PermessageDeflate);
    let o = obs(Role::Client, vec![], true, true, Some(1000));
    let j = judge(&c, &o);
    assert_eq!((j.behavior, j.behavior_close), (B::Unimplemented, C::Ok));
    assert_eq!(j.reason, None);
    let mut o = obs(Role::Client, vec![echo_of(b"")], true, true, Some(1000));
    o.handshake.extensions.push("permessage-deflate".into());
    assert_eq!(judge(&c, &o).behavior, B::Ok);
    // A case where the peer must fail (14.1): without the feature the harness's own normal
    // close is what is graded.
    let c = case("14.1");
    let o = obs(Role::Client, vec![], true, true, Some(1000));
    assert_eq!(
        (judge(c, &o).behavior, judge(c, &o).behavior_close),
        (B::Unimplemented, C::Ok)
    );
}

#[test]
fn auto_close_rule() {
    let echo = vec![echo_of(b"")];
    assert_eq!(case("1.1.1").expect.auto_close_due(&echo), Some(1000));
    assert_eq!(case("1.1.1").expect.auto_close_due(&[]), None);
    // Two alternatives never all match: no auto-close (3.2 also expects the peer to close).
    assert_eq!(case("3.2").expect.auto_close_due(&[]), None);
    // 7.1.1 closes through the rule once the echo is there; 7.1.2-7.1.6 switch it off.
    assert_eq!(
        case("7.1.1")
            .expect
            .auto_close_due(&[echo_of(b"Hello World!")]),
        Some(1000)
    );
    assert_eq!(
        case("7.1.1").expect.auto_close_due(&[echo_of(b"Hello")]),
        None
    );
    assert_eq!(
        case("7.1.6")
            .expect
            .auto_close_due(&[echo_of(b"Hello World!")]),
        None
    );
    // 5.19 fires only once the whole sequence is there.
    let pongs = vec![
        ObservedEvent::pong(b"pongme 1!"),
        ObservedEvent::pong(b"pongme 2!"),
    ];
    assert_eq!(case("5.19").expect.auto_close_due(&pongs), None);
    let mut all = pongs;
    all.push(echo_of(b"fragment1fragment2fragment3fragment4fragment5"));
    assert_eq!(case("5.19").expect.auto_close_due(&all), Some(1000));
}

#[test]
fn informational_alternative_label() {
    let mut c = case("2.1").clone();
    c.expect.alternatives = vec![
        crate::Alternative {
            label: crate::Label::Ok,
            events: vec![crate::ExpectedEvent::Pong {
                payload: Payload::empty(),
            }],
        },
        crate::Alternative {
            label: crate::Label::Informational,
            events: vec![],
        },
    ];
    let o = obs(Role::Client, vec![], true, true, Some(1000));
    let j = judge(&c, &o);
    assert_eq!((j.behavior, j.behavior_close), (B::Informational, C::Ok));
    // The first matching alternative wins, in order.
    let o = obs(
        Role::Client,
        vec![ObservedEvent::pong(b"")],
        true,
        true,
        Some(1000),
    );
    assert_eq!(judge(&c, &o).behavior, B::Ok);
}
