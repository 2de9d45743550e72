//! The broker of one realm: subscriptions (exact matching) and event dispatch.

use std::collections::{BTreeMap, BTreeSet};

use super::PeerId;
use crate::id::Id;
use crate::uri::Uri;

#[derive(Debug, Default)]
pub(super) struct Broker {
    by_topic: BTreeMap<Uri, Id>,
    subscriptions: BTreeMap<Id, Subscription>,
}

#[derive(Debug)]
struct Subscription {
    topic: Uri,
    subscribers: BTreeSet<PeerId>,
}

impl Broker {
    /// Subscribes `peer`; a second SUBSCRIBE to the same topic returns the same ID.
    pub(super) fn subscribe(
        &mut self,
        peer: PeerId,
        topic: Uri,
        new_id: impl FnOnce() -> Id,
    ) -> Id {
        let id = *self.by_topic.entry(topic.clone()).or_insert_with(new_id);
        self.subscriptions
            .entry(id)
            .or_insert_with(|| Subscription {
                topic,
                subscribers: BTreeSet::new(),
            })
            .subscribers
            .insert(peer);
        id
    }

    /// Removes `peer` from subscription `id`; false if it was not subscribed.
    pub(super) fn unsubscribe(&mut self, peer: PeerId, id: Id) -> bool {
        let Some(sub) = self.subscriptions.get_mut(&id) else {
            return false;
        };
        if !sub.subscribers.remove(&peer) {
            return false;
        }
        if sub.subscribers.is_empty() {
            self.by_topic.remove(&sub.topic);
            self.subscriptions.remove(&id);
        }
        true
    }

    /// Every subscription `peer` holds is removed.
    pub(super) fn remove_peer(&mut self, peer: PeerId) {
        let ids: Vec<Id> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s.subscribers.contains(&peer))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.unsubscribe(peer, id);
        }
    }

    /// The subscription on `topic` and its subscribers, if any.
    pub(super) fn subscribers(&self, topic: &Uri) -> Option<(Id, &BTreeSet<PeerId>)> {
        let id = self.by_topic.get(topic)?;
        self.subscriptions.get(id).map(|s| (*id, &s.subscribers))
    }
}
