//! WAMP authentication methods (`advanced/authentication*.md`): the names, the crypto the
//! router and the client share, and the client's side — which methods a HELLO offers and how
//! a CHALLENGE is answered ([`Credentials`]). The router's side is in `router::auth`.

pub mod cryptosign;
pub mod hex;
pub mod wampcra;

use std::fmt;

use crate::value::{Dict, Value};

/// An authentication method (HELLO.Details.authmethods, CHALLENGE.AuthMethod,
/// WELCOME.Details.authmethod).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuthMethod {
    /// `anonymous`: no credentials.
    Anonymous,
    /// `ticket`: a shared secret sent in clear.
    Ticket,
    /// `wampcra`: HMAC-SHA256 over a router challenge with a shared (optionally salted) secret.
    WampCra,
    /// `cryptosign`: an Ed25519 signature over a random router challenge.
    Cryptosign,
}

impl AuthMethod {
    /// Every method, in the order of this enum.
    pub const ALL: [AuthMethod; 4] = [
        AuthMethod::Anonymous,
        AuthMethod::Ticket,
        AuthMethod::WampCra,
        AuthMethod::Cryptosign,
    ];

    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Anonymous => "anonymous",
            AuthMethod::Ticket => "ticket",
            AuthMethod::WampCra => "wampcra",
            AuthMethod::Cryptosign => "cryptosign",
        }
    }

    /// The method named `name`, if this crate implements it.
    pub fn parse(name: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way a client can authenticate.
#[derive(Clone)]
pub enum Secret {
    /// Anonymous access.
    Anonymous,
    /// A ticket (sent as the AUTHENTICATE signature).
    Ticket(String),
    /// A WAMP-CRA secret: the password (the router's CHALLENGE says whether and how it is
    /// salted).
    WampCra(String),
    /// A WAMP-Cryptosign private key.
    Cryptosign(cryptosign::PrivateKey),
}

impl fmt::Debug for Secret {
    /// The method only, never the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Cryptosign(key) => write!(f, "Secret::Cryptosign({key:?})"),
            other => write!(f, "Secret::{}", other.method()),
        }
    }
}

impl Secret {
    /// The method this secret answers.
    pub fn method(&self) -> AuthMethod {
        match self {
            Secret::Anonymous => AuthMethod::Anonymous,
            Secret::Ticket(_) => AuthMethod::Ticket,
            Secret::WampCra(_) => AuthMethod::WampCra,
            Secret::Cryptosign(_) => AuthMethod::Cryptosign,
        }
    }
}

/// What a client authenticates with: an optional authid and the methods it offers, in order
/// of preference (the router picks the first it accepts).
#[derive(Debug, Clone)]
pub struct Credentials {
    /// HELLO.Details.authid (required by ticket and wampcra, optional for cryptosign).
    pub authid: Option<String>,
    /// The offered methods, most preferred first.
    pub secrets: Vec<Secret>,
}

/// Why a CHALLENGE cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChallengeError {
    /// The router challenged with a method the client did not offer.
    #[error("the router challenged with {0}, which this client did not offer")]
    NotOffered(String),
    /// CHALLENGE.Extra lacks what the method needs or has it in the wrong form.
    #[error("{method} CHALLENGE: {problem}")]
    BadExtra {
        /// The method.
        method: AuthMethod,
        /// What is wrong.
        problem: String,
    },
}

impl Default for Credentials {
    /// Anonymous access.
    fn default() -> Credentials {
        Credentials::anonymous()
    }
}

impl Credentials {
    /// Anonymous access only (what HELLO without authmethods means too).
    pub fn anonymous() -> Credentials {
        Credentials {
            authid: None,
            secrets: vec![Secret::Anonymous],
        }
    }

    /// Ticket authentication as `authid`.
    pub fn ticket(authid: impl Into<String>, ticket: impl Into<String>) -> Credentials {
        Credentials {
            authid: Some(authid.into()),
            secrets: vec![Secret::Ticket(ticket.into())],
        }
    }

    /// WAMP-CRA as `authid` with `secret` (the password when the router salts it).
    pub fn wampcra(authid: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials {
            authid: Some(authid.into()),
            secrets: vec![Secret::WampCra(secret.into())],
        }
    }

    /// WAMP-Cryptosign with `key`; without `authid` the router finds the principal by the
    /// public key.
    pub fn cryptosign(authid: Option<String>, key: cryptosign::PrivateKey) -> Credentials {
        Credentials {
            authid,
            secrets: vec![Secret::Cryptosign(key)],
        }
    }

