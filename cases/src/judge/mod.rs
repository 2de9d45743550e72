//! The judge: a pure function from a case and an observation to the two verdicts.
//!
//! Order of evaluation (Autobahn's model, made explicit):
//! 1. handshake never completed → both FAILED;
//! 2. required feature not negotiated → UNIMPLEMENTED; else the main check (events against
//!    the alternatives in order, or the echo log, plus 10.1.1's own frame counts);
//! 3. the close checks, first failing one wins: wrong endpoint closed first → FAILED; clean
//!    required but not clean → UNCLEAN; peer code outside the allowed set → WRONG CODE;
//!    harness as client had to drop TCP → FAILED BY CLIENT; else OK;
//! 4. couplings: wrong closer is fatal → FAILED; WRONG CODE fails the case → FAILED;
//! 5. forced INFORMATIONAL overrides both columns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::expect::{Check, CloseExpect};
use crate::observation::{EchoLog, Observation, Role};
use crate::step::{EchoMismatch, EchoSpec, Secs};
use crate::verdict::{Behavior, CloseBehavior};

/// The outcome of judging one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The main verdict.
    pub behavior: Behavior,
    /// The close verdict.
    pub behavior_close: CloseBehavior,
    /// One sentence on the main verdict.
    pub result: String,
    /// One sentence on the close verdict.
    pub result_close: String,
    /// For a FAILED verdict, what exactly went wrong.
    pub reason: Option<String>,
}

/// Judges `observation` against `case`.
pub fn judge(case: &Case, observation: &Observation) -> Judgement {
    if !observation.handshake.completed {
        return Judgement {
            behavior: Behavior::Failed,
            behavior_close: CloseBehavior::Failed,
            result: "The opening handshake never completed.".to_owned(),
            result_close: "The opening handshake never completed.".to_owned(),
            reason: Some("handshake never completed".to_owned()),
        };
    }
    let expect = &case.expect;
    let (mut behavior, mut result, mut reason) = main_verdict(case, observation);
    let (behavior_close, result_close) = if behavior == Behavior::Unimplemented {
        // Nothing was tested: the harness closed normally at once, and that close is graded.
        close_verdict(&CloseExpect::harness_closes(&[1000]), observation)
    } else {
        close_verdict(&expect.close, observation)
    };

    if expect.close.wrong_closer_is_fatal
        && expect.close.closed_by_me != observation.connection.closed_by_me
        && behavior != Behavior::Unimplemented
    {
        behavior = Behavior::Failed;
        reason = Some(if expect.close.closed_by_me {
            "the peer closed first where the harness had to".to_owned()
        } else {
            "the peer never failed the connection; the harness had to close it".to_owned()
        });
    }
    if expect.wrong_code_fails_behavior && behavior_close == CloseBehavior::WrongCode {
        behavior = Behavior::Failed;
        result.clone_from(&result_close);
        reason = Some(result_close.clone());
    }
    if expect.forced_informational {
        return Judgement {
            behavior: Behavior::Informational,
            behavior_close: CloseBehavior::Informational,
            result,
            result_close,
            reason: None,
        };
    }
    Judgement {
        behavior,
        behavior_close,
        result,
        result_close,
        reason: if behavior == Behavior::Failed {
            reason
        } else {
            None
        },
    }
}

fn main_verdict(case: &Case, obs: &Observation) -> (Behavior, String, Option<String>) {
    if let Some(feature) = case.required_feature {
        let name = match feature {
            crate::case::Feature::PermessageDeflate => "permessage-deflate",
        };
        if !obs.handshake.extensions.iter().any(|e| e == name) {
            return (
                Behavior::Unimplemented,
                format!("The case needs {name}, which was not negotiated."),
                None,
            );
        }
    }
    match &case.expect.check {
        Check::EventsMatch => events_verdict(case, obs),
        Check::FrameCount { counts } => {
            let verdict = events_verdict(case, obs);
            let sent: BTreeMap<u8, u64> = counts
                .keys()
                .map(|op| (*op, obs.tx_frame_counts.get(op).copied().unwrap_or(0)))
                .collect();
            if sent == *counts {
                verdict
            } else {
                let reason = format!(
                    "the harness's own frames by opcode were {}, expected {}",
                    show_counts(&sent),
                    show_counts(counts)
                );
                (
                    Behavior::Failed,
                    format!("Frame counts differ: {reason}."),
                    Some(reason),
                )
            }
        }
        Check::Echo {
            echo,
            count,
            timeout,
        } => echo_verdict(|_| Some(echo), *count, *timeout, obs.echo.as_ref()),
        Check::WindowEcho { windows, timeout } => {
            let (behavior, result, reason) = echo_verdict(
                |i| windows.expected(i),
                windows.count,
                *timeout,
                obs.echo.as_ref(),
            );
            (behavior, with_ratios(result, obs), reason)
        }
    }
}

