//! The machinery of the meta API (`advanced/meta_api*.md`): meta events are publications of
//! the router itself, delivered like any other event but with no publisher session; meta
//! procedures are `wamp.*` procedures the router answers itself, before a CALL is routed
//! to callees. Each meta area lists its procedures in a `*_procedure` lookup below.

use super::audience::{Audience, Publication};
use super::{Output, Request, Router};
use crate::id::Id;
use crate::message::*;
use crate::uri::Uri;
use crate::value::{Dict, List, Value};

/// A meta procedure: answers `payload` (RESULT) or fails (ERROR), with side effects in `out`.
pub(super) type Handler<R> =
    fn(&mut Router<R>, &Request, &Args<'_>, &mut Vec<Output>) -> Result<Payload, MetaError>;

/// A meta procedure's ERROR: its URI and a human-readable message (sent as the only
/// positional argument, as Crossbar does).
#[derive(Debug)]
pub(super) struct MetaError {
    pub(super) uri: &'static str,
    pub(super) message: String,
}

impl MetaError {
    pub(super) fn new(uri: &'static str, message: impl Into<String>) -> MetaError {
        MetaError {
            uri,
            message: message.into(),
        }
    }

    fn invalid_argument(message: impl Into<String>) -> MetaError {
        MetaError::new(crate::uri::known::INVALID_ARGUMENT, message)
    }
}

/// The arguments of a meta procedure call.
pub(super) struct Args<'a> {
    positional: &'a [Value],
    keyword: Option<&'a Dict>,
}

impl<'a> Args<'a> {
    pub(super) fn new(payload: &'a Payload) -> Args<'a> {
        Args {
            positional: payload.args(),
            keyword: payload.kwargs(),
        }
    }

    /// Positional argument `index`, if given and not null.
    pub(super) fn get(&self, index: usize) -> Option<&'a Value> {
        self.positional.get(index).filter(|v| **v != Value::Null)
    }

    /// Keyword argument `key`, if given and not null.
    pub(super) fn keyword(&self, key: &str) -> Option<&'a Value> {
        self.keyword
            .and_then(|k| k.get(key))
            .filter(|v| **v != Value::Null)
    }

    /// Positional argument `index`, required, through `read`; `what` names it in the error.
    pub(super) fn required<T>(
        &self,
        index: usize,
        what: &str,
        read: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<T, MetaError> {
        self.get(index)
            .and_then(read)
            .ok_or_else(|| MetaError::invalid_argument(format!("argument {index} must be {what}")))
    }

    /// Positional argument `index` as an ID.
    pub(super) fn id(&self, index: usize) -> Result<Id, MetaError> {
        self.required(index, "an ID", |v| v.as_u64().and_then(Id::new))
    }

    /// Positional argument `index` as a string.
    pub(super) fn string(&self, index: usize) -> Result<&'a str, MetaError> {
        self.required(index, "a string", Value::as_str)
    }

    /// An optional argument (positional or keyword) through `read`; present but unreadable
    /// is an error.
    pub(super) fn optional<T>(
        value: Option<&'a Value>,
        what: &str,
        read: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, MetaError> {
        value
            .map(|v| read(v).ok_or_else(|| MetaError::invalid_argument(format!("expected {what}"))))
            .transpose()
    }
}

/// A list of strings.
pub(super) fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_list()?.iter().map(Value::as_str).collect()
}

/// The payload of a result with positional values only.
pub(super) fn results(values: List) -> Payload {
    Payload::new(values, Dict::new())
}

/// A list of IDs as a value.
pub(super) fn id_list(ids: impl IntoIterator<Item = Id>) -> Value {
    Value::List(ids.into_iter().map(|id| Value::from(id.get())).collect())
}

impl<R: rand::RngCore> Router<R> {
    /// Publishes meta event `topic` with positional `args` in `realm`.
    pub(super) fn publish_meta(
        &mut self,
        realm: &Uri,
        topic: &str,
        args: List,
        out: &mut Vec<Output>,
    ) {
        let publication = Publication {
            id: Id::random(&mut self.rng),
            topic: Uri::from(topic),
            payload: Payload::Args(args),
            audience: Audience::default(),
            disclosed: None,
        };
        self.deliver(realm, &publication, out);
    }

    /// Answers a CALL of a meta procedure in the caller's realm; false if `m` names none, so
    /// the call goes to the dealer.
    pub(super) fn meta_call(&mut self, req: &Request, m: &Call, out: &mut Vec<Output>) -> bool {
        let Some(handler) = meta_procedure::<R>(m.procedure.as_str()) else {
            return false;
        };
        let reply = match handler(self, req, &Args::new(&m.payload), out) {
            Ok(payload) => Message::Result(CallResult {
                request: req.id,
                details: Dict::new(),
                payload,
            }),
            Err(e) => Message::Error(WampError {
                request_type: MessageType::CALL,
                request: req.id,
                details: Dict::new(),
                error: Uri::from(e.uri),
                payload: Payload::Args(vec![Value::from(e.message)]),
            }),
        };
        out.push(req.reply(reply));
        true
    }
}

/// The router's own procedure named `uri`, if any.
fn meta_procedure<R: rand::RngCore>(uri: &str) -> Option<Handler<R>> {
    Router::<R>::session_procedure(uri)
        .or_else(|| Router::<R>::subscription_procedure(uri))
        .or_else(|| Router::<R>::testament_procedure(uri))
        .or_else(|| Router::<R>::registration_procedure(uri))
}
