//! The run's verdict policy and its summary.
//!
//! Whether one result is a failure is decided by [`ampel_reports::CaseResult::outcome`], the
//! same rule JUnit and the HTML summary use; on top of it:
//! * Pass and INFORMATIONAL pass; NON-STRICT passes unless `--strict`;
//! * UNIMPLEMENTED, and cases left out for an agent, are skipped;
//! * a failure listed in `--expect` with exactly that verdict is an expected deviation and
//!   does not fail the run; a listed case that passes is an unexpected pass (reported, not
//!   failing).

use ampel_reports::{CaseResult, Outcome, RunReport};
use serde::Serialize;

use crate::expectations::Expectations;

/// How one result counts for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Conformant.
    Passed,
    /// Fails the run.
    Failed,
    /// Not judged (the feature under test was not negotiated).
    Skipped,
    /// Failed exactly as `--expect` says; does not fail the run.
    ExpectedDeviation,
    /// Listed in `--expect` but passed.
    UnexpectedPass,
}

/// Classifies one result.
pub fn classify(result: &CaseResult, strict: bool, expectations: &Expectations) -> Verdict {
    let failing = match result.outcome() {
        Outcome::Pass | Outcome::Informational => false,
        Outcome::NonStrict => strict,
        Outcome::Unimplemented => return Verdict::Skipped,
        _ => true,
    };
    let judgement = &result.judgement;
    match expectations.lookup(&result.id) {
        None if failing => Verdict::Failed,
        None => Verdict::Passed,
        Some(e) if e.matches(judgement.behavior, judgement.behavior_close) => {
            if failing {
                Verdict::ExpectedDeviation
            } else {
                // The listed verdict is one that passes anyway (e.g. NON-STRICT without
                // --strict): nothing unexpected happened.
                Verdict::Passed
            }
        }
        Some(_) if failing => Verdict::Failed,
        Some(_) => Verdict::UnexpectedPass,
    }
}

/// One line item of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The agent.
    pub agent: String,
    /// The case id.
    pub id: String,
    /// The case title.
    pub title: String,
    /// `behavior / behaviorClose`.
    pub verdict: String,
    /// What was expected, in words.
    pub expected: String,
    /// What happened, in words.
    pub actual: String,
    /// Why it is not a pass (or, for deviations, the listed reason).
    pub reason: String,
}

impl Item {
    fn of(agent: &str, result: &CaseResult, reason: String) -> Self {
        Self {
            agent: agent.to_owned(),
            id: result.id.to_string(),
            title: result.title.clone(),
            verdict: format!(
                "{} / {}",
                result.judgement.behavior, result.judgement.behavior_close
            ),
            expected: result.expected_text(),
            actual: result.actual_text(),
            reason,
        }
    }
}

/// The tally of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Conformant results (including unexpected passes).
    pub passed: usize,
    /// Results that fail the run.
    pub failed: usize,
    /// UNIMPLEMENTED results, expected deviations, and cases not run for an agent.
    pub skipped: usize,
    /// The failures.
    pub failures: Vec<Item>,
    /// Expected deviations.
    pub expected_deviations: Vec<Item>,
    /// Listed in `--expect`, but passed.
    pub unexpected_passes: Vec<Item>,
}

impl Summary {
    /// Tallies every result of `report`; `not_run` cases (left out for an agent) count as
    /// skipped.
    pub fn of(
        report: &RunReport,
        strict: bool,
        expectations: &Expectations,
        not_run: usize,
    ) -> Self {
        let mut s = Self {
            skipped: not_run,
            ..Self::default()
        };
        for (agent, results) in &report.agents {
            for result in &results.cases {
                match classify(result, strict, expectations) {
                    Verdict::Passed => s.passed += 1,
                    Verdict::Skipped => s.skipped += 1,
                    Verdict::Failed => {
                        s.failed += 1;
                        let mut reason = result
                            .failure_reason()
                            .unwrap_or_else(|| result.judgement.result.clone());
                        if result.outcome() == Outcome::NonStrict {
                            reason = format!("NON-STRICT fails with --strict: {reason}");
                        }
                        if let Some(e) = expectations.lookup(&result.id) {
                            reason = format!(
                                "{reason} (expected deviation {} per {:?} did not occur)",
                                e.describe(),
                                e.pattern
                            );
                        }
                        s.failures.push(Item::of(agent, result, reason));
                    }
                    Verdict::ExpectedDeviation => {
                        s.skipped += 1;
                        let reason = expectations
                            .lookup(&result.id)
                            .map(|e| e.reason.clone())
                            .unwrap_or_default();
                        s.expected_deviations.push(Item::of(agent, result, reason));
                    }
                    Verdict::UnexpectedPass => {
                        s.passed += 1;
                        let reason = expectations
                            .lookup(&result.id)
                            .map(|e| format!("listed as {} ({})", e.describe(), e.reason))
                            .unwrap_or_default();
                        s.unexpected_passes.push(Item::of(agent, result, reason));
                    }
                }
            }
        }
        s
    }

    /// The last line of the terminal output.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }

