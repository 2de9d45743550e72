//! The client session state machine (`basic/sessions.md` peer state chart).
//!
//! Commands ([`ClientSession::hello`], [`ClientSession::subscribe`], …) queue messages for
//! [`ClientSession::poll_transmit`] and return the request ID they used. Messages from the
//! router go to [`ClientSession::handle`], which returns what happened, or a [`Violation`]
//! after queueing `ABORT wamp.error.protocol_violation` (the transport should then send it
//! and close). Request IDs run from 1 per session; every reply is matched to its request.
//!
//! Advanced profile (announced in HELLO, see [`features`]): progressive call results both
//! ways, call canceling (CANCEL as caller, INTERRUPT as callee), registration and
//! subscription revocation. Options such as `match`, `invoke`, `disclose_me`, `exclude_me`,
//! `retain` are the caller's to set; the session passes them through.

mod features;

use std::collections::{HashMap, HashSet, VecDeque};

use crate::id::{Id, IdSequence};
use crate::message::*;
use crate::serializer::{DecodeError, Serialization};
use crate::uri::{Uri, UriError, UriRule, known};
use crate::value::{Dict, Value};

pub use crate::rpc_policy::CancelMode;
pub use features::{ANNOUNCED, default_roles};

/// Where the session is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// No session: HELLO may be sent (initially, and again after a session ended).
    Closed,
    /// HELLO sent, waiting for WELCOME, ABORT or CHALLENGE.
    Establishing,
    /// WELCOME received.
    Established,
    /// GOODBYE sent, waiting for the router's GOODBYE.
    ShuttingDown,
    /// A protocol violation ended the session; the transport should close.
    Failed,
}

/// What a message from the router meant.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// WELCOME: the session is open.
    Joined {
        session: Id,
        details: Dict,
    },
    /// CHALLENGE during the handshake; answer with [`ClientSession::authenticate`].
    Challenge {
        auth_method: String,
        extra: Dict,
    },
    /// ABORT: the session (or its opening) ended.
    Aborted {
        reason: Uri,
        details: Dict,
    },
    /// GOODBYE exchange completed (whoever started it; a router GOODBYE was answered).
    Left {
        reason: Uri,
        details: Dict,
    },
    Subscribed {
        request: Id,
        subscription: Id,
    },
    Unsubscribed {
        request: Id,
    },
    Published {
        request: Id,
        publication: Id,
    },
    Registered {
        request: Id,
        registration: Id,
    },
    Unregistered {
        request: Id,
    },
    /// A progressive RESULT (`details.progress`) of a call made with `receive_progress`;
    /// the call goes on until its final `Result` or `Error`.
    Progress {
        request: Id,
        details: Dict,
        payload: Payload,
    },
    /// The final RESULT of a call.
    Result {
        request: Id,
        details: Dict,
        payload: Payload,
    },
    /// ERROR answering one of our requests.
    Error {
        request: Id,
        request_type: MessageType,
        error: Uri,
        details: Dict,
        payload: Payload,
    },
    /// EVENT on one of our subscriptions.
    Event(Event),
    /// INVOCATION of one of our registrations; answer with [`ClientSession::yield_result`]
    /// or [`ClientSession::yield_error`].
    Invocation(Invocation),
    /// INTERRUPT of an open invocation. Under `KillNoWait` the invocation is closed (the
    /// dealer discards any answer); otherwise answer it, usually with ERROR
    /// `wamp.error.canceled`.
    Interrupt {
        request: Id,
        mode: CancelMode,
        options: Dict,
    },
    /// `[UNREGISTERED, 0, {registration, reason}]`: the dealer revoked a registration.
    RegistrationRevoked {
        registration: Id,
        reason: Option<String>,
    },
    /// `[UNSUBSCRIBED, 0, {subscription, reason}]`: the broker revoked a subscription.
    SubscriptionRevoked {
        subscription: Id,
        reason: Option<String>,
    },
}

