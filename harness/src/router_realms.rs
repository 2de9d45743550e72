//! The `[realms]` table of `ampel router`'s TOML file: per realm the roles with their
//! permission rules, the accepted authentication methods, anonymous access and the principals
//! with their credentials — turned into [`RealmConfig`]s and checked for consistency.
//!
//! ```toml
//! [realms."com.example"]
//! anonymous = "guest"                   # role of anonymous sessions; omit to refuse them
//! authmethods = ["ticket", "wampcra", "cryptosign"]
//!
//! [realms."com.example".roles.guest]
//! permissions = [{ uri = "com.example.public", match = "prefix", allow = ["subscribe", "call"] }]
//!
//! [realms."com.example".principals.joe]
//! role = "guest"
//! ticket = "secret!!!"
//! ```

use std::collections::BTreeMap;

use ampel_wamp::auth::AuthMethod;
use ampel_wamp::auth::cryptosign::PublicKey;
use ampel_wamp::auth::wampcra::Salt;
use ampel_wamp::pattern::{MatchPolicy, Pattern};
use ampel_wamp::router::{
    PermissionRule, Permissions, Principal, RealmConfig, Role, WampCraSecret,
};
use ampel_wamp::{Uri, UriRule};
use serde::Deserialize;

/// One realm.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RealmSection {
    anonymous: Option<String>,
    #[serde(default)]
    authmethods: Vec<String>,
    #[serde(default)]
    roles: BTreeMap<String, RoleSection>,
    #[serde(default)]
    principals: BTreeMap<String, PrincipalSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleSection {
    #[serde(default)]
    permissions: Vec<RuleSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSection {
    uri: String,
    #[serde(rename = "match")]
    match_policy: Option<String>,
    allow: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrincipalSection {
    role: String,
    ticket: Option<String>,
    wampcra: Option<WampCraSection>,
    #[serde(default)]
    cryptosign: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WampCraSection {
    secret: String,
    salt: Option<String>,
    iterations: Option<u32>,
    keylen: Option<u32>,
}

impl RealmSection {
    /// The realm's configuration; errors name the realm and the offending entry.
    pub(crate) fn build(self, realm: &str) -> Result<RealmConfig, String> {
        let at = |what: String| format!("realm {realm:?}: {what}");
        Uri::from(realm)
            .check(UriRule::Loose)
            .map_err(|e| at(format!("invalid realm URI: {e}")))?;
        let mut config = RealmConfig {
            anonymous: self.anonymous,
            ..RealmConfig::default()
        };
        for name in &self.authmethods {
            let method = match AuthMethod::parse(name) {
                Some(AuthMethod::Anonymous) => {
                    return Err(at(
                        "anonymous access is `anonymous = \"<role>\"`, not an authmethod".into(),
                    ));
                }
                Some(m) => m,
                None => {
                    return Err(at(format!(
                        "authmethod {name:?}: expected ticket, wampcra or cryptosign"
                    )));
                }
            };
            config.authmethods.insert(method);
        }
        for (name, role) in self.roles {
            let rules = role
                .permissions
                .into_iter()
                .map(|r| r.build())
                .collect::<Result<_, _>>()
                .map_err(|e| at(format!("role {name:?}: {e}")))?;
            config.roles.insert(name, Role { rules });
        }
        if let Some(role) = &config.anonymous {
            if !config.roles.contains_key(role) {
                return Err(at(format!(
                    "anonymous role {role:?} is not defined in roles"
                )));
            }
        }
        for (authid, p) in self.principals {
            let principal = p
                .build(&config)
                .map_err(|e| at(format!("principal {authid:?}: {e}")))?;
            config.principals.insert(authid, principal);
        }
        Ok(config)
    }
}

impl RuleSection {
    fn build(self) -> Result<PermissionRule, String> {
        let policy = match &self.match_policy {
            None => MatchPolicy::Exact,
            Some(m) => MatchPolicy::parse(m)
                .ok_or(format!("match {m:?}: expected exact, prefix or wildcard"))?,
        };
        let pattern = Pattern {
            uri: Uri::from(self.uri.as_str()),
            policy,
        };
        // The empty prefix is the catch-all; other URIs must be valid patterns.
        if !(policy == MatchPolicy::Prefix && self.uri.is_empty()) {
            pattern
                .check(UriRule::Loose)
                .map_err(|e| format!("uri {:?} ({policy}): {e}", self.uri))?;
        }
        let mut allow = Permissions::NONE;
        for action in &self.allow {
            let flag = match action.as_str() {
                "call" => &mut allow.call,
                "register" => &mut allow.register,
                "publish" => &mut allow.publish,
                "subscribe" => &mut allow.subscribe,
                other => {
                    return Err(format!(
                        "allow {other:?}: expected call, register, publish or subscribe"
                    ));
                }
            };
            *flag = true;
        }
        Ok(PermissionRule { pattern, allow })
    }
}

impl PrincipalSection {
    fn build(self, realm: &RealmConfig) -> Result<Principal, String> {
        if !realm.roles.contains_key(&self.role) {
            return Err(format!("role {:?} is not defined in roles", self.role));
        }
        let wampcra = self.wampcra.map(WampCraSection::build).transpose()?;
        let cryptosign = self
            .cryptosign
            .iter()
            .map(|k| {
                PublicKey::from_hex(k).ok_or(format!(
                    "cryptosign key {k:?} is not 32 bytes in hex (64 characters)"
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let principal = Principal {
            role: self.role,
            ticket: self.ticket,
            wampcra,
            cryptosign,
        };
        let methods = [
            AuthMethod::Ticket,
            AuthMethod::WampCra,
            AuthMethod::Cryptosign,
        ];
        if !methods.iter().any(|m| principal.can(*m)) {
            return Err("no credentials (ticket, wampcra or cryptosign)".into());
        }
        for method in methods {
            if principal.can(method) && !realm.authmethods.contains(&method) {
                return Err(format!(
                    "has {method} credentials, but the realm's authmethods lack {method}"
                ));
            }
        }
        Ok(principal)
    }
}

impl WampCraSection {
    fn build(self) -> Result<WampCraSecret, String> {
        let salt = match self.salt {
            Some(salt) => {
                let positive = |n: Option<u32>, default: u32, key: &str| match n {
                    Some(0) => Err(format!("wampcra {key} must be positive")),
                    n => Ok(n.unwrap_or(default)),
                };
                Some(Salt {
                    salt,
                    iterations: positive(self.iterations, 1000, "iterations")?,
                    keylen: positive(self.keylen, 32, "keylen")?,
                })
            }
            None if self.iterations.is_some() || self.keylen.is_some() => {
                return Err("wampcra iterations and keylen need a salt".into());
            }
            None => None,
        };
        Ok(WampCraSecret {
            secret: self.secret,
            salt,
        })
    }
}
