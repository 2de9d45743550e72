//! A case: identity, prose, spec reference, steps and expectation.

use serde::{Deserialize, Serialize};

use crate::expect::Expect;
use crate::id::CaseId;
use crate::step::{Step, Timers};

/// Which role of the peer a case can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// Only servers (the harness is the client).
    Server,
    /// Only clients (the harness is the server).
    Client,
    /// Either.
    Both,
}

/// A protocol feature a case needs; if it is not negotiated the case is UNIMPLEMENTED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Feature {
    /// RFC 7692 permessage-deflate.
    PermessageDeflate,
}

/// What the harness offers (as client) or accepts (as server) in the opening handshake.
/// Empty for every case of sections 1-10.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandshakeOffer {
    /// Extension offers, in preference order, each as its header value
    /// (e.g. `permessage-deflate; client_max_window_bits`).
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Harness as server: the rules it answers permessage-deflate offers with, tried in order
    /// (each against every offer, in the client's order); the first that applies is used.
    /// Empty: every extension is declined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deflate_accept: Vec<DeflateAccept>,
    /// Harness as server: answer every client with exactly this `Sec-WebSocket-Extensions`
    /// value, whatever it offered, and compress nothing (cases of invalid answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deflate_answer: Option<String>,
}

/// How the harness, as server, accepts a permessage-deflate offer (Autobahn's accept rules):
/// it answers the `server_*` parameters the client asked for and adds these requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeflateAccept {
    /// Add `client_no_context_takeover`.
    #[serde(default)]
    pub client_no_context_takeover: bool,
    /// Add `client_max_window_bits=N`; the rule applies only to offers that contain
    /// `client_max_window_bits` (RFC 7692 §7.1.2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_max_window_bits: Option<u8>,
}

/// The requirement a case checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecRef {
    /// The document, e.g. `RFC 6455`.
    pub document: String,
    /// The section, e.g. `5.5`.
    pub section: String,
    /// The MUST/SHOULD sentence, paraphrased.
    pub requirement: String,
}

impl AppliesTo {
    /// True when a case with this scope can run with the harness in `harness_role` (a case
    /// for servers needs the harness to be the client, and the reverse).
    pub fn allows(self, harness_role: crate::observation::Role) -> bool {
        use crate::observation::Role;
        match self {
            Self::Both => true,
            Self::Server => harness_role == Role::Client,
            Self::Client => harness_role == Role::Server,
        }
    }
}

/// One conformance case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The id (Autobahn's for the cases Autobahn has).
    pub id: CaseId,
    /// A short title.
    pub title: String,
    /// What the case sends, in plain words.
    pub description: String,
    /// What a conforming peer does.
    pub expectation: String,
    /// The requirement tested.
    pub spec_ref: SpecRef,
    /// Which peer roles the case applies to.
    pub applies_to: AppliesTo,
    /// A feature that must be negotiated, else the case is UNIMPLEMENTED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_feature: Option<Feature>,
    /// The handshake offer.
    #[serde(default)]
    pub handshake: HandshakeOffer,
    /// What the harness does, in order.
    pub steps: Vec<Step>,
    /// How the outcome is judged.
    pub expect: Expect,
    /// Protocol timers.
    pub timers: Timers,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::Role;

    #[test]
    fn scope_against_role() {
        assert!(AppliesTo::Both.allows(Role::Client) && AppliesTo::Both.allows(Role::Server));
        assert!(AppliesTo::Server.allows(Role::Client) && !AppliesTo::Server.allows(Role::Server));
        assert!(AppliesTo::Client.allows(Role::Server) && !AppliesTo::Client.allows(Role::Client));
    }
}
