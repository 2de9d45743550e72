//! The async WAMP client: one task drives the connection and an
//! [`ampel_wamp::client::ClientSession`]; [`Client`] handles talk to it over a channel.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ampel_net::wamp::Error> {
//! use ampel_net::wamp::Client;
//! use ampel_wamp::{Serialization, Value};
//!
//! let client = Client::connect("rawsocket://127.0.0.1:8081", "realm1", Serialization::Json).await?;
//! let mut events = client.subscribe("com.example.topic").await?;
//! client.publish("com.example.topic", vec![Value::UInt(1)], Default::default()).await?;
//! let event = events.next().await;
//! let reply = client.call("com.example.add", vec![Value::UInt(1), Value::UInt(2)], Default::default()).await;
//! client.leave().await?;
//! # let _ = (event, reply); Ok(()) }
//! ```
//!
//! Advanced profile: typed options ([`CallOptions`], [`RegisterOptions`],
//! [`SubscribeOptions`], [`PublishOptions`]) for every `*_with` method; progressive results
//! and canceling through [`CallHandle`]; a callee's [`InvocationRequest`] can send progressive
//! results and learns of INTERRUPT; revoked registrations and subscriptions end their stream
//! and say why ([`Registration::revoked`], [`Subscription::revoked`]).

mod call;
mod options;

pub use call::CallHandle;
pub use options::{
    CallOptions, InvokePolicy, MatchPolicy, PublishOptions, RegisterOptions, SubscribeOptions,
};

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use ampel_wamp::auth::Credentials;
use ampel_wamp::client::{CancelMode, ClientEvent, ClientSession, CommandError};
use ampel_wamp::message::{Event, Invocation, MessageType};
use ampel_wamp::uri::known;
use ampel_wamp::{Dict, Id, List, Payload, Serialization, Uri, Value};
use tokio::sync::{mpsc, oneshot};

use super::rawsocket::RawSocketConfig;
use super::transport::{Incoming, Transport};
use super::{ApplicationError, Endpoint, Error, connect_transport};
use crate::CloseCode;

type Reply<T> = oneshot::Sender<Result<T, Error>>;

/// Where a registration's or subscription's revocation is reported.
type RevokedSink = oneshot::Sender<Revocation>;

/// A command from a handle to the driver task.
enum Command {
    Join {
        realm: Uri,
        credentials: Credentials,
        reply: Reply<Joined>,
    },
    Leave {
        reply: Reply<()>,
    },
    Subscribe {
        topic: Uri,
        options: Dict,
        events: mpsc::UnboundedSender<EventData>,
        revoked: RevokedSink,
        reply: Reply<Id>,
    },
    Unsubscribe {
        subscription: Id,
        reply: Reply<()>,
    },
    Publish {
        topic: Uri,
        options: Dict,
        payload: Payload,
        reply: Reply<Option<Id>>,
    },
    Register {
        procedure: Uri,
        options: Dict,
        invocations: mpsc::UnboundedSender<InvocationRequest>,
        revoked: RevokedSink,
        reply: Reply<Id>,
    },
    Unregister {
        registration: Id,
        reply: Reply<()>,
    },
    Call {
        procedure: Uri,
        options: Dict,
        payload: Payload,
        progress: mpsc::UnboundedSender<CallReply>,
        result: Reply<CallReply>,
        /// Answered with the request ID as soon as the CALL is queued.
        started: Reply<Id>,
    },
    Cancel {
        request: Id,
        mode: CancelMode,
        reply: Reply<()>,
    },
    Yield {
        request: Id,
        outcome: Result<Payload, ApplicationError>,
    },
    /// A progressive YIELD.
    Progress {
        request: Id,
        payload: Payload,
    },
    /// An [`InvocationRequest`] was dropped unanswered.
    Abandon {
        request: Id,
    },
}

/// Why the router revoked a registration or subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// `Details.reason`, if the router gave one.
    pub reason: Option<String>,
}

/// What WELCOME said.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// The WAMP session ID.
    pub session: Id,
    /// Who the router authenticated the session as (WELCOME.Details `authid`).
    pub authid: Option<String>,
    /// The session's role (`authrole`).
    pub authrole: Option<String>,
    /// How it authenticated (`authmethod`: anonymous, ticket, wampcra, cryptosign, …).
    pub authmethod: Option<String>,
    /// Who vouched for the principal (`authprovider`).
    pub authprovider: Option<String>,
    /// WELCOME.Details (roles, authid, authrole, agent, …).
    pub details: Dict,
}

impl Joined {
    fn from_welcome(session: Id, details: Dict) -> Joined {
        let text = |key: &str| details.get(key).and_then(Value::as_str).map(str::to_owned);
        Joined {
            session,
            authid: text("authid"),
            authrole: text("authrole"),
            authmethod: text("authmethod"),
            authprovider: text("authprovider"),
            details,
        }
    }
}

