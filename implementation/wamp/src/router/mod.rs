//! A basic-profile WAMP router as a state machine.
//!
//! The transport opens a peer with [`Router::open`], feeds it messages (or raw frames) with
//! [`Router::handle`] / [`Router::handle_frame`], and reports transport loss with
//! [`Router::close`]. Each call returns [`Output`]s: messages to send to peers, and close
//! signals after a protocol violation (the ABORT comes first). Randomness (session and
//! publication IDs) comes from the injected RNG. After an `Output::Close` the router ignores
//! the peer; the transport still calls [`Router::close`] once the connection is gone, which
//! forgets it.
//!
//! Features: realms (configured, optionally created on demand; anonymous authentication, with
//! per-realm [`Permissions`] for its role),
//! broker (exact subscriptions, acknowledged publishing, publisher exclusion), dealer (exact
//! registrations, single callee, callee leaving ⇒ `wamp.error.canceled`). Nothing of the
//! advanced profile is announced, so its messages and options are refused.

mod broker;
mod dealer;
mod violation;

pub use violation::{Phase, Violation};

use std::collections::{BTreeMap, BTreeSet};

use broker::Broker;
use dealer::{Caller, Dealer};

use crate::id::{Id, IdSequence};
use crate::message::*;
use crate::serializer::{DecodeError, Serialization};
use crate::uri::{Uri, UriRule, known};
use crate::value::{Dict, Value};

/// A transport connection known to the router (not a WAMP session ID: a connection exists
/// before HELLO and may carry several sessions in turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeerId(pub u64);

/// What the transport must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send `message` to `to`.
    Send { to: PeerId, message: Message },
    /// Close the transport of `peer` (after sending what was queued for it).
    Close { peer: PeerId, reason: Violation },
}

/// Router configuration.
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// Realms that exist from the start.
    pub realms: BTreeSet<Uri>,
    /// Create any other (valid) realm a HELLO names.
    pub auto_create_realms: bool,
    /// URI rule for realms, topics and procedures.
    pub uri_rule: UriRule,
    /// `agent` in WELCOME.Details.
    pub agent: String,
    /// What the role of a realm's sessions (`anonymous`, the only authentication here) may
    /// do there; a realm not listed allows everything.
    pub permissions: BTreeMap<Uri, Permissions>,
}

/// The actions a role may take in a realm; a refused one is answered with ERROR
/// `wamp.error.not_authorized` (a PUBLISH only when it asked for acknowledgement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// PUBLISH.
    pub publish: bool,
    /// SUBSCRIBE.
    pub subscribe: bool,
    /// CALL.
    pub call: bool,
    /// REGISTER.
    pub register: bool,
}

impl Default for Permissions {
    /// Everything allowed.
    fn default() -> Self {
        Self {
            publish: true,
            subscribe: true,
            call: true,
            register: true,
        }
    }
}

impl Default for RouterConfig {
    /// `realm1`, open to anonymous clients for everything; loose URIs.
    fn default() -> Self {
        RouterConfig {
            realms: [Uri::from("realm1")].into(),
            auto_create_realms: false,
            uri_rule: UriRule::Loose,
            agent: "ampel-wamp".into(),
            permissions: BTreeMap::new(),
        }
    }
}

#[derive(Debug)]
enum PeerState {
    AwaitingHello,
    Established(Box<Session>),
    Failed,
}

#[derive(Debug)]
struct Session {
    id: Id,
    realm: Uri,
    /// Next expected client→router request ID.
    requests: IdSequence,
    /// Router→client INVOCATION request IDs.
    invocations: IdSequence,
}

#[derive(Debug, Default)]
struct Realm {
    broker: Broker,
    dealer: Dealer,
}

/// The router.
#[derive(Debug)]
pub struct Router<R> {
    config: RouterConfig,
    rng: R,
    next_peer: u64,
    peers: BTreeMap<PeerId, PeerState>,
    session_ids: BTreeSet<Id>,
    realms: BTreeMap<Uri, Realm>,
    /// Router-scope IDs (subscriptions, registrations).
    router_ids: IdSequence,
}