/// A protocol violation by the router; ABORT has been queued and the state is `Failed`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The frame could not be decoded.
    #[error("undecodable message: {0}")]
    Malformed(#[from] DecodeError),
    /// A message a router must not send in this state (or at all).
    #[error("{message} not allowed from the router in state {state:?}")]
    UnexpectedMessage {
        /// The message type.
        message: MessageType,
        /// The state it arrived in.
        state: SessionState,
    },
    /// A reply to a request ID we have no pending request for.
    #[error("{message} answers request {request}, which is not pending")]
    UnknownRequest {
        /// The reply's type.
        message: MessageType,
        /// The request ID it carries.
        request: Id,
    },
    /// A reply of the wrong type for the pending request.
    #[error("{message} answers request {request}, which was a {pending}")]
    ReplyMismatch {
        /// The reply's type.
        message: MessageType,
        /// The request ID.
        request: Id,
        /// What the request was.
        pending: MessageType,
    },
    /// INVOCATION request IDs must run 1, 2, 3… per session.
    #[error("INVOCATION request {got} is not the next in sequence ({expected})")]
    NonSequentialInvocation {
        /// The ID expected.
        expected: Id,
        /// The ID received.
        got: Id,
    },
    /// A progressive RESULT for a call made without `receive_progress`.
    #[error("progressive RESULT for call {request}, which did not ask for progress")]
    UnrequestedProgress {
        /// The call's request ID.
        request: Id,
    },
    /// A revocation (request 0) whose Details do not say what is revoked.
    #[error("{message} revocation without Details.{key}")]
    RevocationWithoutId {
        /// UNSUBSCRIBED or UNREGISTERED.
        message: MessageType,
        /// `subscription` or `registration`.
        key: &'static str,
    },
    /// A feature this client did not announce.
    #[error("{message} uses {feature}, which this client did not announce")]
    NotNegotiated {
        /// The message type.
        message: MessageType,
        /// The feature.
        feature: &'static str,
    },
}

/// A command that cannot be carried out (a caller mistake, nothing was sent).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The command needs another session state.
    #[error("{command} is not possible in state {state:?}")]
    WrongState {
        /// The command.
        command: &'static str,
        /// The current state.
        state: SessionState,
    },
    /// A URI argument breaks the loose URI rule.
    #[error("invalid URI {uri:?}: {reason}")]
    InvalidUri {
        /// The URI given.
        uri: String,
        /// What is wrong.
        reason: UriError,
    },
    /// The subscription or registration is not ours.
    #[error("{what} {id} is not held by this session")]
    Unknown {
        /// `subscription` or `registration`.
        what: &'static str,
        /// The ID given.
        id: Id,
    },
    /// No open INVOCATION with this request ID.
    #[error("no open invocation {request}")]
    NoSuchInvocation {
        /// The ID given.
        request: Id,
    },
    /// No pending CALL with this request ID (it never existed or already ended).
    #[error("no pending call {request}")]
    NoSuchCall {
        /// The ID given.
        request: Id,
    },
    /// A progressive YIELD for an invocation whose caller did not ask for progress.
    #[error("invocation {request} did not ask for progressive results")]
    ProgressNotRequested {
        /// The INVOCATION request ID.
        request: Id,
    },
}

/// A request waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Subscribe,
    Unsubscribe(Id),
    Publish,
    Register,
    Unregister(Id),
    Call { receive_progress: bool },
}

impl Pending {
    fn request_type(self) -> MessageType {
        match self {
            Pending::Subscribe => MessageType::SUBSCRIBE,
            Pending::Unsubscribe(_) => MessageType::UNSUBSCRIBE,
            Pending::Publish => MessageType::PUBLISH,
            Pending::Register => MessageType::REGISTER,
            Pending::Unregister(_) => MessageType::UNREGISTER,
            Pending::Call { .. } => MessageType::CALL,
        }
    }
}

/// A WAMP client session, sans I/O.
#[derive(Debug, Clone)]
pub struct ClientSession {
    state: SessionState,
    session: Option<Id>,
    requests: IdSequence,
    invocations: IdSequence,
    /// Require INVOCATION request IDs 1, 2, 3… (the spec); off for routers that number
    /// them router-wide, as Crossbar does.
    sequential_invocations: bool,
    pending: HashMap<Id, Pending>,
    subscriptions: HashSet<Id>,
    registrations: HashSet<Id>,
    /// Open INVOCATIONs and whether their caller accepts progressive results.
    open_invocations: HashMap<Id, bool>,
    outbox: VecDeque<Message>,
}

