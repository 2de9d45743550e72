//! The report model: one run, its agents, and one result per agent × case. Everything the
//! writers show is computed here (or in the view models), never in templates.
//!
//! Determinism: maps are `BTreeMap`s and each agent's cases stay sorted by numeric case id,
//! so the same results always serialise to the same bytes.

use std::collections::BTreeMap;
use std::time::SystemTime;

use ampel_cases::{
    Behavior, Case, CaseId, Check, CloseBehavior, CloseExpect, ExpectedEvent, Judgement, Label,
    Observation, ObservedEvent, SpecRef,
};
use serde::{Deserialize, Serialize};

use crate::preview::text_preview;
use crate::timestamp::Timestamp;

/// The program that produced a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    /// Its name, e.g. `ampel`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Which side of the protocol a run tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Mode {
    /// The harness was the client and tested servers (Autobahn's `fuzzingclient`).
    #[serde(rename = "test-server")]
    TestServer,
    /// The harness was the server and tested clients (Autobahn's `fuzzingserver`).
    #[serde(rename = "test-client")]
    TestClient,
}

impl Mode {
    /// `test-server` or `test-client`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TestServer => "test-server",
            Self::TestClient => "test-client",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a run is, before any case has finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunMeta {
    /// The producing program.
    pub generator: Generator,
    /// The mode.
    pub mode: Mode,
    /// When the run started.
    pub started: Timestamp,
}

impl RunMeta {
    /// Metadata for a run of this crate's own version of Ampel starting now.
    pub fn new(mode: Mode) -> Self {
        Self {
            generator: Generator {
                name: "ampel".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            mode,
            started: Timestamp::now(),
        }
    }
}

/// One run (or several merged by [`crate::load_runs`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The producing program.
    pub generator: Generator,
    /// The mode.
    pub mode: Mode,
    /// When the run started.
    pub started: Timestamp,
    /// When the run finished; `None` while it runs, or if it was interrupted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
    /// Results by agent name.
    pub agents: BTreeMap<String, AgentReport>,
}

impl RunReport {
    /// An empty report for a run described by `meta`.
    pub fn new(meta: RunMeta) -> Self {
        Self {
            generator: meta.generator,
            mode: meta.mode,
            started: meta.started,
            finished: None,
            agents: BTreeMap::new(),
        }
    }

    /// Records `result` for `agent`, replacing an earlier result of the same case.
    pub fn insert(&mut self, agent: &str, result: CaseResult) {
        self.agents
            .entry(agent.to_owned())
            .or_default()
            .insert(result);
    }

