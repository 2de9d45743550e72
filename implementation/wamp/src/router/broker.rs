//! The broker of one realm: subscriptions (one per topic pattern and match policy, shared by
//! its subscribers), which of them an event reaches, and the retained event of each topic.

use std::collections::{BTreeMap, BTreeSet};

use super::PeerId;
use super::audience::Publication;
use crate::id::Id;
use crate::pattern::{MatchPolicy, Pattern};
use crate::uri::Uri;

#[derive(Debug, Default)]
pub(super) struct Broker {
    by_pattern: BTreeMap<Pattern, Id>,
    subscriptions: BTreeMap<Id, Subscription>,
    /// The last event published with `retain: true` on each topic.
    retained: BTreeMap<Uri, Publication>,
}

#[derive(Debug)]
pub(super) struct Subscription {
    pub(super) pattern: Pattern,
    pub(super) subscribers: BTreeSet<PeerId>,
}

/// What a SUBSCRIBE changed, for the subscription meta events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Joined {
    /// The subscription is new and the session its first subscriber.
    Created,
    /// The session joined an existing subscription.
    Added,
    /// The session was subscribed already.
    Already,
}

/// A session taken off a subscription.
#[derive(Debug, Clone)]
pub(super) struct Removed {
    pub(super) subscription: Id,
    pub(super) pattern: Pattern,
    /// It was the last subscriber: the subscription is gone.
    pub(super) deleted: bool,
}

impl Broker {
    /// Subscribes `peer` to `pattern`; every session subscribing to the same pattern with the
    /// same policy shares one subscription ID.
    pub(super) fn subscribe(
        &mut self,
        peer: PeerId,
        pattern: Pattern,
        new_id: impl FnOnce() -> Id,
    ) -> (Id, Joined) {
        let mut created = false;
        let id = *self.by_pattern.entry(pattern.clone()).or_insert_with(|| {
            created = true;
            new_id()
        });
        let sub = self
            .subscriptions
            .entry(id)
            .or_insert_with(|| Subscription {
                pattern,
                subscribers: BTreeSet::new(),
            });
        let joined = match (created, sub.subscribers.insert(peer)) {
            (true, _) => Joined::Created,
            (false, true) => Joined::Added,
            (false, false) => Joined::Already,
        };
        (id, joined)
    }

    /// Removes `peer` from subscription `id`; `None` if it was not subscribed.
    pub(super) fn unsubscribe(&mut self, peer: PeerId, id: Id) -> Option<Removed> {
        let sub = self.subscriptions.get_mut(&id)?;
        if !sub.subscribers.remove(&peer) {
            return None;
        }
        let pattern = sub.pattern.clone();
        let deleted = sub.subscribers.is_empty();
        if deleted {
            self.by_pattern.remove(&pattern);
            self.subscriptions.remove(&id);
        }
        Some(Removed {
            subscription: id,
            pattern,
            deleted,
        })
    }

    /// Every subscription `peer` holds is removed, in subscription order.
    pub(super) fn remove_peer(&mut self, peer: PeerId) -> Vec<Removed> {
        let ids: Vec<Id> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.subscribers.contains(&peer))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.unsubscribe(peer, id))
            .collect()
    }

    /// The subscriptions `topic` matches (exact, prefix and wildcard), in ID order.
    pub(super) fn matching<'a>(
        &'a self,
        topic: &'a Uri,
    ) -> impl Iterator<Item = (Id, &'a Subscription)> + 'a {
        self.subscriptions
            .iter()
            .filter(|(_, s)| s.pattern.matches(topic))
            .map(|(id, s)| (*id, s))
    }

    pub(super) fn get(&self, id: Id) -> Option<&Subscription> {
        self.subscriptions.get(&id)
    }

    /// The subscription for exactly this pattern and policy.
    pub(super) fn lookup(&self, pattern: &Pattern) -> Option<Id> {
        self.by_pattern.get(pattern).copied()
    }

    /// Subscription IDs with the given policy, in ID order.
    pub(super) fn ids_with(&self, policy: MatchPolicy) -> Vec<Id> {
        self.subscriptions
            .iter()
            .filter(|(_, s)| s.pattern.policy == policy)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Keeps `publication` as the retained event of its topic, replacing the previous one.
    pub(super) fn retain(&mut self, publication: Publication) {
        self.retained.insert(publication.topic.clone(), publication);
    }

    /// The retained events whose topics `pattern` matches, in topic order.
    pub(super) fn retained_for<'a>(
        &'a self,
        pattern: &'a Pattern,
    ) -> impl Iterator<Item = &'a Publication> + 'a {
        self.retained.values().filter(|p| pattern.matches(&p.topic))
    }
}
