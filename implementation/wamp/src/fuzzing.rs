//! Fuzz bodies, kept in the library so stable `cargo test` replays the committed seeds
//! (`fuzz/corpus/wamp_decode`, `fuzz/corpus/wamp_router`) through exactly what cargo-fuzz
//! runs. They panic only when an invariant breaks.

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::auth::AuthMethod;
use crate::message::Message;
use crate::pattern::{MatchPolicy, Pattern};
use crate::router::{
    Output, PeerId, PermissionRule, Permissions, Principal, RealmConfig, Role, Router, RouterConfig,
};
use crate::serializer::{JsonSeparator, Serialization};
use crate::value::{Dict, Value};

/// The serialization a fuzz input's selector byte picks.
pub fn serialization(selector: u8) -> Serialization {
    match selector % 7 {
        0 => Serialization::Json,
        1 => Serialization::MsgPack,
        2 => Serialization::Cbor,
        3 => Serialization::JsonBatched(JsonSeparator::RecordSeparator),
        4 => Serialization::JsonBatched(JsonSeparator::Autobahn),
        5 => Serialization::MsgPackBatched,
        _ => Serialization::CborBatched,
    }
}

/// Decodes `data` with the serialization `serializer_id` selects. Whatever decodes must
/// re-encode, and re-encoding what that decodes to must give the same bytes.
pub fn decode(serializer_id: u8, data: &[u8]) {
    let ser = serialization(serializer_id);
    let Ok(messages) = ser.decode(data) else {
        return;
    };
    for message in messages {
        let first = match ser.encode(std::slice::from_ref(&message)) {
            Ok(bytes) => bytes,
            Err(e) => panic!("decoded {message:?} but cannot re-encode it: {e}"),
        };
        let again = match ser.decode(&first) {
            Ok(m) => m,
            Err(e) => panic!("re-encoded {message:?} does not decode: {e}"),
        };
        let second = ser.encode(&again);
        assert_eq!(second.as_ref(), Ok(&first), "re-encoding is not stable");
    }
}

/// [`decode`] with the selector taken from the first byte (the fuzz target's input form).
pub fn decode_input(data: &[u8]) {
    if let Some((selector, rest)) = data.split_first() {
        decode(*selector, rest);
    }
}

/// Reads choices from the fuzz input; runs dry as zeros.
struct Choices<'a> {
    data: &'a [u8],
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<T: Clone>(&mut self, pool: &[T]) -> Option<T> {
        let n = pool.len();
        if n == 0 {
            return None;
        }
        pool.get(usize::from(self.byte()) % n).cloned()
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head.to_vec()
    }
}

const CODES: [u64; 27] = [
    1, 2, 3, 4, 5, 6, 8, 16, 17, 32, 33, 34, 35, 36, 48, 49, 50, 64, 65, 66, 67, 68, 69, 70, 337,
    0, 99,
];
const URIS: [&str; 7] = [
    "realm1",
    "com.t",
    "com.p",
    "wamp.session.count",
    "com..bad",
    "com.b ad",
    "nope",
];

/// One element of a generated message, biased towards what the router cares about.
fn element(c: &mut Choices<'_>) -> Value {
    match c.byte() % 12 {
        0..=3 => Value::UInt(u64::from(c.byte() % 6)),
        4 => Value::UInt(1 << 53),
        5 => Value::from(c.pick(&URIS).unwrap_or("com.t")),
        6 => Value::Dict(Dict::new()),
        7 => {
            let key = c.pick(&[
                "acknowledge",
                "exclude_me",
                "match",
                "progress",
                "roles",
                "invoke",
            ]);
            let value = match c.byte() % 4 {
                0 => Value::Bool(true),
                1 => Value::Bool(false),
                2 => Value::from("prefix"),
                _ => Value::Dict([("caller".to_string(), Value::Dict(Dict::new()))].into()),
            };
            Value::Dict(key.map(|k| (k.to_string(), value)).into_iter().collect())
        }
        8 => Value::List(vec![Value::UInt(1), Value::from("x")]),
        9 => Value::Bytes(c.bytes(3)),
        10 => Value::Null,
        _ => Value::Float(1.0),
    }
}

fn generated_message(c: &mut Choices<'_>) -> Value {
    let code = c.pick(&CODES).unwrap_or(1);
    let len = usize::from(c.byte() % 6);
    let mut list = vec![Value::UInt(code)];
    if code == 1 && c.byte() % 2 == 0 {
        // A well-formed HELLO often enough to reach the established state: basic or with
        // every advanced feature our client announces, anonymous or as principal `joe`.
        let how = c.byte();
        let roles = if how & 1 == 0 {
            Value::Dict([("caller".to_string(), Value::Dict(Dict::new()))].into())
        } else {
            crate::client::default_roles()
        };
        let mut details = Dict::from([("roles".to_string(), roles)]);
        if how & 2 != 0 {
            details.insert(
                "authmethods".into(),
                Value::List(vec![Value::from("ticket")]),
            );
            details.insert("authid".into(), Value::from("joe"));
        }
        list.push(Value::from("realm1"));
        list.push(Value::Dict(details));
    } else if code == 5 && c.byte() % 2 == 0 {
        // joe's ticket.
        list.push(Value::from(JOE_TICKET));
        list.push(Value::Dict(Dict::new()));
    } else if code == 2 && c.byte() % 2 == 0 {
        // Likewise a well-formed WELCOME for client sessions.
        list.push(Value::UInt(1));
        list.push(Value::Dict(
            [(
                "roles".to_string(),
                Value::Dict([("broker".to_string(), Value::Dict(Dict::new()))].into()),
            )]
            .into(),
        ));
    } else {
        list.extend((0..len).map(|_| element(c)));
    }
    Value::List(list)
}

