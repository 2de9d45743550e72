//! The registration meta API (`advanced/meta_api_registrations.md`): the events
//! `wamp.registration.on_create|on_register|on_unregister|on_delete`, published to the realm
//! of the session that caused them, and the procedures `wamp.registration.list|lookup|match|
//! get|list_callees|count_callees` and Crossbar's `wamp.registration.remove_callee`, answered
//! by the router itself.
//!
//! RegistrationDetails carry `id`, `uri`, `match` and `invoke`; `created` (a timestamp) is
//! left out: registrations do not record when they were made.

use super::dealer::{Dealer, Registration};
use super::meta::{Args, Handler, MetaError, id_list, results};
use super::{Output, Request, Router};
use crate::id::Id;
use crate::message::Payload;
use crate::pattern::{MatchPolicy, Pattern};
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

fn id_value(id: Id) -> Value {
    Value::from(id.get())
}

fn nullable(id: Option<Id>) -> Value {
    id.map_or(Value::Null, id_value)
}

/// Registration `id` of the caller's realm, or `wamp.error.no_such_registration`.
fn registration<'a, R: rand::RngCore>(
    router: &'a Router<R>,
    req: &Request,
    id: Id,
) -> Result<&'a Registration, MetaError> {
    router
        .dealer_of(req)?
        .get(id)
        .ok_or_else(|| MetaError::new(known::NO_SUCH_REGISTRATION, format!("no registration {id}")))
}

fn details(id: Id, reg: &Registration) -> Value {
    Value::Dict(Dict::from([
        ("id".to_owned(), id_value(id)),
        ("uri".to_owned(), Value::from(reg.pattern.uri.as_str())),
        ("match".to_owned(), Value::from(reg.pattern.policy.as_str())),
        ("invoke".to_owned(), Value::from(reg.invoke.as_str())),
    ]))
}

impl<R: rand::RngCore> Router<R> {
    /// The handler of meta procedure `uri`, if it is one of `wamp.registration.*`.
    pub(super) fn registration_procedure(uri: &str) -> Option<Handler<R>> {
        Some(match uri.strip_prefix("wamp.registration.")? {
            "list" => |r, req, _, _| {
                let dealer = r.dealer_of(req)?;
                let lists = [
                    MatchPolicy::Exact,
                    MatchPolicy::Prefix,
                    MatchPolicy::Wildcard,
                ]
                .into_iter()
                .map(|p| {
                    let ids = dealer.ids_with(p).into_iter().map(id_value).collect();
                    (p.as_str().to_owned(), Value::List(ids))
                });
                Ok(results(vec![Value::Dict(lists.collect())]))
            },
            "lookup" => |r, req, args, _| {
                let uri = Uri::from(args.string(0)?);
                let options = Args::optional(args.get(1), "an options dict", Value::as_dict)?;
                let policy = options
                    .map_or(Some(MatchPolicy::Exact), MatchPolicy::from_options)
                    .ok_or_else(|| {
                        MetaError::new(
                            known::INVALID_ARGUMENT,
                            "match must be exact, prefix or wildcard",
                        )
                    })?;
                let found = r.dealer_of(req)?.lookup(&Pattern { uri, policy });
                Ok(results(vec![nullable(found)]))
            },
            "match" => |r, req, args, _| {
                let uri = Uri::from(args.string(0)?);
                Ok(results(vec![nullable(r.dealer_of(req)?.best_match(&uri))]))
            },
            "get" => |r, req, args, _| {
                let id = args.id(0)?;
                Ok(results(vec![details(id, registration(r, req, id)?)]))
            },
            "list_callees" => |r, req, args, _| {
                let callees = registration(r, req, args.id(0)?)?.callees.iter();
                Ok(results(vec![id_list(callees.map(|c| c.session))]))
            },
            "count_callees" => |r, req, args, _| {
                let n = registration(r, req, args.id(0)?)?.callees.len();
                Ok(results(vec![Value::from(n as u64)]))
            },
            // Crossbar's administrative revocation: (registration, session, reason=).
            "remove_callee" => |r, req, args, out| {
                let id = args.id(0)?;
                let session = args.id(1)?;
                let reason =
                    Args::optional(args.keyword("reason"), "reason: a string", Value::as_str)?;
                let callee = registration(r, req, id)?
                    .callees
                    .iter()
                    .find(|c| c.session == session)
                    .copied();
                let realm = req.realm.clone();
                match callee {
                    Some(callee) if r.revoke_callee(&realm, id, callee, reason, out) => {
                        Ok(Payload::None)
                    }
                    _ => Err(MetaError::new(
                        known::NO_SUCH_REGISTRATION,
                        format!("session {session} is not a callee of registration {id}"),
                    )),
                }
            },
            _ => return None,
        })
    }

    fn dealer_of(&self, req: &Request) -> Result<&Dealer, MetaError> {
        self.realms
            .get(&req.realm)
            .map(|r| &r.dealer)
            .ok_or_else(|| MetaError::new(known::NO_SUCH_REALM, "the realm is gone"))
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
}