impl Default for ClientSession {
    fn default() -> Self {
        ClientSession::new()
    }
}

fn checked(uri: Uri) -> Result<Uri, CommandError> {
    checked_with(uri, false)
}

/// Checks a SUBSCRIBE/REGISTER URI: prefix and wildcard patterns may have empty components.
fn checked_topic_or_procedure(uri: Uri, options: &Dict) -> Result<Uri, CommandError> {
    let pattern = matches!(
        options.get("match").and_then(Value::as_str),
        Some("prefix" | "wildcard")
    );
    checked_with(uri, pattern)
}

fn checked_with(uri: Uri, pattern: bool) -> Result<Uri, CommandError> {
    let checked = if pattern {
        uri.check_pattern(UriRule::Loose)
    } else {
        uri.check(UriRule::Loose)
    };
    match checked {
        Ok(()) => Ok(uri),
        Err(reason) => Err(CommandError::InvalidUri {
            uri: uri.as_str().to_owned(),
            reason,
        }),
    }
}

impl ClientSession {
    /// A session in state `Closed`.
    pub fn new() -> ClientSession {
        ClientSession {
            state: SessionState::Closed,
            session: None,
            requests: IdSequence::default(),
            invocations: IdSequence::default(),
            sequential_invocations: true,
            pending: HashMap::new(),
            subscriptions: HashSet::new(),
            registrations: HashSet::new(),
            open_invocations: HashMap::new(),
            outbox: VecDeque::new(),
        }
    }

    /// Whether INVOCATION request IDs must run 1, 2, 3… per session (default: yes, as the
    /// spec requires). Crossbar numbers INVOCATIONs with a router-wide counter; a client
    /// that must work with it turns the check off.
    pub fn set_sequential_invocations(&mut self, required: bool) {
        self.sequential_invocations = required;
    }

    /// The current state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// The WAMP session ID while established.
    pub fn session_id(&self) -> Option<Id> {
        self.session
    }