    /// Every case id that some agent ran, sorted numerically.
    pub fn case_ids(&self) -> Vec<CaseId> {
        let mut ids: Vec<CaseId> = self
            .agents
            .values()
            .flat_map(|a| a.cases.iter().map(|c| c.id.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// The results of one agent, sorted by numeric case id, at most one per case.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentReport {
    /// The results.
    pub cases: Vec<CaseResult>,
}

impl AgentReport {
    /// Inserts `result` in id order; a result for the same case is replaced.
    pub fn insert(&mut self, result: CaseResult) {
        match self.cases.binary_search_by(|c| c.id.cmp(&result.id)) {
            Ok(i) => {
                if let Some(slot) = self.cases.get_mut(i) {
                    *slot = result;
                }
            }
            Err(i) => self.cases.insert(i, result),
        }
    }

    /// The result for `id`.
    pub fn get(&self, id: &CaseId) -> Option<&CaseResult> {
        self.cases
            .binary_search_by(|c| c.id.cmp(id))
            .ok()
            .and_then(|i| self.cases.get(i))
    }

    /// How many results have each outcome (outcomes with no result are absent).
    pub fn counts(&self) -> BTreeMap<Outcome, usize> {
        let mut counts = BTreeMap::new();
        for result in &self.cases {
            *counts.entry(result.outcome()).or_insert(0) += 1;
        }
        counts
    }

    /// Restores the invariants (sorted, one result per id, the later one winning) after
    /// deserialising data that may not have them.
    pub(crate) fn normalise(&mut self) {
        let mut sorted = Self::default();
        for result in std::mem::take(&mut self.cases) {
            sorted.insert(result);
        }
        *self = sorted;
    }
}

/// An event, expected or observed, in the form reports show: kind, size, and Autobahn's
/// preview of the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventSummary {
    /// A complete message.
    Message {
        /// Binary (else text).
        binary: bool,
        /// Length in bytes.
        len: usize,
        /// Lower-case hex SHA-1 of the content.
        sha1: String,
        /// The content, cut like Autobahn's reports.
        preview: String,
    },
    /// A pong.
    Pong {
        /// Payload length.
        len: usize,
        /// The payload, cut like Autobahn's reports.
        preview: String,
    },
    /// A timeout marker.
    Timeout {
        /// Its tag.
        tag: String,
    },
}

/// How many leading bytes of an expected payload a preview needs.
const PREVIEW_BYTES: usize = 64;

impl EventSummary {
    /// The summary of an expected event.
    pub fn of_expected(event: &ExpectedEvent) -> Self {
        match event {
            ExpectedEvent::Message { binary, payload } => Self::Message {
                binary: *binary,
                len: payload.len(),
                sha1: payload.sha1_hex(),
                preview: text_preview(&payload.head(PREVIEW_BYTES), payload.len()),
            },
            ExpectedEvent::Pong { payload } => Self::Pong {
                len: payload.len(),
                preview: text_preview(&payload.head(PREVIEW_BYTES), payload.len()),
            },
            ExpectedEvent::Timeout { tag } => Self::Timeout { tag: tag.clone() },
        }
    }

    /// The summary of an observed event.
    pub fn of_observed(event: &ObservedEvent) -> Self {
        match event {
            ObservedEvent::Message {
                binary,
                len,
                sha1,
                head,
            } => Self::Message {
                binary: *binary,
                len: *len,
                sha1: sha1.clone(),
                preview: text_preview(head, *len),
            },
            ObservedEvent::Pong { payload } => Self::Pong {
                len: payload.len(),
                preview: text_preview(payload, payload.len()),
            },
            ObservedEvent::Timeout { tag } => Self::Timeout { tag: tag.clone() },
        }
    }

    /// One line for people: `text message, 13 bytes: "Hello, world!"`.
    pub fn describe(&self) -> String {
        match self {
            Self::Message {
                binary,
                len,
                preview,
                ..
            } => {
                let kind = if *binary { "binary" } else { "text" };
                format!("{kind} message, {len} bytes: {preview:?}")
            }
            Self::Pong { len, preview } => format!("pong, {len} bytes: {preview:?}"),
            Self::Timeout { tag } => format!("timeout {tag:?}"),
        }
    }
}

/// One expected-events alternative, as report data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedAlternative {
    /// The verdict it gives when it matches.
    pub label: Label,
    /// The exact, ordered events.
    pub events: Vec<EventSummary>,
}

/// A section-9 style echo expectation, as report data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoExpectation {
    /// A binary reply is expected (else text).
    pub binary: bool,
    /// Its length in bytes.
    pub len: usize,
    /// Lower-case hex SHA-1 of the expected content.
    pub sha1: String,
    /// Round trips required.
    pub count: u32,
    /// The case timer, seconds.
    pub timeout_secs: f64,
}

/// What the case expected, as report data (no payload descriptions, only summaries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedData {
    /// The alternatives, in the order the judge tries them.
    pub alternatives: Vec<ExpectedAlternative>,
    /// The close expectation.
    pub close: CloseExpect,
    /// For echo cases: what each reply must be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echo: Option<EchoExpectation>,
    /// For frame-count cases (10.1.1): the harness's own data frames by opcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_counts: Option<BTreeMap<u8, u64>>,
    /// A performance case: its duration is part of the result (Autobahn's `reportTime`).
    #[serde(default)]
    pub report_time: bool,
    /// A compression case: its compression ratios are part of the result (Autobahn's
    /// `reportCompressionRatio`).
    #[serde(default)]
    pub report_compression_ratio: bool,
}