impl<R: rand::RngCore> Router<R> {
    /// A router with `config`, drawing global-scope IDs from `rng`.
    pub fn new(config: RouterConfig, rng: R) -> Router<R> {
        let realms = config
            .realms
            .iter()
            .map(|r| (r.clone(), Realm::default()))
            .collect();
        Router {
            config,
            rng,
            next_peer: 0,
            peers: BTreeMap::new(),
            session_ids: BTreeSet::new(),
            realms,
            router_ids: IdSequence::default(),
        }
    }

    /// Registers a new transport connection.
    pub fn open(&mut self) -> PeerId {
        self.next_peer += 1;
        let peer = PeerId(self.next_peer);
        self.peers.insert(peer, PeerState::AwaitingHello);
        peer
    }

    /// The WAMP session ID of `peer`, while established.
    pub fn session_id(&self, peer: PeerId) -> Option<Id> {
        match self.peers.get(&peer) {
            Some(PeerState::Established(s)) => Some(s.id),
            _ => None,
        }
    }

    /// The transport of `peer` is gone: its session ends without GOODBYE.
    pub fn close(&mut self, peer: PeerId) -> Vec<Output> {
        let mut out = Vec::new();
        self.leave(peer, &mut out);
        self.peers.remove(&peer);
        out
    }

    /// Decodes a frame from `peer` and handles its messages; an undecodable frame is a
    /// protocol violation.
    pub fn handle_frame(
        &mut self,
        peer: PeerId,
        serialization: Serialization,
        frame: &[u8],
    ) -> Vec<Output> {
        match serialization.decode(frame) {
            Ok(messages) => {
                let mut out = Vec::new();
                for m in messages {
                    out.extend(self.handle(peer, m));
                }
                out
            }
            Err(e) => self.handle_decode_error(peer, e),
        }
    }

    /// A frame from `peer` could not be decoded.
    pub fn handle_decode_error(&mut self, peer: PeerId, error: DecodeError) -> Vec<Output> {
        let mut out = Vec::new();
        if matches!(
            self.peers.get(&peer),
            Some(PeerState::AwaitingHello | PeerState::Established(_))
        ) {
            self.violation(peer, Violation::Malformed(error), &mut out);
        }
        out
    }

    /// Handles one message from `peer`.
    pub fn handle(&mut self, peer: PeerId, message: Message) -> Vec<Output> {
        let mut out = Vec::new();
        let result = match self.peers.get(&peer) {
            None | Some(PeerState::Failed) => Ok(()),
            Some(PeerState::AwaitingHello) => self.awaiting_hello(peer, message, &mut out),
            Some(PeerState::Established(_)) => self.established(peer, message, &mut out),
        };
        if let Err(v) = result {
            self.violation(peer, v, &mut out);
        }
        out
    }

    fn violation(&mut self, peer: PeerId, reason: Violation, out: &mut Vec<Output>) {
        out.push(Output::Send {
            to: peer,
            message: Message::abort(known::PROTOCOL_VIOLATION, reason.to_string()),
        });
        // Dispose of the session without processing anything further from this peer; what
        // that tells other peers (canceled calls) follows the close signal.
        let mut others = Vec::new();
        self.leave(peer, &mut others);
        self.peers.insert(peer, PeerState::Failed);
        out.push(Output::Close { peer, reason });
        out.extend(others);
    }

