//! Typed Options for CALL, REGISTER, SUBSCRIBE and PUBLISH. Each converts into the Options
//! dict (only the keys that differ from the spec's defaults are written), so every
//! `*_with` method of [`super::Client`] takes either a typed struct or a raw [`Dict`].

use std::time::Duration;

pub use ampel_wamp::pattern::MatchPolicy;
pub use ampel_wamp::rpc_policy::InvokePolicy;
use ampel_wamp::{Dict, Id, Value};

/// CALL.Options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallOptions {
    /// `timeout` in milliseconds (the dealer cancels the call after it); `None` or zero
    /// means no timeout. Sub-millisecond parts are dropped.
    pub timeout: Option<Duration>,
    /// `receive_progress`: accept progressive results (see [`super::CallHandle::progress`]).
    pub receive_progress: bool,
    /// `disclose_me`: ask the dealer to tell the callee who calls.
    pub disclose_me: bool,
}

/// REGISTER.Options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterOptions {
    /// `match` (exact when `None`).
    pub match_policy: Option<MatchPolicy>,
    /// `invoke` (single when `None`).
    pub invoke: Option<InvokePolicy>,
    /// `disclose_caller`: ask the dealer to disclose callers in INVOCATION.Details.
    pub disclose_caller: bool,
}

/// SUBSCRIBE.Options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubscribeOptions {
    /// `match` (exact when `None`).
    pub match_policy: Option<MatchPolicy>,
    /// `get_retained`: receive the topic's retained event, if any, right away.
    pub get_retained: bool,
}

/// PUBLISH.Options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishOptions {
    /// `acknowledge`: the broker answers with PUBLISHED or ERROR.
    pub acknowledge: bool,
    /// `exclude_me` (the broker's default is `true`: the publisher gets no event).
    pub exclude_me: Option<bool>,
    /// `disclose_me`: ask the broker to tell subscribers who published.
    pub disclose_me: bool,
    /// `retain`: the broker keeps this event for later `get_retained` subscribers.
    pub retain: bool,
    /// `exclude`: sessions that must not receive the event.
    pub exclude: Vec<Id>,
    /// `exclude_authid`.
    pub exclude_authid: Vec<String>,
    /// `exclude_authrole`.
    pub exclude_authrole: Vec<String>,
    /// `eligible`: only these sessions may receive it (`None`: everyone; an empty list
    /// means no one).
    pub eligible: Option<Vec<Id>>,
    /// `eligible_authid`.
    pub eligible_authid: Option<Vec<String>>,
    /// `eligible_authrole`.
    pub eligible_authrole: Option<Vec<String>>,
}

fn flag(options: &mut Dict, key: &str, on: bool) {
    if on {
        options.insert(key.into(), Value::Bool(true));
    }
}

fn ids(list: &[Id]) -> Value {
    Value::List(list.iter().map(|id| Value::UInt(id.get())).collect())
}

fn strings(list: &[String]) -> Value {
    Value::List(list.iter().cloned().map(Value::Str).collect())
}

impl From<CallOptions> for Dict {
    fn from(o: CallOptions) -> Dict {
        let mut d = Dict::new();
        if let Some(ms) = o.timeout.map(|t| t.as_millis()).filter(|ms| *ms > 0) {
            d.insert(
                "timeout".into(),
                Value::UInt(u64::try_from(ms).unwrap_or(u64::MAX)),
            );
        }
        flag(&mut d, "receive_progress", o.receive_progress);
        flag(&mut d, "disclose_me", o.disclose_me);
        d
    }
}

impl From<RegisterOptions> for Dict {
    fn from(o: RegisterOptions) -> Dict {
        let mut d = Dict::new();
        if let Some(m) = o.match_policy {
            d.insert("match".into(), Value::Str(m.as_str().into()));
        }
        if let Some(i) = o.invoke {
            d.insert("invoke".into(), Value::Str(i.as_str().into()));
        }
        flag(&mut d, "disclose_caller", o.disclose_caller);
        d
    }
}