impl ExpectedData {
    /// The report data of a case's expectation.
    pub fn of(case: &Case) -> Self {
        let expect = &case.expect;
        let windows = matches!(expect.check, Check::WindowEcho { .. });
        let (echo, frame_counts) = match &expect.check {
            Check::Echo {
                echo,
                count,
                timeout,
            } => (
                Some(EchoExpectation {
                    binary: echo.binary,
                    len: echo.len(),
                    sha1: echo.sha1().to_owned(),
                    count: *count,
                    timeout_secs: timeout.0,
                }),
                None,
            ),
            Check::FrameCount { counts } => (None, Some(counts.clone())),
            _ => (None, None),
        };
        Self {
            alternatives: expect
                .alternatives
                .iter()
                .map(|a| ExpectedAlternative {
                    label: a.label,
                    events: a.events.iter().map(EventSummary::of_expected).collect(),
                })
                .collect(),
            close: expect.close.clone(),
            report_time: echo.is_some() || windows,
            report_compression_ratio: windows,
            echo,
            frame_counts,
        }
    }

    /// The close expectation in words.
    pub fn close_text(&self) -> String {
        let who = if self.close.closed_by_me {
            "the harness closes first"
        } else {
            "the peer fails or closes first"
        };
        let codes = if self.close.codes.is_empty() {
            "any close code".to_owned()
        } else {
            let list: Vec<String> = self.close.codes.iter().map(u16::to_string).collect();
            format!("close code {} or none", list.join(", "))
        };
        let clean = if self.close.require_clean {
            "clean close required"
        } else {
            "TCP drop allowed"
        };
        format!("{who}; {codes}; {clean}")
    }

    /// The expected events in words, one alternative per line.
    pub fn events_text(&self) -> String {
        if let Some(echo) = &self.echo {
            let kind = if echo.binary { "binary" } else { "text" };
            return format!(
                "{} echoes of a {kind} message of {} bytes within {} s",
                echo.count, echo.len, echo.timeout_secs
            );
        }
        let mut lines: Vec<String> = self
            .alternatives
            .iter()
            .map(|a| format!("{}: {}", a.label, events_text(&a.events)))
            .collect();
        if let Some(counts) = &self.frame_counts {
            let list: Vec<String> = counts
                .iter()
                .map(|(op, n)| format!("{n} × opcode {op}"))
                .collect();
            lines.push(format!("harness data frames sent: {}", list.join(", ")));
        }
        if lines.is_empty() {
            "no events".to_owned()
        } else {
            lines.join("\n")
        }
    }
}

/// A list of events in words (`[]` when empty).
pub fn events_text(events: &[EventSummary]) -> String {
    if events.is_empty() {
        return "[]".to_owned();
    }
    let parts: Vec<String> = events.iter().map(EventSummary::describe).collect();
    format!("[{}]", parts.join(", "))
}

