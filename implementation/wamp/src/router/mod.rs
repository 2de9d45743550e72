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
//! The router has no clock: for a call timeout it asks the transport to start a timer
//! ([`Output::StartTimer`]) and expects [`Router::timeout`] when it fires; WAMP-CRA
//! challenges carry the wall-clock time the transport last gave ([`Router::set_time`]).
//!
//! Features: realms (configured, optionally created on demand), authentication (anonymous,
//! ticket, WAMP-CRA, cryptosign; see `auth.rs`) and authorization (every SUBSCRIBE, PUBLISH,
//! REGISTER and CALL is checked against the session's role in its realm, see
//! [`RealmConfig`]); broker: exact, prefix and wildcard subscriptions, acknowledged
//! publishing, publisher exclusion and identification, subscriber black- and whitelisting,
//! event retention, subscription revocation; dealer: the advanced RPC features (progressive
//! results and invocations, canceling, timeouts, caller identification, pattern and shared
//! registrations, revocation); the session, subscription and registration meta API and
//! testaments (router/meta.rs). [`features`] lists what WELCOME announces; other advanced
//! options are refused.

mod audience;
mod auth;
mod broker;
mod calls;
mod config;
mod dealer;
pub mod features;
mod meta;
mod meta_registration;
mod meta_session;
mod meta_subscription;
mod pubsub;
mod rpc;
mod session;
mod testament;
mod violation;

pub use calls::TimerId;
pub use config::{
    Action, PermissionRule, Permissions, Principal, RealmConfig, Role, RouterConfig, WampCraSecret,
};
pub use session::{ClientRoles, Identity};
pub use violation::{Phase, Violation};

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use broker::Broker;
use calls::Calls;
use dealer::Dealer;
use session::Session;

use crate::id::{Id, IdSequence};
use crate::message::*;
use crate::serializer::{DecodeError, Serialization};
use crate::uri::{Uri, known};
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
    /// Start `timer`: after `after`, call [`Router::timeout`] with it. Timers are never
    /// cancelled; one whose purpose is gone is ignored when it fires.
    StartTimer { timer: TimerId, after: Duration },
}

#[derive(Debug)]
enum PeerState {
    AwaitingHello,
    /// CHALLENGE sent; only AUTHENTICATE (or ABORT) may follow.
    Challenged(Box<auth::Challenged>),
    Established(Box<Session>),
    /// The router ended the session with GOODBYE (`wamp.session.kill`): everything but the
    /// peer's GOODBYE reply is ignored.
    GoodbyeSent,
    Failed,
}

/// A request from an established session that passed the common checks.
struct Request {
    peer: PeerId,
    id: Id,
    kind: MessageType,
    realm: Uri,
    /// The requester's authrole, whose permissions apply.
    role: String,
}

impl Request {
    /// `message` back to the requester.
    fn reply(&self, message: Message) -> Output {
        Output::Send {
            to: self.peer,
            message,
        }
    }

    /// ERROR `uri` answering this request.
    fn error(&self, uri: &str) -> Output {
        self.reply(Message::error(self.kind, self.id, uri))
    }
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
    /// Calls in flight, across realms.
    calls: Calls,
    /// Wall-clock time as the transport last reported it ([`Router::set_time`]).
    now: SystemTime,
}

