//! The SHA-1 of a received message, hashed only when it differs from what the harness
//! expects. An echo of the harness's own message is compared in place with the content sent,
//! and its digest is then the expected one, which is hashed once per distinct content and
//! cached. At the first differing octet the hash starts over the expected octets matched so
//! far, so the digest recorded is always that of the octets received.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use ampel_cases::EchoSpec;
use sha1::{Digest, Sha1};

/// The contents the peer's next data messages are expected to have, in order: the controller
/// pushes one before it sends each echo request, the observer takes one as each message
/// starts. A wrong guess (an unrequested message) only costs the hashing it would save.
#[derive(Debug, Clone, Default)]
pub struct EchoQueue(Arc<Mutex<VecDeque<EchoSpec>>>);

impl EchoQueue {
    /// Expects `spec` after those already queued.
    pub fn push(&self, spec: EchoSpec) {
        if let Ok(mut queue) = self.0.lock() {
            queue.push_back(spec);
        }
    }

    fn pop(&self) -> Option<EchoSpec> {
        self.0.lock().ok()?.pop_front()
    }
}

/// The running digest of one message.
#[derive(Debug)]
pub(super) struct MessageDigest {
    state: State,
    /// Octets taken in so far.
    len: usize,
}

#[derive(Debug)]
enum State {
    /// Every octet so far equals the expected content.
    Matching(EchoSpec),
    Hashing(Box<Sha1>),
}

impl MessageDigest {
    /// A digest for the next message, compared with the next expected content if any.
    pub(super) fn new(queue: Option<&EchoQueue>) -> Self {
        let state = match queue.and_then(EchoQueue::pop) {
            Some(spec) => State::Matching(spec),
            None => State::Hashing(Box::default()),
        };
        Self { state, len: 0 }
    }

    pub(super) fn update(&mut self, data: &[u8]) {
        if let State::Matching(spec) = &self.state {
            if spec.content.equals_at(self.len, data) {
                self.len += data.len();
                return;
            }
            let mut hasher = Sha1::new();
            for chunk in spec.content.slice(0, self.len).chunks(64 * 1024) {
                hasher.update(&chunk);
            }
            self.state = State::Hashing(Box::new(hasher));
        }
        if let State::Hashing(hasher) = &mut self.state {
            hasher.update(data);
        }
        self.len += data.len();
    }

    /// Lower-case hex SHA-1 of the octets taken in.
    pub(super) fn finish(self) -> String {
        match self.state {
            State::Matching(spec) if self.len == spec.len() => spec.sha1().to_owned(),
            State::Matching(spec) => spec.content.slice(0, self.len).sha1_hex(),
            State::Hashing(hasher) => super::hex(&hasher.finalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use ampel_cases::{Payload, sha1_hex};

    use super::*;

    fn digest(queue: Option<&EchoQueue>, pieces: &[&[u8]]) -> String {
        let mut d = MessageDigest::new(queue);
        for p in pieces {
            d.update(p);
        }
        d.finish()
    }

    #[test]
    fn every_path_gives_the_sha1_of_what_was_received() {
        let sent = Payload::repeat(*b"abcdefg", 100);
        let bytes = sent.bytes().into_owned();
        let mut corrupt = bytes.clone();
        corrupt[50] ^= 0x20;
        let received: [&[u8]; 5] = [
            &bytes,                       // the echo
            &corrupt,                     // a flipped octet mid-message
            &bytes[..60],                 // cut short
            b"",                          // empty
            &[&bytes[..], b"!"].concat(), // one octet too many
        ];
        for got in received {
            let queue = EchoQueue::default();
            queue.push(EchoSpec::new(false, sent.clone()));
            let pieces: Vec<&[u8]> = got.chunks(13).collect();
            assert_eq!(digest(Some(&queue), &pieces), sha1_hex(got));
            assert_eq!(digest(None, &pieces), sha1_hex(got));
        }
    }

    #[test]
    fn the_queue_is_taken_in_order() {
        let queue = EchoQueue::default();
        queue.push(EchoSpec::new(true, Payload::text("one")));
        queue.push(EchoSpec::new(true, Payload::text("two")));
        assert_eq!(digest(Some(&queue), &[b"one"]), sha1_hex(b"one"));
        assert_eq!(digest(Some(&queue), &[b"two"]), sha1_hex(b"two"));
        assert_eq!(digest(Some(&queue), &[b"three"]), sha1_hex(b"three"));
    }
}
