//! The Autobahn-compatible files: names, index.json key order and indentation, and the
//! per-case keys and shapes that scripts written against Autobahn read.

mod common;

use ampel_reports::{case_file_name, case_json, index_json};
use serde_json::{Value, json};

#[test]
fn file_names_follow_autobahn() {
    let id = "12.5.4".parse().unwrap();
    assert_eq!(
        case_file_name("WS-RS", &id, "json"),
        "ws_rs_case_12_5_4.json"
    );
    assert_eq!(
        case_file_name(common::AGENT_B, &"7.13.1".parse().unwrap(), "html"),
        "other__server____co_2_0_case_7_13_1.html"
    );
}

#[test]
fn index_json_sorts_ids_as_strings_with_three_space_indent() {
    let text = index_json(&common::report());
    let a = text.find("\"Ampel/0.1\"").unwrap();
    let b = text.find("\"Other <Server> & Co/2.0\"").unwrap();
    assert!(a < b);
    let agent_a = &text[a..b];
    let positions: Vec<usize> = [
        "\"1.1.1\"",
        "\"12.1.1\"",
        "\"3.1\"",
        "\"5.1\"",
        "\"7.13.1\"",
    ]
    .iter()
    .map(|k| agent_a.find(k).unwrap_or_else(|| panic!("{k} missing")))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{agent_a}");
    // Agents at 3 spaces, case ids at 6, fields at 9; no tabs, no other indentation.
    assert!(
        text.contains("\n   \"Ampel/0.1\": {\n      \"1.1.1\": {\n         \"behavior\": \"OK\",")
    );
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        assert_eq!(indent % 3, 0, "{line:?}");
    }
}

#[test]
fn index_json_entries_have_autobahns_fields() {
    let index: Value = serde_json::from_str(&index_json(&common::report())).unwrap();
    assert_eq!(
        index["Ampel/0.1"]["7.1.1"],
        json!({
            "behavior": "OK",
            "behaviorClose": "UNCLEAN",
            "duration": 11,
            "remoteCloseCode": null,
            "reportfile": "ampel_0_1_case_7_1_1.json"
        })
    );
    assert_eq!(index["Ampel/0.1"]["12.1.1"]["behavior"], "UNIMPLEMENTED");
    assert_eq!(
        index["Other <Server> & Co/2.0"]["7.1.1"]["behaviorClose"],
        "FAILED BY CLIENT"
    );
    assert!(index["Other <Server> & Co/2.0"].get("12.1.1").is_none());
    assert_eq!(index.as_object().unwrap().len(), 2);
}

const AUTOBAHN_KEYS: [&str; 39] = [
    "agent",
    "behavior",
    "behaviorClose",
    "case",
    "closedByMe",
    "createStats",
    "createWirelog",
    "description",
    "droppedByMe",
    "duration",
    "expectation",
    "expected",
    "expectedClose",
    "failedByMe",
    "httpRequest",
    "httpResponse",
    "id",
    "isServer",
    "localCloseCode",
    "localCloseReason",
    "received",
    "remoteCloseCode",
    "remoteCloseReason",
    "reportCompressionRatio",
    "reportTime",
    "result",
    "resultClose",
    "rxFrameStats",
    "rxOctetStats",
    "started",
    "trafficStats",
    "txFrameStats",
    "txOctetStats",
    "wasClean",
    "wasCloseHandshakeTimeout",
    "wasNotCleanReason",
    "wasOpenHandshakeTimeout",
    "wasServerConnectionDropTimeout",
    "wirelog",
];

