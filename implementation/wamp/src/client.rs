//! The client session state machine (`basic/sessions.md` peer state chart).
//!
//! Commands ([`ClientSession::hello`], [`ClientSession::subscribe`], …) queue messages for
//! [`ClientSession::poll_transmit`] and return the request ID they used. Messages from the
//! router go to [`ClientSession::handle`], which returns what happened, or a [`Violation`]
//! after queueing `ABORT wamp.error.protocol_violation` (the transport should then send it
//! and close). Request IDs run from 1 per session; every reply is matched to its request.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::id::{Id, IdSequence};
use crate::message::*;
use crate::serializer::{DecodeError, Serialization};
use crate::uri::{Uri, UriError, UriRule, known};
use crate::value::{Dict, Value};

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
    /// RESULT of a call.
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
}

/// A request waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Subscribe,
    Unsubscribe(Id),
    Publish,
    Register,
    Unregister(Id),
    Call,
}

impl Pending {
    fn request_type(self) -> MessageType {
        match self {
            Pending::Subscribe => MessageType::SUBSCRIBE,
            Pending::Unsubscribe(_) => MessageType::UNSUBSCRIBE,
            Pending::Publish => MessageType::PUBLISH,
            Pending::Register => MessageType::REGISTER,
            Pending::Unregister(_) => MessageType::UNREGISTER,
            Pending::Call => MessageType::CALL,
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
    open_invocations: HashSet<Id>,
    outbox: VecDeque<Message>,
}

impl Default for ClientSession {
    fn default() -> Self {
        ClientSession::new()
    }
}

fn checked(uri: Uri) -> Result<Uri, CommandError> {
    match uri.check(UriRule::Loose) {
        Ok(()) => Ok(uri),
        Err(reason) => Err(CommandError::InvalidUri {
            uri: uri.as_str().to_owned(),
            reason,
        }),
    }
}

/// The roles a client announces when HELLO.Details has none: all four, basic profile.
pub fn default_roles() -> Value {
    let role = || {
        let mut r = Dict::new();
        r.insert("features".into(), Value::Dict(Dict::new()));
        Value::Dict(r)
    };
    let mut roles = Dict::new();
    for name in ["publisher", "subscriber", "caller", "callee"] {
        roles.insert(name.into(), role());
    }
    Value::Dict(roles)
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
            open_invocations: HashSet::new(),
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
        let topic = checked(topic)?;
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
        let procedure = checked(procedure)?;
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
        let request = self.request(Some(Pending::Call));
        self.outbox.push_back(Message::Call(Call {
            request,
            options,
            procedure,
            payload,
        }));
        Ok(request)
    }

    fn take_invocation(&mut self, command: &'static str, request: Id) -> Result<(), CommandError> {
        self.require(command, SessionState::Established)?;
        if self.open_invocations.remove(&request) {
            Ok(())
        } else {
            Err(CommandError::NoSuchInvocation { request })
        }
    }

    /// Answers an INVOCATION with YIELD.
    pub fn yield_result(
        &mut self,
        request: Id,
        options: Dict,
        payload: Payload,
    ) -> Result<(), CommandError> {
        self.take_invocation("yield_result", request)?;
        self.outbox.push_back(Message::Yield(Yield {
            request,
            options,
            payload,
        }));
        Ok(())
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
            None => Err(self.violation(Violation::UnknownRequest { message, request })),
            Some(p) if p.request_type() != expected => {
                Err(self.violation(Violation::ReplyMismatch {
                    message,
                    request,
                    pending: p.request_type(),
                }))
            }
            Some(p) => {
                self.pending.remove(&request);
                Ok(p)
            }
        }
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
                details: None,
            }) => {
                if let Pending::Unsubscribe(sub) =
                    self.reply(t, request, MessageType::UNSUBSCRIBE)?
                {
                    self.subscriptions.remove(&sub);
                }
                ClientEvent::Unsubscribed { request }
            }
            Message::Unsubscribed(_) => {
                return Err(self.violation(Violation::NotNegotiated {
                    message: t,
                    feature: "subscription_revocation",
                }));
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
                details: None,
            }) => {
                if let Pending::Unregister(reg) = self.reply(t, request, MessageType::UNREGISTER)? {
                    self.registrations.remove(&reg);
                }
                ClientEvent::Unregistered { request }
            }
            Message::Unregistered(_) => {
                return Err(self.violation(Violation::NotNegotiated {
                    message: t,
                    feature: "registration_revocation",
                }));
            }
            Message::Result(m) => {
                if m.details.get("progress") == Some(&Value::Bool(true)) {
                    return Err(self.violation(Violation::NotNegotiated {
                        message: t,
                        feature: "progressive_call_results",
                    }));
                }
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
                if !self.registrations.contains(&inv.registration) {
                    // Racing an UNREGISTER: tell the dealer instead of dropping the call.
                    self.outbox.push_back(Message::error(
                        MessageType::INVOCATION,
                        inv.request,
                        known::NO_SUCH_REGISTRATION,
                    ));
                    return Ok(None);
                }
                self.open_invocations.insert(inv.request);
                ClientEvent::Invocation(inv)
            }
            Message::Interrupt(_) => {
                return Err(self.violation(Violation::NotNegotiated {
                    message: t,
                    feature: "call_canceling",
                }));
            }
            _ => return Err(self.unexpected(t)),
        };
        Ok(Some(event))
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
