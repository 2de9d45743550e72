//! URIs: dotted, hierarchical identifiers for realms, topics, procedures and errors.
//!
//! A [`Uri`] holds whatever string a peer sent; checking it is the receiver's policy
//! ([`UriRule`], and whether empty components are allowed, as in pattern subscriptions),
//! because an invalid topic or procedure must be answered with `ERROR wamp.error.invalid_uri`
//! rather than treated as an undecodable message.

use std::fmt;

/// Which URI syntax a check enforces (`basic/building_blocks.md` "URIs").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriRule {
    /// MUST rule: components without `.`, `#` or whitespace.
    #[default]
    Loose,
    /// SHOULD rule: components only of `[0-9a-z_]`.
    Strict,
}

/// Why a URI failed a check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// A component between dots is empty where empty components are not allowed.
    #[error("empty component at index {index}")]
    EmptyComponent {
        /// Zero-based component index.
        index: usize,
    },
    /// A component contains a character the rule forbids.
    #[error("component {index} contains forbidden character {found:?}")]
    ForbiddenChar {
        /// Zero-based component index.
        index: usize,
        /// The offending character.
        found: char,
    },
}

/// A URI as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uri(String);

impl Uri {
    /// Wraps `value` without checking it; see [`Uri::check`].
    pub fn new(value: impl Into<String>) -> Uri {
        Uri(value.into())
    }

    /// The URI text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks the URI against `rule`, with no empty components (topics, procedures, realms,
    /// error URIs).
    pub fn check(&self, rule: UriRule) -> Result<(), UriError> {
        check_components(&self.0, rule, false)
    }

    /// Checks the URI against `rule`, allowing empty components (prefix and wildcard patterns).
    pub fn check_pattern(&self, rule: UriRule) -> Result<(), UriError> {
        check_components(&self.0, rule, true)
    }

    /// Whether the first component is `wamp`, which is reserved for the protocol itself.
    pub fn is_reserved(&self) -> bool {
        self.0.split('.').next() == Some("wamp")
    }
}

fn check_components(uri: &str, rule: UriRule, allow_empty: bool) -> Result<(), UriError> {
    for (index, component) in uri.split('.').enumerate() {
        if component.is_empty() {
            if allow_empty {
                continue;
            }
            return Err(UriError::EmptyComponent { index });
        }
        let bad = match rule {
            UriRule::Loose => component.chars().find(|c| *c == '#' || c.is_whitespace()),
            UriRule::Strict => component
                .chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')),
        };
        if let Some(found) = bad {
            return Err(UriError::ForbiddenChar { index, found });
        }
    }
    Ok(())
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Uri {
    fn from(value: &str) -> Uri {
        Uri(value.to_owned())
    }
}

impl From<String> for Uri {
    fn from(value: String) -> Uri {
        Uri(value)
    }
}

/// The predefined URIs of the basic profile (and the few advanced ones this crate emits).
pub mod known {
    /// Malformed URI in a URI attribute.
    pub const INVALID_URI: &str = "wamp.error.invalid_uri";
    /// CALL to a procedure nobody registered.
    pub const NO_SUCH_PROCEDURE: &str = "wamp.error.no_such_procedure";
    /// REGISTER of a procedure that already has a callee.
    pub const PROCEDURE_ALREADY_EXISTS: &str = "wamp.error.procedure_already_exists";
    /// UNREGISTER of an unknown registration.
    pub const NO_SUCH_REGISTRATION: &str = "wamp.error.no_such_registration";
    /// UNSUBSCRIBE of an unknown subscription.
    pub const NO_SUCH_SUBSCRIPTION: &str = "wamp.error.no_such_subscription";
    /// Arguments rejected.
    pub const INVALID_ARGUMENT: &str = "wamp.error.invalid_argument";
    /// Call canceled (also: the callee left).
    pub const CANCELED: &str = "wamp.error.canceled";
    /// Peer shutting down.
    pub const SYSTEM_SHUTDOWN: &str = "wamp.close.system_shutdown";
    /// Peer leaves the realm.
    pub const CLOSE_REALM: &str = "wamp.close.close_realm";
    /// Reply to GOODBYE.
    pub const GOODBYE_AND_OUT: &str = "wamp.close.goodbye_and_out";
    /// Any protocol error.
    pub const PROTOCOL_VIOLATION: &str = "wamp.error.protocol_violation";
    /// Action not permitted.
    pub const NOT_AUTHORIZED: &str = "wamp.error.not_authorized";
    /// Realm does not exist.
    pub const NO_SUCH_REALM: &str = "wamp.error.no_such_realm";
    /// None of the offered authentication methods is available.
    pub const NO_MATCHING_AUTH_METHOD: &str = "wamp.error.no_matching_auth_method";
    /// An option of an un-negotiated feature was used.
    pub const OPTION_NOT_ALLOWED: &str = "wamp.error.option_not_allowed";
    /// A call timed out (dealer- or callee-enforced).
    pub const TIMEOUT: &str = "wamp.error.timeout";
    /// A peer on the call's path lacks a feature the call needs.
    pub const FEATURE_NOT_SUPPORTED: &str = "wamp.error.feature_not_supported";
    /// HELLO named an authid (or cryptosign key) the realm does not know.
    pub const NO_SUCH_PRINCIPAL: &str = "wamp.error.no_such_principal";
    /// The principal's role is not configured in the realm.
    pub const NO_SUCH_ROLE: &str = "wamp.error.no_such_role";
    /// Wrong credentials (ticket, signature).
    pub const AUTHENTICATION_DENIED: &str = "wamp.error.authentication_denied";
    /// Authentication could not be carried out (e.g. a client cannot answer a CHALLENGE).
    pub const AUTHENTICATION_FAILED: &str = "wamp.error.authentication_failed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_and_strict_rules() {
        let cases: &[(&str, bool, bool, bool)] = &[
            // uri, loose, strict, loose-with-empty
            ("com.myapp.topic1", true, true, true),
            ("com.MyApp.Topic", true, false, true),
            ("com.my-app.tópic", true, false, true),
            ("com..topic", false, false, true),
            (".com", false, false, true),
            ("com.", false, false, true),
            ("", false, false, true),
            ("com.b ad", false, false, false),
            ("com.b\tad", false, false, false),
            ("com.a#b", false, false, false),
            ("com.\u{a0}x", false, false, false),
        ];
        for (uri, loose, strict, pattern) in cases {
            let u = Uri::from(*uri);
            assert_eq!(u.check(UriRule::Loose).is_ok(), *loose, "loose {uri:?}");
            assert_eq!(u.check(UriRule::Strict).is_ok(), *strict, "strict {uri:?}");
            assert_eq!(
                u.check_pattern(UriRule::Loose).is_ok(),
                *pattern,
                "pattern {uri:?}"
            );
        }
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            Uri::from("a..b").check(UriRule::Loose),
            Err(UriError::EmptyComponent { index: 1 })
        );
        assert_eq!(
            Uri::from("a.B").check(UriRule::Strict),
            Err(UriError::ForbiddenChar {
                index: 1,
                found: 'B'
            })
        );
    }

    #[test]
    fn wamp_prefix_is_reserved() {
        assert!(Uri::from("wamp.session.count").is_reserved());
        assert!(!Uri::from("wampish.x").is_reserved());
        assert!(!Uri::from("com.wamp").is_reserved());
    }
}
