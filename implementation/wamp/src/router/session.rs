//! Sessions: who a peer is once WELCOME went out (identity, announced client features), how a
//! HELLO becomes a session (the realm here, authentication in `auth.rs`), and what leaving
//! releases.

use std::collections::{BTreeMap, BTreeSet};

use super::testament::Testaments;
use super::{Output, PeerId, PeerState, Phase, Realm, RealmConfig, Router, Violation, features};
use crate::id::{Id, IdSequence};
use crate::message::*;
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// Who a session authenticated as (WELCOME.Details `authid`, `authrole`, `authmethod`,
/// `authprovider`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The principal.
    pub authid: String,
    /// The role whose permissions apply.
    pub authrole: String,
    /// `anonymous`, `ticket`, `wampcra` or `cryptosign`.
    pub authmethod: String,
    /// Where the principal was found (`static`: the router configuration).
    pub authprovider: String,
}

/// Discloses who sent a CALL or PUBLISH (caller or publisher identification): `<role>`,
/// `<role>_authid` and `<role>_authrole` in `details`.
pub(super) fn disclose(details: &mut Dict, role: &str, session: Id, authid: &str, authrole: &str) {
    details.insert(role.to_owned(), Value::from(session.get()));
    details.insert(format!("{role}_authid"), Value::from(authid));
    details.insert(format!("{role}_authrole"), Value::from(authrole));
}

/// The features a client announced per role in HELLO.Details.roles (`basic/sessions.md`);
/// a feature counts only when its value is `true`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRoles(BTreeMap<String, BTreeSet<String>>);

impl ClientRoles {
    /// Reads HELLO.Details.roles; anything that is not a dict of `{features: {name: true}}`
    /// counts as announcing nothing.
    pub fn from_hello(details: &Dict) -> ClientRoles {
        let mut roles = BTreeMap::new();
        if let Some(Value::Dict(announced)) = details.get("roles") {
            for (role, value) in announced {
                let features = value
                    .as_dict()
                    .and_then(|r| r.get("features"))
                    .and_then(Value::as_dict)
                    .map(|f| {
                        f.iter()
                            .filter(|(_, on)| **on == Value::Bool(true))
                            .map(|(name, _)| name.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                roles.insert(role.clone(), features);
            }
        }
        ClientRoles(roles)
    }

    /// Whether the client plays `role` (`caller`, `callee`, `publisher`, `subscriber`).
    pub fn has_role(&self, role: &str) -> bool {
        self.0.contains_key(role)
    }

    /// Whether the client announced `feature` for `role`.
    pub fn announces(&self, role: &str, feature: &str) -> bool {
        self.0.get(role).is_some_and(|f| f.contains(feature))
    }
}

/// An established session.
#[derive(Debug)]
pub(super) struct Session {
    pub(super) id: Id,
    pub(super) realm: Uri,
    pub(super) identity: Identity,
    pub(super) roles: ClientRoles,
    /// Next expected client→router request ID.
    pub(super) requests: IdSequence,
    /// Router→client INVOCATION request IDs.
    pub(super) invocations: IdSequence,
    /// Events to publish when the session ends.
    pub(super) testaments: Testaments,
}

impl<R: rand::RngCore> Router<R> {
    /// HELLO (or ABORT) from a peer without a session.
    pub(super) fn awaiting_hello(
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
            self.config
                .realms
                .insert(hello.realm.clone(), RealmConfig::open());
        }
        self.authenticate(peer, hello.realm, hello.details, out);
        Ok(())
    }

    pub(super) fn new_session_id(&mut self) -> Id {
        loop {
            let candidate = Id::random(&mut self.rng);
            if self.session_ids.insert(candidate) {
                return candidate;
            }
        }
    }

    /// Opens the session and sends WELCOME.
    pub(super) fn welcome(
        &mut self,
        peer: PeerId,
        id: Id,
        realm: Uri,
        identity: Identity,
        roles: ClientRoles,
        out: &mut Vec<Output>,
    ) {
        let mut details = Dict::new();
        details.insert("roles".into(), features::router_roles());
        details.insert("realm".into(), Value::from(realm.as_str()));
        details.insert("agent".into(), Value::from(self.config.agent.as_str()));
        details.insert("authid".into(), Value::from(identity.authid.as_str()));
        details.insert("authrole".into(), Value::from(identity.authrole.as_str()));
        details.insert(
            "authmethod".into(),
            Value::from(identity.authmethod.as_str()),
        );
        details.insert(
            "authprovider".into(),
            Value::from(identity.authprovider.as_str()),
        );
        self.peers.insert(
            peer,
            PeerState::Established(Box::new(Session {
                id,
                realm,
                identity,
                roles,
                requests: IdSequence::default(),
                invocations: IdSequence::default(),
                testaments: Testaments::default(),
            })),
        );
        out.push(Output::Send {
            to: peer,
            message: Message::Welcome(Welcome {
                session: id,
                details,
            }),
        });
        self.announce_join(peer, out);
    }

    /// Ends `peer`'s session, if any, with its testaments and meta events.
    pub(super) fn leave(&mut self, peer: PeerId, out: &mut Vec<Output>) {
        self.end_session(peer, true, out);
    }

    /// Ends `peer`'s session, if any: subscriptions and registrations go, and its calls end
    /// (see `leave_dealer`). With `announce`, its testaments and `wamp.session.on_leave` are
    /// published (the subscription meta events always are). A peer still being challenged
    /// only releases the session ID reserved for it.
    pub(super) fn end_session(&mut self, peer: PeerId, announce: bool, out: &mut Vec<Output>) {
        match self.peers.get(&peer) {
            Some(PeerState::Established(_)) => {}
            Some(PeerState::Challenged(c)) => {
                self.session_ids.remove(&c.session);
                self.peers.insert(peer, PeerState::AwaitingHello);
                return;
            }
            _ => return,
        }
        let Some(PeerState::Established(session)) =
            self.peers.insert(peer, PeerState::AwaitingHello)
        else {
            return;
        };
        let session = *session;
        self.session_ids.remove(&session.id);
        let Some(realm) = self.realms.get_mut(&session.realm) else {
            return;
        };
        let unsubscribed = realm.broker.remove_peer(peer);
        self.leave_dealer(peer, session.id, &session.realm, out);
        let identity = &session.identity;
        if announce {
            let publisher = super::audience::Publisher {
                session: session.id,
                authid: identity.authid.clone(),
                authrole: identity.authrole.clone(),
            };
            self.publish_testaments(&session.realm, &publisher, session.testaments, out);
        }
        for removed in &unsubscribed {
            self.announce_unsubscribed(&session.realm, session.id, removed, out);
        }
        if announce {
            self.announce_leave(
                &session.realm,
                session.id,
                &identity.authid,
                &identity.authrole,
                out,
            );
        }
    }
}
