//! The broker's side of the router: SUBSCRIBE, UNSUBSCRIBE and PUBLISH of established
//! sessions (after the checks every request shares, in [`Router::request`]).

use super::{Output, Request, Router, Violation, check_no_passthru, exact_match};
use crate::id::Id;
use crate::message::*;
use crate::uri::known;
use crate::value::{Dict, Value};

impl<R: rand::RngCore> Router<R> {
    pub(super) fn subscribe(&mut self, req: &Request, m: Subscribe, out: &mut Vec<Output>) {
        let rule = self.config.uri_rule;
        let Self {
            realms, router_ids, ..
        } = self;
        let Some(realm) = realms.get_mut(&req.realm) else {
            return;
        };
        if m.topic.check(rule).is_err() {
            out.push(req.error(known::INVALID_URI));
        } else if !exact_match(&m.options) {
            out.push(req.error(known::OPTION_NOT_ALLOWED));
        } else {
            let subscription = realm
                .broker
                .subscribe(req.peer, m.topic, || router_ids.advance());
            out.push(req.reply(Message::Subscribed(Subscribed {
                request: req.id,
                subscription,
            })));
        }
    }

    pub(super) fn unsubscribe(&mut self, req: &Request, m: Unsubscribe, out: &mut Vec<Output>) {
        let Some(realm) = self.realms.get_mut(&req.realm) else {
            return;
        };
        if realm.broker.unsubscribe(req.peer, m.subscription) {
            out.push(req.reply(Message::Unsubscribed(Unsubscribed {
                request: Some(req.id),
                details: None,
            })));
        } else {
            out.push(req.error(known::NO_SUCH_SUBSCRIPTION));
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
        let publication = Id::random(&mut self.rng);
        let Some(realm) = self.realms.get(&req.realm) else {
            return Ok(());
        };
        let exclude_me = m.options.get("exclude_me") != Some(&Value::Bool(false));
        if let Some((subscription, subscribers)) = realm.broker.subscribers(&m.topic) {
            for &to in subscribers {
                if exclude_me && to == req.peer {
                    continue;
                }
                out.push(Output::Send {
                    to,
                    message: Message::Event(Event {
                        subscription,
                        publication,
                        details: Dict::new(),
                        payload: m.payload.clone(),
                    }),
                });
            }
        }
        if acknowledge {
            out.push(req.reply(Message::Published(Published {
                request: req.id,
                publication,
            })));
        }
        Ok(())
    }
}
