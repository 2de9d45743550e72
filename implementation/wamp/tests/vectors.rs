//! The WAMP specification's single-message test vectors (`shared/wamp-vectors`, read in place).
//!
//! For every serialization sample and every serializer this crate implements (json, msgpack,
//! cbor): each listed byte representation decodes, all of them to the same message; the
//! message has the expected attributes; and encoding it with every serializer decodes back to
//! the same message. Validation samples (a raw `wmsg`) must decode, or fail with an error
//! that names the offending key when `expected_error` is given. UBJSON and FlatBuffers
//! representations are counted as not covered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ampel_wamp::{Cbor, Json, Message, MsgPack, Opaque, Payload, Serializer, Value};
use base64::Engine;
use serde_json::Value as J;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wamp-vectors")
}

fn vector_files(sub: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let root = vectors_dir().join(sub);
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every byte representation listed for one serializer.
fn representations(list: &J) -> Vec<Vec<u8>> {
    list.as_array()
        .expect("representation list")
        .iter()
        .map(|r| {
            if let Some(h) = r.get("bytes_hex").and_then(J::as_str) {
                let bytes = hex(h);
                if let Some(text) = r.get("bytes").and_then(J::as_str) {
                    assert_eq!(text.as_bytes(), bytes, "bytes and bytes_hex disagree");
                }
                bytes
            } else if let Some(b) = r.get("bytes_base64").and_then(J::as_str) {
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .expect("base64")
            } else {
                r.get("bytes")
                    .and_then(J::as_str)
                    .expect("some bytes")
                    .as_bytes()
                    .to_vec()
            }
        })
        .collect()
}

/// JSON view of a decoded value, for comparison with `expected_attributes`.
fn json(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::UInt(u) => J::from(*u),
        Value::Float(f) => J::from(*f),
        Value::Str(s) => J::from(s.as_str()),
        Value::Bytes(b) => J::from(to_hex(b)),
        Value::List(l) => J::Array(l.iter().map(json).collect()),
        Value::Dict(d) => J::Object(d.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
    }
}

fn dict(d: &ampel_wamp::Dict) -> J {
    json(&Value::Dict(d.clone()))
}

fn payload(p: &Payload, out: &mut BTreeMap<&'static str, J>) {
    let (args, kwargs, opaque) = match p {
        Payload::None => (J::Null, J::Null, J::Null),
        Payload::Args(a) => (json(&Value::List(a.clone())), J::Null, J::Null),
        Payload::ArgsKw(a, k) => (json(&Value::List(a.clone())), dict(k), J::Null),
        Payload::Opaque(Opaque::Bytes(b)) => (J::Null, J::Null, J::from(to_hex(b))),
        Payload::Opaque(Opaque::Text(t)) => (J::Null, J::Null, J::from(t.as_str())),
    };
    out.insert("args", args);
    out.insert("kwargs", kwargs);
    out.insert("payload", opaque);
}

/// The message's attributes under the names the vectors use.
fn attributes(m: &Message) -> BTreeMap<&'static str, J> {
    let mut a = BTreeMap::new();
    a.insert("message_type", J::from(m.message_type().0));
    let id = |i: ampel_wamp::Id| J::from(i.get());
    match m {
        Message::Hello(h) => {
            a.insert("realm", J::from(h.realm.as_str()));
            a.insert("roles", h.details.get("roles").map_or(J::Null, json));
            a.insert("details", dict(&h.details));
        }
        Message::Welcome(w) => {
            a.insert("session_id", id(w.session));
            a.insert("roles", w.details.get("roles").map_or(J::Null, json));
            a.insert("details", dict(&w.details));
        }
        Message::Abort(x) => {
            a.insert("details", dict(&x.details));
            a.insert("reason", J::from(x.reason.as_str()));
            payload(&x.payload, &mut a);
        }
        Message::Goodbye(x) => {
            a.insert("details", dict(&x.details));
            a.insert("reason", J::from(x.reason.as_str()));
        }
        Message::Challenge(x) => {
            a.insert("method", J::from(x.auth_method.as_str()));
            a.insert("extra", dict(&x.extra));
        }
        Message::Authenticate(x) => {
            a.insert("signature", J::from(x.signature.as_str()));
            a.insert("extra", dict(&x.extra));
        }
        Message::Error(x) => {
            a.insert("request_type", J::from(x.request_type.0));
            a.insert("request_id", id(x.request));
            a.insert("details", dict(&x.details));
            a.insert("error", J::from(x.error.as_str()));
            payload(&x.payload, &mut a);
        }
        Message::Publish(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
            a.insert("topic", J::from(x.topic.as_str()));
            payload(&x.payload, &mut a);
        }
        Message::Published(x) => {
            a.insert("request_id", id(x.request));
            a.insert("publication_id", id(x.publication));
        }
        Message::Subscribe(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
            a.insert("topic", J::from(x.topic.as_str()));
        }
        Message::Subscribed(x) => {
            a.insert("request_id", id(x.request));
            a.insert("subscription_id", id(x.subscription));
        }
        Message::Unsubscribe(x) => {
            a.insert("request_id", id(x.request));
            a.insert("subscription_id", id(x.subscription));
        }
        Message::Unsubscribed(x) => {
            a.insert("request_id", x.request.map_or(J::from(0), id));
        }
        Message::Event(x) => {
            a.insert("subscription", id(x.subscription));
            a.insert("publication", id(x.publication));
            a.insert("details", dict(&x.details));
            payload(&x.payload, &mut a);
        }
        Message::Call(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
            a.insert("procedure", J::from(x.procedure.as_str()));
            payload(&x.payload, &mut a);
        }
        Message::Cancel(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
        }
        Message::Result(x) => {
            a.insert("request_id", id(x.request));
            a.insert("details", dict(&x.details));
            payload(&x.payload, &mut a);
        }
        Message::Register(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
            a.insert("procedure", J::from(x.procedure.as_str()));
        }
        Message::Registered(x) => {
            a.insert("request_id", id(x.request));
            a.insert("registration_id", id(x.registration));
        }
        Message::Unregister(x) => {
            a.insert("request_id", id(x.request));
            a.insert("registration_id", id(x.registration));
        }
        Message::Unregistered(x) => {
            a.insert("request_id", x.request.map_or(J::from(0), id));
        }
        Message::Invocation(x) => {
            a.insert("request_id", id(x.request));
            a.insert("registration_id", id(x.registration));
            a.insert("details", dict(&x.details));
            payload(&x.payload, &mut a);
        }
        Message::Interrupt(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
        }
        Message::Yield(x) => {
            a.insert("request_id", id(x.request));
            a.insert("options", dict(&x.options));
            payload(&x.payload, &mut a);
        }
        Message::Extension(x) => {
            // EVENT_RECEIVED (337): [337, EVENT.Publication|id]
            if let Some(first) = x.fields.first() {
                a.insert("publication_id", json(first));
            }
        }
    }
    a
}

