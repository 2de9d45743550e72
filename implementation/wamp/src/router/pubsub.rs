//! The broker's side of the router: SUBSCRIBE, UNSUBSCRIBE and PUBLISH of established
//! sessions (after the checks every request shares, in [`Router::request`]), the one path
//! every event takes to its subscribers, and subscription revocation.

use super::audience::{Audience, Publication, Publisher};
use super::broker::Joined;
use super::{Output, PeerId, PeerState, Request, Router, Violation, check_no_passthru};
use crate::id::Id;
use crate::message::*;
use crate::pattern::{MatchPolicy, Pattern};
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

impl<R: rand::RngCore> Router<R> {
    pub(super) fn subscribe(&mut self, req: &Request, m: Subscribe, out: &mut Vec<Output>) {
        let Some(session) = self.session_id(req.peer) else {
            return;
        };
        // The decoder admits only exact, prefix and wildcard.
        let policy = MatchPolicy::from_options(&m.options).unwrap_or_default();
        let pattern = Pattern {
            uri: m.topic,
            policy,
        };
        if pattern.check(self.config.uri_rule).is_err() {
            out.push(req.error(known::INVALID_URI));
            return;
        }
        let Self {
            realms, router_ids, ..
        } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return;
        };
        let (subscription, joined) = realm
            .broker
            .subscribe(req.peer, pattern.clone(), || router_ids.advance());
        out.push(req.reply(Message::Subscribed(Subscribed {
            request: req.id,
            subscription,
        })));
        if m.options.get("get_retained") == Some(&Value::Bool(true)) {
            self.deliver_retained(req, subscription, &pattern, out);
        }
        if joined != Joined::Already {
            self.announce_subscribed(&req.realm, session, subscription, &pattern, joined, out);
        }
    }

    pub(super) fn unsubscribe(&mut self, req: &Request, m: Unsubscribe, out: &mut Vec<Output>) {
        let Some(session) = self.session_id(req.peer) else {
            return;
        };
        let Some(realm) = self.realms.get_mut(&req.realm) else {
            return;
        };
        match realm.broker.unsubscribe(req.peer, m.subscription) {
            Some(removed) => {
                out.push(req.reply(Message::Unsubscribed(Unsubscribed {
                    request: Some(req.id),
                    details: None,
                })));
                self.announce_unsubscribed(&req.realm, session, &removed, out);
            }
            None => out.push(req.error(known::NO_SUCH_SUBSCRIPTION)),
        }
    }

    pub(super) fn publish(
        &mut self,
        req: &Request,
        m: Publish,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        check_no_passthru(req.kind, &m.options, &m.payload)?;
        let acknowledge = m.options.get("acknowledge") == Some(&Value::Bool(true));
        if m.topic.check(self.config.uri_rule).is_err() || m.topic.is_reserved() {
            if acknowledge {
                out.push(req.error(known::INVALID_URI));
            }
            return Ok(());
        }
        let Some(publisher) = self.publisher(req.peer) else {
            return Ok(());
        };
        let publication = self.publication(m.topic, m.payload, &m.options, &publisher);
        self.deliver(&req.realm, &publication, out);
        if acknowledge {
            out.push(req.reply(Message::Published(Published {
                request: req.id,
                publication: publication.id,
            })));
        }
        if m.options.get("retain") == Some(&Value::Bool(true)) {
            if let Some(realm) = self.realms.get_mut(&req.realm) {
                realm.broker.retain(publication);
            }
        }
        Ok(())
    }

    /// The identity of `peer`'s session as a publisher.
    pub(super) fn publisher(&self, peer: PeerId) -> Option<Publisher> {
        match self.peers.get(&peer) {
            Some(PeerState::Established(s)) => Some(Publisher {
                session: s.id,
                authid: s.identity.authid.clone(),
                authrole: s.identity.authrole.clone(),
            }),
            _ => None,
        }
    }

    /// A new publication by `publisher` with PUBLISH.Options `options`.
    pub(super) fn publication(
        &mut self,
        topic: Uri,
        payload: Payload,
        options: &Dict,
        publisher: &Publisher,
    ) -> Publication {
        let disclose = options.get("disclose_me") == Some(&Value::Bool(true));
        Publication {
            id: Id::random(&mut self.rng),
            topic,
            payload,
            audience: Audience::from_options(options, Some(publisher.session)),
            disclosed: disclose.then(|| publisher.clone()),
        }
    }

    /// Sends `publication` to every subscriber of every subscription its topic matches in
    /// `realm` that its audience admits: one EVENT per subscription, all with its ID.
    pub(super) fn deliver(&self, realm: &Uri, publication: &Publication, out: &mut Vec<Output>) {
        let Some(realm) = self.realms.get(realm) else {
            return;
        };
        for (subscription, sub) in realm.broker.matching(&publication.topic) {
            for &to in &sub.subscribers {
                if let Some(message) =
                    self.event(to, subscription, sub.pattern.policy, publication, false)
                {
                    out.push(Output::Send { to, message });
                }
            }
        }
    }

    /// The retained events `pattern` matches, to the session that just subscribed.
    fn deliver_retained(
        &self,
        req: &Request,
        subscription: Id,
        pattern: &Pattern,
        out: &mut Vec<Output>,
    ) {
        let Some(realm) = self.realms.get(&req.realm) else {
            return;
        };
        for publication in realm.broker.retained_for(pattern) {
            if let Some(message) =
                self.event(req.peer, subscription, pattern.policy, publication, true)
            {
                out.push(req.reply(message));
            }
        }
    }

    /// The EVENT for subscriber `to`, or `None` if the publication's audience leaves it out.
    fn event(
        &self,
        to: PeerId,
        subscription: Id,
        policy: MatchPolicy,
        publication: &Publication,
        retained: bool,
    ) -> Option<Message> {
        let Some(PeerState::Established(session)) = self.peers.get(&to) else {
            return None;
        };
        if !publication.audience.admits(session.id, &session.identity) {
            return None;
        }
        let mut details = Dict::new();
        if policy != MatchPolicy::Exact {
            details.insert("topic".into(), Value::from(publication.topic.as_str()));
        }
        let identifies = session
            .roles
            .announces("subscriber", "publisher_identification");
        if let Some(publisher) = publication.disclosed.as_ref().filter(|_| identifies) {
            publisher.add_to(&mut details);
        }
        if retained {
            details.insert("retained".into(), Value::Bool(true));
        }
        Some(Message::Event(Event {
            subscription,
            publication: publication.id,
            details,
            payload: publication.payload.clone(),
        }))
    }

    /// Revokes subscription `subscription` in `realm` from all its subscribers
    /// (`advanced/pubsub_subscription_revocation.md`): those that announced
    /// `subscription_revocation` get `UNSUBSCRIBED` with `reason`, the others are removed
    /// silently; the subscription meta events follow. Nothing happens for an unknown one.
    pub fn revoke_subscription(
        &mut self,
        realm: &Uri,
        subscription: Id,
        reason: Option<&str>,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let subscribers: Vec<PeerId> = self
            .realms
            .get(realm)
            .and_then(|r| r.broker.get(subscription))
            .map(|s| s.subscribers.iter().copied().collect())
            .unwrap_or_default();
        for peer in subscribers {
            self.revoke_subscriber(realm, subscription, peer, reason, &mut out);
        }
        out
    }

    /// Takes `peer` off `subscription`; false if it was not on it.
    pub(super) fn revoke_subscriber(
        &mut self,
        realm: &Uri,
        subscription: Id,
        peer: PeerId,
        reason: Option<&str>,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(PeerState::Established(session)) = self.peers.get(&peer) else {
            return false;
        };
        let (session_id, announced) = (
            session.id,
            session
                .roles
                .announces("subscriber", "subscription_revocation"),
        );
        let Some(removed) = self
            .realms
            .get_mut(realm)
            .and_then(|r| r.broker.unsubscribe(peer, subscription))
        else {
            return false;
        };
        if announced {
            let mut details =
                Dict::from([("subscription".to_owned(), Value::from(subscription.get()))]);
            if let Some(reason) = reason {
                details.insert("reason".into(), Value::from(reason));
            }
            out.push(Output::Send {
                to: peer,
                message: Message::Unsubscribed(Unsubscribed {
                    request: None,
                    details: Some(details),
                }),
            });
        }
        self.announce_unsubscribed(realm, session_id, &removed, out);
        true
    }
}
