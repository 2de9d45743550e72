//! The wire vocabularies of two advanced RPC options, shared by the router, the sans-IO
//! client and the async client: how a call is canceled (`advanced/rpc_call_canceling.md`) and
//! how a shared registration picks its callee (`advanced/rpc_shared_registration.md`). The
//! message decoder has already refused values outside these sets.

use crate::value::{Dict, Value};

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

    /// `skip`, `kill` or `killnowait`.
    pub fn parse(s: &str) -> Option<CancelMode> {
        match s {
            "skip" => Some(CancelMode::Skip),
            "kill" => Some(CancelMode::Kill),
            "killnowait" => Some(CancelMode::KillNoWait),
            _ => None,
        }
    }

    fn of(options: &Dict) -> Option<CancelMode> {
        options
            .get("mode")
            .and_then(Value::as_str)
            .and_then(CancelMode::parse)
    }

    /// The mode of a CANCEL's Options. The spec names no default; absent means
    /// `killnowait`, like a timeout or a leaving caller: the caller stops waiting at once and
    /// the callee is told.
    pub fn of_cancel(options: &Dict) -> CancelMode {
        CancelMode::of(options).unwrap_or(CancelMode::KillNoWait)
    }

    /// The mode of an INTERRUPT's Options; a missing `mode` is taken as `kill`, the one mode
    /// in which the dealer waits for the callee's answer, so the callee answers rather than
    /// leave it waiting.
    pub fn of_interrupt(options: &Dict) -> CancelMode {
        CancelMode::of(options).unwrap_or(CancelMode::Kill)
    }

    /// CANCEL.Options (or INTERRUPT.Options) with this mode.
    pub fn options(self) -> Dict {
        [("mode".to_owned(), Value::Str(self.as_str().to_owned()))].into()
    }
}

/// REGISTER.Options.invoke: how the dealer picks among the callees of a shared registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InvokePolicy {
    /// One callee only (the default).
    #[default]
    Single,
    /// Callees in turn.
    RoundRobin,
    /// A callee at random.
    Random,
    /// The first callee that registered.
    First,
    /// The last callee that registered.
    Last,
}

impl InvokePolicy {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            InvokePolicy::Single => "single",
            InvokePolicy::RoundRobin => "roundrobin",
            InvokePolicy::Random => "random",
            InvokePolicy::First => "first",
            InvokePolicy::Last => "last",
        }
    }

    /// The policy in `options.invoke`; absent (or unknown) is `single`.
    pub fn from_options(options: &Dict) -> InvokePolicy {
        match options.get("invoke").and_then(Value::as_str) {
            Some("roundrobin") => InvokePolicy::RoundRobin,
            Some("random") => InvokePolicy::Random,
            Some("first") => InvokePolicy::First,
            Some("last") => InvokePolicy::Last,
            _ => InvokePolicy::Single,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(m: &str) -> Dict {
        [("mode".to_owned(), Value::from(m))].into()
    }

    #[test]
    fn cancel_modes_round_trip_and_default_by_message() {
        for m in [CancelMode::Skip, CancelMode::Kill, CancelMode::KillNoWait] {
            assert_eq!(CancelMode::parse(m.as_str()), Some(m));
            assert_eq!(CancelMode::of_cancel(&m.options()), m);
            assert_eq!(CancelMode::of_interrupt(&m.options()), m);
        }
        assert_eq!(CancelMode::of_cancel(&Dict::new()), CancelMode::KillNoWait);
        assert_eq!(CancelMode::of_interrupt(&Dict::new()), CancelMode::Kill);
        assert_eq!(CancelMode::of_cancel(&mode("kill")), CancelMode::Kill);
    }

    #[test]
    fn invoke_policies_round_trip() {
        for p in [
            InvokePolicy::Single,
            InvokePolicy::RoundRobin,
            InvokePolicy::Random,
            InvokePolicy::First,
            InvokePolicy::Last,
        ] {
            let options = [("invoke".to_owned(), Value::from(p.as_str()))].into();
            assert_eq!(InvokePolicy::from_options(&options), p);
        }
        assert_eq!(
            InvokePolicy::from_options(&Dict::new()),
            InvokePolicy::Single
        );
    }
}