impl<R: rand::RngCore> Router<R> {
    /// A router with `config`, drawing global-scope IDs from `rng`.
    pub fn new(config: RouterConfig, rng: R) -> Router<R> {
        let realms = config
            .realms
            .keys()
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
            calls: Calls::default(),
            now: SystemTime::UNIX_EPOCH,
        }
    }

    /// Tells the router the current wall-clock time, which it has no other way to learn. It
    /// only goes into WAMP-CRA challenges (`timestamp`), so a transport that offers wampcra
    /// calls this before handing over messages; until then the time is the Unix epoch.
    pub fn set_time(&mut self, now: SystemTime) {
        self.now = now;
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

    /// Who `peer`'s session authenticated as, and the features its client announced.
    pub fn session_identity(&self, peer: PeerId) -> Option<(&Identity, &ClientRoles)> {
        match self.peers.get(&peer) {
            Some(PeerState::Established(s)) => Some((&s.identity, &s.roles)),
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
            Some(
                PeerState::AwaitingHello
                    | PeerState::Challenged(_)
                    | PeerState::Established(_)
                    | PeerState::GoodbyeSent
            )
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
            Some(PeerState::Challenged(_)) => self.challenged(peer, message, &mut out),
            Some(PeerState::Established(_)) => self.established(peer, message, &mut out),
            Some(PeerState::GoodbyeSent) => {
                if matches!(message, Message::Goodbye(_)) {
                    self.peers.insert(peer, PeerState::AwaitingHello);
                }
                Ok(())
            }
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
            Message::Cancel(c) => {
                self.cancel(peer, c, out);
                Ok(())
            }
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
            Message::Yield(y) => self.yield_result(peer, y, out),
            Message::Error(e) => self.invocation_error(peer, e, out),
            request => self.request(peer, request, out),
        }
    }

    /// Whether the requester's role may take `action` on `uri` in its realm.
    fn authorizes(&self, req: &Request, action: Action, uri: &Uri) -> bool {
        self.config
            .realms
            .get(&req.realm)
            .is_some_and(|realm| realm.authorizes(&req.role, action, uri))
    }

    fn session(&mut self, peer: PeerId) -> Option<&mut Session> {
        match self.peers.get_mut(&peer) {
            Some(PeerState::Established(s)) => Some(s),
            _ => None,
        }
    }

    /// SUBSCRIBE, UNSUBSCRIBE, PUBLISH, REGISTER, UNREGISTER and CALL: the request ID must
    /// be the next in sequence and the session's role allowed the action; then the broker or
    /// dealer side handles it.
    fn request(
        &mut self,
        peer: PeerId,
        message: Message,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let kind = message.message_type();
        let id = match &message {
            Message::Subscribe(m) => m.request,
            Message::Unsubscribe(m) => m.request,
            Message::Publish(m) => m.request,
            Message::Register(m) => m.request,
            Message::Unregister(m) => m.request,
            Message::Call(m) => m.request,
            _ => return Err(Violation::UnknownType { message: kind }),
        };
        let Some(session) = self.session(peer) else {
            return Ok(());
        };
        let expected = session.requests.peek();
        if id != expected {
            return match message {
                Message::Call(m) => self.call_continuation(peer, m, expected, out),
                _ => Err(Violation::NonSequentialRequest { expected, got: id }),
            };
        }
        session.requests.advance();
        let req = Request {
            peer,
            id,
            kind,
            realm: session.realm.clone(),
            role: session.identity.authrole.clone(),
        };
        let target = match &message {
            Message::Subscribe(m) => Some((Action::Subscribe, &m.topic)),
            Message::Publish(m) => Some((Action::Publish, &m.topic)),
            Message::Register(m) => Some((Action::Register, &m.procedure)),
            Message::Call(m) => Some((Action::Call, &m.procedure)),
            _ => None,
        };
        let refused = target.is_some_and(|(action, uri)| !self.authorizes(&req, action, uri));
        if refused {
            let silent = matches!(&message, Message::Publish(m)
                if m.options.get("acknowledge") != Some(&Value::Bool(true)));
            if !silent {
                out.push(req.error(known::NOT_AUTHORIZED));
            }
            return Ok(());
        }
        // The router answers its own meta procedures; other calls go to callees.
        if let Message::Call(m) = &message {
            if self.meta_call(&req, m, out) {
                return Ok(());
            }
        }
        match message {
            Message::Subscribe(m) => self.subscribe(&req, m, out),
            Message::Unsubscribe(m) => self.unsubscribe(&req, m, out),
            Message::Publish(m) => return self.publish(&req, m, out),
            Message::Register(m) => self.register(&req, m, out),
            Message::Unregister(m) => self.unregister(&req, m, out),
            Message::Call(m) => return self.call(&req, m, out),
            _ => {}
        }
        Ok(())
    }
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