    /// Offers `secret` too, after the methods already offered.
    pub fn or(mut self, secret: Secret) -> Credentials {
        self.secrets.push(secret);
        self
    }

    /// Puts `authmethods`, `authid` and (for cryptosign) `authextra.pubkey` into HELLO.Details.
    pub fn add_to_hello(&self, details: &mut Dict) {
        let methods = self
            .secrets
            .iter()
            .map(|s| Value::from(s.method().as_str()))
            .collect();
        details.insert("authmethods".into(), Value::List(methods));
        if let Some(authid) = &self.authid {
            details.insert("authid".into(), Value::from(authid.as_str()));
        }
        let pubkey = self.secrets.iter().find_map(|s| match s {
            Secret::Cryptosign(key) => Some(key.public_key().to_hex()),
            _ => None,
        });
        if let Some(pubkey) = pubkey {
            let extra = Dict::from([("pubkey".to_owned(), Value::from(pubkey))]);
            details.insert("authextra".into(), Value::Dict(extra));
        }
    }

    /// The AUTHENTICATE signature answering CHALLENGE `[4, method, extra]`.
    pub fn answer(&self, method: &str, extra: &Dict) -> Result<String, ChallengeError> {
        let secret = self
            .secrets
            .iter()
            .find(|s| s.method().as_str() == method && !matches!(s, Secret::Anonymous))
            .ok_or_else(|| ChallengeError::NotOffered(method.to_owned()))?;
        let bad = |problem: &str| ChallengeError::BadExtra {
            method: secret.method(),
            problem: problem.to_owned(),
        };
        match secret {
            Secret::Anonymous => Err(ChallengeError::NotOffered(method.to_owned())),
            Secret::Ticket(ticket) => Ok(ticket.clone()),
            Secret::WampCra(password) => {
                let challenge = extra
                    .get("challenge")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("no challenge string"))?;
                let salt = wampcra::Salt::from_extra(extra).map_err(|e| bad(&e))?;
                let key = wampcra::key(password, salt.as_ref());
                Ok(wampcra::sign(&key, challenge))
            }
            Secret::Cryptosign(key) => {
                if extra
                    .get("channel_binding")
                    .is_some_and(|v| *v != Value::Null)
                {
                    return Err(bad("channel binding is not supported"));
                }
                let challenge = extra
                    .get("challenge")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("no challenge"))?;
                key.sign_challenge(challenge)
                    .ok_or_else(|| bad("the challenge is not 32 bytes of hex"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_lists_methods_in_order() {
        let key = cryptosign::PrivateKey::from_seed([7; 32]);
        let creds = Credentials::cryptosign(None, key.clone())
            .or(Secret::Ticket("t".into()))
            .or(Secret::Anonymous);
        let mut details = Dict::new();
        creds.add_to_hello(&mut details);
        assert_eq!(
            details["authmethods"],
            Value::List(vec![
                "cryptosign".into(),
                "ticket".into(),
                "anonymous".into()
            ])
        );
        assert!(!details.contains_key("authid"));
        assert_eq!(
            details["authextra"].as_dict().unwrap()["pubkey"],
            Value::from(key.public_key().to_hex())
        );
    }

    #[test]
    fn answers() {
        let creds = Credentials::wampcra("peter", "secret123").or(Secret::Ticket("tk".into()));
        assert_eq!(creds.answer("ticket", &Dict::new()).unwrap(), "tk");
        assert_eq!(
            creds.answer("cryptosign", &Dict::new()),
            Err(ChallengeError::NotOffered("cryptosign".into()))
        );
        assert!(matches!(
            creds.answer("wampcra", &Dict::new()),
            Err(ChallengeError::BadExtra { .. })
        ));
        let extra = Dict::from([("challenge".to_owned(), Value::from("x"))]);
        assert_eq!(
            creds.answer("wampcra", &extra).unwrap(),
            wampcra::sign(b"secret123", "x")
        );
        let key = cryptosign::PrivateKey::from_seed([1; 32]);
        let creds = Credentials::cryptosign(None, key);
        let mut extra = Dict::from([("challenge".to_owned(), Value::from("ab".repeat(32)))]);
        assert_eq!(creds.answer("cryptosign", &extra).unwrap().len(), 192);
        extra.insert("channel_binding".into(), Value::from("tls-unique"));
        assert!(creds.answer("cryptosign", &extra).is_err());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let creds = Credentials::ticket("joe", "hunter2").or(Secret::WampCra("pw123".into()));
        let shown = format!("{creds:?}");
        assert!(
            shown.contains("joe") && shown.contains("wampcra"),
            "{shown}"
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("pw123"),
            "{shown}"
        );
    }
}
