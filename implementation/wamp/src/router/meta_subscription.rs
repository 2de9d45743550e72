//! The subscription meta API (`advanced/meta_api_subscriptions.md`): the lifecycle events of
//! subscriptions and the procedures that list, look up and describe them in the caller's
//! realm. Subscriptions to the meta API's own `wamp.*` topics raise no meta events (as in
//! Crossbar), so watching the meta events does not feed them.
//!
//! `SubscriptionDetails.created` is left out: subscriptions do not record when they were made.

use super::broker::{Joined, Removed};
use super::meta::{Args, Handler, MetaError, id_list, results};
use super::{Output, PeerState, Request, Router};
use crate::id::Id;
use crate::message::Payload;
use crate::pattern::{MatchPolicy, Pattern};
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// `SubscriptionDetails`: `{id, uri, match}`.
fn subscription_details(id: Id, pattern: &Pattern) -> Value {
    Value::Dict(Dict::from([
        ("id".to_owned(), Value::from(id.get())),
        ("uri".to_owned(), Value::from(pattern.uri.as_str())),
        ("match".to_owned(), Value::from(pattern.policy.as_str())),
    ]))
}

fn no_such_subscription(id: Id) -> MetaError {
    MetaError::new(
        known::NO_SUCH_SUBSCRIPTION,
        format!("no subscription {id} in this realm"),
    )
}

impl<R: rand::RngCore> Router<R> {
    pub(super) fn subscription_procedure(uri: &str) -> Option<Handler<R>> {
        Some(match uri {
            "wamp.subscription.list" => |r, req, _, _| {
                let lists: Dict = [
                    MatchPolicy::Exact,
                    MatchPolicy::Prefix,
                    MatchPolicy::Wildcard,
                ]
                .into_iter()
                .map(|p| {
                    let ids = r.broker(req).map(|b| b.ids_with(p)).unwrap_or_default();
                    (p.as_str().to_owned(), id_list(ids))
                })
                .collect();
                Ok(results(vec![Value::Dict(lists)]))
            },
            "wamp.subscription.lookup" => |r, req, args, _| {
                let topic = Uri::from(args.string(0)?);
                let options = Args::optional(args.get(1), "options: a dict", Value::as_dict)?;
                let policy = match options.and_then(|o| o.get("match")) {
                    None => MatchPolicy::Exact,
                    Some(v) => v.as_str().and_then(MatchPolicy::parse).ok_or_else(|| {
                        MetaError::new(
                            known::INVALID_ARGUMENT,
                            "options.match must be exact, prefix or wildcard",
                        )
                    })?,
                };
                let found = r
                    .broker(req)
                    .and_then(|b| b.lookup(&Pattern { uri: topic, policy }));
                Ok(results(vec![
                    found.map_or(Value::Null, |id| Value::from(id.get())),
                ]))
            },
            "wamp.subscription.match" => |r, req, args, _| {
                let topic = Uri::from(args.string(0)?);
                let ids: Vec<Id> = r
                    .broker(req)
                    .map(|b| b.matching(&topic).map(|(id, _)| id).collect())
                    .unwrap_or_default();
                // Nullable in the spec: null when nothing matches.
                let found = if ids.is_empty() {
                    Value::Null
                } else {
                    id_list(ids)
                };
                Ok(results(vec![found]))
            },
            "wamp.subscription.get" => |r, req, args, _| {
                let id = args.id(0)?;
                let sub = r.subscription(req, id)?;
                Ok(results(vec![subscription_details(id, &sub.pattern)]))
            },
            "wamp.subscription.list_subscribers" => |r, req, args, _| {
                let id = args.id(0)?;
                let sub = r.subscription(req, id)?;
                let sessions: Vec<Id> = sub
                    .subscribers
                    .iter()
                    .filter_map(|p| match r.peers.get(p) {
                        Some(PeerState::Established(s)) => Some(s.id),
                        _ => None,
                    })
                    .collect();
                Ok(results(vec![id_list(sessions)]))
            },
            "wamp.subscription.count_subscribers" => |r, req, args, _| {
                let id = args.id(0)?;
                let n = r.subscription(req, id)?.subscribers.len();
                Ok(results(vec![Value::from(n as u64)]))
            },
            // Crossbar's administrative revocation: (subscription, session, reason=).
            "wamp.subscription.remove_subscriber" => |r, req, args, out| {
                let id = args.id(0)?;
                let session = args.id(1)?;
                let reason =
                    Args::optional(args.keyword("reason"), "reason: a string", Value::as_str)?;
                let subscribers = r.subscription(req, id)?.subscribers.clone();
                let peer = subscribers
                    .into_iter()
                    .find(|p| r.session_id(*p) == Some(session));
                let realm = req.realm.clone();
                match peer {
                    Some(peer) if r.revoke_subscriber(&realm, id, peer, reason, out) => {
                        Ok(Payload::None)
                    }
                    _ => Err(MetaError::new(
                        known::NO_SUCH_SUBSCRIPTION,
                        format!("session {session} is not subscribed to {id}"),
                    )),
                }
            },
            _ => return None,
        })
    }

    fn broker(&self, req: &Request) -> Option<&super::broker::Broker> {
        self.realms.get(&req.realm).map(|r| &r.broker)
    }

    fn subscription(
        &self,
        req: &Request,
        id: Id,
    ) -> Result<&super::broker::Subscription, MetaError> {
        self.broker(req)
            .and_then(|b| b.get(id))
            .ok_or_else(|| no_such_subscription(id))
    }

    /// `on_create` (for a new subscription), then `on_subscribe`.
    pub(super) fn announce_subscribed(
        &mut self,
        realm: &Uri,
        session: Id,
        subscription: Id,
        pattern: &Pattern,
        joined: Joined,
        out: &mut Vec<Output>,
    ) {
        if pattern.uri.is_reserved() {
            return;
        }
        let session = Value::from(session.get());
        if joined == Joined::Created {
            let details = subscription_details(subscription, pattern);
            self.publish_meta(
                realm,
                "wamp.subscription.on_create",
                vec![session.clone(), details],
                out,
            );
        }
        let args = vec![session, Value::from(subscription.get())];
        self.publish_meta(realm, "wamp.subscription.on_subscribe", args, out);
    }

    /// `on_unsubscribe`, then `on_delete` when the subscription is gone.
    pub(super) fn announce_unsubscribed(
        &mut self,
        realm: &Uri,
        session: Id,
        removed: &Removed,
        out: &mut Vec<Output>,
    ) {
        if removed.pattern.uri.is_reserved() {
            return;
        }
        let args = vec![
            Value::from(session.get()),
            Value::from(removed.subscription.get()),
        ];
        self.publish_meta(realm, "wamp.subscription.on_unsubscribe", args.clone(), out);
        if removed.deleted {
            self.publish_meta(realm, "wamp.subscription.on_delete", args, out);
        }
    }
}
