//! Calls in flight between callers and callees, router-wide (peers are unique across
//! realms), and the timers of dealer-enforced call timeouts.
//!
//! An invocation lives from INVOCATION until the callee's final YIELD or ERROR, or until the
//! callee leaves. Its caller may stop waiting earlier (cancel, timeout, caller gone): the
//! invocation then stays *abandoned* so the callee's late answer is recognised and dropped
//! instead of being taken for a protocol violation.

use std::collections::BTreeMap;
use std::time::Duration;

use super::PeerId;
use crate::id::Id;
use crate::uri::Uri;
use crate::value::Dict;

/// A timer the router asked the transport to start ([`super::Output::StartTimer`]); the
/// transport hands it back to [`super::Router::timeout`] when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(pub u64);

/// A CALL waiting for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Caller {
    pub(super) peer: PeerId,
    pub(super) request: Id,
}

/// An INVOCATION of a callee (peer, INVOCATION request ID).
pub(super) type InvocationKey = (PeerId, Id);

#[derive(Debug)]
pub(super) struct InFlight {
    /// `None` once the caller has its final answer or has left (the call is abandoned).
    pub(super) caller: Option<Caller>,
    pub(super) procedure: Uri,
    pub(super) registration: Id,
    /// INVOCATION.Details of the initiating CALL, frozen for progressive invocations
    /// (`progress` excepted).
    pub(super) details: Dict,
    /// The INVOCATION carried `receive_progress`: progressive YIELDs are allowed.
    pub(super) receive_progress: bool,
    /// Progressive call invocations: the caller may still send CALL chunks.
    pub(super) caller_streaming: bool,
    /// The callee announced call_canceling, so INTERRUPT may go to it.
    pub(super) callee_cancels: bool,
    /// An INTERRUPT went out already.
    pub(super) interrupted: bool,
    /// Dealer-enforced timeout: its length (re-armed by each progressive result) and the
    /// timer running now.
    pub(super) timeout: Option<Duration>,
    pub(super) timer: Option<TimerId>,
}

#[derive(Debug, Default)]
pub(super) struct Calls {
    by_invocation: BTreeMap<InvocationKey, InFlight>,
    /// Calls whose caller still waits, by (caller, CALL request ID).
    by_request: BTreeMap<Caller, InvocationKey>,
    timers: BTreeMap<TimerId, InvocationKey>,
    next_timer: u64,
}

impl Calls {
    pub(super) fn start(&mut self, key: InvocationKey, call: InFlight) {
        if let Some(caller) = call.caller {
            self.by_request.insert(caller, key);
        }
        self.by_invocation.insert(key, call);
    }

    pub(super) fn get_mut(&mut self, key: InvocationKey) -> Option<&mut InFlight> {
        self.by_invocation.get_mut(&key)
    }

    /// The invocation serving a caller's CALL `request`, while the caller waits.
    pub(super) fn of_caller(&self, caller: Caller) -> Option<InvocationKey> {
        self.by_request.get(&caller).copied()
    }

    /// Ends an invocation (final answer, or its callee left).
    pub(super) fn finish(&mut self, key: InvocationKey) -> Option<InFlight> {
        let call = self.by_invocation.remove(&key)?;
        if let Some(caller) = call.caller {
            self.by_request.remove(&caller);
        }
        if let Some(timer) = call.timer {
            self.timers.remove(&timer);
        }
        Some(call)
    }

    /// The caller stops waiting (it got its final answer otherwise, or left); the
    /// invocation stays until the callee answers. Returns the caller it had.
    pub(super) fn abandon(&mut self, key: InvocationKey) -> Option<Caller> {
        let call = self.by_invocation.get_mut(&key)?;
        if let Some(timer) = call.timer.take() {
            self.timers.remove(&timer);
        }
        call.caller_streaming = false;
        let caller = call.caller.take()?;
        self.by_request.remove(&caller);
        Some(caller)
    }

    /// (Re)starts the timeout of `key`, if it has one: the timer to start and for how long.
    /// An earlier timer of the call becomes stale.
    pub(super) fn arm_timer(&mut self, key: InvocationKey) -> Option<(TimerId, Duration)> {
        let call = self.by_invocation.get_mut(&key)?;
        let after = call.timeout?;
        call.caller?;
        if let Some(old) = call.timer.take() {
            self.timers.remove(&old);
        }
        self.next_timer += 1;
        let timer = TimerId(self.next_timer);
        call.timer = Some(timer);
        self.timers.insert(timer, key);
        Some((timer, after))
    }

    /// A timer fired: the invocation it guards, unless it is stale (the call ended or the
    /// timer was re-armed).
    pub(super) fn expire(&mut self, timer: TimerId) -> Option<InvocationKey> {
        let key = self.timers.remove(&timer)?;
        let call = self.by_invocation.get_mut(&key)?;
        if call.timer != Some(timer) {
            return None;
        }
        call.timer = None;
        Some(key)
    }

    /// Invocations `callee` is serving.
    pub(super) fn served_by(&self, callee: PeerId) -> Vec<InvocationKey> {
        self.by_invocation
            .range((callee, Id::MIN)..=(callee, Id::MAX))
            .map(|(k, _)| *k)
            .collect()
    }

    /// Invocations of calls `caller` is still waiting for.
    pub(super) fn waited_for_by(&self, caller: PeerId) -> Vec<InvocationKey> {
        let from = Caller {
            peer: caller,
            request: Id::MIN,
        };
        let to = Caller {
            peer: caller,
            request: Id::MAX,
        };
        self.by_request.range(from..=to).map(|(_, k)| *k).collect()
    }
}
