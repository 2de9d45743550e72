//! Router configuration: realms, and per realm the roles (ordered permission rules on URI
//! patterns), the authentication methods it accepts, anonymous access and the principals
//! (authid → role and credentials).
//!
//! Authorization: an action on a URI is allowed when the role's best-matching rule (by the
//! pattern precedence of [`crate::pattern::best_match`]: exact, then the longest prefix, then
//! the most specific wildcard; the first of equal rules) allows it. No matching rule, or a role
//! the realm does not define, means denied. A rule with the empty prefix matches every URI; being
//! a prefix rule, it outranks every wildcard rule.

use std::collections::{BTreeMap, BTreeSet};

use crate::auth::AuthMethod;
use crate::auth::cryptosign::PublicKey;
use crate::auth::wampcra::Salt;
use crate::pattern::{MatchPolicy, Pattern, best_match};
use crate::uri::{Uri, UriRule};

/// Router configuration.
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// Realms that exist from the start, with their roles and authentication.
    pub realms: BTreeMap<Uri, RealmConfig>,
    /// Create any other (valid) realm a HELLO names, configured as [`RealmConfig::open`].
    pub auto_create_realms: bool,
    /// URI rule for realms, topics and procedures.
    pub uri_rule: UriRule,
    /// `agent` in WELCOME.Details.
    pub agent: String,
}

impl Default for RouterConfig {
    /// `realm1`, open to anonymous clients for everything; loose URIs.
    fn default() -> Self {
        RouterConfig {
            realms: [(Uri::from("realm1"), RealmConfig::open())].into(),
            auto_create_realms: false,
            uri_rule: UriRule::Loose,
            agent: "ampel-wamp".into(),
        }
    }
}

/// One realm's authentication and authorization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RealmConfig {
    /// Role name → permission rules.
    pub roles: BTreeMap<String, Role>,
    /// The role anonymous sessions get; `None` refuses anonymous access.
    pub anonymous: Option<String>,
    /// The credential-based methods the realm accepts (ticket, wampcra, cryptosign);
    /// anonymous access is [`RealmConfig::anonymous`].
    pub authmethods: BTreeSet<AuthMethod>,
    /// authid → principal.
    pub principals: BTreeMap<String, Principal>,
}

impl RealmConfig {
    /// Anonymous sessions with role `anonymous`, which may do everything.
    pub fn open() -> RealmConfig {
        RealmConfig {
            roles: [("anonymous".to_owned(), Role::allow_all())].into(),
            anonymous: Some("anonymous".into()),
            ..RealmConfig::default()
        }
    }

    /// Whether `role` may take `action` on `uri`.
    pub fn authorizes(&self, role: &str, action: Action, uri: &Uri) -> bool {
        self.roles.get(role).is_some_and(|r| r.allows(action, uri))
    }

    /// The principal with `authid`.
    pub fn principal(&self, authid: &str) -> Option<&Principal> {
        self.principals.get(authid)
    }

    /// The principal holding cryptosign key `key`, with its authid.
    pub fn principal_by_key(&self, key: &PublicKey) -> Option<(&str, &Principal)> {
        self.principals
            .iter()
            .find(|(_, p)| p.cryptosign.contains(key))
            .map(|(id, p)| (id.as_str(), p))
    }
}

/// What a client may do: PUBLISH, SUBSCRIBE, CALL, REGISTER.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// PUBLISH to a topic.
    Publish,
    /// SUBSCRIBE to a topic (or topic pattern).
    Subscribe,
    /// CALL a procedure.
    Call,
    /// REGISTER a procedure (or procedure pattern).
    Register,
}

/// A role: permission rules, each a URI pattern and the actions it allows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Role {
    /// The rules; the best match for a URI decides (see the module docs).
    pub rules: Vec<PermissionRule>,
}

impl Role {
    /// One rule allowing everything on every URI (an empty prefix).
    pub fn allow_all() -> Role {
        Role {
            rules: vec![PermissionRule {
                pattern: Pattern {
                    uri: Uri::from(""),
                    policy: MatchPolicy::Prefix,
                },
                allow: Permissions::ALL,
            }],
        }
    }

    /// Whether the best-matching rule allows `action` on `uri`.
    pub fn allows(&self, action: Action, uri: &Uri) -> bool {
        best_match(uri, self.rules.iter().map(|r| (&r.pattern, r.allow)))
            .is_some_and(|allow| allow.permits(action))
    }
}

