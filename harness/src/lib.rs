//! The `ampel` harness: drives a WebSocket peer through the conformance cases.
//!
//! The wire writer, observer and executor are the oracle: they never use the stack under
//! test (`ampel-websocket` / `ampel-net`), which is linked only for `testee` and `selftest`.
#![forbid(unsafe_code)]

pub mod executor;
pub mod observer;
pub mod wire;

pub mod cli;
pub mod expectations;
pub mod modes;
pub mod progress;
pub mod router_cmd;
mod router_realms;
pub mod selftest;
pub mod spec;
pub mod testee;
