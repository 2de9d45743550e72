//! Table tests of strict decoding, written as JSON for readability.

use super::*;
use crate::serializer::{Json, Serializer};

fn value(json: &str) -> Value {
    Json.decode_value(json.as_bytes())
        .expect("test JSON parses")
}

fn decode(json: &str) -> Result<Message, MessageError> {
    Message::from_value(value(json))
}

#[test]
fn every_message_type_decodes_and_re_encodes_identically() {
    let samples = [
        r#"[1,"realm1",{"roles":{"caller":{}}}]"#,
        r#"[2,9129137332,{"roles":{"broker":{}}}]"#,
        r#"[3,{"message":"bye"},"wamp.error.no_such_realm"]"#,
        r#"[3,{},"wamp.error.no_such_realm",[1],{"a":2}]"#,
        r#"[4,"wampcra",{"challenge":"x"}]"#,
        r#"[5,"sig",{}]"#,
        r#"[6,{},"wamp.close.close_realm"]"#,
        r#"[8,48,7,{},"com.myapp.error",["a"],{"b":true}]"#,
        r#"[16,1,{"acknowledge":true},"com.t",[1,2]]"#,
        r#"[16,1,{},"com.t"]"#,
        r#"[17,1,4429313566]"#,
        r#"[32,2,{"match":"prefix"},"com"]"#,
        r#"[33,2,5512315355]"#,
        r#"[34,3,5512315355]"#,
        r#"[35,3]"#,
        r#"[35,0,{"subscription":5,"reason":"gone"}]"#,
        r#"[36,5,6,{},[],{"k":null}]"#,
        r#"[48,4,{"timeout":0},"com.p",[1.5,-3]]"#,
        r#"[49,4,{"mode":"kill"}]"#,
        r#"[50,4,{"progress":false},["r"]]"#,
        r#"[64,5,{"invoke":"roundrobin"},"com.p"]"#,
        r#"[65,5,2103333224]"#,
        r#"[66,6,2103333224]"#,
        r#"[67,6]"#,
        r#"[67,0,{"registration":9}]"#,
        r#"[68,1,2103333224,{"caller":3},["x"]]"#,
        r#"[69,1,{}]"#,
        r#"[70,1,{},[],{}]"#,
        r#"[16,1,{"ppt_scheme":"x_custom"},"com.t","\u0000AAE="]"#,
        r#"[337,5512315355]"#,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for json in samples {
        let v = value(json);
        let message = Message::from_value(v.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
        seen.insert(message.message_type());
        assert_eq!(message.to_value(), v, "{json}");
    }
    for t in MessageType::ALL {
        assert!(seen.contains(&t), "no sample for {t}");
    }
}

#[test]
fn violations_are_precise() {
    let t = MessageType;
    let cases: Vec<(&str, MessageError)> = vec![
        (r#"{"a":1}"#, MessageError::NotAList { found: "dict" }),
        ("[]", MessageError::Empty),
        (r#"["1"]"#, MessageError::TypeNotInteger { found: "string" }),
        ("[true]", MessageError::TypeNotInteger { found: "bool" }),
        ("[99]", MessageError::UnknownType { code: 99 }),
        ("[1024,1]", MessageError::UnknownType { code: 1024 }),
        ("[7,{}]", MessageError::UnknownType { code: 7 }),
        (
            r#"[1,"realm1"]"#,
            MessageError::Arity {
                message: t(1),
                len: 2,
                expected: "3",
            },
        ),
        (
            r#"[32,1,{},"a.b","extra"]"#,
            MessageError::Arity {
                message: t(32),
                len: 5,
                expected: "4",
            },
        ),
        (
            r#"[1,"realm1",[]]"#,
            MessageError::FieldType {
                message: t(1),
                field: "Details",
                expected: "a dict",
                found: "list",
            },
        ),
        (
            r#"[1,5,{"roles":{"caller":{}}}]"#,
            MessageError::FieldType {
                message: t(1),
                field: "Realm",
                expected: "a string",
                found: "integer",
            },
        ),
        (
            r#"[32,0,{},"a.b"]"#,
            MessageError::IdOutOfRange {
                message: t(32),
                field: "Request",
                value: 0,
            },
        ),
        (
            r#"[32,9007199254740993,{},"a.b"]"#,
            MessageError::IdOutOfRange {
                message: t(32),
                field: "Request",
                value: 9007199254740993,
            },
        ),
        (
            r#"[32,-1,{},"a.b"]"#,
            MessageError::IdOutOfRange {
                message: t(32),
                field: "Request",
                value: -1,
            },
        ),
        (
            r#"[32,1.0,{},"a.b"]"#,
            MessageError::FieldType {
                message: t(32),
                field: "Request",
                expected: "an ID (integer)",
                found: "float",
            },
        ),
        (
            r#"[32,true,{},"a.b"]"#,
            MessageError::FieldType {
                message: t(32),
                field: "Request",
                expected: "an ID (integer)",
                found: "bool",
            },
        ),
        (
            r#"[8,49,1,{},"a.b"]"#,
            MessageError::InvalidErrorRequestType { code: 49 },
        ),
        (
            r#"[8,2,1,{},"a.b"]"#,
            MessageError::InvalidErrorRequestType { code: 2 },
        ),
        (
            r#"[6,{},"wamp..close"]"#,
            MessageError::InvalidUri {
                message: t(6),
                field: "Reason",
                uri: "wamp..close".into(),
                reason: crate::uri::UriError::EmptyComponent { index: 1 },
            },
        ),
        (
            r#"[1,"realm1",{}]"#,
            MessageError::MissingOption {
                message: t(1),
                field: "Details",
                key: "roles",
            },
        ),
        (
            r#"[1,"realm1",{"roles":{"dealer":{}}}]"#,
            MessageError::InvalidOption {
                message: t(1),
                field: "Details",
                key: "roles".into(),
                expected: "a dict of role dicts naming publisher, subscriber, caller or callee",
            },
        ),
        (
            r#"[16,1,{"acknowledge":1},"a.b"]"#,
            MessageError::InvalidOption {
                message: t(16),
                field: "Options",
                key: "acknowledge".into(),
                expected: "a bool",
            },
        ),
        (
            r#"[16,1,{},"a.b","payload"]"#,
            MessageError::OpaqueWithoutScheme {
                message: t(16),
                field: "Options",
            },
        ),
        (
            r#"[16,1,{},"a.b",[],[]]"#,
            MessageError::FieldType {
                message: t(16),
                field: "ArgumentsKw",
                expected: "a dict",
                found: "list",
            },
        ),
        (
            r#"[16,1,{},"a.b",{}]"#,
            MessageError::FieldType {
                message: t(16),
                field: "Arguments",
                expected: "a list",
                found: "dict",
            },
        ),
        (
            r#"[35,3,{}]"#,
            MessageError::RevocationRequestNotZero {
                message: t(35),
                value: 3,
            },
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(decode(json), Err(expected), "{json}");
    }
}

#[test]
fn error_may_answer_exactly_the_requests_that_can_fail() {
    for code in 0..=80u64 {
        let json = format!(r#"[8,{code},1,{{}},"a.b"]"#);
        assert_eq!(
            decode(&json).is_ok(),
            MessageType(code).can_fail(),
            "{json}"
        );
    }
}

#[test]
fn opaque_payloads_need_a_scheme_and_stay_opaque() {
    let m = decode(r#"[36,1,2,{"enc_algo":"cryptobox"},"a1666e6f74696365"]"#).unwrap();
    let Message::Event(e) = m else {
        panic!("not an EVENT")
    };
    assert_eq!(
        e.payload,
        Payload::Opaque(Opaque::Text("a1666e6f74696365".into()))
    );
    assert!(decode(r#"[36,1,2,{"enc_algo":"invalid"},"a1"]"#).is_err());
}

#[test]
fn payload_constructor_omits_empty_trailers() {
    assert_eq!(Payload::new(vec![], Dict::new()), Payload::None);
    assert_eq!(
        Payload::new(vec![Value::Null], Dict::new()),
        Payload::Args(vec![Value::Null])
    );
    let kw: Dict = [("a".to_string(), Value::Null)].into();
    assert_eq!(
        Payload::new(vec![], kw.clone()),
        Payload::ArgsKw(vec![], kw)
    );
}
