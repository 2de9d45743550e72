//! Strict decoding of a value tree into a [`Message`].

use super::options;
use super::types::*;
use super::{Message, MessageError, MessageType, Opaque, Payload};
use crate::id::Id;
use crate::uri::{Uri, UriRule};
use crate::value::{Dict, List, Value};

/// The elements of one message, with typed accessors that name the field on error.
struct Fields {
    message: MessageType,
    items: std::vec::IntoIter<Value>,
}

impl Fields {
    fn next(&mut self, field: &'static str) -> Result<Value, MessageError> {
        // Arity was checked before any field is read, so this is unreachable in practice;
        // it still reports an arity error rather than panicking.
        self.items.next().ok_or(MessageError::Arity {
            message: self.message,
            len: 0,
            expected: field,
        })
    }

    fn wrong(&self, field: &'static str, expected: &'static str, found: &Value) -> MessageError {
        MessageError::FieldType {
            message: self.message,
            field,
            expected,
            found: found.kind(),
        }
    }

    fn id(&mut self, field: &'static str) -> Result<Id, MessageError> {
        let value = self.next(field)?;
        let n = value
            .as_i128()
            .ok_or_else(|| self.wrong(field, "an ID (integer)", &value))?;
        u64::try_from(n)
            .ok()
            .and_then(Id::new)
            .ok_or(MessageError::IdOutOfRange {
                message: self.message,
                field,
                value: n,
            })
    }

    /// A request ID that may be 0 (the revocation forms): `None` for 0.
    fn id_or_zero(&mut self, field: &'static str) -> Result<Option<Id>, MessageError> {
        let value = self.next(field)?;
        let n = value
            .as_i128()
            .ok_or_else(|| self.wrong(field, "an ID (integer)", &value))?;
        if n == 0 {
            return Ok(None);
        }
        u64::try_from(n)
            .ok()
            .and_then(Id::new)
            .map(Some)
            .ok_or(MessageError::IdOutOfRange {
                message: self.message,
                field,
                value: n,
            })
    }

    fn dict(&mut self, field: &'static str) -> Result<Dict, MessageError> {
        match self.next(field)? {
            Value::Dict(d) => {
                options::check(self.message, field, &d)?;
                Ok(d)
            }
            other => Err(self.wrong(field, "a dict", &other)),
        }
    }

    fn string(&mut self, field: &'static str) -> Result<String, MessageError> {
        match self.next(field)? {
            Value::Str(s) => Ok(s),
            other => Err(self.wrong(field, "a string", &other)),
        }
    }

    /// A URI the receiver checks by its own policy (realm, topic, procedure).
    fn uri(&mut self, field: &'static str) -> Result<Uri, MessageError> {
        self.string(field).map(Uri::from)
    }

    /// A URI that must be valid now: reasons and error URIs cannot be answered with an
    /// ERROR, so an invalid one is a protocol violation.
    fn checked_uri(&mut self, field: &'static str) -> Result<Uri, MessageError> {
        let uri = self.uri(field)?;
        match uri.check(UriRule::Loose) {
            Ok(()) => Ok(uri),
            Err(reason) => Err(MessageError::InvalidUri {
                message: self.message,
                field,
                uri: uri.as_str().to_owned(),
                reason,
            }),
        }
    }

    /// The optional trailing payload; `scheme_dict` is the Options/Details dict whose payload
    /// scheme keys permit an opaque payload.
    fn payload(
        &mut self,
        scheme_field: &'static str,
        scheme_dict: &Dict,
    ) -> Result<Payload, MessageError> {
        let Some(first) = self.items.next() else {
            return Ok(Payload::None);
        };
        let args = match first {
            Value::List(args) => args,
            Value::Bytes(_) | Value::Str(_) if !self.items.as_slice().is_empty() => {
                return Err(self.wrong("Arguments", "a list", &first));
            }
            Value::Bytes(b) if options::names_payload_scheme(scheme_dict) => {
                return Ok(Payload::Opaque(Opaque::Bytes(b)));
            }
            Value::Str(s) if options::names_payload_scheme(scheme_dict) => {
                return Ok(Payload::Opaque(Opaque::Text(s)));
            }
            Value::Bytes(_) | Value::Str(_) => {
                return Err(MessageError::OpaqueWithoutScheme {
                    message: self.message,
                    field: scheme_field,
                });
            }
            other => return Err(self.wrong("Arguments", "a list", &other)),
        };
        match self.items.next() {
            None => Ok(Payload::Args(args)),
            Some(Value::Dict(kwargs)) => Ok(Payload::ArgsKw(args, kwargs)),
            Some(other) => Err(self.wrong("ArgumentsKw", "a dict", &other)),
        }
    }
}