/// A permission rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionRule {
    /// The URIs it applies to (an empty prefix applies to all).
    pub pattern: Pattern,
    /// What it allows there.
    pub allow: Permissions,
}

/// The actions a rule allows; a refused one is answered with ERROR
/// `wamp.error.not_authorized` (a PUBLISH only when it asked for acknowledgement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// PUBLISH.
    pub publish: bool,
    /// SUBSCRIBE.
    pub subscribe: bool,
    /// CALL.
    pub call: bool,
    /// REGISTER.
    pub register: bool,
}

impl Permissions {
    /// Everything.
    pub const ALL: Permissions = Permissions {
        publish: true,
        subscribe: true,
        call: true,
        register: true,
    };

    /// Nothing (a rule that carves an exception out of a broader one).
    pub const NONE: Permissions = Permissions {
        publish: false,
        subscribe: false,
        call: false,
        register: false,
    };

    /// Whether `action` is allowed.
    pub fn permits(self, action: Action) -> bool {
        match action {
            Action::Publish => self.publish,
            Action::Subscribe => self.subscribe,
            Action::Call => self.call,
            Action::Register => self.register,
        }
    }
}

/// A principal (an authid in a realm): its role and the credentials it may log in with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principal {
    /// The role its sessions get.
    pub role: String,
    /// Ticket authentication: the ticket.
    pub ticket: Option<String>,
    /// WAMP-CRA: the secret.
    pub wampcra: Option<WampCraSecret>,
    /// WAMP-Cryptosign: the public keys it may use.
    pub cryptosign: Vec<PublicKey>,
}

impl Principal {
    /// Whether the principal has credentials for `method`.
    pub fn can(&self, method: AuthMethod) -> bool {
        match method {
            AuthMethod::Anonymous => false,
            AuthMethod::Ticket => self.ticket.is_some(),
            AuthMethod::WampCra => self.wampcra.is_some(),
            AuthMethod::Cryptosign => !self.cryptosign.is_empty(),
        }
    }
}

/// A WAMP-CRA secret. Like Crossbar's static configuration, a salted secret stores the
/// password and the PBKDF2 parameters; the router derives the key when it challenges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WampCraSecret {
    /// The secret (the password, when salted).
    pub secret: String,
    /// PBKDF2 parameters, sent to the client in CHALLENGE.Extra.
    pub salt: Option<Salt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(uri: &str, policy: MatchPolicy, allow: Permissions) -> PermissionRule {
        PermissionRule {
            pattern: Pattern {
                uri: Uri::from(uri),
                policy,
            },
            allow,
        }
    }

    /// The best match decides, whatever the rule order: an exact rule beats a prefix, a
    /// longer prefix beats a shorter one, any prefix beats a wildcard.
    #[test]
    fn best_matching_rule_decides() {
        let read_only = Permissions {
            subscribe: true,
            call: true,
            ..Permissions::NONE
        };
        let role = Role {
            rules: vec![
                rule("com.app..admin", MatchPolicy::Wildcard, Permissions::ALL),
                rule("org..admin", MatchPolicy::Wildcard, Permissions::ALL),
                rule("com.app", MatchPolicy::Prefix, read_only),
                rule("com.app.admin", MatchPolicy::Prefix, Permissions::NONE),
                rule("com.app.admin.status", MatchPolicy::Exact, read_only),
            ],
        };
        let allows = |action, uri: &str| role.allows(action, &Uri::from(uri));
        assert!(allows(Action::Call, "com.app.x"));
        assert!(!allows(Action::Publish, "com.app.x"));
        assert!(!allows(Action::Call, "com.app.admin.reset"));
        assert!(allows(Action::Call, "com.app.admin.status"));
        // The wildcard matches, but the prefix com.app is more specific by precedence.
        assert!(!allows(Action::Register, "com.app.x.admin"));
        // Where only the wildcard matches, it decides.
        assert!(allows(Action::Register, "org.x.admin"));
        assert!(!allows(Action::Subscribe, "org.x"));
        // A catch-all empty prefix is a prefix: it outranks every wildcard rule.
        let mut with_catch_all = role.clone();
        with_catch_all
            .rules
            .push(rule("", MatchPolicy::Prefix, Permissions::NONE));
        assert!(!with_catch_all.allows(Action::Register, &Uri::from("org.x.admin")));
        assert!(with_catch_all.allows(Action::Call, &Uri::from("com.app.x")));
        assert!(!Role::default().allows(Action::Call, &Uri::from("com.app.x")));
        assert!(Role::allow_all().allows(Action::Register, &Uri::from("any.thing")));
    }
}
