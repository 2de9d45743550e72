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
