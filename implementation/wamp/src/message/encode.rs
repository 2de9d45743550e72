//! Encoding a [`Message`] into its value tree (the inverse of decoding).

use super::{Message, MessageType, Opaque, Payload};
use crate::id::Id;
use crate::uri::Uri;
use crate::value::{Dict, Value};

fn id(id: Id) -> Value {
    Value::UInt(id.get())
}

fn uri(uri: &Uri) -> Value {
    Value::Str(uri.as_str().to_owned())
}

fn dict(d: &Dict) -> Value {
    Value::Dict(d.clone())
}

fn push_payload(out: &mut Vec<Value>, payload: &Payload) {
    match payload {
        Payload::None => {}
        Payload::Args(args) => out.push(Value::List(args.clone())),
        Payload::ArgsKw(args, kwargs) => {
            out.push(Value::List(args.clone()));
            out.push(Value::Dict(kwargs.clone()));
        }
        Payload::Opaque(Opaque::Bytes(b)) => out.push(Value::Bytes(b.clone())),
        Payload::Opaque(Opaque::Text(s)) => out.push(Value::Str(s.clone())),
    }
}

fn code(t: MessageType) -> Value {
    Value::UInt(t.0)
}

pub(super) fn encode(message: &Message) -> Value {
    let mut out = vec![code(message.message_type())];
    match message {
        Message::Hello(m) => out.extend([uri(&m.realm), dict(&m.details)]),
        Message::Welcome(m) => out.extend([id(m.session), dict(&m.details)]),
        Message::Abort(m) => {
            out.extend([dict(&m.details), uri(&m.reason)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Challenge(m) => out.extend([Value::Str(m.auth_method.clone()), dict(&m.extra)]),
        Message::Authenticate(m) => {
            out.extend([Value::Str(m.signature.clone()), dict(&m.extra)]);
        }
        Message::Goodbye(m) => out.extend([dict(&m.details), uri(&m.reason)]),
        Message::Error(m) => {
            out.extend([
                code(m.request_type),
                id(m.request),
                dict(&m.details),
                uri(&m.error),
            ]);
            push_payload(&mut out, &m.payload);
        }
        Message::Publish(m) => {
            out.extend([id(m.request), dict(&m.options), uri(&m.topic)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Published(m) => out.extend([id(m.request), id(m.publication)]),
        Message::Subscribe(m) => out.extend([id(m.request), dict(&m.options), uri(&m.topic)]),
        Message::Subscribed(m) => out.extend([id(m.request), id(m.subscription)]),
        Message::Unsubscribe(m) => out.extend([id(m.request), id(m.subscription)]),
        Message::Unsubscribed(m) => revocable(&mut out, m.request, m.details.as_ref()),
        Message::Event(m) => {
            out.extend([id(m.subscription), id(m.publication), dict(&m.details)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Call(m) => {
            out.extend([id(m.request), dict(&m.options), uri(&m.procedure)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Cancel(m) => out.extend([id(m.request), dict(&m.options)]),
        Message::Result(m) => {
            out.extend([id(m.request), dict(&m.details)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Register(m) => out.extend([id(m.request), dict(&m.options), uri(&m.procedure)]),
        Message::Registered(m) => out.extend([id(m.request), id(m.registration)]),
        Message::Unregister(m) => out.extend([id(m.request), id(m.registration)]),
        Message::Unregistered(m) => revocable(&mut out, m.request, m.details.as_ref()),
        Message::Invocation(m) => {
            out.extend([id(m.request), id(m.registration), dict(&m.details)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Interrupt(m) => out.extend([id(m.request), dict(&m.options)]),
        Message::Yield(m) => {
            out.extend([id(m.request), dict(&m.options)]);
            push_payload(&mut out, &m.payload);
        }
        Message::Extension(m) => out.extend(m.fields.iter().cloned()),
    }
    Value::List(out)
}

fn revocable(out: &mut Vec<Value>, request: Option<Id>, details: Option<&Dict>) {
    out.push(request.map_or(Value::UInt(0), id));
    if let Some(d) = details {
        out.push(dict(d));
    }
}
