//! The router's side of authentication (`advanced/authentication*.md`): which of the methods
//! a HELLO offers (in the client's order) the realm and the principal support, the CHALLENGE,
//! and checking the AUTHENTICATE. Failures end the attempt with ABORT (`advanced/uris.md`):
//! `no_matching_auth_method` when nothing offered fits, `no_such_principal` for an unknown
//! authid or key, `authentication_denied` for a wrong ticket or signature, `no_such_role`
//! when the principal's role is not configured.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use rand::RngCore;

use super::session::{ClientRoles, Identity};
use super::{Output, PeerId, PeerState, Phase, RealmConfig, Router, Violation};
use crate::auth::cryptosign::{CHALLENGE_LEN, PublicKey};
use crate::auth::{AuthMethod, hex, wampcra};
use crate::id::Id;
use crate::message::*;
use crate::uri::{Uri, known};
use crate::value::{Dict, Value};

/// Where principals come from: the router configuration.
const AUTHPROVIDER: &str = "static";

/// A HELLO answered with CHALLENGE, waiting for AUTHENTICATE.
#[derive(Debug)]
pub(super) struct Challenged {
    /// The session ID reserved for it (WAMP-CRA challenges name it).
    pub(super) session: Id,
    realm: Uri,
    identity: Identity,
    roles: ClientRoles,
    proof: Proof,
}

/// What the AUTHENTICATE signature must be.
enum Proof {
    Ticket(String),
    WampCra {
        key: Vec<u8>,
        challenge: String,
    },
    Cryptosign {
        key: PublicKey,
        challenge: [u8; CHALLENGE_LEN],
    },
}

impl Proof {
    fn accepts(&self, signature: &str) -> bool {
        match self {
            Proof::Ticket(ticket) => constant_time_eq(ticket.as_bytes(), signature.as_bytes()),
            Proof::WampCra { key, challenge } => wampcra::verify(key, challenge, signature),
            Proof::Cryptosign { key, challenge } => key.verify(challenge, signature),
        }
    }
}

impl std::fmt::Debug for Proof {
    /// Never shows secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Proof::Ticket(_) => "Proof::Ticket",
            Proof::WampCra { .. } => "Proof::WampCra",
            Proof::Cryptosign { .. } => "Proof::Cryptosign",
        })
    }
}

/// Equality whose time does not depend on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a HELLO gets.
enum Decision {
    Welcome(Identity),
    Challenge {
        identity: Identity,
        method: AuthMethod,
        extra: Dict,
        proof: Proof,
    },
    Refuse {
        reason: &'static str,
        message: String,
    },
}

/// The inputs of one decision.
struct Hello<'a> {
    realm: &'a RealmConfig,
    details: &'a Dict,
    session: Id,
    now: SystemTime,
}