/// An event on a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct EventData {
    /// The publication ID.
    pub publication: Id,
    /// `Arguments`.
    pub args: List,
    /// `ArgumentsKw`.
    pub kwargs: Dict,
    /// EVENT.Details.
    pub details: Dict,
}

/// A successful call's RESULT.
#[derive(Debug, Clone, PartialEq)]
pub struct CallReply {
    /// `Arguments`.
    pub args: List,
    /// `ArgumentsKw`.
    pub kwargs: Dict,
    /// RESULT.Details.
    pub details: Dict,
}

fn split(payload: Payload) -> (List, Dict) {
    match payload {
        Payload::Args(a) => (a, Dict::new()),
        Payload::ArgsKw(a, k) => (a, k),
        // An opaque payload (payload passthru) is never negotiated by this client.
        Payload::None | Payload::Opaque(_) => (List::new(), Dict::new()),
    }
}

impl EventData {
    /// `details.topic`: the concrete topic of an event on a pattern subscription.
    pub fn topic(&self) -> Option<&str> {
        self.details.get("topic").and_then(Value::as_str)
    }

    /// `details.publisher`: the publisher's session, when the broker disclosed it.
    pub fn publisher(&self) -> Option<Id> {
        self.details
            .get("publisher")
            .and_then(Value::as_u64)
            .and_then(Id::new)
    }

    /// `details.retained`: the broker kept this event and replays it to a new subscriber.
    pub fn retained(&self) -> bool {
        self.details.get("retained") == Some(&Value::Bool(true))
    }
}

impl From<Event> for EventData {
    fn from(e: Event) -> EventData {
        let (args, kwargs) = split(e.payload);
        EventData {
            publication: e.publication,
            args,
            kwargs,
            details: e.details,
        }
    }
}

/// Settings of [`Client::connect_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Require INVOCATION request IDs 1, 2, 3… as the spec does. Off by default: Crossbar
    /// numbers INVOCATIONs with a router-wide counter, and a callee must work with it.
    pub sequential_invocations: bool,
    /// RawSocket limits (our receive limit) and handshake timeout.
    pub rawsocket: RawSocketConfig,
    /// WebSocket settings (TLS roots, limits, timeouts); the subprotocol offer is set from
    /// the serialization.
    pub websocket: crate::ClientConfig,
    /// How to authenticate when joining (default: anonymous); CHALLENGEs are answered
    /// automatically.
    pub credentials: Credentials,
}

/// A WAMP client connection with (usually) an open session.
#[derive(Debug, Clone)]
pub struct Client {
    commands: mpsc::UnboundedSender<Command>,
    joined: Joined,
    /// Used again by [`Client::join`].
    credentials: Credentials,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

impl Client {
    /// Connects to `url` (`ws://`, `wss://` or `rawsocket://`) with `serialization` and joins
    /// `realm` anonymously (see [`ClientOptions::credentials`] for other methods).
    pub async fn connect(
        url: &str,
        realm: &str,
        serialization: Serialization,
    ) -> Result<Client, Error> {
        Client::connect_with(url, realm, serialization, ClientOptions::default()).await
    }

    /// [`Client::connect`] with settings.
    pub async fn connect_with(
        url: &str,
        realm: &str,
        serialization: Serialization,
        options: ClientOptions,
    ) -> Result<Client, Error> {
        let endpoint: Endpoint = url.parse()?;
        let transport = connect_transport(&endpoint, serialization, &options).await?;
        let (commands, rx) = mpsc::unbounded_channel();
        let mut session = ClientSession::new();
        session.set_sequential_invocations(options.sequential_invocations);
        tokio::spawn(Driver::new(transport, session).run(rx));
        let credentials = options.credentials;
        let joined = join(&commands, realm, credentials.clone()).await?;
        Ok(Client {
            commands,
            joined,
            credentials,
        })
    }

    /// Joins `realm` again on the same connection after [`Client::leave`], with the
    /// credentials of the last join.
    pub async fn join(&mut self, realm: &str) -> Result<Joined, Error> {
        self.join_with(realm, self.credentials.clone()).await
    }

    /// Joins `realm` after [`Client::leave`] (or a refused join) with other credentials.
    pub async fn join_with(
        &mut self,
        realm: &str,
        credentials: Credentials,
    ) -> Result<Joined, Error> {
        self.joined = join(&self.commands, realm, credentials.clone()).await?;
        self.credentials = credentials;
        Ok(self.joined.clone())
    }