/// The overall outcome of one result, from both verdicts. This one rule decides what is a
/// failure for JUnit, the HTML summary and the harness's exit status:
/// * main FAILED → [`Outcome::Fail`];
/// * close FAILED (wrong endpoint, no handshake) or UNCLEAN → [`Outcome::Fail`]: the peer broke
///   a MUST of the closing handshake even if the events were right;
/// * close WRONG CODE (with main OK/NON-STRICT) → [`Outcome::NonStrict`], as Autobahn colours it;
/// * close FAILED BY CLIENT (with main OK) → [`Outcome::NonStrict`]: the server SHOULD drop TCP
///   first (RFC 6455 §7.1.1), so `--strict` fails it, a default run does not;
/// * INFORMATIONAL and UNIMPLEMENTED pass through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome {
    /// Strictly conformant.
    Pass,
    /// Conformant, a SHOULD not met.
    NonStrict,
    /// Not conformant.
    Fail,
    /// Reported for information only.
    Informational,
    /// The feature under test was not negotiated.
    Unimplemented,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Pass,
        Outcome::NonStrict,
        Outcome::Fail,
        Outcome::Informational,
        Outcome::Unimplemented,
    ];

    /// Autobahn's matrix word: Pass, Non-Strict, Fail, Info, Unimplemented.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "Pass",
            Self::NonStrict => "Non-Strict",
            Self::Fail => "Fail",
            Self::Informational => "Info",
            Self::Unimplemented => "Unimplemented",
        }
    }

    /// The CSS class that carries its colour.
    pub fn css_class(self) -> &'static str {
        match self {
            Self::Pass => "v-pass",
            Self::NonStrict => "v-non-strict",
            Self::Fail => "v-fail",
            Self::Informational => "v-info",
            Self::Unimplemented => "v-unimplemented",
        }
    }
}

/// The result of one case for one agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case id.
    pub id: CaseId,
    /// The case's index: the global index in test-server mode, the `runCase` number in
    /// test-client mode (Autobahn's `case`).
    pub index: usize,
    /// The case title.
    pub title: String,
    /// What the case sends.
    pub description: String,
    /// What a conforming peer does.
    pub expectation: String,
    /// The requirement tested.
    pub spec_ref: SpecRef,
    /// The verdicts and their explanations.
    pub judgement: Judgement,
    /// What the case expected.
    pub expected: ExpectedData,
    /// Everything the harness recorded, including the wire log.
    pub observation: Observation,
    /// When the case started.
    pub started: Timestamp,
    /// Milliseconds from OPEN to the end of TCP (Autobahn's `duration`).
    pub duration_ms: u64,
}

impl CaseResult {
    /// The result of running `case` (at `index`) with this observation and judgement.
    pub fn new(
        case: &Case,
        index: usize,
        observation: Observation,
        judgement: Judgement,
        started: SystemTime,
    ) -> Self {
        // `as` saturates and maps NaN to 0, which is what a report wants for a bad clock.
        let duration_ms = observation.duration_ms.max(0.0).round() as u64;
        Self {
            id: case.id.clone(),
            index,
            title: case.title.clone(),
            description: case.description.clone(),
            expectation: case.expectation.clone(),
            spec_ref: case.spec_ref.clone(),
            judgement,
            expected: ExpectedData::of(case),
            observation,
            started: Timestamp::from_system_time(started),
            duration_ms,
        }
    }

    /// The overall outcome (see [`Outcome`] for the rule).
    pub fn outcome(&self) -> Outcome {
        let close_broken = !matches!(
            self.judgement.behavior_close,
            CloseBehavior::Ok
                | CloseBehavior::WrongCode
                | CloseBehavior::FailedByClient
                | CloseBehavior::Informational
        );
        match self.judgement.behavior {
            Behavior::Unimplemented => Outcome::Unimplemented,
            Behavior::Informational => Outcome::Informational,
            Behavior::Ok | Behavior::NonStrict if close_broken => Outcome::Fail,
            // Both are SHOULD-level faults: a code outside the expected set, and a server
            // that left it to the client to drop TCP (RFC 6455 §7.1.1).
            Behavior::Ok
                if matches!(
                    self.judgement.behavior_close,
                    CloseBehavior::WrongCode | CloseBehavior::FailedByClient
                ) =>
            {
                Outcome::NonStrict
            }
            Behavior::Ok => Outcome::Pass,
            Behavior::NonStrict => Outcome::NonStrict,
            // FAILED, and any verdict this crate does not know yet.
            _ => Outcome::Fail,
        }
    }

