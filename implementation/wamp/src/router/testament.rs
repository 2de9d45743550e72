//! Session testaments (`advanced/pubsub_testament.md`): events a session leaves with the
//! router, published in the order they were added when the session ends, however it ends
//! (GOODBYE, ABORT, transport loss, protocol violation, kill). Without session resumption
//! detaching and destruction coincide: `detached` testaments go first, then `destroyed`.

use super::audience::Publisher;
use super::meta::{Args, Handler, MetaError};
use super::{Action, Output, PeerState, Router};
use crate::id::Id;
use crate::message::*;
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// A session's testaments, per scope.
#[derive(Debug, Default)]
pub(super) struct Testaments {
    detached: Vec<Testament>,
    destroyed: Vec<Testament>,
}

#[derive(Debug)]
struct Testament {
    topic: Uri,
    payload: Payload,
    options: Dict,
}

#[derive(Debug, Clone, Copy)]
enum Scope {
    Detached,
    Destroyed,
}

impl Testaments {
    fn scope(&mut self, scope: Scope) -> &mut Vec<Testament> {
        match scope {
            Scope::Detached => &mut self.detached,
            Scope::Destroyed => &mut self.destroyed,
        }
    }
}

/// Kwarg `scope`: `destroyed` unless given.
fn scope(args: &Args<'_>) -> Result<Scope, MetaError> {
    match Args::optional(args.keyword("scope"), "scope: a string", Value::as_str)? {
        None | Some("destroyed") => Ok(Scope::Destroyed),
        Some("detached") => Ok(Scope::Detached),
        Some(other) => Err(MetaError::new(
            known::INVALID_ARGUMENT,
            format!("scope must be detached or destroyed, not {other:?}"),
        )),
    }
}

impl<R: rand::RngCore> Router<R> {
    pub(super) fn testament_procedure(uri: &str) -> Option<Handler<R>> {
        Some(match uri {
            "wamp.session.add_testament" => |r, req, args, _| {
                let topic = Uri::from(args.string(0)?);
                let list = Args::optional(args.get(1), "args: a list", Value::as_list)?;
                let kwargs = Args::optional(args.get(2), "kwargs: a dict", Value::as_dict)?;
                let options = Args::optional(
                    args.keyword("publish_options"),
                    "publish_options: a dict",
                    Value::as_dict,
                )?
                .cloned()
                .unwrap_or_default();
                let scope = scope(args)?;
                if topic.check(r.config.uri_rule).is_err() || topic.is_reserved() {
                    return Err(MetaError::new(
                        known::INVALID_URI,
                        format!("invalid topic {topic}"),
                    ));
                }
                if !r.authorizes(req, Action::Publish, &topic) {
                    return Err(MetaError::new(
                        known::NOT_AUTHORIZED,
                        "this session may not publish",
                    ));
                }
                let payload = Payload::new(
                    list.cloned().unwrap_or_default(),
                    kwargs.cloned().unwrap_or_default(),
                );
                check_publish_options(&topic, &options)?;
                let Some(PeerState::Established(session)) = r.peers.get_mut(&req.peer) else {
                    return Ok(Payload::None);
                };
                session.testaments.scope(scope).push(Testament {
                    topic,
                    payload,
                    options,
                });
                Ok(Payload::None)
            },
            "wamp.session.flush_testaments" => |r, req, args, _| {
                let scope = scope(args)?;
                if let Some(PeerState::Established(session)) = r.peers.get_mut(&req.peer) {
                    session.testaments.scope(scope).clear();
                }
                Ok(Payload::None)
            },
            _ => return None,
        })
    }

    /// Publishes the testaments of a session that ended, `detached` before `destroyed`, as
    /// PUBLISHes by that session (its options apply; acknowledgement has nobody to go to).
    pub(super) fn publish_testaments(
        &mut self,
        realm: &Uri,
        publisher: &Publisher,
        mut testaments: Testaments,
        out: &mut Vec<Output>,
    ) {
        let all = std::mem::take(&mut testaments.detached)
            .into_iter()
            .chain(testaments.destroyed);
        for t in all {
            let retain = t.options.get("retain") == Some(&Value::Bool(true));
            let publication = self.publication(t.topic, t.payload, &t.options, publisher);
            self.deliver(realm, &publication, out);
            if retain {
                if let Some(realm) = self.realms.get_mut(realm) {
                    realm.broker.retain(publication);
                }
            }
        }
    }
}

/// The options must be valid PUBLISH.Options: the same type rules as on the wire, checked by
/// decoding the PUBLISH the testament stands for.
fn check_publish_options(topic: &Uri, options: &Dict) -> Result<(), MetaError> {
    let publish = Message::Publish(Publish {
        request: Id::MIN,
        options: options.clone(),
        topic: topic.clone(),
        payload: Payload::None,
    });
    Message::from_value(publish.to_value())
        .map(|_| ())
        .map_err(|e| MetaError::new(known::INVALID_ARGUMENT, format!("publish_options: {e}")))
}