    /// The human-readable report: failures with Expected/Actual and reason, expected
    /// deviations and unexpected passes, then [`Summary::line`] last.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for item in &self.failures {
            push_item(&mut out, "FAILED", item, true);
        }
        if !self.expected_deviations.is_empty() {
            out.push_str(&format!(
                "{} expected deviation(s):\n",
                self.expected_deviations.len()
            ));
            for item in &self.expected_deviations {
                out.push_str(&format!(
                    "  {} [{}] {}: {}\n",
                    item.id, item.agent, item.verdict, item.reason
                ));
            }
        }
        for item in &self.unexpected_passes {
            push_item(&mut out, "UNEXPECTED PASS", item, false);
        }
        out.push_str(&self.line());
        out.push('\n');
        out
    }
}

fn push_item(out: &mut String, tag: &str, item: &Item, details: bool) {
    out.push_str(&format!(
        "{tag} {} [{}] {} — {}\n",
        item.id, item.agent, item.title, item.verdict
    ));
    if details {
        out.push_str(&format!("  Expected: {}\n", indent(&item.expected)));
        out.push_str(&format!("  Actual:   {}\n", indent(&item.actual)));
    }
    out.push_str(&format!("  Reason:   {}\n", indent(&item.reason)));
}

fn indent(text: &str) -> String {
    text.trim_end().replace('\n', "\n            ")
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::SystemTime;

    use ampel_cases::{Behavior, CloseBehavior, Judgement, Observation, Role, by_id};
    use ampel_reports::{Mode, RunMeta};

    use super::*;

    fn result(id: &str, behavior: Behavior, close: CloseBehavior) -> CaseResult {
        let case = by_id(&id.parse().unwrap()).unwrap();
        let judgement = Judgement {
            behavior,
            behavior_close: close,
            result: "result".to_owned(),
            result_close: "result close".to_owned(),
            reason: (behavior == Behavior::Failed).then(|| "events differ".to_owned()),
        };
        CaseResult::new(
            case,
            1,
            Observation::new(Role::Client),
            judgement,
            SystemTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn policy_table() {
        use Behavior as B;
        use CloseBehavior as C;
        let none = Expectations::none();
        let table = [
            (B::Ok, C::Ok, false, Verdict::Passed),
            (B::Informational, C::Informational, true, Verdict::Passed),
            (B::NonStrict, C::Ok, false, Verdict::Passed),
            (B::NonStrict, C::Ok, true, Verdict::Failed),
            (B::Ok, C::WrongCode, true, Verdict::Failed),
            (B::Ok, C::Unclean, false, Verdict::Failed),
            (B::Failed, C::Ok, false, Verdict::Failed),
            (B::Unimplemented, C::Ok, true, Verdict::Skipped),
        ];
        for (b, c, strict, want) in table {
            assert_eq!(
                classify(&result("1.1.1", b, c), strict, &none),
                want,
                "{b}/{c} strict={strict}"
            );
        }
    }

    #[test]
    fn expectations_turn_failures_into_deviations() {
        let toml = "[\"1.1.1\"]\nbehavior = \"FAILED\"\nreason = \"known\"\n\
                    [\"2.1\"]\nbehavior = \"NON-STRICT\"\nreason = \"async\"\n";
        let e = Expectations::parse(toml, true, Path::new("e.toml")).unwrap();
        let failed = result("1.1.1", Behavior::Failed, CloseBehavior::Ok);
        assert_eq!(classify(&failed, false, &e), Verdict::ExpectedDeviation);
        let passed = result("1.1.1", Behavior::Ok, CloseBehavior::Ok);
        assert_eq!(classify(&passed, false, &e), Verdict::UnexpectedPass);
        let other_failure = result("1.1.1", Behavior::Ok, CloseBehavior::Unclean);
        assert_eq!(classify(&other_failure, false, &e), Verdict::Failed);
        let non_strict = result("2.1", Behavior::NonStrict, CloseBehavior::Ok);
        assert_eq!(classify(&non_strict, true, &e), Verdict::ExpectedDeviation);
        assert_eq!(classify(&non_strict, false, &e), Verdict::Passed);
    }

    #[test]
    fn summary_lists_failures_and_ends_with_the_count_line() {
        let mut report = RunReport::new(RunMeta::new(Mode::TestServer));
        report.insert("a", result("1.1.1", Behavior::Ok, CloseBehavior::Ok));
        report.insert("a", result("1.1.2", Behavior::Failed, CloseBehavior::Ok));
        report.insert(
            "b",
            result("1.1.1", Behavior::Unimplemented, CloseBehavior::Ok),
        );
        let s = Summary::of(&report, false, &Expectations::none(), 2);
        assert_eq!((s.passed, s.failed, s.skipped), (1, 1, 3));
        let text = s.render();
        assert!(text.contains("FAILED 1.1.2 [a]"), "{text}");
        assert!(text.contains("  Expected: "), "{text}");
        assert!(text.contains("  Actual:   "), "{text}");
        assert!(text.contains("  Reason:   events differ"), "{text}");
        assert_eq!(text.lines().last(), Some("1 passed, 1 failed, 3 skipped"));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["failed"], 1);
        assert_eq!(json["failures"][0]["id"], "1.1.2");
    }
}