const JOE_TICKET: &str = "joe-ticket";

/// realm1 open to anonymous sessions, and principal `joe` (ticket [`JOE_TICKET`], role `user`
/// limited to `com.` URIs) so that authentication and authorization are fuzzed too.
fn fuzzed_router_config() -> RouterConfig {
    let mut realm = RealmConfig::open();
    let com = PermissionRule {
        pattern: Pattern {
            uri: crate::uri::Uri::from("com"),
            policy: MatchPolicy::Prefix,
        },
        allow: Permissions::ALL,
    };
    realm.roles.insert("user".into(), Role { rules: vec![com] });
    realm.authmethods.insert(AuthMethod::Ticket);
    let joe = Principal {
        role: "user".into(),
        ticket: Some(JOE_TICKET.into()),
        ..Principal::default()
    };
    realm.principals.insert("joe".into(), joe);
    let mut config = RouterConfig::default();
    config.realms.insert("realm1".into(), realm);
    config
}

/// Drives a router with a sequence of operations decoded from `data` (open and close
/// transports, generated messages, raw frames, firing started timers) and checks that it never addresses a closed
/// peer and that every close signal directly follows an ABORT to the same peer.
pub fn router(data: &[u8]) {
    let mut c = Choices { data };
    let mut r = Router::new(fuzzed_router_config(), StdRng::seed_from_u64(0));
    let mut open: Vec<PeerId> = Vec::new();
    let mut timers = Vec::new();
    let mut steps = 0;
    while !c.data.is_empty() && steps < 512 {
        steps += 1;
        let op = c.byte() % 9;
        let out = match op {
            0 => {
                open.push(r.open());
                Vec::new()
            }
            8 => match c.pick(&timers) {
                Some(timer) => r.timeout(timer),
                None => Vec::new(),
            },
            1 => match c.pick(&open) {
                Some(peer) => {
                    open.retain(|p| *p != peer);
                    r.close(peer)
                }
                None => Vec::new(),
            },
            2 => {
                let Some(peer) = c.pick(&open) else { continue };
                let ser = serialization(c.byte());
                let n = usize::from(c.byte());
                let frame = c.bytes(n);
                r.handle_frame(peer, ser, &frame)
            }
            _ => {
                let Some(peer) = c.pick(&open) else {
                    open.push(r.open());
                    continue;
                };
                match Message::from_value(generated_message(&mut c)) {
                    Ok(m) => r.handle(peer, m),
                    Err(e) => r.handle_decode_error(peer, e.into()),
                }
            }
        };
        let mut previous: Option<&Output> = None;
        for o in &out {
            match o {
                Output::Send { to, .. } => {
                    assert!(
                        open.contains(to),
                        "message to a peer that is not open: {o:?}"
                    );
                }
                Output::Close { peer, .. } => {
                    let aborted = matches!(
                        previous,
                        Some(Output::Send { to, message: Message::Abort(_) }) if to == peer
                    );
                    assert!(aborted, "close without ABORT: {out:?}");
                    open.retain(|p| p != peer);
                }
                Output::StartTimer { timer, .. } => timers.push(*timer),
            }
            previous = Some(o);
        }
    }
}

/// Drives a client session with commands and generated router messages decoded from `data`;
/// checks that every violation leaves the session failed with an ABORT queued.
pub fn client(data: &[u8]) {
    use crate::client::{ClientSession, SessionState};
    use crate::id::Id;
    use crate::message::Payload;
    use crate::uri::Uri;

    let mut c = Choices { data };
    let mut s = ClientSession::new();
    let mut steps = 0;
    while !c.data.is_empty() && steps < 512 {
        steps += 1;
        let uri = Uri::from(c.pick(&URIS).unwrap_or("com.t"));
        let id = Id::new(u64::from(c.byte() % 6)).unwrap_or(Id::MIN);
        // Commands may be refused (wrong state, unknown ID): that is their contract, not a
        // failure, so only whether they panic matters here.
        let _refused = match c.byte() % 12 {
            0 => s.hello(uri, Dict::new()).is_err(),
            1 => s.subscribe(uri, Dict::new()).is_err(),
            2 => s.publish(uri, Dict::new(), Payload::None).is_err(),
            3 => s.register(uri, Dict::new()).is_err(),
            4 => s.call(uri, Dict::new(), Payload::None).is_err(),
            5 => s.unsubscribe(id).is_err(),
            6 => s.yield_result(id, Dict::new(), Payload::None).is_err(),
            7 => s.goodbye(uri).is_err(),
            _ => {
                while s.poll_transmit().is_some() {}
                if let Ok(m) = Message::from_value(generated_message(&mut c)) {
                    if s.handle(m).is_err() {
                        assert_eq!(s.state(), SessionState::Failed);
                        let abort = s.poll_transmit();
                        assert!(
                            matches!(abort, Some(Message::Abort(_))),
                            "violation without ABORT: {abort:?}"
                        );
                    }
                }
                false
            }
        };
    }
}