impl Hello<'_> {
    /// The first offered method the realm accepts and the principal can do.
    fn decide(&self, rng: &mut impl RngCore) -> Decision {
        let offered: Vec<&str> = match self.details.get("authmethods") {
            Some(Value::List(list)) if !list.is_empty() => {
                list.iter().filter_map(Value::as_str).collect()
            }
            // No authmethods: anonymous (`basic/sessions.md`).
            _ => vec![AuthMethod::Anonymous.as_str()],
        };
        let mut skipped = Vec::new();
        let mut unknown_principal = None;
        for name in offered {
            let Some(method) = AuthMethod::parse(name) else {
                skipped.push(format!("{name}: not implemented"));
                continue;
            };
            let accepted = match method {
                AuthMethod::Anonymous => self.realm.anonymous.is_some(),
                other => self.realm.authmethods.contains(&other),
            };
            if !accepted {
                skipped.push(format!("{name}: not accepted in this realm"));
                continue;
            }
            match self.try_method(method, rng) {
                Ok(decision) => return decision,
                Err(Skip::Unfit(why)) => skipped.push(format!("{name}: {why}")),
                Err(Skip::UnknownPrincipal(who)) => {
                    skipped.push(format!("{name}: no principal {who}"));
                    unknown_principal.get_or_insert(who);
                }
            }
        }
        match unknown_principal {
            Some(who) => Decision::Refuse {
                reason: known::NO_SUCH_PRINCIPAL,
                message: format!("no principal {who} in this realm"),
            },
            None => Decision::Refuse {
                reason: known::NO_MATCHING_AUTH_METHOD,
                message: format!(
                    "no offered authentication method fits: {}",
                    skipped.join("; ")
                ),
            },
        }
    }

    fn try_method(&self, method: AuthMethod, rng: &mut impl RngCore) -> Result<Decision, Skip> {
        let authid = self.details.get("authid").and_then(Value::as_str);
        let identity = |authid: &str, role: &str| Identity {
            authid: authid.to_owned(),
            authrole: role.to_owned(),
            authmethod: method.as_str().to_owned(),
            authprovider: AUTHPROVIDER.to_owned(),
        };
        match method {
            AuthMethod::Anonymous => {
                let role = self.realm.anonymous.as_deref().unwrap_or_default();
                // A router-chosen authid: an anonymous client must not claim a principal's.
                let authid = format!("anonymous-{}", self.session);
                Ok(Decision::Welcome(identity(&authid, role)))
            }
            AuthMethod::Ticket | AuthMethod::WampCra => {
                let authid = authid.ok_or(Skip::Unfit("needs an authid".into()))?;
                let principal = self
                    .realm
                    .principal(authid)
                    .ok_or_else(|| Skip::UnknownPrincipal(authid.to_owned()))?;
                let identity = identity(authid, &principal.role);
                let (extra, proof) = match (&principal.ticket, &principal.wampcra) {
                    (Some(ticket), _) if method == AuthMethod::Ticket => {
                        (Dict::new(), Proof::Ticket(ticket.clone()))
                    }
                    (_, Some(secret)) if method == AuthMethod::WampCra => {
                        let challenge = self.wampcra_challenge(&identity, rng);
                        let mut extra = Dict::new();
                        extra.insert("challenge".into(), Value::from(challenge.as_str()));
                        if let Some(salt) = &secret.salt {
                            salt.to_extra(&mut extra);
                        }
                        let key = wampcra::key(&secret.secret, secret.salt.as_ref());
                        (extra, Proof::WampCra { key, challenge })
                    }
                    _ => return Err(Skip::Unfit(format!("{authid} has no {method} secret"))),
                };
                Ok(Decision::Challenge {
                    identity,
                    method,
                    extra,
                    proof,
                })
            }
            AuthMethod::Cryptosign => {
                let authextra = self.details.get("authextra").and_then(Value::as_dict);
                let pubkey = authextra
                    .and_then(|e| e.get("pubkey"))
                    .and_then(Value::as_str)
                    .ok_or(Skip::Unfit("needs authextra.pubkey".into()))?;
                let key = PublicKey::from_hex(pubkey).ok_or(Skip::Unfit(
                    "authextra.pubkey is not 32 bytes of hex".into(),
                ))?;
                if let Some(binding) = authextra
                    .and_then(|e| e.get("channel_binding"))
                    .filter(|b| **b != Value::Null)
                {
                    return Err(Skip::Unfit(format!(
                        "channel binding {} is not supported",
                        binding.as_str().unwrap_or("(not a string)")
                    )));
                }
                let principal = match authid {
                    Some(authid) => self
                        .realm
                        .principal(authid)
                        .filter(|p| p.cryptosign.contains(&key))
                        .map(|p| (authid, p)),
                    None => self.realm.principal_by_key(&key),
                };
                let (authid, principal) = principal.ok_or_else(|| {
                    Skip::UnknownPrincipal(match authid {
                        Some(authid) => format!("{authid} with public key {pubkey}"),
                        None => format!("with public key {pubkey}"),
                    })
                })?;
                let mut challenge = [0u8; CHALLENGE_LEN];
                rng.fill_bytes(&mut challenge);
                let extra = Dict::from([
                    ("challenge".to_owned(), Value::from(hex::encode(&challenge))),
                    ("channel_binding".to_owned(), Value::Null),
                ]);
                Ok(Decision::Challenge {
                    identity: identity(authid, &principal.role),
                    method,
                    extra,
                    proof: Proof::Cryptosign { key, challenge },
                })
            }
        }
    }

    /// The JSON text a WAMP-CRA client signs.
    fn wampcra_challenge(&self, identity: &Identity, rng: &mut impl RngCore) -> String {
        let mut nonce = [0u8; 32];
        rng.fill_bytes(&mut nonce);
        let timestamp = DateTime::<Utc>::from(self.now).format("%Y-%m-%dT%H:%M:%S%.3fZ");
        serde_json::json!({
            "authid": identity.authid,
            "authrole": identity.authrole,
            "authmethod": identity.authmethod,
            "authprovider": identity.authprovider,
            "nonce": STANDARD.encode(nonce),
            "timestamp": timestamp.to_string(),
            "session": self.session.get(),
        })
        .to_string()
    }
}