    fn awaiting_hello(
        &mut self,
        peer: PeerId,
        message: Message,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let hello = match message {
            Message::Hello(h) => h,
            // The client gave up on a session that never opened: nothing to answer.
            Message::Abort(_) => return Ok(()),
            other => {
                return Err(Violation::WrongState {
                    message: other.message_type(),
                    phase: Phase::AwaitingHello,
                });
            }
        };
        let refuse = |out: &mut Vec<Output>, reason: &str, text: String| {
            out.push(Output::Send {
                to: peer,
                message: Message::abort(reason, text),
            });
        };
        if let Err(e) = hello.realm.check(self.config.uri_rule) {
            refuse(out, known::INVALID_URI, format!("invalid realm URI: {e}"));
            return Ok(());
        }
        if !self.realms.contains_key(&hello.realm) {
            if !self.config.auto_create_realms {
                refuse(
                    out,
                    known::NO_SUCH_REALM,
                    format!("no realm {}", hello.realm),
                );
                return Ok(());
            }
            self.realms.insert(hello.realm.clone(), Realm::default());
        }
        let offers_anonymous = match hello.details.get("authmethods") {
            Some(Value::List(methods)) => {
                methods.is_empty() || methods.contains(&Value::from("anonymous"))
            }
            _ => true,
        };
        if !offers_anonymous {
            refuse(
                out,
                known::NO_MATCHING_AUTH_METHOD,
                "this router offers anonymous authentication only".into(),
            );
            return Ok(());
        }
        let id = loop {
            let candidate = Id::random(&mut self.rng);
            if self.session_ids.insert(candidate) {
                break candidate;
            }
        };
        let authid = match hello.details.get("authid") {
            Some(Value::Str(s)) => s.clone(),
            _ => format!("anonymous-{id}"),
        };
        let mut details = Dict::new();
        let role = || Value::Dict([("features".to_string(), Value::Dict(Dict::new()))].into());
        details.insert(
            "roles".into(),
            Value::Dict([("broker".into(), role()), ("dealer".into(), role())].into()),
        );
        details.insert("realm".into(), Value::from(hello.realm.as_str()));
        details.insert("agent".into(), Value::from(self.config.agent.as_str()));
        details.insert("authid".into(), Value::from(authid));
        details.insert("authrole".into(), Value::from("anonymous"));
        details.insert("authmethod".into(), Value::from("anonymous"));
        details.insert("authprovider".into(), Value::from("static"));
        self.peers.insert(
            peer,
            PeerState::Established(Box::new(Session {
                id,
                realm: hello.realm,
                requests: IdSequence::default(),
                invocations: IdSequence::default(),
            })),
        );
        out.push(Output::Send {
            to: peer,
            message: Message::Welcome(Welcome {
                session: id,
                details,
            }),
        });
        Ok(())
    }

    /// Ends `peer`'s session, if any: subscriptions and registrations go, callers waiting on
    /// it get `wamp.error.canceled`, its own calls are orphaned.
    fn leave(&mut self, peer: PeerId, out: &mut Vec<Output>) {
        let Some(PeerState::Established(session)) = self.peers.get(&peer) else {
            return;
        };
        let (id, realm_name) = (session.id, session.realm.clone());
        self.session_ids.remove(&id);
        self.peers.insert(peer, PeerState::AwaitingHello);
        let Some(realm) = self.realms.get_mut(&realm_name) else {
            return;
        };
        realm.broker.remove_peer(peer);
        for caller in realm.dealer.remove_peer(peer) {
            if caller.peer != peer {
                out.push(Output::Send {
                    to: caller.peer,
                    message: Message::error(MessageType::CALL, caller.request, known::CANCELED),
                });
            }
        }
    }