/// Appends the compression ratios to a result sentence.
fn with_ratios(result: String, obs: &Observation) -> String {
    let Some(stats) = obs.compression else {
        return result;
    };
    let show = |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{r:.3}"));
    format!(
        "{result} Compression ratio (compressed ÷ uncompressed) in {}, out {}.",
        show(stats.ratio_in()),
        show(stats.ratio_out())
    )
}

fn events_verdict(case: &Case, obs: &Observation) -> (Behavior, String, Option<String>) {
    match case.expect.matching_alternative(&obs.events) {
        Some(alt) => (
            alt.label.behavior(),
            format!("The recorded events equal the {} alternative.", alt.label),
            None,
        ),
        None => (
            Behavior::Failed,
            "The recorded events differ from every expected alternative.".to_owned(),
            Some("events differ".to_owned()),
        ),
    }
}

/// `expected(i)` is the echo expected for request `i` (0-based).
fn echo_verdict<'e>(
    expected: impl Fn(u32) -> Option<&'e EchoSpec>,
    count: u32,
    timeout: Secs,
    log: Option<&EchoLog>,
) -> (Behavior, String, Option<String>) {
    let empty = EchoLog::default();
    let log = log.unwrap_or(&empty);
    for (index, reply) in log.replies.iter().enumerate() {
        let echo = u32::try_from(index).ok().and_then(&expected);
        let checked = match echo {
            Some(echo) => echo.check(reply.binary, reply.len, &reply.sha1),
            None => Err(EchoMismatch::Unrequested),
        };
        if let Err(mismatch) = checked {
            let reason = mismatch.to_string();
            return (
                Behavior::Failed,
                format!("Echo {} of {count}: {reason}.", index + 1),
                Some(reason),
            );
        }
    }
    let got = log.replies.len();
    if u32::try_from(got).is_ok_and(|g| g >= count) {
        let what = match expected(0) {
            Some(first) if count == 1 || log.replies.iter().all(|r| r.len == first.len()) => {
                let kind = if first.binary { "binary" } else { "text" };
                format!("{kind} echo(es) of {} bytes", first.len())
            }
            _ => "echoes".to_owned(),
        };
        (
            Behavior::Ok,
            format!(
                "Received {count} {what} with matching content in {:.0} ms.",
                log.elapsed_ms
            ),
            None,
        )
    } else {
        let reason = format!("received {got} of {count} echoes within {} s", timeout.0);
        (
            Behavior::Failed,
            format!("Did not complete: {reason}."),
            Some(reason),
        )
    }
}

fn close_verdict(expect: &CloseExpect, obs: &Observation) -> (CloseBehavior, String) {
    let flags = &obs.connection;
    if expect.closed_by_me != flags.closed_by_me {
        let who = if flags.closed_by_me {
            "the harness closed first; the peer was expected to fail the connection"
        } else {
            "the peer closed first; the harness was expected to"
        };
        return (
            CloseBehavior::Failed,
            format!("The wrong endpoint closed the connection: {who}."),
        );
    }
    if expect.require_clean && !flags.was_clean {
        let why = flags
            .was_not_clean_reason
            .as_deref()
            .unwrap_or("no reason recorded");
        return (
            CloseBehavior::Unclean,
            format!("A clean close handshake was required, but the close was not clean ({why})."),
        );
    }
    if let Some(code) = flags.remote_close_code {
        if !expect.codes.contains(&code) {
            let allowed: Vec<String> = expect.codes.iter().map(u16::to_string).collect();
            return (
                CloseBehavior::WrongCode,
                format!(
                    "The peer closed with code {code}; allowed: {} or none.",
                    allowed.join(", ")
                ),
            );
        }
    }
    if obs.harness_role == Role::Client && flags.dropped_by_me {
        return (
            CloseBehavior::FailedByClient,
            "The server did not drop the TCP connection, so the harness (the client) had to."
                .to_owned(),
        );
    }
    (
        CloseBehavior::Ok,
        "The connection was closed as expected.".to_owned(),
    )
}

fn show_counts(counts: &BTreeMap<u8, u64>) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(op, n)| format!("op{op}: {n}"))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests;