    /// The session's WELCOME (of the latest join).
    pub fn joined(&self) -> &Joined {
        &self.joined
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, Error> {
        ask(&self.commands, make).await
    }

    /// Ends the session with GOODBYE and waits for the router's GOODBYE; the connection
    /// stays open for [`Client::join`].
    pub async fn leave(&self) -> Result<(), Error> {
        self.ask(|reply| Command::Leave { reply }).await
    }

    /// Subscribes to `topic` (exact match).
    pub async fn subscribe(&self, topic: &str) -> Result<Subscription, Error> {
        self.subscribe_with(topic, Dict::new()).await
    }

    /// Subscribes with SUBSCRIBE.Options ([`SubscribeOptions`] or a raw dict).
    pub async fn subscribe_with(
        &self,
        topic: &str,
        options: impl Into<Dict>,
    ) -> Result<Subscription, Error> {
        let (events, rx) = mpsc::unbounded_channel();
        let (revoked, revocation) = oneshot::channel();
        let id = self
            .ask(|reply| Command::Subscribe {
                topic: topic.into(),
                options: options.into(),
                events,
                revoked,
                reply,
            })
            .await?;
        Ok(Subscription {
            id,
            events: rx,
            revocation,
            commands: self.commands.clone(),
        })
    }

    /// Publishes without acknowledgement (returns once the PUBLISH is queued for sending).
    pub async fn publish(&self, topic: &str, args: List, kwargs: Dict) -> Result<(), Error> {
        self.publish_with(topic, Dict::new(), args, kwargs)
            .await
            .map(drop)
    }

    /// Publishes with `acknowledge: true` and waits for PUBLISHED (or the ERROR).
    pub async fn publish_acknowledged(
        &self,
        topic: &str,
        args: List,
        kwargs: Dict,
    ) -> Result<Id, Error> {
        let mut options = Dict::new();
        options.insert("acknowledge".into(), Value::Bool(true));
        match self.publish_with(topic, options, args, kwargs).await? {
            Some(id) => Ok(id),
            None => Err(Error::ConnectionClosed),
        }
    }

    /// Publishes with PUBLISH.Options ([`PublishOptions`] or a raw dict);
    /// `Some(publication)` when `acknowledge` was set.
    pub async fn publish_with(
        &self,
        topic: &str,
        options: impl Into<Dict>,
        args: List,
        kwargs: Dict,
    ) -> Result<Option<Id>, Error> {
        self.ask(|reply| Command::Publish {
            topic: topic.into(),
            options: options.into(),
            payload: Payload::new(args, kwargs),
            reply,
        })
        .await
    }

    /// Registers `procedure`; invocations arrive on the returned [`Registration`].
    pub async fn register(&self, procedure: &str) -> Result<Registration, Error> {
        self.register_with(procedure, Dict::new()).await
    }

    /// Registers with REGISTER.Options ([`RegisterOptions`] or a raw dict).
    pub async fn register_with(
        &self,
        procedure: &str,
        options: impl Into<Dict>,
    ) -> Result<Registration, Error> {
        let (invocations, rx) = mpsc::unbounded_channel();
        let (revoked, revocation) = oneshot::channel();
        let id = self
            .ask(|reply| Command::Register {
                procedure: procedure.into(),
                options: options.into(),
                invocations,
                revoked,
                reply,
            })
            .await?;
        Ok(Registration {
            id,
            invocations: rx,
            revocation,
            commands: self.commands.clone(),
        })
    }

    /// Registers `procedure` with a handler run (in its own task) for every invocation: its
    /// `Ok((args, kwargs))` becomes YIELD, its `Err` an ERROR. If the dealer interrupts an
    /// invocation, the handler is dropped and the invocation answered with ERROR
    /// `wamp.error.canceled` (not at all under `killnowait`). Returns the registration ID.
    pub async fn register_fn<F, Fut>(&self, procedure: &str, handler: F) -> Result<Id, Error>
    where
        F: Fn(List, Dict) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(List, Dict), ApplicationError>> + Send + 'static,
    {
        self.register_fn_with(procedure, Dict::new(), handler).await
    }

    /// [`Client::register_fn`] with REGISTER.Options.
    pub async fn register_fn_with<F, Fut>(
        &self,
        procedure: &str,
        options: impl Into<Dict>,
        handler: F,
    ) -> Result<Id, Error>
    where
        F: Fn(List, Dict) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(List, Dict), ApplicationError>> + Send + 'static,
    {
        let mut registration = self.register_with(procedure, options).await?;
        let id = registration.id();
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            while let Some(mut invocation) = registration.next().await {
                let handler = handler.clone();
                tokio::spawn(async move {
                    let work = handler(invocation.args.clone(), invocation.kwargs.clone());
                    let outcome = tokio::select! {
                        outcome = work => Some(outcome),
                        _ = invocation.interrupted() => None,
                    };
                    match outcome {
                        Some(Ok((args, kwargs))) => invocation.reply(args, kwargs),
                        Some(Err(e)) => invocation.fail(e),
                        // Dropping it answers as the interrupt requires.
                        None => drop(invocation),
                    }
                });
            }
        });
        Ok(id)
    }

    /// Unregisters a registration made by [`Client::register_fn`].
    pub async fn unregister(&self, registration: Id) -> Result<(), Error> {
        self.ask(|reply| Command::Unregister {
            registration,
            reply,
        })
        .await
    }

