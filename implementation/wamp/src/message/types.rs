//! One struct per message type; field names follow the specification's layouts.

use super::{MessageType, Payload};
use crate::id::Id;
use crate::uri::Uri;
use crate::value::{Dict, List};

/// `[HELLO, Realm|uri, Details|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Hello {
    pub realm: Uri,
    pub details: Dict,
}

/// `[WELCOME, Session|id, Details|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    pub session: Id,
    pub details: Dict,
}

/// `[ABORT, Details|dict, Reason|uri]` (+ `Arguments`, `ArgumentsKw`)
#[derive(Debug, Clone, PartialEq)]
pub struct Abort {
    pub details: Dict,
    pub reason: Uri,
    pub payload: Payload,
}

/// `[CHALLENGE, AuthMethod|string, Extra|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub auth_method: String,
    pub extra: Dict,
}

/// `[AUTHENTICATE, Signature|string, Extra|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Authenticate {
    pub signature: String,
    pub extra: Dict,
}

/// `[GOODBYE, Details|dict, Reason|uri]`
#[derive(Debug, Clone, PartialEq)]
pub struct Goodbye {
    pub details: Dict,
    pub reason: Uri,
}

/// `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct WampError {
    pub request_type: MessageType,
    pub request: Id,
    pub details: Dict,
    pub error: Uri,
    pub payload: Payload,
}

/// `[PUBLISH, Request|id, Options|dict, Topic|uri]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct Publish {
    pub request: Id,
    pub options: Dict,
    pub topic: Uri,
    pub payload: Payload,
}

/// `[PUBLISHED, PUBLISH.Request|id, Publication|id]`
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub request: Id,
    pub publication: Id,
}

/// `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]`
#[derive(Debug, Clone, PartialEq)]
pub struct Subscribe {
    pub request: Id,
    pub options: Dict,
    pub topic: Uri,
}

/// `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]`
#[derive(Debug, Clone, PartialEq)]
pub struct Subscribed {
    pub request: Id,
    pub subscription: Id,
}

/// `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]`
#[derive(Debug, Clone, PartialEq)]
pub struct Unsubscribe {
    pub request: Id,
    pub subscription: Id,
}

/// `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id]`, or the revocation form `[UNSUBSCRIBED, 0,
/// Details|dict]` (`request` is `None` for the wire value 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Unsubscribed {
    pub request: Option<Id>,
    pub details: Option<Dict>,
}

/// `[EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub subscription: Id,
    pub publication: Id,
    pub details: Dict,
    pub payload: Payload,
}

/// `[CALL, Request|id, Options|dict, Procedure|uri]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub request: Id,
    pub options: Dict,
    pub procedure: Uri,
    pub payload: Payload,
}

/// `[CANCEL, CALL.Request|id, Options|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Cancel {
    pub request: Id,
    pub options: Dict,
}

/// `[RESULT, CALL.Request|id, Details|dict]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    pub request: Id,
    pub details: Dict,
    pub payload: Payload,
}

/// `[REGISTER, Request|id, Options|dict, Procedure|uri]`
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    pub request: Id,
    pub options: Dict,
    pub procedure: Uri,
}

/// `[REGISTERED, REGISTER.Request|id, Registration|id]`
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub request: Id,
    pub registration: Id,
}

/// `[UNREGISTER, Request|id, REGISTERED.Registration|id]`
#[derive(Debug, Clone, PartialEq)]
pub struct Unregister {
    pub request: Id,
    pub registration: Id,
}

/// `[UNREGISTERED, UNREGISTER.Request|id]`, or the revocation form `[UNREGISTERED, 0,
/// Details|dict]` (`request` is `None` for the wire value 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Unregistered {
    pub request: Option<Id>,
    pub details: Option<Dict>,
}

/// `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub request: Id,
    pub registration: Id,
    pub details: Dict,
    pub payload: Payload,
}

/// `[INTERRUPT, INVOCATION.Request|id, Options|dict]`
#[derive(Debug, Clone, PartialEq)]
pub struct Interrupt {
    pub request: Id,
    pub options: Dict,
}

/// `[YIELD, INVOCATION.Request|id, Options|dict]` (+ payload)
#[derive(Debug, Clone, PartialEq)]
pub struct Yield {
    pub request: Id,
    pub options: Dict,
    pub payload: Payload,
}

/// An extension message (code 256..=1023) such as EVENT_RECEIVED (337).
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    pub code: MessageType,
    pub fields: List,
}