impl From<SubscribeOptions> for Dict {
    fn from(o: SubscribeOptions) -> Dict {
        let mut d = Dict::new();
        if let Some(m) = o.match_policy {
            d.insert("match".into(), Value::Str(m.as_str().into()));
        }
        flag(&mut d, "get_retained", o.get_retained);
        d
    }
}

impl From<PublishOptions> for Dict {
    fn from(o: PublishOptions) -> Dict {
        let mut d = Dict::new();
        flag(&mut d, "acknowledge", o.acknowledge);
        if let Some(me) = o.exclude_me {
            d.insert("exclude_me".into(), Value::Bool(me));
        }
        flag(&mut d, "disclose_me", o.disclose_me);
        flag(&mut d, "retain", o.retain);
        if !o.exclude.is_empty() {
            d.insert("exclude".into(), ids(&o.exclude));
        }
        if !o.exclude_authid.is_empty() {
            d.insert("exclude_authid".into(), strings(&o.exclude_authid));
        }
        if !o.exclude_authrole.is_empty() {
            d.insert("exclude_authrole".into(), strings(&o.exclude_authrole));
        }
        if let Some(list) = &o.eligible {
            d.insert("eligible".into(), ids(list));
        }
        if let Some(list) = &o.eligible_authid {
            d.insert("eligible_authid".into(), strings(list));
        }
        if let Some(list) = &o.eligible_authrole {
            d.insert("eligible_authrole".into(), strings(list));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(d: &Dict) -> Vec<&str> {
        d.keys().map(String::as_str).collect()
    }

    #[test]
    fn defaults_write_nothing() {
        assert!(Dict::from(CallOptions::default()).is_empty());
        assert!(Dict::from(RegisterOptions::default()).is_empty());
        assert!(Dict::from(SubscribeOptions::default()).is_empty());
        assert!(Dict::from(PublishOptions::default()).is_empty());
    }

    #[test]
    fn call_timeout_is_milliseconds() {
        let d = Dict::from(CallOptions {
            timeout: Some(Duration::from_millis(1500)),
            receive_progress: true,
            disclose_me: true,
        });
        assert_eq!(d["timeout"], Value::UInt(1500));
        assert_eq!(keys(&d), ["disclose_me", "receive_progress", "timeout"]);
        let zero = CallOptions {
            timeout: Some(Duration::ZERO),
            ..CallOptions::default()
        };
        assert!(Dict::from(zero).is_empty());
    }

    #[test]
    fn register_and_subscribe_policies() {
        let d = Dict::from(RegisterOptions {
            match_policy: Some(MatchPolicy::Wildcard),
            invoke: Some(InvokePolicy::RoundRobin),
            disclose_caller: true,
        });
        assert_eq!(d["match"], Value::Str("wildcard".into()));
        assert_eq!(d["invoke"], Value::Str("roundrobin".into()));
        assert_eq!(d["disclose_caller"], Value::Bool(true));
        let d = Dict::from(SubscribeOptions {
            match_policy: Some(MatchPolicy::Prefix),
            get_retained: true,
        });
        assert_eq!(d["match"], Value::Str("prefix".into()));
        assert_eq!(d["get_retained"], Value::Bool(true));
    }

    #[test]
    fn publish_lists_and_explicit_exclude_me() {
        let d = Dict::from(PublishOptions {
            exclude_me: Some(false),
            exclude: vec![Id::new(5).unwrap()],
            eligible: Some(Vec::new()),
            eligible_authrole: Some(vec!["r".into()]),
            ..PublishOptions::default()
        });
        assert_eq!(d["exclude_me"], Value::Bool(false));
        assert_eq!(d["exclude"], Value::List(vec![Value::UInt(5)]));
        // An empty eligible list is kept: it means "no one", unlike an absent one.
        assert_eq!(d["eligible"], Value::List(Vec::new()));
        assert_eq!(
            d["eligible_authrole"],
            Value::List(vec![Value::Str("r".into())])
        );
        assert_eq!(
            keys(&d),
            ["eligible", "eligible_authrole", "exclude", "exclude_me"]
        );
    }
}