    /// Calls `procedure`; a WAMP ERROR comes back as [`Error::Application`].
    pub async fn call(
        &self,
        procedure: &str,
        args: List,
        kwargs: Dict,
    ) -> Result<CallReply, Error> {
        self.call_with(procedure, Dict::new(), args, kwargs).await
    }

    /// Calls with CALL.Options ([`CallOptions`] or a raw dict) and waits for the final
    /// result; progressive results, if any, are skipped (see [`Client::start_call`]).
    pub async fn call_with(
        &self,
        procedure: &str,
        options: impl Into<Dict>,
        args: List,
        kwargs: Dict,
    ) -> Result<CallReply, Error> {
        self.start_call(procedure, options, args, kwargs)
            .await?
            .result()
            .await
    }

    /// Sends a CALL and returns at once with a [`CallHandle`] for its progressive results,
    /// its final result and canceling it.
    pub async fn start_call(
        &self,
        procedure: &str,
        options: impl Into<Dict>,
        args: List,
        kwargs: Dict,
    ) -> Result<CallHandle, Error> {
        let (progress, progress_rx) = mpsc::unbounded_channel();
        let (result, result_rx) = oneshot::channel();
        let request = self
            .ask(|started| Command::Call {
                procedure: procedure.into(),
                options: options.into(),
                payload: Payload::new(args, kwargs),
                progress,
                result,
                started,
            })
            .await?;
        Ok(CallHandle {
            request,
            progress: progress_rx,
            result: result_rx,
            commands: self.commands.clone(),
        })
    }
}

async fn ask<T>(
    commands: &mpsc::UnboundedSender<Command>,
    make: impl FnOnce(Reply<T>) -> Command,
) -> Result<T, Error> {
    let (reply, rx) = oneshot::channel();
    commands
        .send(make(reply))
        .map_err(|_| Error::ConnectionClosed)?;
    rx.await.unwrap_or(Err(Error::ConnectionClosed))
}

async fn join(
    commands: &mpsc::UnboundedSender<Command>,
    realm: &str,
    credentials: Credentials,
) -> Result<Joined, Error> {
    ask(commands, |reply| Command::Join {
        realm: realm.into(),
        credentials,
        reply,
    })
    .await
}

/// Events of one subscription; ends when the subscription or the session ends.
#[derive(Debug)]
pub struct Subscription {
    id: Id,
    events: mpsc::UnboundedReceiver<EventData>,
    revocation: oneshot::Receiver<Revocation>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Subscription {
    /// The subscription ID.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The next event.
    pub async fn next(&mut self) -> Option<EventData> {
        self.events.recv().await
    }

    /// The broker's revocation, once [`Subscription::next`] has returned `None` because of
    /// it (`[UNSUBSCRIBED, 0, {subscription, reason}]`).
    pub fn revoked(&mut self) -> Option<Revocation> {
        self.revocation.try_recv().ok()
    }

    /// Unsubscribes and waits for UNSUBSCRIBED.
    pub async fn unsubscribe(self) -> Result<(), Error> {
        let subscription = self.id;
        ask(&self.commands, |reply| Command::Unsubscribe {
            subscription,
            reply,
        })
        .await
    }
}

impl futures_core::Stream for Subscription {
    type Item = EventData;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<EventData>> {
        self.events.poll_recv(cx)
    }
}

/// Invocations of one registration; ends when the registration or the session ends.
#[derive(Debug)]
pub struct Registration {
    id: Id,
    invocations: mpsc::UnboundedReceiver<InvocationRequest>,
    revocation: oneshot::Receiver<Revocation>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Registration {
    /// The registration ID.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The next invocation.
    pub async fn next(&mut self) -> Option<InvocationRequest> {
        self.invocations.recv().await
    }

    /// The dealer's revocation, once [`Registration::next`] has returned `None` because of
    /// it (`[UNREGISTERED, 0, {registration, reason}]`).
    pub fn revoked(&mut self) -> Option<Revocation> {
        self.revocation.try_recv().ok()
    }

    /// Unregisters and waits for UNREGISTERED.
    pub async fn unregister(self) -> Result<(), Error> {
        let registration = self.id;
        ask(&self.commands, |reply| Command::Unregister {
            registration,
            reply,
        })
        .await
    }
}

impl futures_core::Stream for Registration {
    type Item = InvocationRequest;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<InvocationRequest>> {
        self.invocations.poll_recv(cx)
    }
}

/// One INVOCATION to answer with [`InvocationRequest::reply`] or
/// [`InvocationRequest::fail`], after any number of [`InvocationRequest::progress`] results
/// if the caller asked for them. Dropping it unanswered sends ERROR
/// `wamp.error.runtime_error` so the caller is not left waiting, or `wamp.error.canceled`
/// after an INTERRUPT (nothing after a `killnowait` one: the dealer discards answers).
#[derive(Debug)]
pub struct InvocationRequest {
    request: Id,
    /// `Arguments`.
    pub args: List,
    /// `ArgumentsKw`.
    pub kwargs: Dict,
    /// INVOCATION.Details.
    pub details: Dict,
    interrupt: oneshot::Receiver<CancelMode>,
    interrupted: Option<CancelMode>,
    commands: Option<mpsc::UnboundedSender<Command>>,
}

/// The error an unanswered, dropped invocation gets.
pub const RUNTIME_ERROR: &str = "wamp.error.runtime_error";

impl InvocationRequest {
    fn answer(mut self, outcome: Result<Payload, ApplicationError>) {
        if let Some(commands) = self.commands.take() {
            // The session may be gone; then there is no one to answer.
            let _ = commands.send(Command::Yield {
                request: self.request,
                outcome,
            });
        }
    }

