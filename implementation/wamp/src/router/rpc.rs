//! The dealer's side of the router: REGISTER, UNREGISTER and CALL of established sessions
//! (after the checks every request shares, in [`Router::request`]), continuation CALLs of
//! progressive invocations, CANCEL, the callee's YIELD or ERROR, call timeouts, and what a
//! leaving session's calls and registrations become.
//!
//! Every CALL ends with exactly one final message to its caller: the callee's final RESULT or
//! ERROR, or the router's ERROR when the call is canceled (`wamp.error.canceled`), times out
//! (`wamp.error.timeout`) or its callee leaves (`wamp.error.canceled`). Whatever the callee
//! sends after that is dropped.

use std::time::Duration;

use super::calls::{Caller, InFlight, InvocationKey, TimerId};
use super::dealer::Callee;
use super::session::disclose;
use super::{Output, PeerId, PeerState, Request, Router, Violation, check_no_passthru};
use crate::id::Id;
use crate::message::*;
use crate::pattern::{MatchPolicy, Pattern};
use crate::rpc_policy::{CancelMode, InvokePolicy};
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// Whether `options[key]` is `true`.
fn flag(options: &Dict, key: &str) -> bool {
    options.get(key) == Some(&Value::Bool(true))
}

const PROGRESSIVE_CALL_INVOCATIONS: &str = "progressive_call_invocations";

