//! WAMP-Cryptosign without channel binding (`advanced/authentication_cryptosign.md`): the
//! router sends 32 random bytes as hex; the client signs them with its Ed25519 key and returns
//! hex(signature (64 bytes) ‖ the signed 32 bytes), 192 hex characters.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::hex;

/// Length of a challenge, in bytes.
pub const CHALLENGE_LEN: usize = 32;

/// An Ed25519 public key (HELLO.Details.authextra `pubkey`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// From 64 hex characters.
    pub fn from_hex(text: &str) -> Option<PublicKey> {
        hex::decode(text).map(PublicKey)
    }

    /// As lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// Whether `signature` (hex of 64-byte signature ‖ signed message) signs `challenge`
    /// with this key: the signed message must be the challenge itself.
    pub fn verify(&self, challenge: &[u8; CHALLENGE_LEN], signature: &str) -> bool {
        let Some(both) = hex::decode::<{ 64 + CHALLENGE_LEN }>(signature) else {
            return false;
        };
        let (sig, message) = both.split_at(64);
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(sig) else {
            return false;
        };
        message == challenge && key.verify_strict(message, &sig).is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// A client's Ed25519 private key.
#[derive(Clone)]
pub struct PrivateKey(SigningKey);

impl PrivateKey {
    /// From the 32-byte seed (what PyNaCl and autobahn-python call the private key).
    pub fn from_seed(seed: [u8; 32]) -> PrivateKey {
        PrivateKey(SigningKey::from_bytes(&seed))
    }

    /// From the seed as 64 hex characters.
    pub fn from_hex(text: &str) -> Option<PrivateKey> {
        hex::decode(text).map(PrivateKey::from_seed)
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// The AUTHENTICATE signature for CHALLENGE.Extra `challenge` (hex of 32 bytes).
    pub fn sign_challenge(&self, challenge: &str) -> Option<String> {
        let message: [u8; CHALLENGE_LEN] = hex::decode(challenge)?;
        let signature = self.0.sign(&message).to_bytes();
        Some(hex::encode(&signature) + &hex::encode(&message))
    }
}

impl std::fmt::Debug for PrivateKey {
    /// Shows the public key only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(public {})", self.public_key().to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's test vectors without channel binding (`test_vectors_1`, first three).
    const VECTORS: [(&str, &str, &str); 3] = [
        (
            "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
        (
            "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
            "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
            "d4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
        ),
        (
            "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
            "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
            "7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        ),
    ];

    #[test]
    fn spec_vectors_sign_and_verify() {
        for (seed, challenge, signature) in VECTORS {
            let key = PrivateKey::from_hex(seed).unwrap();
            assert_eq!(key.sign_challenge(challenge).as_deref(), Some(signature));
            let challenge: [u8; 32] = hex::decode(challenge).unwrap();
            assert!(key.public_key().verify(&challenge, signature));
        }
    }

    #[test]
    fn verification_refuses_tampering() {
        let (seed, challenge, signature) = VECTORS[1];
        let public = PrivateKey::from_hex(seed).unwrap().public_key();
        let challenge: [u8; 32] = hex::decode(challenge).unwrap();
        // Another key, another challenge, a flipped signature bit, a short signature.
        let other = PrivateKey::from_hex(VECTORS[0].0).unwrap().public_key();
        assert!(!other.verify(&challenge, signature));
        assert!(!public.verify(&[0; 32], signature));
        let mut flipped = signature.to_owned();
        flipped.replace_range(0..1, "c");
        assert!(!public.verify(&challenge, &flipped));
        assert!(!public.verify(&challenge, &signature[..128]));
        assert!(!public.verify(&challenge, &"00".repeat(96)));
    }
}