    /// The next message to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Message> {
        self.outbox.pop_front()
    }

    fn require(&self, command: &'static str, state: SessionState) -> Result<(), CommandError> {
        if self.state == state {
            Ok(())
        } else {
            Err(CommandError::WrongState {
                command,
                state: self.state,
            })
        }
    }

    fn request(&mut self, pending: Option<Pending>) -> Id {
        let id = self.requests.advance();
        if let Some(p) = pending {
            self.pending.insert(id, p);
        }
        id
    }

    /// Sends HELLO; `details` gets default roles if it has none.
    pub fn hello(&mut self, realm: Uri, mut details: Dict) -> Result<(), CommandError> {
        self.require("hello", SessionState::Closed)?;
        let realm = checked(realm)?;
        details.entry("roles".into()).or_insert_with(default_roles);
        self.reset();
        self.state = SessionState::Establishing;
        self.outbox
            .push_back(Message::Hello(Hello { realm, details }));
        Ok(())
    }

    /// Answers a CHALLENGE.
    pub fn authenticate(&mut self, signature: String, extra: Dict) -> Result<(), CommandError> {
        self.require("authenticate", SessionState::Establishing)?;
        self.outbox
            .push_back(Message::Authenticate(Authenticate { signature, extra }));
        Ok(())
    }

    /// Gives up on opening a session (e.g. a CHALLENGE it cannot answer): sends ABORT with
    /// `reason` and Details.message; the session is `Closed` again.
    pub fn abort(&mut self, reason: Uri, message: String) -> Result<(), CommandError> {
        self.require("abort", SessionState::Establishing)?;
        let reason = checked(reason)?;
        self.state = SessionState::Closed;
        self.reset();
        let details = Dict::from([("message".to_owned(), Value::Str(message))]);
        self.outbox.push_back(Message::Abort(Abort {
            details,
            reason,
            payload: Payload::None,
        }));
        Ok(())
    }

    /// Sends GOODBYE and waits for the router's.
    pub fn goodbye(&mut self, reason: Uri) -> Result<(), CommandError> {
        self.require("goodbye", SessionState::Established)?;
        let reason = checked(reason)?;
        self.state = SessionState::ShuttingDown;
        self.outbox.push_back(Message::Goodbye(Goodbye {
            details: Dict::new(),
            reason,
        }));
        Ok(())
    }

    /// Sends SUBSCRIBE; returns its request ID.
    pub fn subscribe(&mut self, topic: Uri, options: Dict) -> Result<Id, CommandError> {
        self.require("subscribe", SessionState::Established)?;
        let topic = checked_topic_or_procedure(topic, &options)?;
        let request = self.request(Some(Pending::Subscribe));
        self.outbox.push_back(Message::Subscribe(Subscribe {
            request,
            options,
            topic,
        }));
        Ok(request)
    }

    /// Sends UNSUBSCRIBE for one of our subscriptions.
    pub fn unsubscribe(&mut self, subscription: Id) -> Result<Id, CommandError> {
        self.require("unsubscribe", SessionState::Established)?;
        if !self.subscriptions.contains(&subscription) {
            return Err(CommandError::Unknown {
                what: "subscription",
                id: subscription,
            });
        }
        let request = self.request(Some(Pending::Unsubscribe(subscription)));
        self.outbox.push_back(Message::Unsubscribe(Unsubscribe {
            request,
            subscription,
        }));
        Ok(request)
    }

    /// Sends PUBLISH; a reply is expected only with `acknowledge: true`.
    pub fn publish(
        &mut self,
        topic: Uri,
        options: Dict,
        payload: Payload,
    ) -> Result<Id, CommandError> {
        self.require("publish", SessionState::Established)?;
        let topic = checked(topic)?;
        let acknowledge = options.get("acknowledge") == Some(&Value::Bool(true));
        let request = self.request(acknowledge.then_some(Pending::Publish));
        self.outbox.push_back(Message::Publish(Publish {
            request,
            options,
            topic,
            payload,
        }));
        Ok(request)
    }

    /// Sends REGISTER.
    pub fn register(&mut self, procedure: Uri, options: Dict) -> Result<Id, CommandError> {
        self.require("register", SessionState::Established)?;
        let procedure = checked_topic_or_procedure(procedure, &options)?;
        let request = self.request(Some(Pending::Register));
        self.outbox.push_back(Message::Register(Register {
            request,
            options,
            procedure,
        }));
        Ok(request)
    }

    /// Sends UNREGISTER for one of our registrations.
    pub fn unregister(&mut self, registration: Id) -> Result<Id, CommandError> {
        self.require("unregister", SessionState::Established)?;
        if !self.registrations.contains(&registration) {
            return Err(CommandError::Unknown {
                what: "registration",
                id: registration,
            });
        }
        let request = self.request(Some(Pending::Unregister(registration)));
        self.outbox.push_back(Message::Unregister(Unregister {
            request,
            registration,
        }));
        Ok(request)
    }

    /// Sends CALL.
    pub fn call(
        &mut self,
        procedure: Uri,
        options: Dict,
        payload: Payload,
    ) -> Result<Id, CommandError> {
        self.require("call", SessionState::Established)?;
        let procedure = checked(procedure)?;
        let receive_progress = options.get("receive_progress") == Some(&Value::Bool(true));
        let request = self.request(Some(Pending::Call { receive_progress }));
        self.outbox.push_back(Message::Call(Call {
            request,
            options,
            procedure,
            payload,
        }));
        Ok(request)
    }

    /// Sends CANCEL for a pending call. The call stays pending until the dealer ends it
    /// (ERROR `wamp.error.canceled`, or under `Kill` whatever the callee answers). Canceling
    /// again is allowed, e.g. to escalate from `Kill` to `KillNoWait`.
    pub fn cancel(&mut self, request: Id, mode: CancelMode) -> Result<(), CommandError> {
        self.require("cancel", SessionState::Established)?;
        if !matches!(self.pending.get(&request), Some(Pending::Call { .. })) {
            return Err(CommandError::NoSuchCall { request });
        }
        self.outbox.push_back(Message::Cancel(Cancel {
            request,
            options: mode.options(),
        }));
        Ok(())
    }

    fn take_invocation(&mut self, command: &'static str, request: Id) -> Result<(), CommandError> {
        self.require(command, SessionState::Established)?;
        match self.open_invocations.remove(&request) {
            Some(_) => Ok(()),
            None => Err(CommandError::NoSuchInvocation { request }),
        }
    }

    /// Answers an INVOCATION with YIELD. With `options.progress: true` this is a progressive
    /// result (see [`ClientSession::yield_progress`]) and the invocation stays open.
    pub fn yield_result(
        &mut self,
        request: Id,
        options: Dict,
        payload: Payload,
    ) -> Result<(), CommandError> {
        if options.get("progress") == Some(&Value::Bool(true)) {
            self.require("yield_result", SessionState::Established)?;
            match self.open_invocations.get(&request) {
                None => return Err(CommandError::NoSuchInvocation { request }),
                Some(false) => return Err(CommandError::ProgressNotRequested { request }),
                Some(true) => {}
            }
        } else {
            self.take_invocation("yield_result", request)?;
        }
        self.outbox.push_back(Message::Yield(Yield {
            request,
            options,
            payload,
        }));
        Ok(())
    }

    /// Sends a progressive YIELD (`options.progress: true`) for an invocation whose
    /// INVOCATION.Details had `receive_progress: true`; the invocation stays open until a
    /// final [`ClientSession::yield_result`] or [`ClientSession::yield_error`].
    pub fn yield_progress(&mut self, request: Id, payload: Payload) -> Result<(), CommandError> {
        let options = [("progress".to_owned(), Value::Bool(true))].into();
        self.yield_result(request, options, payload)
    }

    /// Answers an INVOCATION with ERROR.
    pub fn yield_error(
        &mut self,
        request: Id,
        error: Uri,
        details: Dict,
        payload: Payload,
    ) -> Result<(), CommandError> {
        self.take_invocation("yield_error", request)?;
        let error = checked(error)?;
        self.outbox.push_back(Message::Error(WampError {
            request_type: MessageType::INVOCATION,
            request,
            details,
            error,
            payload,
        }));
        Ok(())
    }

    /// Decodes a frame and handles every message in it.
    pub fn handle_frame(
        &mut self,
        serialization: Serialization,
        frame: &[u8],
    ) -> Result<Vec<ClientEvent>, Violation> {
        let messages = match serialization.decode(frame) {
            Ok(m) => m,
            Err(e) => return Err(self.violation(Violation::Malformed(e))),
        };
        let mut events = Vec::new();
        for message in messages {
            events.extend(self.handle(message)?);
        }
        Ok(events)
    }

    fn reset(&mut self) {
        self.session = None;
        self.requests = IdSequence::default();
        self.invocations = IdSequence::default();
        self.pending.clear();
        self.subscriptions.clear();
        self.registrations.clear();
        self.open_invocations.clear();
    }

    fn violation(&mut self, v: Violation) -> Violation {
        if self.state != SessionState::Failed {
            self.outbox
                .push_back(Message::abort(known::PROTOCOL_VIOLATION, v.to_string()));
        }
        self.state = SessionState::Failed;
        self.reset();
        v
    }

    fn unexpected(&mut self, message: MessageType) -> Violation {
        let state = self.state;
        self.violation(Violation::UnexpectedMessage { message, state })
    }

    /// Takes the pending request a reply answers, checking its type.
    fn reply(
        &mut self,
        message: MessageType,
        request: Id,
        expected: MessageType,
    ) -> Result<Pending, Violation> {
        match self.pending.get(&request).copied() {
            Some(p) if p.request_type() == expected => {
                self.pending.remove(&request);
                Ok(p)
            }
            other => Err(self.not_pending(message, request, other)),
        }
    }

    /// The violation of a reply that matches no pending request of its kind.
    fn not_pending(
        &mut self,
        message: MessageType,
        request: Id,
        pending: Option<Pending>,
    ) -> Violation {
        self.violation(match pending {
            None => Violation::UnknownRequest { message, request },
            Some(p) => Violation::ReplyMismatch {
                message,
                request,
                pending: p.request_type(),
            },
        })
    }

    /// Handles one message from the router.
    pub fn handle(&mut self, message: Message) -> Result<Option<ClientEvent>, Violation> {
        let t = message.message_type();
        match self.state {
            SessionState::Failed => return Ok(None),
            SessionState::Closed => return Err(self.unexpected(t)),
            SessionState::Establishing => return self.handle_establishing(message),
            SessionState::ShuttingDown => {
                // State chart rule 14: anything but GOODBYE (or ABORT) is ignored.
                return Ok(match message {
                    Message::Goodbye(g) => {
                        self.state = SessionState::Closed;
                        self.reset();
                        Some(ClientEvent::Left {
                            reason: g.reason,
                            details: g.details,
                        })
                    }
                    Message::Abort(a) => Some(self.aborted(a)),
                    _ => None,
                });
            }
            SessionState::Established => {}
        }
        let event = match message {
            Message::Abort(a) => self.aborted(a),
            Message::Goodbye(g) => {
                self.outbox
                    .push_back(Message::goodbye(known::GOODBYE_AND_OUT));
                self.state = SessionState::Closed;
                self.reset();
                ClientEvent::Left {
                    reason: g.reason,
                    details: g.details,
                }
            }
            Message::Subscribed(m) => {
                self.reply(t, m.request, MessageType::SUBSCRIBE)?;
                self.subscriptions.insert(m.subscription);
                ClientEvent::Subscribed {
                    request: m.request,
                    subscription: m.subscription,
                }
            }
            Message::Unsubscribed(Unsubscribed {
                request: Some(request),
                ..
            }) => {
                if let Pending::Unsubscribe(sub) =
                    self.reply(t, request, MessageType::UNSUBSCRIBE)?
                {
                    self.subscriptions.remove(&sub);
                }
                ClientEvent::Unsubscribed { request }
            }
            Message::Unsubscribed(Unsubscribed {
                request: None,
                details,
            }) => {
                let details = details.unwrap_or_default();
                let subscription = self.revoked(t, &details, "subscription")?;
                if !self.subscriptions.remove(&subscription) {
                    // Already gone (our UNSUBSCRIBE crossed the revocation): nothing to report.
                    return Ok(None);
                }
                ClientEvent::SubscriptionRevoked {
                    subscription,
                    reason: reason_of(&details),
                }
            }
            Message::Published(m) => {
                self.reply(t, m.request, MessageType::PUBLISH)?;
                ClientEvent::Published {
                    request: m.request,
                    publication: m.publication,
                }
            }
            Message::Registered(m) => {
                self.reply(t, m.request, MessageType::REGISTER)?;
                self.registrations.insert(m.registration);
                ClientEvent::Registered {
                    request: m.request,
                    registration: m.registration,
                }
            }
            Message::Unregistered(Unregistered {
                request: Some(request),
                ..
            }) => {
                if let Pending::Unregister(reg) = self.reply(t, request, MessageType::UNREGISTER)? {
                    self.registrations.remove(&reg);
                }
                ClientEvent::Unregistered { request }
            }
            Message::Unregistered(Unregistered {
                request: None,
                details,
            }) => {
                let details = details.unwrap_or_default();
                let registration = self.revoked(t, &details, "registration")?;
                if !self.registrations.remove(&registration) {
                    // Already gone (our UNREGISTER crossed the revocation): nothing to report.
                    return Ok(None);
                }
                ClientEvent::RegistrationRevoked {
                    registration,
                    reason: reason_of(&details),
                }
            }
            Message::Result(m) if m.details.get("progress") == Some(&Value::Bool(true)) => {
                // A progressive result keeps the call pending; only the final one ends it.
                match self.pending.get(&m.request).copied() {
                    Some(Pending::Call {
                        receive_progress: true,
                    }) => ClientEvent::Progress {
                        request: m.request,
                        details: m.details,
                        payload: m.payload,
                    },
                    Some(Pending::Call {
                        receive_progress: false,
                    }) => {
                        return Err(
                            self.violation(Violation::UnrequestedProgress { request: m.request })
                        );
                    }
                    // Unknown request or another kind: the same violations as a final RESULT.
                    other => return Err(self.not_pending(t, m.request, other)),
                }
            }
            Message::Result(m) => {
                self.reply(t, m.request, MessageType::CALL)?;
                ClientEvent::Result {
                    request: m.request,
                    details: m.details,
                    payload: m.payload,
                }
            }
            Message::Error(m) if m.request_type != MessageType::INVOCATION => {
                self.reply(t, m.request, m.request_type)?;
                ClientEvent::Error {
                    request: m.request,
                    request_type: m.request_type,
                    error: m.error,
                    details: m.details,
                    payload: m.payload,
                }
            }
            Message::Event(e) => {
                // An EVENT racing an UNSUBSCRIBE is legitimate: drop it quietly.
                if !self.subscriptions.contains(&e.subscription) {
                    return Ok(None);
                }
                ClientEvent::Event(e)
            }
            Message::Invocation(inv) => {
                let expected = self.invocations.peek();
                if self.sequential_invocations && inv.request != expected {
                    return Err(self.violation(Violation::NonSequentialInvocation {
                        expected,
                        got: inv.request,
                    }));
                }
                self.invocations.advance();
                if inv.details.get("progress") == Some(&Value::Bool(true)) {
                    return Err(self.violation(Violation::NotNegotiated {
                        message: t,
                        feature: "progressive_call_invocations",
                    }));
                }
                if !self.registrations.contains(&inv.registration) {
                    // Racing an UNREGISTER: tell the dealer instead of dropping the call.
                    self.outbox.push_back(Message::error(
                        MessageType::INVOCATION,
                        inv.request,
                        known::NO_SUCH_REGISTRATION,
                    ));
                    return Ok(None);
                }
                let receive_progress =
                    inv.details.get("receive_progress") == Some(&Value::Bool(true));
                self.open_invocations.insert(inv.request, receive_progress);
                ClientEvent::Invocation(inv)
            }
            Message::Interrupt(m) => {
                if !self.open_invocations.contains_key(&m.request) {
                    // We answered before the INTERRUPT arrived (or the ID is not ours):
                    // the dealer discards a late INTERRUPT's effect anyway, so ignore it.
                    return Ok(None);
                }
                let mode = CancelMode::of_interrupt(&m.options);
                if mode == CancelMode::KillNoWait {
                    // The dealer discards any answer; the invocation is over for us.
                    self.open_invocations.remove(&m.request);
                }
                ClientEvent::Interrupt {
                    request: m.request,
                    mode,
                    options: m.options,
                }
            }
            _ => return Err(self.unexpected(t)),
        };
        Ok(Some(event))
    }

    /// The ID a revocation's Details name under `key`; the decoder has checked its type.
    fn revoked(
        &mut self,
        message: MessageType,
        details: &Dict,
        key: &'static str,
    ) -> Result<Id, Violation> {
        match details.get(key).and_then(Value::as_u64).and_then(Id::new) {
            Some(id) => Ok(id),
            None => Err(self.violation(Violation::RevocationWithoutId { message, key })),
        }
    }

    fn aborted(&mut self, a: Abort) -> ClientEvent {
        self.state = SessionState::Closed;
        self.reset();
        ClientEvent::Aborted {
            reason: a.reason,
            details: a.details,
        }
    }

    fn handle_establishing(&mut self, message: Message) -> Result<Option<ClientEvent>, Violation> {
        Ok(Some(match message {
            Message::Welcome(w) => {
                self.state = SessionState::Established;
                self.session = Some(w.session);
                ClientEvent::Joined {
                    session: w.session,
                    details: w.details,
                }
            }
            Message::Abort(a) => self.aborted(a),
            Message::Challenge(c) => ClientEvent::Challenge {
                auth_method: c.auth_method,
                extra: c.extra,
            },
            other => return Err(self.unexpected(other.message_type())),
        }))
    }
}

/// `Details.reason` of a revocation.
fn reason_of(details: &Dict) -> Option<String> {
    details
        .get("reason")
        .and_then(Value::as_str)
        .map(str::to_owned)
}