    /// Why the outcome is not a pass, in one line: the judge's reason, or the close result.
    pub fn failure_reason(&self) -> Option<String> {
        match self.outcome() {
            Outcome::Fail | Outcome::NonStrict => {}
            _ => return None,
        }
        let main_failed = !matches!(self.judgement.behavior, Behavior::Ok | Behavior::NonStrict);
        if main_failed {
            Some(
                self.judgement
                    .reason
                    .clone()
                    .unwrap_or_else(|| self.judgement.result.clone()),
            )
        } else if self.judgement.behavior_close != CloseBehavior::Ok {
            Some(format!(
                "close {}: {}",
                self.judgement.behavior_close, self.judgement.result_close
            ))
        } else {
            Some(self.judgement.result.clone())
        }
    }

    /// The observed events as report data.
    pub fn observed_events(&self) -> Vec<EventSummary> {
        self.observation
            .events
            .iter()
            .map(EventSummary::of_observed)
            .collect()
    }

    /// What was observed, in words: events (or echo replies) and how the connection ended.
    pub fn actual_text(&self) -> String {
        let events = match &self.observation.echo {
            Some(echo) if self.expected.echo.is_some() => format!(
                "{} echo replies{} in {:.0} ms",
                echo.replies.len(),
                if echo.timed_out { ", timed out" } else { "" },
                echo.elapsed_ms
            ),
            _ => events_text(&self.observed_events()),
        };
        format!("{events}\n{}", self.close_actual_text())
    }

    /// What was expected, in words: events and the close.
    pub fn expected_text(&self) -> String {
        format!(
            "{}\n{}",
            self.expected.events_text(),
            self.expected.close_text()
        )
    }

    /// How the connection ended, in words.
    pub fn close_actual_text(&self) -> String {
        let c = &self.observation.connection;
        let who = if !self.observation.handshake.completed {
            "the opening handshake never completed"
        } else if c.closed_by_me {
            "the harness closed first"
        } else {
            "the peer closed or dropped first"
        };
        let code = match c.remote_close_code {
            Some(code) => format!("peer close code {code}"),
            None => "no close code from the peer".to_owned(),
        };
        let clean = if c.was_clean {
            "clean".to_owned()
        } else {
            match &c.was_not_clean_reason {
                Some(reason) => format!("not clean ({reason})"),
                None => "not clean".to_owned(),
            }
        };
        format!("{who}; {code}; {clean}")
    }
}

#[cfg(test)]
mod tests {
    use ampel_cases::{Role, by_id};

    use super::*;

    fn judgement(behavior: Behavior, close: CloseBehavior) -> Judgement {
        Judgement {
            behavior,
            behavior_close: close,
            result: "r".to_owned(),
            result_close: "rc".to_owned(),
            reason: None,
        }
    }

