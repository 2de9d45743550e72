//! JUnit XML: suites per agent × section, testcase status per outcome, properties.

mod common;

use ampel_reports::junit_xml;
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};

fn parsed() -> Report {
    let xml = junit_xml(&common::report()).unwrap();
    Report::deserialize_from_str(&xml).unwrap()
}

fn property<'a>(case: &'a quick_junit::TestCase, name: &str) -> Option<&'a str> {
    case.properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .map(|p| p.value.as_str())
}

#[test]
fn one_suite_per_agent_and_section() {
    let report = parsed();
    let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Ampel/0.1: 1 Framing",
            "Ampel/0.1: 3 Reserved Bits",
            "Ampel/0.1: 5 Fragmentation",
            "Ampel/0.1: 6 UTF-8 Handling",
            "Ampel/0.1: 7 Close Handling",
            "Ampel/0.1: 12 WebSocket Compression (different payloads)",
            "Other <Server> & Co/2.0: 1 Framing",
            "Other <Server> & Co/2.0: 3 Reserved Bits",
            "Other <Server> & Co/2.0: 5 Fragmentation",
            "Other <Server> & Co/2.0: 6 UTF-8 Handling",
            "Other <Server> & Co/2.0: 7 Close Handling",
        ]
    );
    assert_eq!(report.tests, 13);
    // Agent A: 5.1 FAILED and 7.1.1 UNCLEAN.
    assert_eq!(report.failures, 2);
}

#[test]
fn statuses_and_properties_per_outcome() {
    let report = parsed();
    let cases: Vec<&quick_junit::TestCase> = report
        .test_suites
        .iter()
        .filter(|s| s.name.as_str().starts_with("Ampel/0.1"))
        .flat_map(|s| s.test_cases.iter())
        .collect();
    let by_id = |id: &str| {
        *cases
            .iter()
            .find(|c| c.name.as_str().starts_with(&format!("{id} ")))
            .unwrap()
    };

    let failed = by_id("5.1");
    assert_eq!(failed.name.as_str(), "5.1 Fragmented ping");
    match &failed.status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            ty,
            description,
            ..
        } => {
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                "an unexpected binary message arrived"
            );
            assert_eq!(ty.as_ref().unwrap().as_str(), "FAILED");
            let body = description.as_ref().unwrap().as_str();
            assert!(body.contains("Expected:\nOK: []"), "{body}");
            assert!(
                body.contains("Actual:\n[binary message, 100 bytes"),
                "{body}"
            );
        }
        other => panic!("{other:?}"),
    }

    match &by_id("7.1.1").status {
        TestCaseStatus::NonSuccess { ty, message, .. } => {
            assert_eq!(ty.as_ref().unwrap().as_str(), "UNCLEAN");
            assert!(
                message
                    .as_ref()
                    .unwrap()
                    .as_str()
                    .starts_with("close UNCLEAN")
            );
        }
        other => panic!("{other:?}"),
    }

    for (id, outcome) in [
        ("1.1.1", "Pass"),
        ("3.1", "Non-Strict"),
        ("6.3.1", "Non-Strict"),
        ("7.13.1", "Info"),
    ] {
        let case = by_id(id);
        assert!(
            matches!(case.status, TestCaseStatus::Success { .. }),
            "{id}"
        );
        assert_eq!(property(case, "ampel.outcome"), Some(outcome), "{id}");
    }
    assert_eq!(
        property(by_id("6.3.1"), "ampel.behaviorClose"),
        Some("WRONG CODE")
    );
    assert_eq!(
        property(by_id("6.3.1"), "ampel.remoteCloseCode"),
        Some("1002")
    );
    assert_eq!(
        property(by_id("1.1.1"), "ampel.report"),
        Some("ampel_0_1_case_1_1_1.html")
    );

    let unimplemented = by_id("12.1.1");
    assert!(matches!(
        unimplemented.status,
        TestCaseStatus::Skipped { .. }
    ));
    assert_eq!(
        property(unimplemented, "ampel.behavior"),
        Some("UNIMPLEMENTED")
    );
}

#[test]
fn hostile_peer_text_still_gives_valid_xml() {
    let mut report = common::report();
    let mut result = common::case(common::AGENT_A, "5.1");
    result.judgement.reason = Some("bad \u{1}\u{1b}[31mred\u{ffff} <&> \"quoted\"".to_owned());
    report.insert("agent\u{fffe}\u{7}<x>", result);
    let xml = junit_xml(&report).unwrap();
    let parsed = Report::deserialize_from_str(&xml).unwrap();
    let suite = parsed
        .test_suites
        .iter()
        .find(|s| s.name.as_str().starts_with("agent"))
        .unwrap();
    assert_eq!(suite.name.as_str(), "agent\u{fffd}<x>: 5 Fragmentation");
    match &suite.test_cases[0].status {
        TestCaseStatus::NonSuccess { message, .. } => {
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                "bad red\u{fffd} <&> \"quoted\""
            );
        }
        other => panic!("{other:?}"),
    }
}