    /// The INVOCATION request ID.
    pub fn request(&self) -> Id {
        self.request
    }

    /// `details.receive_progress`: the caller accepts progressive results.
    pub fn receive_progress(&self) -> bool {
        self.details.get("receive_progress") == Some(&Value::Bool(true))
    }

    /// `details.caller`: the caller's session, when the dealer disclosed it.
    pub fn caller(&self) -> Option<Id> {
        self.details
            .get("caller")
            .and_then(Value::as_u64)
            .and_then(Id::new)
    }

    /// `details.procedure`: the concrete procedure of a pattern-based registration.
    pub fn procedure(&self) -> Option<&str> {
        self.details.get("procedure").and_then(Value::as_str)
    }

    /// Sends a progressive result (YIELD with `progress: true`); the invocation stays open.
    /// Refused unless the caller asked for progress ([`InvocationRequest::receive_progress`]).
    pub fn progress(&self, args: List, kwargs: Dict) -> Result<(), Error> {
        if !self.receive_progress() {
            return Err(CommandError::ProgressNotRequested {
                request: self.request,
            }
            .into());
        }
        let commands = self.commands.as_ref().ok_or(Error::ConnectionClosed)?;
        commands
            .send(Command::Progress {
                request: self.request,
                payload: Payload::new(args, kwargs),
            })
            .map_err(|_| Error::ConnectionClosed)
    }

    /// Waits until the dealer interrupts this invocation (INTERRUPT) and returns the mode;
    /// never returns if it does not, so use it in a `select!` beside the work.
    pub async fn interrupted(&mut self) -> CancelMode {
        if let Some(mode) = self.interrupted {
            return mode;
        }
        match (&mut self.interrupt).await {
            Ok(mode) => {
                self.interrupted = Some(mode);
                mode
            }
            // The invocation ended without an interrupt (the session is gone).
            Err(_) => std::future::pending().await,
        }
    }

    /// The INTERRUPT mode if the dealer has interrupted this invocation, without waiting.
    pub fn interruption(&mut self) -> Option<CancelMode> {
        if self.interrupted.is_none() {
            self.interrupted = self.interrupt.try_recv().ok();
        }
        self.interrupted
    }

    /// Answers with YIELD.
    pub fn reply(self, args: List, kwargs: Dict) {
        self.answer(Ok(Payload::new(args, kwargs)));
    }

