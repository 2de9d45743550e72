//! The dealer's side of the router: REGISTER, UNREGISTER and CALL of established sessions
//! (after the checks every request shares, in [`Router::request`]), and the callee's YIELD
//! or ERROR that ends an invocation.

use super::dealer::Caller;
use super::{
    Output, PeerId, PeerState, Request, Router, Violation, check_no_passthru, exact_match,
};
use crate::id::Id;
use crate::message::*;
use crate::uri::known;
use crate::value::{Dict, Value};

impl<R: rand::RngCore> Router<R> {
    pub(super) fn register(&mut self, req: &Request, m: Register, out: &mut Vec<Output>) {
        let rule = self.config.uri_rule;
        let Self {
            realms, router_ids, ..
        } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return;
        };
        let single = m
            .options
            .get("invoke")
            .is_none_or(|v| v == &Value::from("single"));
        if m.procedure.check(rule).is_err() || m.procedure.is_reserved() {
            out.push(req.error(known::INVALID_URI));
        } else if !exact_match(&m.options) || !single {
            out.push(req.error(known::OPTION_NOT_ALLOWED));
        } else {
            match realm
                .dealer
                .register(req.peer, m.procedure, || router_ids.advance())
            {
                Some(registration) => out.push(req.reply(Message::Registered(Registered {
                    request: req.id,
                    registration,
                }))),
                None => out.push(req.error(known::PROCEDURE_ALREADY_EXISTS)),
            }
        }
    }

    pub(super) fn unregister(&mut self, req: &Request, m: Unregister, out: &mut Vec<Output>) {
        let Some(realm) = self.realms.get_mut(&req.realm) else {
            return;
        };
        if realm.dealer.unregister(req.peer, m.registration) {
            out.push(req.reply(Message::Unregistered(Unregistered {
                request: Some(req.id),
                details: None,
            })));
        } else {
            out.push(req.error(known::NO_SUCH_REGISTRATION));
        }
    }

    pub(super) fn call(
        &mut self,
        req: &Request,
        m: Call,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        check_no_passthru(req.kind, &m.options, &m.payload)?;
        if m.options.get("progress") == Some(&Value::Bool(true)) {
            return Err(Violation::NotNegotiated {
                message: req.kind,
                feature: "progressive_call_invocations",
            });
        }
        if m.procedure.check(self.config.uri_rule).is_err() {
            out.push(req.error(known::INVALID_URI));
            return Ok(());
        }
        let Self { realms, peers, .. } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return Ok(());
        };
        let Some((registration, callee)) = realm.dealer.lookup(&m.procedure) else {
            out.push(req.error(known::NO_SUCH_PROCEDURE));
            return Ok(());
        };
        let Some(PeerState::Established(callee_session)) = peers.get_mut(&callee) else {
            out.push(req.error(known::NO_SUCH_PROCEDURE));
            return Ok(());
        };
        let invocation = callee_session.invocations.advance();
        realm.dealer.start(
            callee,
            invocation,
            Caller {
                peer: req.peer,
                request: req.id,
            },
        );
        out.push(Output::Send {
            to: callee,
            message: Message::Invocation(Invocation {
                request: invocation,
                registration,
                details: Dict::new(),
                payload: m.payload,
            }),
        });
        Ok(())
    }

    /// YIELD from a callee: the caller gets its RESULT.
    pub(super) fn yield_result(
        &mut self,
        peer: PeerId,
        y: Yield,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let t = MessageType::YIELD;
        check_no_passthru(t, &y.options, &y.payload)?;
        if y.options.get("progress") == Some(&Value::Bool(true)) {
            return Err(Violation::NotNegotiated {
                message: t,
                feature: "progressive_call_results",
            });
        }
        if let Some(caller) = self.finish_invocation(peer, t, y.request)? {
            out.push(Output::Send {
                to: caller.peer,
                message: Message::Result(CallResult {
                    request: caller.request,
                    details: Dict::new(),
                    payload: y.payload,
                }),
            });
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
        if let Some(caller) = self.finish_invocation(peer, MessageType::ERROR, e.request)? {
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

    /// Ends an invocation of `peer`: its caller, or `None` when the caller has left.
    fn finish_invocation(
        &mut self,
        peer: PeerId,
        message: MessageType,
        request: Id,
    ) -> Result<Option<Caller>, Violation> {
        let realm = self.session(peer).map(|s| s.realm.clone());
        realm
            .and_then(|r| self.realms.get_mut(&r))
            .and_then(|r| r.dealer.finish(peer, request))
            .ok_or(Violation::UnknownInvocation { message, request })
    }
}
