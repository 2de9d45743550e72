//! Type rules for the well-known keys of Options/Details dicts. Unknown keys are ignored
//! (`basic/messages.md` "Extensibility"); a known key with a value of the wrong type is a
//! protocol violation.

use super::{MessageError, MessageType};
use crate::id::Id;
use crate::value::{Dict, Value};

/// What the value of one well-known key must be.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rule {
    Bool,
    Str,
    UInt,
    Id,
    Dict,
    IdList,
    StrList,
    /// One of the listed strings (second field: the list as text, for the error).
    OneOf(&'static [&'static str], &'static str),
    /// `forward_for`: list of `{session: id, authid: string, authrole: string}`.
    ForwardFor,
    /// HELLO/WELCOME `roles`: a dict of role dicts, at least one of the listed roles.
    Roles(&'static [&'static str]),
}

impl Rule {
    fn expected(self) -> &'static str {
        match self {
            Rule::Bool => "a bool",
            Rule::Str => "a string",
            Rule::UInt => "a non-negative integer",
            Rule::Id => "an ID in 1..=2^53",
            Rule::Dict => "a dict",
            Rule::IdList => "a list of IDs",
            Rule::StrList => "a list of strings",
            Rule::OneOf(_, text) => text,
            Rule::ForwardFor => "a list of {session, authid, authrole} dicts",
            Rule::Roles(roles) if roles.contains(&"broker") => {
                "a dict of role dicts naming broker or dealer"
            }
            Rule::Roles(_) => "a dict of role dicts naming publisher, subscriber, caller or callee",
        }
    }

    fn accepts(self, value: &Value) -> bool {
        let is_id = |v: &Value| v.as_u64().and_then(Id::new).is_some();
        match self {
            Rule::Bool => matches!(value, Value::Bool(_)),
            Rule::Str => matches!(value, Value::Str(_)),
            Rule::UInt => value.as_u64().is_some(),
            Rule::Id => is_id(value),
            Rule::Dict => matches!(value, Value::Dict(_)),
            Rule::IdList => value.as_list().is_some_and(|l| l.iter().all(is_id)),
            Rule::StrList => value
                .as_list()
                .is_some_and(|l| l.iter().all(|v| matches!(v, Value::Str(_)))),
            Rule::OneOf(values, _) => value.as_str().is_some_and(|s| values.contains(&s)),
            Rule::ForwardFor => value.as_list().is_some_and(|hops| {
                hops.iter().all(|hop| {
                    hop.as_dict().is_some_and(|d| {
                        d.get("session").is_some_and(is_id)
                            && d.get("authid").is_none_or(|v| v.as_str().is_some())
                            && d.get("authrole").is_none_or(|v| v.as_str().is_some())
                    })
                })
            }),
            Rule::Roles(known) => value.as_dict().is_some_and(|roles| {
                roles.iter().all(|(_, role)| {
                    role.as_dict()
                        .is_some_and(|r| r.get("features").is_none_or(|f| f.as_dict().is_some()))
                }) && roles.keys().any(|k| known.contains(&k.as_str()))
            }),
        }
    }
}

const MATCH: Rule = Rule::OneOf(
    &["exact", "prefix", "wildcard"],
    "one of exact, prefix, wildcard",
);
const INVOKE: Rule = Rule::OneOf(
    &["single", "roundrobin", "random", "first", "last"],
    "one of single, roundrobin, random, first, last",
);
const CANCEL_MODE: Rule = Rule::OneOf(
    &["skip", "kill", "killnowait"],
    "one of skip, kill, killnowait",
);
const ENC_ALGO: Rule = Rule::OneOf(
    &["null", "cryptobox", "mqtt", "xbr"],
    "one of null, cryptobox, mqtt, xbr",
);
const ENC_SERIALIZER: Rule = Rule::OneOf(
    &[
        "null",
        "json",
        "msgpack",
        "cbor",
        "ubjson",
        "opaque",
        "flatbuffers",
    ],
    "one of null, json, msgpack, cbor, ubjson, opaque, flatbuffers",
);

/// Keys of payload passthru mode (spec names and Autobahn's older names) and R-link
/// forwarding, shared by every message that carries a payload.
const PAYLOAD_KEYS: &[(&str, Rule)] = &[
    ("ppt_scheme", Rule::Str),
    ("ppt_serializer", Rule::Str),
    ("ppt_cipher", Rule::Str),
    ("ppt_keyid", Rule::Str),
    ("enc_algo", ENC_ALGO),
    ("enc_serializer", ENC_SERIALIZER),
    ("enc_key", Rule::Str),
    ("forward_for", Rule::ForwardFor),
];