    /// Answers with ERROR.
    pub fn fail(self, error: ApplicationError) {
        self.answer(Err(error));
    }
}

impl Drop for InvocationRequest {
    fn drop(&mut self) {
        if let Some(commands) = self.commands.take() {
            // The driver knows whether an INTERRUPT came, so it picks the answer.
            let _ = commands.send(Command::Abandon {
                request: self.request,
            });
        }
    }
}

/// A request waiting for the router's reply.
enum Pending {
    Subscribe(Reply<Id>, SubscriptionSink),
    Unsubscribe(Reply<()>),
    Publish(Reply<Option<Id>>),
    Register(Reply<Id>, RegistrationSink),
    Unregister(Reply<()>),
    /// The final result's sink and the progressive results' sink (dropped with the entry,
    /// which ends the caller's progress stream).
    Call(Reply<CallReply>, mpsc::UnboundedSender<CallReply>),
}

impl Pending {
    fn fail(self, error: Error) {
        // A dropped receiver means the caller stopped waiting: nothing to do.
        let _ = match self {
            Pending::Subscribe(r, _) => r.send(Err(error)).is_ok(),
            Pending::Unsubscribe(r) | Pending::Unregister(r) => r.send(Err(error)).is_ok(),
            Pending::Publish(r) => r.send(Err(error)).is_ok(),
            Pending::Register(r, _) => r.send(Err(error)).is_ok(),
            Pending::Call(r, _) => r.send(Err(error)).is_ok(),
        };
    }
}

/// Where one local subscriber's events (and its revocation) go.
struct SubscriptionSink {
    events: mpsc::UnboundedSender<EventData>,
    revoked: RevokedSink,
}

/// Where one registration's invocations (and its revocation) go.
struct RegistrationSink {
    invocations: mpsc::UnboundedSender<InvocationRequest>,
    revoked: RevokedSink,
}

/// An invocation handed to the application and not answered yet.
struct OpenInvocation {
    /// Tells the [`InvocationRequest`] of an INTERRUPT.
    interrupt: Option<oneshot::Sender<CancelMode>>,
    /// An INTERRUPT (kill) came: an abandoned invocation is answered `canceled`.
    interrupted: bool,
}

/// The task owning the transport and the session.
struct Driver {
    transport: Transport,
    session: ClientSession,
    pending: HashMap<Id, Pending>,
    /// Several local subscribers may share one subscription ID (same topic and options).
    subscriptions: HashMap<Id, Vec<SubscriptionSink>>,
    registrations: HashMap<Id, RegistrationSink>,
    invocations: HashMap<Id, OpenInvocation>,
    joining: Option<Reply<Joined>>,
    /// What answers a CHALLENGE during the join.
    credentials: Credentials,
    leaving: Option<Reply<()>>,
    /// A handle for invocation answers, given to each [`InvocationRequest`].
    commands: Option<mpsc::UnboundedSender<Command>>,
    /// Close the connection after this turn.
    stop: bool,
}

/// Whether the driver should go on.
enum Flow {
    Continue,
    Stop,
}

impl Driver {
    fn new(transport: Transport, session: ClientSession) -> Driver {
        Driver {
            transport,
            session,
            pending: HashMap::new(),
            subscriptions: HashMap::new(),
            registrations: HashMap::new(),
            invocations: HashMap::new(),
            joining: None,
            credentials: Credentials::default(),
            leaving: None,
            commands: None,
            stop: false,
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        // Invocation answers come back through the same channel; a weak link would end the
        // driver when the last Client is dropped, which a strong sender would prevent.
        let (answers_tx, mut answers) = mpsc::unbounded_channel();
        self.commands = Some(answers_tx);
        loop {
            let flow = tokio::select! {
                command = rx.recv() => match command {
                    Some(command) => self.command(command),
                    // Every Client handle is gone.
                    None => Flow::Stop,
                },
                Some(answer) = answers.recv() => self.command(answer),
                incoming = self.transport.recv() => self.incoming(incoming).await,
            };
            if self.flush().await.is_err() {
                break;
            }
            if self.stop || matches!(flow, Flow::Stop) {
                break;
            }
        }
        self.transport.close(CloseCode::NORMAL).await;
        self.fail_all();
    }

    /// Sends what the session queued, in one write.
    async fn flush(&mut self) -> Result<(), Error> {
        let mut any = false;
        while let Some(message) = self.session.poll_transmit() {
            self.transport.feed(&message).await?;
            any = true;
        }
        if any {
            self.transport.flush().await?;
        }
        Ok(())
    }

    fn fail_all(&mut self) {
        for (_, p) in self.pending.drain() {
            p.fail(Error::ConnectionClosed);
        }
        if let Some(r) = self.joining.take() {
            let _ = r.send(Err(Error::ConnectionClosed));
        }
        if let Some(r) = self.leaving.take() {
            let _ = r.send(Err(Error::ConnectionClosed));
        }
        self.subscriptions.clear();
        self.registrations.clear();
        self.invocations.clear();
    }

    /// The session ended (ABORT, GOODBYE, violation): pending requests fail, streams end.
    fn session_ended(&mut self, reason: &Uri, message: Option<String>) {
        let ended = || Error::SessionEnded {
            reason: reason.clone(),
            message: message.clone(),
        };
        for (_, p) in self.pending.drain() {
            p.fail(ended());
        }
        if let Some(r) = self.joining.take() {
            let _ = r.send(Err(ended()));
        }
        self.subscriptions.clear();
        self.registrations.clear();
        self.invocations.clear();
    }

    fn command(&mut self, command: Command) -> Flow {
        let s = &mut self.session;
        match command {
            Command::Join {
                realm,
                credentials,
                reply,
            } => {
                let mut details = Dict::new();
                credentials.add_to_hello(&mut details);
                match s.hello(realm, details) {
                    Ok(()) => {
                        self.joining = Some(reply);
                        self.credentials = credentials;
                    }
                    Err(e) => drop(reply.send(Err(e.into()))),
                }
            }
            Command::Leave { reply } => match s.goodbye(known::GOODBYE_AND_OUT.into()) {
                Ok(()) => self.leaving = Some(reply),
                Err(e) => drop(reply.send(Err(e.into()))),
            },
            Command::Subscribe {
                topic,
                options,
                events,
                revoked,
                reply,
            } => match s.subscribe(topic, options) {
                Ok(id) => {
                    let sink = SubscriptionSink { events, revoked };
                    self.pending.insert(id, Pending::Subscribe(reply, sink));
                }
                Err(e) => drop(reply.send(Err(e.into()))),
            },
            Command::Unsubscribe {
                subscription,
                reply,
            } => match s.unsubscribe(subscription) {
                Ok(id) => drop(self.pending.insert(id, Pending::Unsubscribe(reply))),
                Err(e) => drop(reply.send(Err(e.into()))),
            },
            Command::Publish {
                topic,
                options,
                payload,
                reply,
            } => {
                let acknowledge = options.get("acknowledge") == Some(&Value::Bool(true));
                match s.publish(topic, options, payload) {
                    Ok(id) if acknowledge => drop(self.pending.insert(id, Pending::Publish(reply))),
                    Ok(_) => drop(reply.send(Ok(None))),
                    Err(e) => drop(reply.send(Err(e.into()))),
                }
            }
            Command::Register {
                procedure,
                options,
                invocations,
                revoked,
                reply,
            } => match s.register(procedure, options) {
                Ok(id) => {
                    let sink = RegistrationSink {
                        invocations,
                        revoked,
                    };
                    self.pending.insert(id, Pending::Register(reply, sink));
                }
                Err(e) => drop(reply.send(Err(e.into()))),
            },
            Command::Unregister {
                registration,
                reply,
            } => match s.unregister(registration) {
                Ok(id) => drop(self.pending.insert(id, Pending::Unregister(reply))),
                Err(e) => drop(reply.send(Err(e.into()))),
            },
            Command::Call {
                procedure,
                options,
                payload,
                progress,
                result,
                started,
            } => match s.call(procedure, options, payload) {
                Ok(id) => {
                    self.pending.insert(id, Pending::Call(result, progress));
                    let _ = started.send(Ok(id));
                }
                Err(e) => drop(started.send(Err(e.into()))),
            },
            Command::Cancel {
                request,
                mode,
                reply,
            } => drop(reply.send(s.cancel(request, mode).map_err(Error::from))),
            Command::Progress { request, payload } => {
                // Fails only when the invocation or session is gone: nothing to send.
                let _ = s.yield_progress(request, payload);
            }
            Command::Abandon { request } => {
                let interrupted = self
                    .invocations
                    .remove(&request)
                    .is_some_and(|open| open.interrupted);
                let error = if interrupted {
                    known::CANCELED
                } else {
                    RUNTIME_ERROR
                };
                // Fails when already answered, interrupted with killnowait, or the session
                // is gone: then nothing is owed.
                let _ = s.yield_error(request, error.into(), Dict::new(), Payload::None);
            }
            Command::Yield { request, outcome } => {
                self.invocations.remove(&request);
                // Fails only when the session that invoked us is gone: nothing to answer.
                let _ = match outcome {
                    Ok(payload) => s.yield_result(request, Dict::new(), payload),
                    Err(e) => s.yield_error(
                        request,
                        e.error,
                        Dict::new(),
                        Payload::new(e.args, e.kwargs),
                    ),
                };
            }
        }
        Flow::Continue
    }

    async fn incoming(&mut self, incoming: Result<Option<Incoming>, Error>) -> Flow {
        let frame = match incoming {
            Ok(Some(Incoming::Frame(frame))) => frame,
            Ok(Some(Incoming::Ping(payload))) => {
                return match self.transport.pong(payload).await {
                    Ok(()) => Flow::Continue,
                    Err(_) => Flow::Stop,
                };
            }
            Ok(None) | Err(_) => return Flow::Stop,
        };
        let serialization = self.transport.serialization();
        match self.session.handle_frame(serialization, &frame) {
            Ok(events) => {
                for event in events {
                    self.event(event);
                }
                Flow::Continue
            }
            Err(violation) => {
                let reason = Uri::from(known::PROTOCOL_VIOLATION);
                let message = Some(violation.to_string());
                self.session_ended(&reason, message);
                // The queued ABORT is flushed by the loop, then the connection closes.
                Flow::Stop
            }
        }
    }

    fn event(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::Joined { session, details } => {
                if let Some(r) = self.joining.take() {
                    let _ = r.send(Ok(Joined::from_welcome(session, details)));
                }
            }
            ClientEvent::Aborted { reason, details } => {
                let message = details
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                self.session_ended(&reason, message);
            }
            ClientEvent::Left { reason, details } => {
                match self.leaving.take() {
                    Some(r) => drop(r.send(Ok(()))),
                    None => {
                        let message = details
                            .get("message")
                            .and_then(Value::as_str)
                            .map(str::to_owned);
                        self.session_ended(&reason, message);
                    }
                }
                self.subscriptions.clear();
                self.registrations.clear();
            }
            ClientEvent::Challenge { auth_method, extra } => {
                let answer = self.credentials.answer(&auth_method, &extra);
                let sent = match answer {
                    Ok(signature) => self.session.authenticate(signature, Dict::new()),
                    // Tell the router why the join ends here.
                    Err(e) => {
                        let reason = Uri::from(known::AUTHENTICATION_FAILED);
                        let message = e.to_string();
                        let sent = self.session.abort(reason.clone(), message.clone());
                        self.session_ended(&reason, Some(message));
                        sent
                    }
                };
                if let Err(e) = sent {
                    // A CHALLENGE outside the handshake is refused by the session itself;
                    // nothing else can fail here, but a join must not hang.
                    if let Some(r) = self.joining.take() {
                        let _ = r.send(Err(e.into()));
                    }
                }
            }
            ClientEvent::Subscribed {
                request,
                subscription,
            } => {
                if let Some(Pending::Subscribe(r, sink)) = self.pending.remove(&request) {
                    self.subscriptions
                        .entry(subscription)
                        .or_default()
                        .push(sink);
                    let _ = r.send(Ok(subscription));
                }
            }
            ClientEvent::Unsubscribed { request } => {
                if let Some(Pending::Unsubscribe(r)) = self.pending.remove(&request) {
                    let _ = r.send(Ok(()));
                }
            }
            ClientEvent::Published {
                request,
                publication,
            } => {
                if let Some(Pending::Publish(r)) = self.pending.remove(&request) {
                    let _ = r.send(Ok(Some(publication)));
                }
            }
            ClientEvent::Registered {
                request,
                registration,
            } => {
                if let Some(Pending::Register(r, sink)) = self.pending.remove(&request) {
                    self.registrations.insert(registration, sink);
                    let _ = r.send(Ok(registration));
                }
            }
            ClientEvent::Unregistered { request } => {
                if let Some(Pending::Unregister(r)) = self.pending.remove(&request) {
                    let _ = r.send(Ok(()));
                }
            }
            ClientEvent::Progress {
                request,
                details,
                payload,
            } => {
                if let Some(Pending::Call(_, progress)) = self.pending.get(&request) {
                    let (args, kwargs) = split(payload);
                    // The caller may have stopped reading progress: it still gets the result.
                    let _ = progress.send(CallReply {
                        args,
                        kwargs,
                        details,
                    });
                }
            }
            ClientEvent::Result {
                request,
                details,
                payload,
            } => {
                if let Some(Pending::Call(r, _)) = self.pending.remove(&request) {
                    let (args, kwargs) = split(payload);
                    let _ = r.send(Ok(CallReply {
                        args,
                        kwargs,
                        details,
                    }));
                }
            }
            ClientEvent::Error {
                request,
                error,
                payload,
                request_type,
                ..
            } => {
                let (args, kwargs) = split(payload);
                let e = Error::Application(ApplicationError {
                    error,
                    args,
                    kwargs,
                });
                if let Some(p) = self.pending.remove(&request) {
                    p.fail(e);
                }
                // The session machine already matched the type to the request.
                debug_assert!(request_type != MessageType::INVOCATION);
            }
            ClientEvent::Event(event) => {
                if let Some(sinks) = self.subscriptions.get_mut(&event.subscription) {
                    let data = EventData::from(event);
                    sinks.retain(|sink| sink.events.send(data.clone()).is_ok());
                }
            }
            ClientEvent::Invocation(invocation) => self.invocation(invocation),
            ClientEvent::Interrupt { request, mode, .. } => {
                let killnowait = mode == CancelMode::KillNoWait;
                if let Some(open) = self.invocations.get_mut(&request) {
                    open.interrupted = true;
                    if let Some(tell) = open.interrupt.take() {
                        let _ = tell.send(mode);
                    }
                }
                if killnowait {
                    // The session closed it: no answer is owed any more.
                    self.invocations.remove(&request);
                }
            }
            ClientEvent::RegistrationRevoked {
                registration,
                reason,
            } => {
                if let Some(sink) = self.registrations.remove(&registration) {
                    // Reported before the invocation stream ends (the sink drops here).
                    let _ = sink.revoked.send(Revocation { reason });
                }
            }
            ClientEvent::SubscriptionRevoked {
                subscription,
                reason,
            } => {
                for sink in self.subscriptions.remove(&subscription).unwrap_or_default() {
                    let _ = sink.revoked.send(Revocation {
                        reason: reason.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    fn invocation(&mut self, invocation: Invocation) {
        let Invocation {
            request,
            registration,
            details,
            payload,
        } = invocation;
        let (args, kwargs) = split(payload);
        let (tell, interrupt) = oneshot::channel();
        let request = InvocationRequest {
            request,
            args,
            kwargs,
            details,
            interrupt,
            interrupted: None,
            commands: self.commands.clone(),
        };
        self.invocations.insert(
            request.request,
            OpenInvocation {
                interrupt: Some(tell),
                interrupted: false,
            },
        );
        match self.registrations.get(&registration) {
            // A failed send returns the request, whose drop answers with runtime_error.
            Some(sink) => drop(sink.invocations.send(request)),
            None => drop(request),
        }
    }
}