/// Allowed element counts (including the type code) per message type.
fn arity(message: MessageType) -> Option<(usize, usize, &'static str)> {
    Some(match message {
        MessageType::HELLO
        | MessageType::WELCOME
        | MessageType::CHALLENGE
        | MessageType::AUTHENTICATE
        | MessageType::GOODBYE
        | MessageType::PUBLISHED
        | MessageType::SUBSCRIBED
        | MessageType::UNSUBSCRIBE
        | MessageType::CANCEL
        | MessageType::REGISTERED
        | MessageType::UNREGISTER
        | MessageType::INTERRUPT => (3, 3, "3"),
        MessageType::ABORT | MessageType::RESULT | MessageType::YIELD => (3, 5, "3 to 5"),
        MessageType::ERROR => (5, 7, "5 to 7"),
        MessageType::PUBLISH | MessageType::EVENT | MessageType::CALL | MessageType::INVOCATION => {
            (4, 6, "4 to 6")
        }
        MessageType::SUBSCRIBE | MessageType::REGISTER => (4, 4, "4"),
        MessageType::UNSUBSCRIBED | MessageType::UNREGISTERED => (2, 3, "2 or 3"),
        _ => return None,
    })
}

pub(super) fn decode(value: Value) -> Result<Message, MessageError> {
    let list: List = match value {
        Value::List(l) => l,
        other => {
            return Err(MessageError::NotAList {
                found: other.kind(),
            });
        }
    };
    let len = list.len();
    let mut items = list.into_iter();
    let code_value = items.next().ok_or(MessageError::Empty)?;
    let code = code_value.as_u64().ok_or(MessageError::TypeNotInteger {
        found: code_value.kind(),
    })?;
    let message = MessageType(code);
    if message.is_extension() {
        return Ok(Message::Extension(Extension {
            code: message,
            fields: items.collect(),
        }));
    }
    let (min, max, expected) = arity(message).ok_or(MessageError::UnknownType { code })?;
    if len < min || len > max {
        return Err(MessageError::Arity {
            message,
            len,
            expected,
        });
    }
    let mut f = Fields { message, items };
    let decoded = match message {
        MessageType::HELLO => Message::Hello(Hello {
            realm: f.uri("Realm")?,
            details: f.dict("Details")?,
        }),
        MessageType::WELCOME => Message::Welcome(Welcome {
            session: f.id("Session")?,
            details: f.dict("Details")?,
        }),
        MessageType::ABORT => {
            let details = f.dict("Details")?;
            let reason = f.checked_uri("Reason")?;
            let payload = f.payload("Details", &details)?;
            Message::Abort(Abort {
                details,
                reason,
                payload,
            })
        }
        MessageType::CHALLENGE => Message::Challenge(Challenge {
            auth_method: f.string("AuthMethod")?,
            extra: f.dict("Extra")?,
        }),
        MessageType::AUTHENTICATE => Message::Authenticate(Authenticate {
            signature: f.string("Signature")?,
            extra: f.dict("Extra")?,
        }),
        MessageType::GOODBYE => Message::Goodbye(Goodbye {
            details: f.dict("Details")?,
            reason: f.checked_uri("Reason")?,
        }),
        MessageType::ERROR => {
            let type_value = f.next("REQUEST.Type")?;
            let request_code = type_value
                .as_u64()
                .ok_or_else(|| f.wrong("REQUEST.Type", "an integer", &type_value))?;
            let request_type = MessageType(request_code);
            if !request_type.can_fail() {
                return Err(MessageError::InvalidErrorRequestType { code: request_code });
            }
            let request = f.id("REQUEST.Request")?;
            let details = f.dict("Details")?;
            let error = f.checked_uri("Error")?;
            let payload = f.payload("Details", &details)?;
            Message::Error(WampError {
                request_type,
                request,
                details,
                error,
                payload,
            })
        }
        MessageType::PUBLISH => {
            let request = f.id("Request")?;
            let options = f.dict("Options")?;
            let topic = f.uri("Topic")?;
            let payload = f.payload("Options", &options)?;
            Message::Publish(Publish {
                request,
                options,
                topic,
                payload,
            })
        }
        MessageType::PUBLISHED => Message::Published(Published {
            request: f.id("PUBLISH.Request")?,
            publication: f.id("Publication")?,
        }),
        MessageType::SUBSCRIBE => Message::Subscribe(Subscribe {
            request: f.id("Request")?,
            options: f.dict("Options")?,
            topic: f.uri("Topic")?,
        }),
        MessageType::SUBSCRIBED => Message::Subscribed(Subscribed {
            request: f.id("SUBSCRIBE.Request")?,
            subscription: f.id("Subscription")?,
        }),
        MessageType::UNSUBSCRIBE => Message::Unsubscribe(Unsubscribe {
            request: f.id("Request")?,
            subscription: f.id("SUBSCRIBED.Subscription")?,
        }),
        MessageType::UNSUBSCRIBED => {
            let (request, details) = revocable(&mut f, len, "UNSUBSCRIBE.Request")?;
            Message::Unsubscribed(Unsubscribed { request, details })
        }
        MessageType::EVENT => {
            let subscription = f.id("SUBSCRIBED.Subscription")?;
            let publication = f.id("PUBLISHED.Publication")?;
            let details = f.dict("Details")?;
            let payload = f.payload("Details", &details)?;
            Message::Event(Event {
                subscription,
                publication,
                details,
                payload,
            })
        }
        MessageType::CALL => {
            let request = f.id("Request")?;
            let options = f.dict("Options")?;
            let procedure = f.uri("Procedure")?;
            let payload = f.payload("Options", &options)?;
            Message::Call(Call {
                request,
                options,
                procedure,
                payload,
            })
        }
        MessageType::CANCEL => Message::Cancel(Cancel {
            request: f.id("CALL.Request")?,
            options: f.dict("Options")?,
        }),
        MessageType::RESULT => {
            let request = f.id("CALL.Request")?;
            let details = f.dict("Details")?;
            let payload = f.payload("Details", &details)?;
            Message::Result(CallResult {
                request,
                details,
                payload,
            })
        }
        MessageType::REGISTER => Message::Register(Register {
            request: f.id("Request")?,
            options: f.dict("Options")?,
            procedure: f.uri("Procedure")?,
        }),
        MessageType::REGISTERED => Message::Registered(Registered {
            request: f.id("REGISTER.Request")?,
            registration: f.id("Registration")?,
        }),
        MessageType::UNREGISTER => Message::Unregister(Unregister {
            request: f.id("Request")?,
            registration: f.id("REGISTERED.Registration")?,
        }),
        MessageType::UNREGISTERED => {
            let (request, details) = revocable(&mut f, len, "UNREGISTER.Request")?;
            Message::Unregistered(Unregistered { request, details })
        }
        MessageType::INVOCATION => {
            let request = f.id("Request")?;
            let registration = f.id("REGISTERED.Registration")?;
            let details = f.dict("Details")?;
            let payload = f.payload("Details", &details)?;
            Message::Invocation(Invocation {
                request,
                registration,
                details,
                payload,
            })
        }
        MessageType::INTERRUPT => Message::Interrupt(Interrupt {
            request: f.id("INVOCATION.Request")?,
            options: f.dict("Options")?,
        }),
        MessageType::YIELD => {
            let request = f.id("INVOCATION.Request")?;
            let options = f.dict("Options")?;
            let payload = f.payload("Options", &options)?;
            Message::Yield(Yield {
                request,
                options,
                payload,
            })
        }
        _ => return Err(MessageError::UnknownType { code }),
    };
    Ok(decoded)
}

/// UNSUBSCRIBED/UNREGISTERED: `[T, Request|id]` or the revocation form `[T, 0, Details]`.
fn revocable(
    f: &mut Fields,
    len: usize,
    field: &'static str,
) -> Result<(Option<Id>, Option<Dict>), MessageError> {
    if len == 2 {
        return Ok((Some(f.id(field)?), None));
    }
    let request = f.id_or_zero(field)?;
    let details = f.dict("Details")?;
    if let Some(id) = request {
        return Err(MessageError::RevocationRequestNotZero {
            message: f.message,
            value: id.get(),
        });
    }
    Ok((None, Some(details)))
}
