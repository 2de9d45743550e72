//! JUnit XML: one testsuite per agent × section, one testcase per case.
//!
//! Mapping (from [`CaseResult::outcome`]):
//! * Pass, NON-STRICT and INFORMATIONAL are **passed** testcases; NON-STRICT and INFORMATIONAL
//!   are told apart by the `ampel.outcome` property (every testcase carries `ampel.behavior`,
//!   `ampel.behaviorClose`, `ampel.outcome` and `ampel.report` properties, plus
//!   `ampel.remoteCloseCode` when the peer sent one);
//! * UNIMPLEMENTED is **skipped**, with the verdict as message;
//! * Fail is a **failure**: the message is the reason, the type the failing verdict
//!   (`FAILED`, `UNCLEAN`, …), the body "Expected: … / Actual: …".

use std::collections::BTreeMap;
use std::time::Duration;

use ampel_cases::{Behavior, group_title};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::filename::case_file_name;
use crate::model::{CaseResult, Outcome, RunReport};

/// Why the JUnit document could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JunitError {
    /// The XML serialiser failed.
    #[error("cannot serialise JUnit XML: {0}")]
    Serialize(#[from] quick_junit::SerializeError),
}

/// Text safe for XML 1.0: quick-junit drops control characters itself, but not the
/// non-characters U+FFFE and U+FFFF, which a peer can put in an agent name or close reason.
fn xml_text(s: &str) -> String {
    s.replace(['\u{fffe}', '\u{ffff}'], "\u{fffd}")
}

fn suite_name(agent: &str, section: u32) -> String {
    let agent = xml_text(agent);
    match group_title(&[section]) {
        Some(title) => format!("{agent}: {section} {title}"),
        None => format!("{agent}: {section}"),
    }
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn test_case(agent: &str, suite: &str, r: &CaseResult) -> TestCase {
    let outcome = r.outcome();
    let status = match outcome {
        Outcome::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let verdict = if r.judgement.behavior == Behavior::Failed {
                r.judgement.behavior.as_str()
            } else {
                r.judgement.behavior_close.as_str()
            };
            status
                .set_message(xml_text(&r.failure_reason().unwrap_or_default()))
                .set_type(verdict)
                .set_description(xml_text(&format!(
                    "Expected:\n{}\n\nActual:\n{}\n\nResult: {}\nClose: {} ({})",
                    r.expected_text(),
                    r.actual_text(),
                    r.judgement.result,
                    r.judgement.result_close,
                    r.judgement.behavior_close
                )));
            status
        }
        Outcome::Unimplemented => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(xml_text(&format!("UNIMPLEMENTED: {}", r.judgement.result)));
            status
        }
        _ => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(xml_text(&format!("{} {}", r.id, r.title)), status);
    case.set_classname(suite)
        .set_time(millis(r.duration_ms))
        .set_timestamp(r.started.as_chrono().fixed_offset());
    case.add_property(Property::new(
        "ampel.behavior",
        r.judgement.behavior.as_str(),
    ));
    case.add_property(Property::new(
        "ampel.behaviorClose",
        r.judgement.behavior_close.as_str(),
    ));
    case.add_property(Property::new("ampel.outcome", outcome.label()));
    if let Some(code) = r.observation.connection.remote_close_code {
        case.add_property(Property::new("ampel.remoteCloseCode", code.to_string()));
    }
    case.add_property(Property::new(
        "ampel.report",
        case_file_name(agent, &r.id, "html"),
    ));
    case
}

/// The JUnit XML document of `report`.
pub fn junit_xml(report: &RunReport) -> Result<String, JunitError> {
    let mut junit = Report::new(format!("ampel {}", report.mode));
    junit.set_timestamp(report.started.as_chrono().fixed_offset());
    if let Some(finished) = report.finished {
        let ms = finished
            .unix_millis()
            .saturating_sub(report.started.unix_millis());
        junit.set_time(millis(u64::try_from(ms).unwrap_or(0)));
    }
    for (agent, results) in &report.agents {
        let mut sections: BTreeMap<u32, Vec<&CaseResult>> = BTreeMap::new();
        for r in &results.cases {
            sections.entry(r.id.section()).or_default().push(r);
        }
        for (section, cases) in sections {
            let name = suite_name(agent, section);
            let mut suite = TestSuite::new(name.clone());
            if let Some(first) = cases.iter().map(|r| r.started).min() {
                suite.set_timestamp(first.as_chrono().fixed_offset());
            }
            suite.set_time(millis(cases.iter().map(|r| r.duration_ms).sum()));
            suite.add_property(Property::new("ampel.agent", xml_text(agent)));
            suite.add_test_cases(cases.iter().map(|r| test_case(agent, &name, r)));
            junit.add_test_suite(suite);
        }
    }
    Ok(junit.to_string()?)
}