/// Why an offered method was passed over.
enum Skip {
    Unfit(String),
    UnknownPrincipal(String),
}

impl<R: RngCore> Router<R> {
    /// Authenticates a HELLO for an existing realm: WELCOME, CHALLENGE or ABORT.
    pub(super) fn authenticate(
        &mut self,
        peer: PeerId,
        realm: Uri,
        details: Dict,
        out: &mut Vec<Output>,
    ) {
        let session = self.new_session_id();
        let Some(config) = self.config.realms.get(&realm) else {
            self.session_ids.remove(&session);
            return;
        };
        let hello = Hello {
            realm: config,
            details: &details,
            session,
            now: self.now,
        };
        let roles = ClientRoles::from_hello(&details);
        match hello.decide(&mut self.rng) {
            Decision::Welcome(identity) => {
                self.admit(peer, session, realm, identity, roles, out);
            }
            Decision::Challenge {
                identity,
                method,
                extra,
                proof,
            } => {
                out.push(Output::Send {
                    to: peer,
                    message: Message::Challenge(Challenge {
                        auth_method: method.as_str().to_owned(),
                        extra,
                    }),
                });
                let challenged = Challenged {
                    session,
                    realm,
                    identity,
                    roles,
                    proof,
                };
                self.peers
                    .insert(peer, PeerState::Challenged(Box::new(challenged)));
            }
            Decision::Refuse { reason, message } => {
                self.session_ids.remove(&session);
                out.push(abort(peer, reason, message));
            }
        }
    }

    /// A message from a peer that was sent CHALLENGE: AUTHENTICATE decides; ABORT gives up;
    /// anything else is a protocol violation.
    pub(super) fn challenged(
        &mut self,
        peer: PeerId,
        message: Message,
        out: &mut Vec<Output>,
    ) -> Result<(), Violation> {
        let authenticate = match message {
            Message::Authenticate(a) => a,
            Message::Abort(_) => {
                self.leave(peer, out);
                return Ok(());
            }
            other => {
                return Err(Violation::WrongState {
                    message: other.message_type(),
                    phase: Phase::Challenged,
                });
            }
        };
        let Some(PeerState::Challenged(c)) = self.peers.insert(peer, PeerState::AwaitingHello)
        else {
            return Ok(());
        };
        if c.proof.accepts(&authenticate.signature) {
            self.admit(peer, c.session, c.realm, c.identity, c.roles, out);
        } else {
            self.session_ids.remove(&c.session);
            let message = format!(
                "{} authentication of {} failed: wrong {}",
                c.identity.authmethod,
                c.identity.authid,
                match c.proof {
                    Proof::Ticket(_) => "ticket",
                    Proof::WampCra { .. } | Proof::Cryptosign { .. } => "signature",
                }
            );
            out.push(abort(peer, known::AUTHENTICATION_DENIED, message));
        }
        Ok(())
    }

    /// WELCOME for an authenticated identity whose role the realm defines; ABORT
    /// `no_such_role` otherwise.
    fn admit(
        &mut self,
        peer: PeerId,
        session: Id,
        realm: Uri,
        identity: Identity,
        roles: ClientRoles,
        out: &mut Vec<Output>,
    ) {
        let role_exists = self
            .config
            .realms
            .get(&realm)
            .is_some_and(|r| r.roles.contains_key(&identity.authrole));
        if role_exists {
            self.welcome(peer, session, realm, identity, roles, out);
        } else {
            self.session_ids.remove(&session);
            let message = format!(
                "role {:?} of {} is not configured in realm {realm}",
                identity.authrole, identity.authid
            );
            out.push(abort(peer, known::NO_SUCH_ROLE, message));
        }
    }
}

fn abort(peer: PeerId, reason: &str, message: String) -> Output {
    Output::Send {
        to: peer,
        message: Message::abort(reason, message),
    }
}
