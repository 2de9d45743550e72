//! WAMP-CRA (`advanced/authentication_cra.md`): the signature is
//! base64(HMAC-SHA256(key, challenge)). With a salted secret the key is the **base64 text**
//! of PBKDF2-HMAC-SHA256(password, salt, iterations, keylen), as autobahn-python's
//! `derive_key` returns it and `compute_wcs` uses it, and as Crossbar derives it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::value::{Dict, Value};

type HmacSha256 = Hmac<Sha256>;

/// PBKDF2 parameters of a salted secret (CHALLENGE.Extra `salt`, `iterations`, `keylen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Salt {
    /// The salt, used as its UTF-8 bytes.
    pub salt: String,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// Length of the derived key in bytes.
    pub keylen: u32,
}

impl Salt {
    /// autobahn-python's defaults when CHALLENGE.Extra has a `salt` but no `iterations` or
    /// `keylen`.
    const DEFAULT_ITERATIONS: u32 = 1000;
    const DEFAULT_KEYLEN: u32 = 32;

    /// The salt parameters in a CHALLENGE.Extra: `None` without `salt`; an error text for
    /// values of the wrong type or out of range.
    pub fn from_extra(extra: &Dict) -> Result<Option<Salt>, String> {
        let Some(salt) = extra.get("salt") else {
            return Ok(None);
        };
        let salt = salt.as_str().ok_or("salt is not a string")?.to_owned();
        let number = |key: &str, default: u32| match extra.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or(format!("{key} is not a positive 32-bit integer")),
        };
        Ok(Some(Salt {
            salt,
            iterations: number("iterations", Self::DEFAULT_ITERATIONS)?,
            keylen: number("keylen", Self::DEFAULT_KEYLEN)?,
        }))
    }

    /// The CHALLENGE.Extra entries.
    pub fn to_extra(&self, extra: &mut Dict) {
        extra.insert("salt".into(), Value::from(self.salt.as_str()));
        extra.insert("iterations".into(), Value::UInt(self.iterations.into()));
        extra.insert("keylen".into(), Value::UInt(self.keylen.into()));
    }
}

/// The HMAC key for `secret`: the secret's bytes, or with `salt` the base64 text of the
/// PBKDF2-derived key.
pub fn key(secret: &str, salt: Option<&Salt>) -> Vec<u8> {
    match salt {
        None => secret.as_bytes().to_vec(),
        Some(s) => derive_key(secret, s).into_bytes(),
    }
}

/// base64(PBKDF2-HMAC-SHA256(password, salt, iterations, keylen)).
pub fn derive_key(password: &str, salt: &Salt) -> String {
    let mut derived = vec![0u8; salt.keylen as usize];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        password.as_bytes(),
        salt.salt.as_bytes(),
        salt.iterations,
        &mut derived,
    );
    STANDARD.encode(derived)
}

/// base64(HMAC-SHA256(key, challenge)).
pub fn sign(key: &[u8], challenge: &str) -> String {
    STANDARD.encode(mac(key, challenge).finalize().into_bytes())
}

/// Whether `signature` is the signature of `challenge` under `key` (compared in constant
/// time).
pub fn verify(key: &[u8], challenge: &str, signature: &str) -> bool {
    STANDARD
        .decode(signature.trim())
        .is_ok_and(|sig| mac(key, challenge).verify_slice(&sig).is_ok())
}

fn mac(key: &[u8], challenge: &str) -> HmacSha256 {
    // HMAC takes keys of any length.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(challenge.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = r#"{"authid":"peter","authmethod":"wampcra","authprovider":"static","authrole":"user","nonce":"LHRTC9zeOIrt_9U3","session":3251278072152162,"timestamp":"2014-06-22T16:36:25.448Z"}"#;

    fn salt(iterations: u32, keylen: u32) -> Salt {
        Salt {
            salt: "salt123".into(),
            iterations,
            keylen,
        }
    }

    /// Expected values computed once with Python's standard library:
    /// `base64.b64encode(hmac.new(key, CHALLENGE.encode(), hashlib.sha256).digest())` and
    /// `base64.b64encode(hashlib.pbkdf2_hmac('sha256', b"secret123", b"salt123", 1000, 32))`.
    #[test]
    fn known_values() {
        assert_eq!(
            sign(b"secret123", CHALLENGE),
            "V8uUlvmdCIhuU89kmjuOT5bG1Tr08XYUeJVkhlyS1OY="
        );
        assert_eq!(
            derive_key("secret123", &salt(1000, 32)),
            "Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8="
        );
        assert_eq!(
            derive_key("secret123", &salt(100, 16)),
            "DpHHRlQ6UNULJlP9J8WkPw=="
        );
        let salted = key("secret123", Some(&salt(1000, 32)));
        assert_eq!(
            sign(&salted, CHALLENGE),
            "ci8c1WaiRrNO2kfsB9a/EhDfWuEQsxg9ZPIxsRhaiGw="
        );
        assert!(verify(
            &salted,
            CHALLENGE,
            "ci8c1WaiRrNO2kfsB9a/EhDfWuEQsxg9ZPIxsRhaiGw="
        ));
        assert!(!verify(
            b"secret123",
            CHALLENGE,
            "ci8c1WaiRrNO2kfsB9a/EhDfWuEQsxg9ZPIxsRhaiGw="
        ));
        assert!(!verify(b"secret123", CHALLENGE, "not base64!"));
    }

    #[test]
    fn salt_from_extra() {
        let mut extra = Dict::new();
        assert_eq!(Salt::from_extra(&extra), Ok(None));
        extra.insert("salt".into(), Value::from("salt123"));
        assert_eq!(Salt::from_extra(&extra), Ok(Some(salt(1000, 32))));
        salt(7, 9).to_extra(&mut extra);
        assert_eq!(Salt::from_extra(&extra), Ok(Some(salt(7, 9))));
        extra.insert("keylen".into(), Value::from("32"));
        assert!(Salt::from_extra(&extra).unwrap_err().contains("keylen"));
        extra.insert("keylen".into(), Value::UInt(0));
        assert!(Salt::from_extra(&extra).is_err());
    }
}
