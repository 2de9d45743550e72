//! Who may receive a publication (`advanced/pubsub_publisher_exclusion.md`,
//! `pubsub_subscriber_blackwhite_listing.md`) and what it tells them about its publisher
//! (`pubsub_publisher_identification.md`). The same rules apply to live, retained, testament
//! and meta events.

use std::collections::BTreeSet;

use super::Identity;
use crate::id::Id;
use crate::message::Payload;
use crate::uri::Uri;
use crate::value::{Dict, Value};

/// One published event as the broker keeps it until (and, when retained, after) delivery.
#[derive(Debug, Clone)]
pub(super) struct Publication {
    pub(super) id: Id,
    pub(super) topic: Uri,
    pub(super) payload: Payload,
    pub(super) audience: Audience,
    /// The publisher, when it asked to be disclosed (`disclose_me`).
    pub(super) disclosed: Option<Publisher>,
}

/// A publisher's identity as EVENT.Details shows it.
#[derive(Debug, Clone)]
pub(super) struct Publisher {
    pub(super) session: Id,
    pub(super) authid: String,
    pub(super) authrole: String,
}

impl Publisher {
    /// `publisher`, `publisher_authid`, `publisher_authrole`.
    pub(super) fn add_to(&self, details: &mut Dict) {
        let (authid, authrole) = (&self.authid, &self.authrole);
        super::session::disclose(details, "publisher", self.session, authid, authrole);
    }
}

/// The receivers PUBLISH.Options allow: a subscriber receives the event only if every rule
/// present holds.
#[derive(Debug, Clone, Default)]
pub(super) struct Audience {
    /// The publishing session, left out unless `exclude_me: false`; `None` for meta events.
    excluded_publisher: Option<Id>,
    exclude: BTreeSet<u64>,
    exclude_authid: BTreeSet<String>,
    exclude_authrole: BTreeSet<String>,
    eligible: Option<BTreeSet<u64>>,
    eligible_authid: Option<BTreeSet<String>>,
    eligible_authrole: Option<BTreeSet<String>>,
}

impl Audience {
    /// Reads the options of a PUBLISH by session `publisher` (`None`: the router itself).
    /// Their types were checked when the message was decoded; anything else counts as absent.
    pub(super) fn from_options(options: &Dict, publisher: Option<Id>) -> Audience {
        let ids = |key: &str| {
            options.get(key).and_then(Value::as_list).map(|l| {
                l.iter()
                    .filter_map(Value::as_u64)
                    .collect::<BTreeSet<u64>>()
            })
        };
        let strings = |key: &str| {
            options.get(key).and_then(Value::as_list).map(|l| {
                l.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect::<BTreeSet<String>>()
            })
        };
        let exclude_me = options.get("exclude_me") != Some(&Value::Bool(false));
        Audience {
            excluded_publisher: publisher.filter(|_| exclude_me),
            exclude: ids("exclude").unwrap_or_default(),
            exclude_authid: strings("exclude_authid").unwrap_or_default(),
            exclude_authrole: strings("exclude_authrole").unwrap_or_default(),
            eligible: ids("eligible"),
            eligible_authid: strings("eligible_authid"),
            eligible_authrole: strings("eligible_authrole"),
        }
    }

    /// Whether session `session` with `identity` may receive the event.
    pub(super) fn admits(&self, session: Id, identity: &Identity) -> bool {
        let within = |list: &Option<BTreeSet<String>>, value: &str| {
            list.as_ref().is_none_or(|l| l.contains(value))
        };
        self.excluded_publisher != Some(session)
            && !self.exclude.contains(&session.get())
            && !self.exclude_authid.contains(&identity.authid)
            && !self.exclude_authrole.contains(&identity.authrole)
            && self
                .eligible
                .as_ref()
                .is_none_or(|l| l.contains(&session.get()))
            && within(&self.eligible_authid, &identity.authid)
            && within(&self.eligible_authrole, &identity.authrole)
    }
}
