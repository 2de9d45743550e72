//! The session meta API (`advanced/meta_api_sessions.md`): `wamp.session.on_join` and
//! `on_leave`, and the procedures that count, list, describe and kill the sessions of the
//! caller's realm.

use super::meta::{Args, Handler, MetaError, id_list, results, strings};
use super::session::Session;
use super::{Output, PeerId, PeerState, Request, Router};
use crate::id::Id;
use crate::message::*;
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// The error of `get` and `kill` for a session that is not in the caller's realm.
const NO_SUCH_SESSION: &str = "wamp.error.no_such_session";
/// GOODBYE.Reason of a killed session unless the killer gives one.
const KILLED: &str = "wamp.close.killed";

/// The session's description in `on_join` and `wamp.session.get`.
fn session_details(s: &Session) -> Value {
    let identity = &s.identity;
    Value::Dict(Dict::from([
        ("session".to_owned(), Value::from(s.id.get())),
        ("authid".to_owned(), Value::from(identity.authid.as_str())),
        (
            "authrole".to_owned(),
            Value::from(identity.authrole.as_str()),
        ),
        (
            "authmethod".to_owned(),
            Value::from(identity.authmethod.as_str()),
        ),
        (
            "authprovider".to_owned(),
            Value::from(identity.authprovider.as_str()),
        ),
    ]))
}

impl<R: rand::RngCore> Router<R> {
    pub(super) fn session_procedure(uri: &str) -> Option<Handler<R>> {
        Some(match uri {
            "wamp.session.count" => |r, req, args, _| {
                let n = r.sessions_filtered(req, args)?.len();
                Ok(results(vec![Value::from(n as u64)]))
            },
            "wamp.session.list" => |r, req, args, _| {
                let ids = r.sessions_filtered(req, args)?;
                Ok(results(vec![id_list(ids.into_iter().map(|(_, id)| id))]))
            },
            "wamp.session.get" => |r, req, args, _| {
                let id = args.id(0)?;
                r.sessions_of(&req.realm)
                    .find(|s| s.id == id)
                    .map(|s| results(vec![session_details(s)]))
                    .ok_or_else(|| no_such_session(id))
            },
            "wamp.session.kill" => |r, req, args, out| {
                let id = args.id(0)?;
                let goodbye = r.goodbye_from(args)?;
                let victim = r
                    .realm_sessions(req)
                    .into_iter()
                    .find(|(peer, s)| *s == id && *peer != req.peer)
                    .ok_or_else(|| no_such_session(id))?;
                r.kill(victim.0, &goodbye, true, out);
                Ok(Payload::None)
            },
            "wamp.session.kill_by_authid" => |r, req, args, out| {
                let authid = args.string(0)?;
                let killed = r.kill_where(req, args, out, |s| s.identity.authid == authid)?;
                Ok(results(vec![id_list(killed)]))
            },
            "wamp.session.kill_by_authrole" => |r, req, args, out| {
                let authrole = args.string(0)?;
                let killed = r.kill_where(req, args, out, |s| s.identity.authrole == authrole)?;
                Ok(results(vec![Value::from(killed.len() as u64)]))
            },
            "wamp.session.kill_all" => |r, req, args, out| {
                let goodbye = r.goodbye_from(args)?;
                let victims: Vec<PeerId> = r
                    .realm_sessions(req)
                    .into_iter()
                    .map(|(peer, _)| peer)
                    .filter(|peer| *peer != req.peer)
                    .collect();
                // The spec: killing everyone else publishes no session meta events or
                // testaments, since nobody would remain to receive them.
                for &peer in &victims {
                    r.kill(peer, &goodbye, false, out);
                }
                Ok(results(vec![Value::from(victims.len() as u64)]))
            },
            _ => return None,
        })
    }