    fn result(id: &str, behavior: Behavior, close: CloseBehavior) -> CaseResult {
        let case = by_id(&id.parse().unwrap()).unwrap();
        CaseResult::new(
            case,
            1,
            Observation::new(Role::Client),
            judgement(behavior, close),
            SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn outcome_rule() {
        use Behavior as B;
        use CloseBehavior as C;
        let table = [
            (B::Ok, C::Ok, Outcome::Pass),
            (B::Ok, C::FailedByClient, Outcome::NonStrict),
            (B::Ok, C::WrongCode, Outcome::NonStrict),
            (B::Ok, C::Unclean, Outcome::Fail),
            (B::Ok, C::Failed, Outcome::Fail),
            (B::NonStrict, C::Ok, Outcome::NonStrict),
            (B::NonStrict, C::WrongCode, Outcome::NonStrict),
            (B::NonStrict, C::Unclean, Outcome::Fail),
            (B::Failed, C::Ok, Outcome::Fail),
            (B::Informational, C::Informational, Outcome::Informational),
            (B::Unimplemented, C::Ok, Outcome::Unimplemented),
        ];
        for (b, c, want) in table {
            assert_eq!(result("1.1.1", b, c).outcome(), want, "{b} / {c}");
        }
    }

    #[test]
    fn failure_reason_names_the_failing_column() {
        let mut r = result("1.1.1", Behavior::Failed, CloseBehavior::Ok);
        r.judgement.reason = Some("no echo".to_owned());
        assert_eq!(r.failure_reason().as_deref(), Some("no echo"));
        let r = result("1.1.1", Behavior::Ok, CloseBehavior::Unclean);
        assert_eq!(r.failure_reason().as_deref(), Some("close UNCLEAN: rc"));
        assert_eq!(
            result("1.1.1", Behavior::Ok, CloseBehavior::Ok).failure_reason(),
            None
        );
    }

    #[test]
    fn insert_keeps_numeric_order_and_replaces() {
        let mut agent = AgentReport::default();
        for id in ["2.10", "10.1.1", "2.9", "1.1.1"] {
            agent.insert(result(id, Behavior::Ok, CloseBehavior::Ok));
        }
        agent.insert(result("2.9", Behavior::Failed, CloseBehavior::Ok));
        let ids: Vec<String> = agent.cases.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids, ["1.1.1", "2.9", "2.10", "10.1.1"]);
        let replaced = agent.get(&"2.9".parse().unwrap()).unwrap();
        assert_eq!(replaced.judgement.behavior, Behavior::Failed);
    }

    #[test]
    fn counts_by_outcome() {
        let mut agent = AgentReport::default();
        agent.insert(result("1.1.1", Behavior::Ok, CloseBehavior::Ok));
        agent.insert(result("1.1.2", Behavior::Ok, CloseBehavior::Unclean));
        agent.insert(result("1.1.3", Behavior::Failed, CloseBehavior::Ok));
        agent.insert(result("2.1", Behavior::NonStrict, CloseBehavior::Ok));
        assert_eq!(
            agent.counts(),
            BTreeMap::from([
                (Outcome::Pass, 1),
                (Outcome::NonStrict, 1),
                (Outcome::Fail, 2)
            ])
        );
    }

    #[test]
    fn frame_count_expectation_in_words() {
        let data = ExpectedData::of(by_id(&"10.1.1".parse().unwrap()).unwrap());
        assert!(data.frame_counts.is_some());
        assert!(
            data.events_text().contains("harness data frames sent:"),
            "{}",
            data.events_text()
        );
    }

    #[test]
    fn normalise_lets_the_later_duplicate_win() {
        let mut agent = AgentReport {
            cases: vec![
                result("3.1", Behavior::Ok, CloseBehavior::Ok),
                result("1.1.1", Behavior::Ok, CloseBehavior::Ok),
                result("3.1", Behavior::Failed, CloseBehavior::Ok),
            ],
        };
        agent.normalise();
        assert_eq!(agent.cases.len(), 2);
        assert_eq!(agent.cases[1].judgement.behavior, Behavior::Failed);
    }

    #[test]
    fn expected_data_of_an_echo_and_an_events_case() {
        let echo = ExpectedData::of(by_id(&"9.1.1".parse().unwrap()).unwrap());
        let e = echo.echo.as_ref().unwrap();
        assert_eq!((e.binary, e.len), (false, 65536));
        assert!(echo.report_time);
        let text = ExpectedData::of(by_id(&"1.1.1".parse().unwrap()).unwrap());
        assert!(!text.report_time);
        assert_eq!(text.alternatives.len(), 1);
        assert_eq!(
            text.alternatives[0].events,
            [EventSummary::Message {
                binary: false,
                len: 0,
                sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709".to_owned(),
                preview: String::new(),
            }]
        );
        assert!(text.close_text().contains("close code 1000 or none"));
    }

    #[test]
    fn observed_previews_are_cut() {
        let long = vec![b'*'; 125];
        let s = EventSummary::of_observed(&ObservedEvent::message(false, &long));
        match s {
            EventSummary::Message { len, preview, .. } => {
                assert_eq!(len, 125);
                assert_eq!(preview, format!("{} ...", "*".repeat(64)));
            }
            other => panic!("{other:?}"),
        }
    }
}