const IMPLEMENTED: [(&str, &dyn Serializer); 3] =
    [("json", &Json), ("msgpack", &MsgPack), ("cbor", &Cbor)];

#[derive(Default)]
struct Coverage {
    serialization_samples: usize,
    decoded: BTreeMap<String, usize>,
    not_covered: BTreeMap<String, usize>,
    validation_valid: usize,
    validation_rejected: usize,
}

fn check_serialization_sample(file: &str, sample: &J, cov: &mut Coverage) {
    let desc = sample["description"].as_str().unwrap_or("?");
    let sers = sample["serializers"].as_object().expect("serializers");
    let mut decoded: Option<Message> = None;
    for (name, list) in sers {
        let Some((_, ser)) = IMPLEMENTED.iter().find(|(n, _)| n == name) else {
            *cov.not_covered.entry(name.clone()).or_default() +=
                list.as_array().map_or(0, Vec::len);
            continue;
        };
        for bytes in representations(list) {
            let m = ser
                .decode(&bytes)
                .unwrap_or_else(|e| panic!("{file} / {desc} / {name}: {e}"));
            if let Some(prev) = &decoded {
                assert_eq!(&m, prev, "{file} / {desc} / {name} decodes differently");
            }
            decoded = Some(m);
            *cov.decoded.entry(name.clone()).or_default() += 1;
        }
    }
    let m = decoded.unwrap_or_else(|| panic!("{file} / {desc}: no implemented serializer"));
    let attrs = attributes(&m);
    for (key, expected) in sample["expected_attributes"]
        .as_object()
        .expect("attributes")
    {
        let actual = attrs
            .get(key.as_str())
            .unwrap_or_else(|| panic!("{file} / {desc}: no attribute {key} for {m:?}"));
        // `kwargs: null` in the vectors also covers an explicitly empty dict.
        let empty_kwargs =
            key == "kwargs" && expected.is_null() && actual == &J::Object(Default::default());
        assert!(
            actual == expected || empty_kwargs,
            "{file} / {desc}: {key}: {actual} != {expected}"
        );
    }
    for (name, ser) in IMPLEMENTED {
        let bytes = ser
            .encode(&m)
            .unwrap_or_else(|e| panic!("{file} / {desc}: encode {name}: {e}"));
        assert_eq!(
            ser.decode(&bytes).as_ref(),
            Ok(&m),
            "{file} / {desc}: {name} round trip"
        );
    }
    cov.serialization_samples += 1;
}

