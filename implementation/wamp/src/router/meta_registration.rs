//! The registration meta API (`advanced/meta_api_registrations.md`): the events
//! `wamp.registration.on_create|on_register|on_unregister|on_delete`, published to the realm
//! of the session that caused them, and the procedures `wamp.registration.list|lookup|match|
//! get|list_callees|count_callees`, answered by the router itself.
//!
//! RegistrationDetails carry `id`, `uri`, `match` and `invoke`; `created` (a timestamp) is
//! left out because the sans-IO router has no clock.

use super::dealer::Registration;
use super::{Output, Request, Router};
use crate::id::Id;
use crate::message::*;
use crate::pattern::{MatchPolicy, Pattern};
use crate::uri::{Uri, known};
use crate::value::{Dict, List, Value};

fn id_value(id: Id) -> Value {
    Value::from(id.get())
}

fn details(id: Id, reg: &Registration) -> Value {
    Value::Dict(Dict::from([
        ("id".to_owned(), id_value(id)),
        ("uri".to_owned(), Value::from(reg.pattern.uri.as_str())),
        ("match".to_owned(), Value::from(reg.pattern.policy.as_str())),
        ("invoke".to_owned(), Value::from(reg.invoke.as_str())),
    ]))
}

/// Why a meta call failed: an error URI for the caller.
type MetaResult = Result<Value, &'static str>;

impl<R: rand::RngCore> Router<R> {
    /// Answers a CALL to `wamp.registration.*`; false if `m` names no such procedure.
    pub(super) fn registration_meta_call(
        &mut self,
        req: &Request,
        m: &Call,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(name) = m.procedure.as_str().strip_prefix("wamp.registration.") else {
            return false;
        };
        let Some(realm) = self.realms.get(&req.realm) else {
            return true;
        };
        let dealer = &realm.dealer;
        let args = m.payload.args();
        let uri_arg = || match args.first() {
            Some(Value::Str(s)) => Ok(Uri::from(s.as_str())),
            _ => Err(known::INVALID_ARGUMENT),
        };
        let id_arg = || {
            args.first()
                .and_then(Value::as_u64)
                .and_then(Id::new)
                .ok_or(known::INVALID_ARGUMENT)
        };
        let registration = |id: Id| dealer.get(id).ok_or(known::NO_SUCH_REGISTRATION);
        let nullable = |id: Option<Id>| id.map_or(Value::Null, id_value);
        let result: MetaResult = match name {
            "list" => Ok(Value::Dict(
                [
                    MatchPolicy::Exact,
                    MatchPolicy::Prefix,
                    MatchPolicy::Wildcard,
                ]
                .into_iter()
                .map(|p| {
                    let ids = dealer.ids_with(p).into_iter().map(id_value).collect();
                    (p.as_str().to_owned(), Value::List(ids))
                })
                .collect(),
            )),
            "lookup" => uri_arg().and_then(|uri| {
                let options = match args.get(1) {
                    None => Dict::new(),
                    Some(Value::Dict(d)) => d.clone(),
                    Some(_) => return Err(known::INVALID_ARGUMENT),
                };
                let policy = MatchPolicy::from_options(&options).ok_or(known::INVALID_ARGUMENT)?;
                Ok(nullable(dealer.lookup(&Pattern { uri, policy })))
            }),
            "match" => uri_arg().map(|uri| nullable(dealer.best_match(&uri))),
            "get" => id_arg().and_then(|id| Ok(details(id, registration(id)?))),
            "list_callees" => id_arg().and_then(|id| {
                let callees = registration(id)?.callees.iter();
                Ok(Value::List(callees.map(|c| id_value(c.session)).collect()))
            }),
            "count_callees" => {
                id_arg().and_then(|id| Ok(Value::from(registration(id)?.callees.len() as u64)))
            }
            _ => return false,
        };
        out.push(req.reply(match result {
            Ok(value) => Message::Result(CallResult {
                request: req.id,
                details: Dict::new(),
                payload: Payload::Args(vec![value]),
            }),
            Err(uri) => Message::error(req.kind, req.id, uri),
        }));
        true
    }

    /// A callee was attached to `registration` (which it `created`, if so): `on_create`
    /// (with the RegistrationDetails), then `on_register`.
    pub(super) fn callee_attached(
        &mut self,
        realm: &Uri,
        session: Id,
        registration: Id,
        created: bool,
        out: &mut Vec<Output>,
    ) {
        if created {
            let Some(reg) = self
                .realms
                .get(realm)
                .and_then(|r| r.dealer.get(registration))
            else {
                return;
            };
            let args = vec![id_value(session), details(registration, reg)];
            self.publish_meta(realm, "wamp.registration.on_create", args, out);
        }
        let args = vec![id_value(session), id_value(registration)];
        self.publish_meta(realm, "wamp.registration.on_register", args, out);
    }

    /// A callee was detached from `registration` (`deleted` if it was the last one):
    /// `on_unregister`, then `on_delete`.
    pub(super) fn callee_detached(
        &mut self,
        realm: &Uri,
        session: Id,
        registration: Id,
        deleted: bool,
        out: &mut Vec<Output>,
    ) {
        let args = vec![id_value(session), id_value(registration)];
        self.publish_meta(realm, "wamp.registration.on_unregister", args.clone(), out);
        if deleted {
            self.publish_meta(realm, "wamp.registration.on_delete", args, out);
        }
    }

    /// Publishes a meta event from the router to the exact subscribers of `topic` in
    /// `realm`.
    fn publish_meta(&mut self, realm: &Uri, topic: &str, args: List, out: &mut Vec<Output>) {
        let Some(r) = self.realms.get(realm) else {
            return;
        };
        let Some((subscription, subscribers)) = r.broker.subscribers(&Uri::from(topic)) else {
            return;
        };
        let publication = Id::random(&mut self.rng);
        for &to in subscribers {
            out.push(Output::Send {
                to,
                message: Message::Event(Event {
                    subscription,
                    publication,
                    details: Dict::new(),
                    payload: Payload::Args(args.clone()),
                }),
            });
        }
    }
}
