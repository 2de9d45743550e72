//! What the router announces in WELCOME.Details.roles: exactly the advanced-profile features
//! it implements (`advanced/features.md`). A feature is added here in the same change that
//! implements it, and clients may rely on everything listed.

use crate::value::{Dict, Value};

/// Broker features.
pub const BROKER: &[&str] = &[
    "pattern_based_subscription",
    "publisher_exclusion",
    "publisher_identification",
    "subscriber_blackwhite_listing",
    "event_retention",
    "subscription_revocation",
    "subscription_meta_api",
    // Announced by both roles (`advanced/meta_api_sessions.md`).
    "session_meta_api",
];

/// Dealer features.
pub const DEALER: &[&str] = &[
    "call_canceling",
    "call_timeout",
    "caller_identification",
    "pattern_based_registration",
    "progressive_call_invocations",
    "progressive_call_results",
    "registration_meta_api",
    "registration_revocation",
    "shared_registration",
    "session_meta_api",
    // On the dealer role although it publishes events: the testament procedures are
    // meta procedures (`advanced/pubsub_testament.md`).
    "testament_meta_api",
];

/// WELCOME.Details.roles: `{broker: {features: {…: true}}, dealer: {features: {…: true}}}`.
pub fn router_roles() -> Value {
    let role = |features: &[&str]| {
        let features: Dict = features
            .iter()
            .map(|f| ((*f).to_owned(), Value::Bool(true)))
            .collect();
        Value::Dict([("features".to_owned(), Value::Dict(features))].into())
    };
    Value::Dict(
        [
            ("broker".into(), role(BROKER)),
            ("dealer".into(), role(DEALER)),
        ]
        .into(),
    )
}