    /// The established sessions of `realm`.
    fn sessions_of<'a>(&'a self, realm: &'a Uri) -> impl Iterator<Item = &'a Session> + 'a {
        self.peers.values().filter_map(move |p| match p {
            PeerState::Established(s) if s.realm == *realm => Some(&**s),
            _ => None,
        })
    }

    /// (peer, session ID) of every session in the caller's realm.
    fn realm_sessions(&self, req: &Request) -> Vec<(PeerId, Id)> {
        self.peers
            .iter()
            .filter_map(|(peer, p)| match p {
                PeerState::Established(s) if s.realm == req.realm => Some((*peer, s.id)),
                _ => None,
            })
            .collect()
    }

    /// The sessions of `count` and `list`: all, or those whose authrole is in the optional
    /// `filter_authroles` list.
    fn sessions_filtered(
        &self,
        req: &Request,
        args: &Args<'_>,
    ) -> Result<Vec<(PeerId, Id)>, MetaError> {
        let filter = Args::optional(args.get(0), "filter_authroles: a list of strings", strings)?;
        Ok(self
            .peers
            .iter()
            .filter_map(|(peer, p)| match p {
                PeerState::Established(s)
                    if s.realm == req.realm
                        && filter
                            .as_ref()
                            .is_none_or(|roles| roles.contains(&s.identity.authrole.as_str())) =>
                {
                    Some((*peer, s.id))
                }
                _ => None,
            })
            .collect())
    }

    /// The GOODBYE a killed session gets: kwargs `reason` (a valid URI) and `message`.
    fn goodbye_from(&self, args: &Args<'_>) -> Result<Message, MetaError> {
        let reason = Args::optional(args.keyword("reason"), "reason: a URI", Value::as_str)?
            .unwrap_or(KILLED);
        let reason = Uri::from(reason);
        if reason.check(self.config.uri_rule).is_err() {
            return Err(MetaError::new(
                known::INVALID_URI,
                format!("invalid reason URI {reason:?}"),
            ));
        }
        let message = Args::optional(args.keyword("message"), "message: a string", Value::as_str)?;
        let details = message
            .map(|m| Dict::from([("message".to_owned(), Value::from(m))]))
            .unwrap_or_default();
        Ok(Message::Goodbye(Goodbye { details, reason }))
    }

    /// Kills every other session of the caller's realm that `selected` picks; their IDs.
    fn kill_where(
        &mut self,
        req: &Request,
        args: &Args<'_>,
        out: &mut Vec<Output>,
        selected: impl Fn(&Session) -> bool,
    ) -> Result<Vec<Id>, MetaError> {
        let goodbye = self.goodbye_from(args)?;
        let victims: Vec<(PeerId, Id)> = self
            .peers
            .iter()
            .filter_map(|(peer, p)| match p {
                PeerState::Established(s)
                    if s.realm == req.realm && *peer != req.peer && selected(s) =>
                {
                    Some((*peer, s.id))
                }
                _ => None,
            })
            .collect();
        for &(peer, _) in &victims {
            self.kill(peer, &goodbye, true, out);
        }
        Ok(victims.into_iter().map(|(_, id)| id).collect())
    }

    /// Sends `goodbye` to `peer` and ends its session; its GOODBYE reply is then awaited.
    fn kill(&mut self, peer: PeerId, goodbye: &Message, announce: bool, out: &mut Vec<Output>) {
        out.push(Output::Send {
            to: peer,
            message: goodbye.clone(),
        });
        self.end_session(peer, announce, out);
        self.peers.insert(peer, PeerState::GoodbyeSent);
    }

    /// `wamp.session.on_join` for the session that `peer` just opened.
    pub(super) fn announce_join(&mut self, peer: PeerId, out: &mut Vec<Output>) {
        let Some(PeerState::Established(s)) = self.peers.get(&peer) else {
            return;
        };
        let (realm, details) = (s.realm.clone(), session_details(s));
        self.publish_meta(&realm, "wamp.session.on_join", vec![details], out);
    }

    /// `wamp.session.on_leave`: the spec's three positional arguments `session, authid,
    /// authrole` (Crossbar sends only the first; readers of `args[0]` work with both).
    pub(super) fn announce_leave(
        &mut self,
        realm: &Uri,
        session: Id,
        authid: &str,
        authrole: &str,
        out: &mut Vec<Output>,
    ) {
        let args = vec![
            Value::from(session.get()),
            Value::from(authid),
            Value::from(authrole),
        ];
        self.publish_meta(realm, "wamp.session.on_leave", args, out);
    }
}

fn no_such_session(id: Id) -> MetaError {
    MetaError::new(
        NO_SUCH_SESSION,
        format!("no other session {id} in this realm"),
    )
}