impl<R: rand::RngCore> Router<R> {
    pub(super) fn register(&mut self, req: &Request, m: Register, out: &mut Vec<Output>) {
        let Some(policy) = MatchPolicy::from_options(&m.options) else {
            out.push(req.error(known::INVALID_ARGUMENT));
            return;
        };
        let pattern = Pattern {
            uri: m.procedure,
            policy,
        };
        if pattern.check(self.config.uri_rule).is_err() || pattern.uri.is_reserved() {
            out.push(req.error(known::INVALID_URI));
            return;
        }
        let Some(session) = self.session(req.peer).map(|s| s.id) else {
            return;
        };
        let callee = Callee {
            peer: req.peer,
            session,
            disclose_caller: flag(&m.options, "disclose_caller"),
            forward_timeout: flag(&m.options, "forward_timeout"),
        };
        let invoke = InvokePolicy::from_options(&m.options);
        let Self {
            realms, router_ids, ..
        } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return;
        };
        match realm
            .dealer
            .register(pattern, invoke, callee, || router_ids.advance())
        {
            Ok((registration, created)) => {
                out.push(req.reply(Message::Registered(Registered {
                    request: req.id,
                    registration,
                })));
                self.callee_attached(&req.realm, session, registration, created, out);
            }
            Err(_) => out.push(req.error(known::PROCEDURE_ALREADY_EXISTS)),
        }
    }

    pub(super) fn unregister(&mut self, req: &Request, m: Unregister, out: &mut Vec<Output>) {
        let Some(session) = self.session(req.peer).map(|s| s.id) else {
            return;
        };
        let Some(realm) = self.realms.get_mut(&req.realm) else {
            return;
        };
        match realm.dealer.unregister(req.peer, m.registration) {
            Some(deleted) => {
                out.push(req.reply(Message::Unregistered(Unregistered {
                    request: Some(req.id),
                    details: None,
                })));
                self.callee_detached(&req.realm, session, m.registration, deleted, out);
            }
            None => out.push(req.error(known::NO_SUCH_REGISTRATION)),
        }
    }

    /// A CALL starting a new call (its request ID was the next in sequence).
    pub(super) fn call(
        &mut self,
        req: &Request,
        m: Call,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        check_no_passthru(req.kind, &m.options, &m.payload)?;
        let progress = flag(&m.options, "progress");
        let Some(caller) = self.session(req.peer) else {
            return Ok(());
        };
        if progress
            && !caller
                .roles
                .announces("caller", PROGRESSIVE_CALL_INVOCATIONS)
        {
            return Err(Violation::NotNegotiated {
                message: req.kind,
                feature: PROGRESSIVE_CALL_INVOCATIONS,
            });
        }
        let mut disclosed = Dict::new();
        let (authid, authrole) = (&caller.identity.authid, &caller.identity.authrole);
        disclose(&mut disclosed, "caller", caller.id, authid, authrole);
        if m.procedure.check(self.config.uri_rule).is_err() {
            out.push(req.error(known::INVALID_URI));
            return Ok(());
        }
        // Nobody can register `wamp.*`, and the router's own procedures were answered
        // before the call got here (`Router::meta_call`).
        if m.procedure.is_reserved() {
            out.push(req.error(known::NO_SUCH_PROCEDURE));
            return Ok(());
        }
        let Self {
            realms,
            peers,
            rng,
            calls,
            ..
        } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return Ok(());
        };
        let draw = |n: usize| (rng.next_u64() % n as u64) as usize;
        let Some((registration, reg, callee)) = realm.dealer.route(&m.procedure, draw) else {
            out.push(req.error(known::NO_SUCH_PROCEDURE));
            return Ok(());
        };
        let by_pattern = reg.pattern.policy != MatchPolicy::Exact;
        let Some(PeerState::Established(callee_session)) = peers.get_mut(&callee.peer) else {
            out.push(req.error(known::NO_SUCH_PROCEDURE));
            return Ok(());
        };
        let announces = |feature| callee_session.roles.announces("callee", feature);
        // Progressive features need call canceling at the callee too (so that a leaving
        // caller can stop it); without it the callee counts as not supporting them.
        let callee_cancels = announces("call_canceling");
        if progress && !(callee_cancels && announces(PROGRESSIVE_CALL_INVOCATIONS)) {
            out.push(req.error(known::FEATURE_NOT_SUPPORTED));
            return Ok(());
        }
        let receive_progress = flag(&m.options, "receive_progress")
            && callee_cancels
            && announces("progressive_call_results");

        let mut details = Dict::new();
        if flag(&m.options, "disclose_me") || callee.disclose_caller {
            details.extend(disclosed);
        }
        if by_pattern {
            details.insert("procedure".into(), Value::from(m.procedure.as_str()));
        }
        if receive_progress {
            details.insert("receive_progress".into(), Value::Bool(true));
        }
        let mut timeout = None;
        if let Some(ms) = m.options.get("timeout").and_then(Value::as_u64)
            && ms > 0
        {
            if callee.forward_timeout {
                details.insert("timeout".into(), Value::from(ms));
            } else {
                timeout = Some(Duration::from_millis(ms));
            }
        }
        let invocation = callee_session.invocations.advance();
        let key = (callee.peer, invocation);
        out.push(Output::Send {
            to: callee.peer,
            message: Message::Invocation(Invocation {
                request: invocation,
                registration,
                details: chunk_details(&details, progress),
                payload: m.payload,
            }),
        });
        calls.start(
            key,
            InFlight {
                caller: Some(Caller {
                    peer: req.peer,
                    request: req.id,
                }),
                procedure: m.procedure,
                registration,
                details,
                receive_progress,
                caller_streaming: progress,
                callee_cancels,
                interrupted: false,
                timeout,
                timer: None,
            },
        );
        if let Some((timer, after)) = calls.arm_timer(key) {
            out.push(Output::StartTimer { timer, after });
        }
        Ok(())
    }

    /// A CALL whose request ID is not the next in sequence: for a caller that announced
    /// progressive call invocations, an ID already used is a continuation candidate
    /// (`advanced/rpc_progressive_call_invocations.md`); anything else is a violation.
    /// A continuation of a call that already ended is discarded (the spec's non-strict
    /// option: no grace-period table).
    pub(super) fn call_continuation(
        &mut self,
        peer: PeerId,
        m: Call,
        expected: Id,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let streams = self
            .session(peer)
            .is_some_and(|s| s.roles.announces("caller", PROGRESSIVE_CALL_INVOCATIONS));
        if !streams || m.request >= expected {
            return Err(Violation::NonSequentialRequest {
                expected,
                got: m.request,
            });
        }
        check_no_passthru(MessageType::CALL, &m.options, &m.payload)?;
        let caller = Caller {
            peer,
            request: m.request,
        };
        let Some(key) = self.calls.of_caller(caller) else {
            return Ok(());
        };
        let call = self.calls.get_mut(key).expect("indexed call exists");
        if !call.caller_streaming || call.procedure != m.procedure {
            return Err(Violation::InvalidContinuation { request: m.request });
        }
        if call.interrupted {
            // Being killed: more input is pointless.
            return Ok(());
        }
        // Only `progress` counts in continuations; the rest was frozen by the first CALL.
        let progress = flag(&m.options, "progress");
        call.caller_streaming = progress;
        out.push(Output::Send {
            to: key.0,
            message: Message::Invocation(Invocation {
                request: key.1,
                registration: call.registration,
                details: chunk_details(&call.details, progress),
                payload: m.payload,
            }),
        });
        Ok(())
    }

    /// YIELD from a callee: a progressive result goes on to the caller (and restarts the
    /// call's timeout), a final one ends the call.
    pub(super) fn yield_result(
        &mut self,
        peer: PeerId,
        y: Yield,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let t = MessageType::YIELD;
        check_no_passthru(t, &y.options, &y.payload)?;
        let key = (peer, y.request);
        let Some(call) = self.calls.get_mut(key) else {
            return Err(Violation::UnknownInvocation {
                message: t,
                request: y.request,
            });
        };
        let progress = flag(&y.options, "progress");
        if progress && !call.receive_progress {
            return Err(Violation::ProgressNotRequested { request: y.request });
        }
        let caller = if progress {
            call.caller
        } else {
            self.calls.finish(key).and_then(|c| c.caller)
        };
        if let Some(caller) = caller {
            let mut details = Dict::new();
            if progress {
                details.insert("progress".into(), Value::Bool(true));
            }
            out.push(Output::Send {
                to: caller.peer,
                message: Message::Result(CallResult {
                    request: caller.request,
                    details,
                    payload: y.payload,
                }),
            });
        }
        if progress && let Some((timer, after)) = self.calls.arm_timer(key) {
            out.push(Output::StartTimer { timer, after });
        }
        Ok(())
    }

    /// ERROR from a callee: its URI, arguments and keyword arguments go to the caller
    /// unchanged.
    pub(super) fn invocation_error(
        &mut self,
        peer: PeerId,
        e: WampError,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        if e.request_type != MessageType::INVOCATION {
            return Err(Violation::InvalidErrorType {
                request_type: e.request_type,
            });
        }
        check_no_passthru(MessageType::ERROR, &e.details, &e.payload)?;
        let call = self
            .calls
            .finish((peer, e.request))
            .ok_or(Violation::UnknownInvocation {
                message: MessageType::ERROR,
                request: e.request,
            })?;
        if let Some(caller) = call.caller {
            out.push(Output::Send {
                to: caller.peer,
                message: Message::Error(WampError {
                    request_type: MessageType::CALL,
                    request: caller.request,
                    details: Dict::new(),
                    error: e.error,
                    payload: e.payload,
                }),
            });
        }
        Ok(())
    }

    /// CANCEL from a caller. A CANCEL for a call that is not waiting any more (answered,
    /// canceled, timed out, never made) is ignored: it may have crossed the answer.
    pub(super) fn cancel(&mut self, peer: PeerId, c: Cancel, out: &mut Vec<Output>) {
        let caller = Caller {
            peer,
            request: c.request,
        };
        let Some(key) = self.calls.of_caller(caller) else {
            return;
        };
        let mode = CancelMode::of_cancel(&c.options);
        self.stop_call(key, mode, known::CANCELED, out);
    }

    /// A timer from [`Output::StartTimer`] fired. A stale timer (its call ended or was
    /// re-armed by a progressive result) does nothing. Otherwise the call times out like a
    /// `killnowait` cancel: the caller gets `wamp.error.timeout`, the callee an INTERRUPT if
    /// it announced call canceling.
    pub fn timeout(&mut self, timer: TimerId) -> Vec<Output> {
        let mut out = Vec::new();
        if let Some(key) = self.calls.expire(timer) {
            self.stop_call(key, CancelMode::KillNoWait, known::TIMEOUT, &mut out);
        }
        out
    }

    /// Cancels the call of invocation `key` with `mode` (`skip` for a callee that cannot be
    /// interrupted); a caller answered now gets ERROR `error`.
    fn stop_call(
        &mut self,
        key: InvocationKey,
        mode: CancelMode,
        error: &str,
        out: &mut Vec<Output>,
    ) {
        let Some(call) = self.calls.get_mut(key) else {
            return;
        };
        let mode = if call.callee_cancels {
            mode
        } else {
            CancelMode::Skip
        };
        let interrupt = mode != CancelMode::Skip && !call.interrupted;
        call.interrupted |= interrupt;
        if mode != CancelMode::Kill
            && let Some(caller) = self.calls.abandon(key)
        {
            out.push(Output::Send {
                to: caller.peer,
                message: Message::error(MessageType::CALL, caller.request, error),
            });
        }
        if interrupt {
            out.push(interrupt_message(key, mode));
        }
    }

    /// A session leaves the dealer: its registrations go, the calls it was serving end with
    /// `wamp.error.canceled` for their callers, and the calls it made are abandoned, with an
    /// INTERRUPT (`killnowait`) to callees that announced call canceling
    /// (`basic/remote_procedure_call.md`, "Caller Leaving").
    pub(super) fn leave_dealer(
        &mut self,
        peer: PeerId,
        session: Id,
        realm: &Uri,
        out: &mut Vec<Output>,
    ) {
        let mut detached = Vec::new();
        if let Some(r) = self.realms.get_mut(realm) {
            for id in r.dealer.registrations_of(peer) {
                if let Some(deleted) = r.dealer.unregister(peer, id) {
                    detached.push((id, deleted));
                }
            }
        }
        for (id, deleted) in detached {
            self.callee_detached(realm, session, id, deleted, out);
        }
        for key in self.calls.served_by(peer) {
            if let Some(caller) = self.calls.finish(key).and_then(|c| c.caller)
                && caller.peer != peer
            {
                out.push(Output::Send {
                    to: caller.peer,
                    message: Message::error(MessageType::CALL, caller.request, known::CANCELED),
                });
            }
        }
        for key in self.calls.waited_for_by(peer) {
            let interrupt = self
                .calls
                .get_mut(key)
                .is_some_and(|c| c.callee_cancels && !c.interrupted);
            self.calls.abandon(key);
            if interrupt {
                out.push(interrupt_message(key, CancelMode::KillNoWait));
            }
        }
    }

    /// Revokes registration `registration` (`advanced/rpc_registration_revocation.md`):
    /// every callee is detached as by [`Router::revoke_callee`]. Calls in flight still
    /// complete. Nothing happens for an unknown registration.
    pub fn revoke_registration(&mut self, registration: Id, reason: &str) -> Vec<Output> {
        let mut out = Vec::new();
        let Some((realm, callees)) = self.realms.iter().find_map(|(name, r)| {
            let reg = r.dealer.get(registration)?;
            Some((name.clone(), reg.callees.clone()))
        }) else {
            return out;
        };
        for callee in callees {
            self.revoke_callee(&realm, registration, callee, Some(reason), &mut out);
        }
        out
    }

    /// Detaches `callee` from `registration` in `realm`, unasked: told with
    /// `[UNREGISTERED, 0, {registration, reason}]` if it announced registration_revocation,
    /// silently otherwise; the registration meta events follow. False if it was not attached.
    pub(super) fn revoke_callee(
        &mut self,
        realm: &Uri,
        registration: Id,
        callee: Callee,
        reason: Option<&str>,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(deleted) = self
            .realms
            .get_mut(realm)
            .and_then(|r| r.dealer.unregister(callee.peer, registration))
        else {
            return false;
        };
        let told = matches!(self.peers.get(&callee.peer), Some(PeerState::Established(s))
            if s.roles.announces("callee", "registration_revocation"));
        if told {
            let mut details =
                Dict::from([("registration".to_owned(), Value::from(registration.get()))]);
            if let Some(reason) = reason {
                details.insert("reason".into(), Value::from(reason));
            }
            out.push(Output::Send {
                to: callee.peer,
                message: Message::Unregistered(Unregistered {
                    request: None,
                    details: Some(details),
                }),
            });
        }
        self.callee_detached(realm, callee.session, registration, deleted, out);
        true
    }
}

/// INVOCATION.Details of one chunk of a call: the frozen details, with `progress` when more
/// chunks follow.
fn chunk_details(details: &Dict, progress: bool) -> Dict {
    let mut details = details.clone();
    if progress {
        details.insert("progress".into(), Value::Bool(true));
    }
    details
}

fn interrupt_message((callee, invocation): InvocationKey, mode: CancelMode) -> Output {
    Output::Send {
        to: callee,
        message: Message::Interrupt(Interrupt {
            request: invocation,
            options: Dict::from([("mode".to_owned(), Value::from(mode.as_str()))]),
        }),
    }
}