    fn established(
        &mut self,
        peer: PeerId,
        message: Message,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let t = message.message_type();
        match message {
            Message::Hello(_) | Message::Authenticate(_) => Err(Violation::WrongState {
                message: t,
                phase: Phase::Established,
            }),
            Message::Welcome(_)
            | Message::Challenge(_)
            | Message::Published(_)
            | Message::Subscribed(_)
            | Message::Unsubscribed(_)
            | Message::Event(_)
            | Message::Result(_)
            | Message::Registered(_)
            | Message::Unregistered(_)
            | Message::Invocation(_)
            | Message::Interrupt(_) => Err(Violation::WrongDirection { message: t }),
            Message::Cancel(_) => Err(Violation::NotNegotiated {
                message: t,
                feature: "call_canceling",
            }),
            Message::Extension(_) => Err(Violation::UnknownType { message: t }),
            Message::Abort(_) => {
                self.leave(peer, out);
                Ok(())
            }
            Message::Goodbye(_) => {
                out.push(Output::Send {
                    to: peer,
                    message: Message::goodbye(known::GOODBYE_AND_OUT),
                });
                self.leave(peer, out);
                Ok(())
            }
            Message::Yield(y) => {
                check_no_passthru(t, &y.options, &y.payload)?;
                if y.options.get("progress") == Some(&Value::Bool(true)) {
                    return Err(Violation::NotNegotiated {
                        message: t,
                        feature: "progressive_call_results",
                    });
                }
                let caller = self.finish_invocation(peer, t, y.request)?;
                if let Some(caller) = caller {
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
            Message::Error(e) => {
                if e.request_type != MessageType::INVOCATION {
                    return Err(Violation::InvalidErrorType {
                        request_type: e.request_type,
                    });
                }
                check_no_passthru(t, &e.details, &e.payload)?;
                let caller = self.finish_invocation(peer, t, e.request)?;
                if let Some(caller) = caller {
                    // The callee's error URI, arguments and keyword arguments go to the
                    // caller unchanged.
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
            request => self.request(peer, request, out),
        }
    }

    fn session(&mut self, peer: PeerId) -> Option<&mut Session> {
        match self.peers.get_mut(&peer) {
            Some(PeerState::Established(s)) => Some(s),
            _ => None,
        }
    }

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

    /// SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER and CALL.
    fn request(
        &mut self,
        peer: PeerId,
        message: Message,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let t = message.message_type();
        let request = match &message {
            Message::Subscribe(m) => m.request,
            Message::Unsubscribe(m) => m.request,
            Message::Publish(m) => m.request,
            Message::Register(m) => m.request,
            Message::Unregister(m) => m.request,
            Message::Call(m) => m.request,
            _ => return Err(Violation::UnknownType { message: t }),
        };
        let rule = self.config.uri_rule;
        let Some(session) = self.session(peer) else {
            return Ok(());
        };
        let expected = session.requests.peek();
        if request != expected {
            return Err(Violation::NonSequentialRequest {
                expected,
                got: request,
            });
        }
        session.requests.advance();
        let realm_name = session.realm.clone();
        let allowed = self
            .config
            .permissions
            .get(&realm_name)
            .copied()
            .unwrap_or_default();
        let Self {
            realms,
            router_ids,
            rng,
            peers,
            ..
        } = self;
        let Some(realm) = realms.get_mut(&realm_name) else {
            return Ok(());
        };
        let reply = |message: Message| Output::Send { to: peer, message };
        let error = |uri: &str| reply(Message::error(t, request, uri));
        let refused = match &message {
            Message::Subscribe(_) => !allowed.subscribe,
            Message::Publish(_) => !allowed.publish,
            Message::Register(_) => !allowed.register,
            Message::Call(_) => !allowed.call,
            _ => false,
        };
        if refused {
            let silent = matches!(&message, Message::Publish(m)
                if m.options.get("acknowledge") != Some(&Value::Bool(true)));
            if !silent {
                out.push(error(known::NOT_AUTHORIZED));
            }
            return Ok(());
        }
        let bad_uri = |uri: &Uri, reserved_ok: bool| {
            uri.check(rule).is_err() || (!reserved_ok && uri.is_reserved())
        };
        match message {
            Message::Subscribe(m) => {
                if bad_uri(&m.topic, true) {
                    out.push(error(known::INVALID_URI));
                } else if !exact_match(&m.options) {
                    out.push(error(known::OPTION_NOT_ALLOWED));
                } else {
                    let subscription = realm
                        .broker
                        .subscribe(peer, m.topic, || router_ids.advance());
                    out.push(reply(Message::Subscribed(Subscribed {
                        request,
                        subscription,
                    })));
                }
            }
            Message::Unsubscribe(m) => {
                if realm.broker.unsubscribe(peer, m.subscription) {
                    out.push(reply(Message::Unsubscribed(Unsubscribed {
                        request: Some(request),
                        details: None,
                    })));
                } else {
                    out.push(error(known::NO_SUCH_SUBSCRIPTION));
                }
            }
            Message::Publish(m) => {
                check_no_passthru(t, &m.options, &m.payload)?;
                let acknowledge = m.options.get("acknowledge") == Some(&Value::Bool(true));
                if bad_uri(&m.topic, false) {
                    if acknowledge {
                        out.push(error(known::INVALID_URI));
                    }
                    return Ok(());
                }
                let publication = Id::random(rng);
                let exclude_me = m.options.get("exclude_me") != Some(&Value::Bool(false));
                if let Some((subscription, subscribers)) = realm.broker.subscribers(&m.topic) {
                    for &to in subscribers {
                        if exclude_me && to == peer {
                            continue;
                        }
                        out.push(Output::Send {
                            to,
                            message: Message::Event(Event {
                                subscription,
                                publication,
                                details: Dict::new(),
                                payload: m.payload.clone(),
                            }),
                        });
                    }
                }
                if acknowledge {
                    out.push(reply(Message::Published(Published {
                        request,
                        publication,
                    })));
                }
            }
            Message::Register(m) => {
                let single = m
                    .options
                    .get("invoke")
                    .is_none_or(|v| v == &Value::from("single"));
                if bad_uri(&m.procedure, false) {
                    out.push(error(known::INVALID_URI));
                } else if !exact_match(&m.options) || !single {
                    out.push(error(known::OPTION_NOT_ALLOWED));
                } else {
                    match realm
                        .dealer
                        .register(peer, m.procedure, || router_ids.advance())
                    {
                        Some(registration) => out.push(reply(Message::Registered(Registered {
                            request,
                            registration,
                        }))),
                        None => out.push(error(known::PROCEDURE_ALREADY_EXISTS)),
                    }
                }
            }
            Message::Unregister(m) => {
                if realm.dealer.unregister(peer, m.registration) {
                    out.push(reply(Message::Unregistered(Unregistered {
                        request: Some(request),
                        details: None,
                    })));
                } else {
                    out.push(error(known::NO_SUCH_REGISTRATION));
                }
            }
            Message::Call(m) => {
                check_no_passthru(t, &m.options, &m.payload)?;
                if m.options.get("progress") == Some(&Value::Bool(true)) {
                    return Err(Violation::NotNegotiated {
                        message: t,
                        feature: "progressive_call_invocations",
                    });
                }
                if bad_uri(&m.procedure, true) {
                    out.push(error(known::INVALID_URI));
                    return Ok(());
                }
                let Some((registration, callee)) = realm.dealer.lookup(&m.procedure) else {
                    out.push(error(known::NO_SUCH_PROCEDURE));
                    return Ok(());
                };
                let Some(PeerState::Established(callee_session)) = peers.get_mut(&callee) else {
                    out.push(error(known::NO_SUCH_PROCEDURE));
                    return Ok(());
                };
                let invocation = callee_session.invocations.advance();
                realm
                    .dealer
                    .start(callee, invocation, Caller { peer, request });
                out.push(Output::Send {
                    to: callee,
                    message: Message::Invocation(Invocation {
                        request: invocation,
                        registration,
                        details: Dict::new(),
                        payload: m.payload,
                    }),
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// SUBSCRIBE/REGISTER `match` other than `exact` needs pattern-based matching, which this
/// router does not announce.
fn exact_match(options: &Dict) -> bool {
    options
        .get("match")
        .is_none_or(|v| v == &Value::from("exact"))
}

/// Payload passthru mode is not announced, so its options and opaque payloads are refused.
fn check_no_passthru(
    message: MessageType,
    options: &Dict,
    payload: &Payload,
) -> Result<(), Violation> {
    let keyed = options
        .keys()
        .any(|k| k.starts_with("ppt_") || k.starts_with("enc_"));
    if keyed || matches!(payload, Payload::Opaque(_)) {
        return Err(Violation::NotNegotiated {
            message,
            feature: "payload_passthru_mode",
        });
    }
    Ok(())
}
