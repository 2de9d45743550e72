//! What this client announces in HELLO.Details.roles, and the call-canceling modes.
//!
//! The announcement lists exactly the advanced features the session and the async client
//! implement; a router uses it to decide what it may send (e.g. INTERRUPT, progressive
//! RESULTs, revocations), so claiming more would invite messages we cannot handle.

use crate::value::{Dict, Value};

/// Features per client role, as announced in HELLO.
///
/// Not announced, on purpose: `event_retention` (the spec has only brokers announce it;
/// `get_retained`/`retain` are plain options), callee `call_timeout` (we do not enforce a
/// forwarded timeout), `progressive_call_invocations`, trust levels, sharding and payload
/// passthru (not implemented).
pub const ANNOUNCED: &[(&str, &[&str])] = &[
    (
        "publisher",
        &[
            "publisher_exclusion",
            "publisher_identification",
            "subscriber_blackwhite_listing",
        ],
    ),
    (
        "subscriber",
        &[
            "pattern_based_subscription",
            "publisher_identification",
            "subscription_revocation",
        ],
    ),
    (
        "caller",
        &[
            "progressive_call_results",
            "call_canceling",
            // The spec names only dealers and callees; announced here as wampy.js does,
            // because the caller does pass CALL.Options.timeout through.
            "call_timeout",
            "caller_identification",
        ],
    ),
    (
        "callee",
        &[
            // Needs call_canceling too, or a dealer disregards it (progressive results
            // spec): both are announced.
            "progressive_call_results",
            "call_canceling",
            "caller_identification",
            "pattern_based_registration",
            "shared_registration",
            "registration_revocation",
        ],
    ),
];

/// The roles a client announces when HELLO.Details has none: all four, with [`ANNOUNCED`].
pub fn default_roles() -> Value {
    let mut roles = Dict::new();
    for (role, features) in ANNOUNCED {
        let features: Dict = features
            .iter()
            .map(|f| ((*f).to_owned(), Value::Bool(true)))
            .collect();
        let mut r = Dict::new();
        r.insert("features".into(), Value::Dict(features));
        roles.insert((*role).into(), Value::Dict(r));
    }
    Value::Dict(roles)
}

/// How a call is canceled (CANCEL.Options.mode, INTERRUPT.Options.mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelMode {
    /// The dealer answers the caller at once and does not interrupt the callee.
    Skip,
    /// The dealer interrupts the callee and answers the caller with the callee's answer.
    Kill,
    /// The dealer answers the caller at once, interrupts the callee and discards its answer.
    KillNoWait,
}

impl CancelMode {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            CancelMode::Skip => "skip",
            CancelMode::Kill => "kill",
            CancelMode::KillNoWait => "killnowait",
        }
    }

    /// The mode of an INTERRUPT's Options. The decoder has already rejected values other
    /// than the three modes; a missing `mode` is taken as `kill`, the one mode in which the
    /// dealer waits for the callee's answer, so we answer rather than leave it waiting.
    pub fn of_interrupt(options: &Dict) -> CancelMode {
        match options.get("mode").and_then(Value::as_str) {
            Some("skip") => CancelMode::Skip,
            Some("killnowait") => CancelMode::KillNoWait,
            _ => CancelMode::Kill,
        }
    }

    /// CANCEL.Options with this mode.
    pub fn options(self) -> Dict {
        [("mode".to_owned(), Value::Str(self.as_str().to_owned()))].into()
    }
}
