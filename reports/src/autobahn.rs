//! Autobahn-compatible JSON: `index.json` and one file per agent × case, with Autobahn's keys,
//! verdict strings, payload previews and wire-log rows, so scripts written against Autobahn's
//! output keep working.
//!
//! Deliberate differences (all additive or unobservable to such scripts):
//! * `rxOctetStats`/`txOctetStats` count the octet rows of the wire log; when the log was
//!   capped they cover the logged part only (`createWirelog` is then `false`).
//! * Wire-log rows Autobahn has no tag for (close-handshake, server-drop and echo timers, the
//!   TCP drop) are left out of `wirelog`; they are in `run.json` and the HTML. A run of elided
//!   rows becomes `["WLM", false]`, followed by `["WLM", true]` when logging resumed.
//! * `repeatLength` of `TF` rows is always `null`; `trafficStats` (compression cases that
//!   passed only, as in Autobahn) has the message-level octets and ratios both ways, not
//!   the wire-level octets and overheads.
//! * Strings are written as UTF-8, not `\u` escapes.

use std::collections::BTreeMap;

use ampel_cases::{TimerKind, WireEntry};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::filename::case_file_name;
use crate::model::{CaseResult, EventSummary, RunReport};
use crate::preview::hex_string_preview;

/// Serialises `value` the way Autobahn writes its JSON: 3-space indentation, keys sorted as
/// Python's `sort_keys` sorted them (integer keys such as octet sizes numerically, all other
/// keys by bytes, so case id "10.1.1" comes before "2.1").
pub fn to_autobahn_json(value: &Value) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    // Serialising a `Value` into memory cannot fail.
    let _ = Sorted(value).serialize(&mut ser);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Orders keys as Python's `sort_keys` ordered Autobahn's: integer keys (the octet and frame
/// statistics) numerically, string keys (agents, case ids, field names) by bytes.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// A value serialised with every object's keys in [`key_order`] (a `serde_json::Map` cannot
/// hold that order itself: it is sorted by bytes, or by insertion with `preserve_order`).
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| key_order(a.0, b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    out.serialize_entry(k, &Sorted(v))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// `index.json`: `{agent: {caseId: {behavior, behaviorClose, duration, remoteCloseCode,
/// reportfile}}}`; case ids sort as strings ("10.1.1" before "2.1"), as in Autobahn.
pub fn index_json(report: &RunReport) -> String {
    let mut agents = Map::new();
    for (agent, results) in &report.agents {
        let mut cases = Map::new();
        for r in &results.cases {
            cases.insert(
                r.id.to_string(),
                json!({
                    "behavior": r.judgement.behavior.as_str(),
                    "behaviorClose": r.judgement.behavior_close.as_str(),
                    "duration": r.duration_ms,
                    "remoteCloseCode": r.observation.connection.remote_close_code,
                    "reportfile": case_file_name(agent, &r.id, "json"),
                }),
            );
        }
        agents.insert(agent.clone(), Value::Object(cases));
    }
    to_autobahn_json(&Value::Object(agents))
}

/// An event as Autobahn lists it: `["message", preview, binary]`, `["pong", preview]`,
/// `["timeout", tag]`.
fn event_json(event: &EventSummary) -> Value {
    match event {
        EventSummary::Message {
            binary, preview, ..
        } => json!(["message", preview, binary]),
        EventSummary::Pong { preview, .. } => json!(["pong", preview]),
        EventSummary::Timeout { tag } => json!(["timeout", tag]),
    }
}

/// Octet sizes (read or write sizes) → how often, from the wire log.
fn octet_stats(log: &[WireEntry], rx: bool) -> BTreeMap<usize, u64> {
    let mut stats = BTreeMap::new();
    for row in log {
        let len = match (row, rx) {
            (WireEntry::RxOctets { len, .. }, true) | (WireEntry::TxOctets { len, .. }, false) => {
                *len
            }
            _ => continue,
        };
        *stats.entry(len).or_insert(0u64) += 1;
    }
    stats
}

/// The wire log as Autobahn's tagged rows.
fn wirelog_json(log: &[WireEntry]) -> Vec<Value> {
    let mut rows = Vec::new();
    for (i, entry) in log.iter().enumerate() {
        match entry {
            WireEntry::RxOctets { len, head_hex, .. } => {
                rows.push(json!(["RO", [len, hex_string_preview(head_hex, *len)]]));
            }
            WireEntry::TxOctets {
                len,
                head_hex,
                sync,
                ..
            } => rows.push(json!([
                "TO",
                [len, hex_string_preview(head_hex, *len)],
                sync
            ])),
            WireEntry::RxFrame {
                opcode,
                fin,
                rsv,
                mask_hex,
                len,
                head,
                ..
            } => rows.push(json!([
                "RF",
                [len, frame_preview(head, *len)],
                opcode,
                fin,
                rsv,
                mask_hex.is_some(),
                mask_hex
            ])),
            WireEntry::TxFrame {
                opcode,
                fin,
                rsv,
                mask_hex,
                len,
                head,
                chop,
                sync,
                ..
            } => rows.push(json!([
                "TF",
                [len, frame_preview(head, *len)],
                opcode,
                fin,
                rsv,
                mask_hex,
                Value::Null,
                chop,
                sync
            ])),
            WireEntry::Timer {
                kind,
                fired,
                secs,
                tag,
                ..
            } => match (kind, fired) {
                (TimerKind::Wait, false) => rows.push(json!(["CT", secs, tag])),
                (TimerKind::Wait, true) => rows.push(json!(["CTE", tag])),
                (TimerKind::Kill, false) => rows.push(json!(["KL", secs])),
                (TimerKind::Kill, true) => rows.push(json!(["KLE"])),
                (TimerKind::CloseAfter, false) => rows.push(json!(["TI", secs])),
                (TimerKind::CloseAfter, true) => rows.push(json!(["TIE"])),
                _ => {}
            },
            WireEntry::Elided { .. } => {
                rows.push(json!(["WLM", false]));
                if log.get(i + 1).is_some() {
                    rows.push(json!(["WLM", true]));
                }
            }
            WireEntry::TcpDropped { .. } => {}
        }
    }
    rows
}

/// A frame payload preview; a declared length beyond `usize` still previews as "long".
fn frame_preview(head: &[u8], len: u64) -> String {
    crate::preview::text_preview(head, usize::try_from(len).unwrap_or(usize::MAX))
}

/// The per-case JSON document for `agent` (Autobahn's keys).
pub fn case_json(agent: &str, r: &CaseResult) -> String {
    let obs = &r.observation;
    let c = &obs.connection;
    let mut expected = Map::new();
    for alt in &r.expected.alternatives {
        // The judge tries alternatives in order, so the first of a label is the one that counts.
        expected
            .entry(alt.label.as_str().to_owned())
            .or_insert_with(|| Value::Array(alt.events.iter().map(event_json).collect()));
    }
    let mut expected_close = json!({
        "closedByMe": r.expected.close.closed_by_me,
        "closeCode": r.expected.close.codes,
        "requireClean": r.expected.close.require_clean,
    });
    if r.expected.close.wrong_closer_is_fatal {
        if let Some(map) = expected_close.as_object_mut() {
            map.insert("closedByWrongEndpointIsFatal".to_owned(), Value::Bool(true));
        }
    }
    let complete_log = !obs
        .wire_log
        .iter()
        .any(|e| matches!(e, WireEntry::Elided { .. }));
    let doc = json!({
        "agent": agent,
        "behavior": r.judgement.behavior.as_str(),
        "behaviorClose": r.judgement.behavior_close.as_str(),
        "case": r.index,
        "closedByMe": c.closed_by_me,
        "createStats": true,
        "createWirelog": complete_log,
        "description": r.description,
        "droppedByMe": c.dropped_by_me,
        "duration": r.duration_ms,
        "expectation": r.expectation,
        "expected": Value::Object(expected),
        "expectedClose": expected_close,
        "failedByMe": c.failed_by_me,
        "httpRequest": obs.handshake.request.as_deref().unwrap_or("?"),
        "httpResponse": obs.handshake.response.as_deref().unwrap_or("?"),
        "id": r.id.to_string(),
        "isServer": obs.harness_role == ampel_cases::Role::Server,
        "localCloseCode": c.local_close_code,
        "localCloseReason": c.local_close_reason,
        "received": r.observed_events().iter().map(event_json).collect::<Vec<_>>(),
        "remoteCloseCode": c.remote_close_code,
        "remoteCloseReason": c.remote_close_reason,
        "reportCompressionRatio": r.expected.report_compression_ratio,
        "reportTime": r.expected.report_time,
        "result": r.judgement.result,
        "resultClose": r.judgement.result_close,
        "rxFrameStats": obs.rx_frame_counts,
        "rxOctetStats": octet_stats(&obs.wire_log, true),
        "started": r.started.to_string(),
        "trafficStats": traffic_stats(r),
        "txFrameStats": obs.tx_frame_counts,
        "txOctetStats": octet_stats(&obs.wire_log, false),
        "wasClean": c.was_clean,
        "wasCloseHandshakeTimeout": c.was_close_handshake_timeout,
        "wasNotCleanReason": c.was_not_clean_reason,
        "wasOpenHandshakeTimeout": c.was_open_handshake_timeout,
        "wasServerConnectionDropTimeout": c.was_server_connection_drop_timeout,
        "wirelog": wirelog_json(&obs.wire_log),
    });
    to_autobahn_json(&doc)
}

/// Autobahn's `trafficStats`: set for a compression case that passed, `null` otherwise.
fn traffic_stats(r: &CaseResult) -> Value {
    match r.observation.compression {
        Some(stats)
            if r.expected.report_compression_ratio
                && r.judgement.behavior == ampel_cases::Behavior::Ok =>
        {
            json!({
                "incomingCompressionRatio": stats.ratio_in(),
                "incomingOctetsAppLevel": stats.rx_app,
                "incomingOctetsWebSocketLevel": stats.rx_wire,
                "incomingWebSocketFrames": r.observation.rx_frame_counts.values().sum::<u64>(),
                "outgoingCompressionRatio": stats.ratio_out(),
                "outgoingOctetsAppLevel": stats.tx_app,
                "outgoingOctetsWebSocketLevel": stats.tx_wire,
                "outgoingWebSocketFrames": r.observation.tx_frame_counts.values().sum::<u64>(),
            })
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_space_indent_and_sorted_keys() {
        let v = json!({"b": 1, "a": {"z": [1, 2], "y": {}}, "A": []});
        assert_eq!(
            to_autobahn_json(&v),
            "{\n   \"A\": [],\n   \"a\": {\n      \"y\": {},\n      \"z\": [\n         1,\n         2\n      ]\n   },\n   \"b\": 1\n}"
        );
    }

    #[test]
    fn integer_keys_sort_numerically_ids_lexically() {
        let v = json!({"129": 1, "66": 2, "2": 3});
        assert_eq!(
            to_autobahn_json(&v),
            "{\n   \"2\": 3,\n   \"66\": 2,\n   \"129\": 1\n}"
        );
        let ids = json!({"2.1": 0, "10.1.1": 0, "1.1.1": 0});
        let text = to_autobahn_json(&ids);
        let order: Vec<usize> = ["\"1.1.1\"", "\"10.1.1\"", "\"2.1\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn wirelog_rows_use_autobahn_tags() {
        let log = vec![
            WireEntry::TxOctets {
                at_ms: 0.0,
                len: 2,
                head_hex: "8180".to_owned(),
                sync: true,
            },
            WireEntry::Timer {
                at_ms: 1.0,
                kind: TimerKind::Wait,
                fired: false,
                secs: 1.0,
                tag: Some("A".to_owned()),
            },
            WireEntry::Timer {
                at_ms: 2.0,
                kind: TimerKind::CloseHandshake,
                fired: false,
                secs: 1.0,
                tag: None,
            },
            WireEntry::Elided { rows: 5 },
            WireEntry::Timer {
                at_ms: 3.0,
                kind: TimerKind::Kill,
                fired: true,
                secs: 1.0,
                tag: None,
            },
            WireEntry::TcpDropped {
                at_ms: 4.0,
                by_me: true,
            },
            WireEntry::Elided { rows: 1 },
        ];
        let rows = wirelog_json(&log);
        assert_eq!(
            Value::Array(rows),
            json!([
                ["TO", [2, "8180"], true],
                ["CT", 1.0, "A"],
                ["WLM", false],
                ["WLM", true],
                ["KLE"],
                ["WLM", false]
            ])
        );
    }

    #[test]
    fn octet_stats_count_sizes() {
        let row = |len| WireEntry::RxOctets {
            at_ms: 0.0,
            len,
            head_hex: String::new(),
        };
        let stats = octet_stats(&[row(2), row(129), row(2)], true);
        assert_eq!(stats, BTreeMap::from([(2, 2), (129, 1)]));
        assert!(octet_stats(&[row(2)], false).is_empty());
    }
}