#[test]
fn per_case_json_has_exactly_autobahns_keys_in_sorted_order() {
    let text = case_json(common::AGENT_A, &common::case(common::AGENT_A, "1.1.1"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = AUTOBAHN_KEYS.to_vec();
    want.sort_unstable();
    assert_eq!(keys, want);
    // In the file itself, the keys appear in that order too (top level is indented 3).
    let top: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("   \"") && !l.starts_with("    "))
        .filter_map(|l| l.trim_start().strip_prefix('"')?.split('"').next())
        .collect();
    assert_eq!(top, want);
}

#[test]
fn per_case_json_values() {
    let doc: Value = serde_json::from_str(&case_json(
        common::AGENT_A,
        &common::case(common::AGENT_A, "5.1"),
    ))
    .unwrap();
    assert_eq!(doc["case"], 45);
    assert_eq!(doc["id"], "5.1");
    assert_eq!(doc["agent"], "Ampel/0.1");
    assert_eq!(doc["behavior"], "FAILED");
    assert_eq!(doc["started"], "2024-05-01T12:00:03.000Z");
    assert_eq!(doc["expected"], json!({"OK": []}));
    assert_eq!(
        doc["expectedClose"],
        json!({"closedByMe": false, "closeCode": [1002], "requireClean": false})
    );
    // A 100-byte non-UTF-8 message: hex of its first 64 bytes plus " ...".
    let received = &doc["received"][0];
    assert_eq!(received[0], "message");
    assert_eq!(received[2], true);
    let preview = received[1].as_str().unwrap();
    assert!(preview.starts_with("0x80a5ca"), "{preview}");
    assert!(preview.ends_with(" ..."));
    assert_eq!(preview.len(), 2 + 128 + 4);
    assert_eq!(doc["rxFrameStats"], json!({"1": 1, "8": 1}));
    assert_eq!(doc["txOctetStats"], json!({"200": 1}));
    assert_eq!(doc["isServer"], false);
    assert_eq!(doc["remoteCloseReason"], "<script>alert('peer')</script>");
    // Wire log rows in Autobahn's shapes; Ampel-only rows (close-handshake timer, TCP drop)
    // are left out.
    let tags: Vec<&str> = doc["wirelog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[0].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["TO", "RO", "TF", "KL", "RO", "RF", "TF"]);
    assert_eq!(
        doc["wirelog"][2],
        json!([
            "TF",
            [5, "Hello"],
            1,
            true,
            0,
            "0e4b33bf",
            null,
            null,
            false
        ])
    );
    assert_eq!(doc["wirelog"][3], json!(["KL", 1.0]));
    assert_eq!(doc["wirelog"][5][0], "RF");
    assert_eq!(doc["wirelog"][5][1][0], 100);
    assert_eq!(doc["wirelog"][5][5], false);
    assert_eq!(
        doc["wirelog"][6],
        json!(["TF", [2, "0x03e8"], 8, true, 0, "bd4d6db7", null, 1, true])
    );
}

#[test]
fn expected_lists_keep_labels_and_event_shapes() {
    let doc: Value = serde_json::from_str(&case_json(
        common::AGENT_A,
        &common::case(common::AGENT_A, "3.1"),
    ))
    .unwrap();
    assert_eq!(
        doc["expected"],
        json!({"NON-STRICT": [["message", "Hello", false]], "OK": []})
    );
    assert_eq!(doc["received"], json!([["message", "Hello", false]]));
}

/// A compression case that passed: ratios under the verdict, `trafficStats` and
/// `reportCompressionRatio` in the per-case JSON; a failed one has `trafficStats: null`.
#[test]
fn compression_cases_report_their_ratios() {
    let mut r = common::case(common::AGENT_A, "1.1.1");
    r.expected.report_compression_ratio = true;
    r.observation.compression = Some(ampel_cases::CompressionStats {
        rx_app: 4000,
        rx_wire: 1000,
        tx_app: 4000,
        tx_wire: 3000,
    });
    let json: Value = serde_json::from_str(&case_json(common::AGENT_A, &r)).unwrap();
    assert_eq!(json["reportCompressionRatio"], json!(true));
    assert_eq!(
        json["trafficStats"]["incomingCompressionRatio"],
        json!(0.25)
    );
    assert_eq!(
        json["trafficStats"]["outgoingCompressionRatio"],
        json!(0.75)
    );
    assert_eq!(
        json["trafficStats"]["outgoingOctetsWebSocketLevel"],
        json!(3000)
    );
    let mut report = common::report();
    report.insert(common::AGENT_A, r.clone());
    let html = ampel_reports::index_html(&report).unwrap();
    // Tera escapes the slash.
    assert!(
        html.contains("[0.250&#x2F;0.750]"),
        "ratios under the verdict"
    );

    r.judgement.behavior = ampel_cases::Behavior::Failed;
    let json: Value = serde_json::from_str(&case_json(common::AGENT_A, &r)).unwrap();
    assert_eq!(json["trafficStats"], Value::Null);
}