/// The rules for one message type's dict, looked up by key.
pub(super) fn rules(message: MessageType) -> &'static [(&'static str, Rule)] {
    match message {
        MessageType::HELLO => &[
            (
                "roles",
                Rule::Roles(&["publisher", "subscriber", "caller", "callee"]),
            ),
            ("agent", Rule::Str),
            ("authmethods", Rule::StrList),
            ("authid", Rule::Str),
            ("authextra", Rule::Dict),
        ],
        MessageType::WELCOME => &[
            ("roles", Rule::Roles(&["broker", "dealer"])),
            ("agent", Rule::Str),
            ("realm", Rule::Str),
            ("authid", Rule::Str),
            ("authrole", Rule::Str),
            ("authmethod", Rule::Str),
            ("authprovider", Rule::Str),
            ("authextra", Rule::Dict),
        ],
        MessageType::ABORT | MessageType::GOODBYE => &[("message", Rule::Str)],
        MessageType::PUBLISH => &[
            ("acknowledge", Rule::Bool),
            ("exclude_me", Rule::Bool),
            ("exclude", Rule::IdList),
            ("exclude_authid", Rule::StrList),
            ("exclude_authrole", Rule::StrList),
            ("eligible", Rule::IdList),
            ("eligible_authid", Rule::StrList),
            ("eligible_authrole", Rule::StrList),
            ("disclose_me", Rule::Bool),
            ("retain", Rule::Bool),
            ("rkey", Rule::Str),
            ("transaction_hash", Rule::Str),
        ],
        MessageType::SUBSCRIBE => &[
            ("match", MATCH),
            ("get_retained", Rule::Bool),
            ("nkey", Rule::Str),
            ("forward_for", Rule::ForwardFor),
        ],
        MessageType::EVENT => &[
            ("publisher", Rule::Id),
            ("publisher_authid", Rule::Str),
            ("publisher_authrole", Rule::Str),
            ("topic", Rule::Str),
            ("trustlevel", Rule::UInt),
            ("retained", Rule::Bool),
            ("transaction_hash", Rule::Str),
            ("x_acknowledged_delivery", Rule::Bool),
        ],
        MessageType::CALL => &[
            ("receive_progress", Rule::Bool),
            ("progress", Rule::Bool),
            ("timeout", Rule::UInt),
            ("disclose_me", Rule::Bool),
            ("runmode", Rule::Str),
            ("rkey", Rule::Str),
        ],
        MessageType::CANCEL | MessageType::INTERRUPT => &[("mode", CANCEL_MODE)],
        MessageType::RESULT | MessageType::YIELD => &[("progress", Rule::Bool)],
        MessageType::REGISTER => &[
            ("match", MATCH),
            ("invoke", INVOKE),
            ("disclose_caller", Rule::Bool),
            ("forward_timeout", Rule::Bool),
            ("concurrency", Rule::UInt),
            ("forward_for", Rule::ForwardFor),
        ],
        MessageType::INVOCATION => &[
            ("caller", Rule::Id),
            ("caller_authid", Rule::Str),
            ("caller_authrole", Rule::Str),
            ("procedure", Rule::Str),
            ("receive_progress", Rule::Bool),
            ("progress", Rule::Bool),
            ("trustlevel", Rule::UInt),
            ("timeout", Rule::UInt),
        ],
        MessageType::UNSUBSCRIBED => &[("subscription", Rule::Id), ("reason", Rule::Str)],
        MessageType::UNREGISTERED => &[("registration", Rule::Id), ("reason", Rule::Str)],
        _ => &[],
    }
}

/// Whether messages of this type carry a payload (and so the payload keys apply).
fn has_payload(message: MessageType) -> bool {
    matches!(
        message,
        MessageType::ERROR
            | MessageType::PUBLISH
            | MessageType::EVENT
            | MessageType::CALL
            | MessageType::RESULT
            | MessageType::INVOCATION
            | MessageType::YIELD
    )
}

/// Checks every well-known key of `dict`.
pub(super) fn check(
    message: MessageType,
    field: &'static str,
    dict: &Dict,
) -> Result<(), MessageError> {
    let specific = rules(message);
    let shared: &[(&str, Rule)] = if has_payload(message) {
        PAYLOAD_KEYS
    } else {
        &[]
    };
    for (key, rule) in specific.iter().chain(shared) {
        if dict.get(*key).is_some_and(|value| !rule.accepts(value)) {
            return Err(MessageError::InvalidOption {
                message,
                field,
                key: (*key).to_owned(),
                expected: rule.expected(),
            });
        }
    }
    if matches!(message, MessageType::HELLO | MessageType::WELCOME) && !dict.contains_key("roles") {
        return Err(MessageError::MissingOption {
            message,
            field,
            key: "roles",
        });
    }
    Ok(())
}

/// Whether the dict names a payload scheme, which is what allows an opaque payload.
pub(super) fn names_payload_scheme(dict: &Dict) -> bool {
    dict.contains_key("ppt_scheme") || dict.contains_key("enc_algo")
}