fn check_validation_sample(file: &str, sample: &J, cov: &mut Coverage) {
    let desc = sample["description"].as_str().unwrap_or("?");
    let bytes = serde_json::to_vec(&sample["wmsg"]).expect("wmsg re-serializes");
    let result = Json.decode(&bytes);
    match sample.get("expected_error") {
        Some(err) => {
            let e = result.expect_err(&format!("{file} / {desc}: accepted"));
            let needle = err["contains"].as_str().unwrap_or("");
            assert!(
                e.to_string().contains(needle),
                "{file} / {desc}: {e} lacks {needle:?}"
            );
            cov.validation_rejected += 1;
        }
        None => {
            result.unwrap_or_else(|e| panic!("{file} / {desc}: rejected: {e}"));
            cov.validation_valid += 1;
        }
    }
}

#[test]
fn single_message_vectors() {
    let mut cov = Coverage::default();
    let files = vector_files("singlemessage");
    assert!(files.len() >= 26, "vectors missing: {}", files.len());
    for path in &files {
        let file = path
            .strip_prefix(vectors_dir())
            .unwrap_or(path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(path).expect("readable");
        let doc: J = serde_json::from_str(&text).expect("vector JSON");
        for sample in doc["samples"].as_array().expect("samples") {
            if sample.get("wmsg").is_some() {
                check_validation_sample(&file, sample, &mut cov);
            } else {
                check_serialization_sample(&file, sample, &mut cov);
            }
        }
    }
    println!(
        "{} files, {} serialization samples, decoded representations {:?}, not covered {:?}, \
         validation samples {} valid + {} rejected",
        files.len(),
        cov.serialization_samples,
        cov.decoded,
        cov.not_covered,
        cov.validation_valid,
        cov.validation_rejected
    );
    assert_eq!(cov.serialization_samples, 35);
    assert_eq!((cov.validation_valid, cov.validation_rejected), (39, 28));
    assert!(cov.decoded.values().all(|n| *n >= 35));
}

#[test]
fn vectors_survive_every_split_and_truncation() {
    // A message cut short anywhere is an error, never a panic or a different message.
    for path in vector_files("singlemessage") {
        let doc: J = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for sample in doc["samples"].as_array().unwrap() {
            let Some(sers) = sample.get("serializers").and_then(J::as_object) else {
                continue;
            };
            for (name, ser) in IMPLEMENTED {
                let Some(list) = sers.get(name) else { continue };
                for bytes in representations(list) {
                    for cut in 0..bytes.len() {
                        let prefix = &bytes[..cut];
                        // JSON "[1]" cut to "[1" fails; a prefix can only succeed if it is a
                        // complete value itself, which no WAMP message prefix is.
                        assert!(
                            ser.decode(prefix).is_err(),
                            "{} {name} prefix {cut}",
                            path.display()
                        );
                    }
                }
            }
        }
    }
}
