//! Labels and colour classes for verdicts, in one place (templates only print them).

use ampel_cases::{Behavior, CloseBehavior};

/// The matrix word and CSS class of a main verdict, as Autobahn shows it.
pub fn behavior_style(behavior: Behavior) -> (&'static str, &'static str) {
    match behavior {
        Behavior::Ok => ("Pass", "v-pass"),
        Behavior::NonStrict => ("Non-Strict", "v-non-strict"),
        Behavior::Informational => ("Info", "v-info"),
        Behavior::Unimplemented => ("Unimplemented", "v-unimplemented"),
        // FAILED, and any verdict this crate does not know yet.
        _ => ("Fail", "v-fail"),
    }
}

/// The CSS class of a close verdict: OK green, FAILED BY CLIENT light green, WRONG CODE
/// olive, INFORMATIONAL blue, UNCLEAN and FAILED dark red.
pub fn close_class(close: CloseBehavior) -> &'static str {
    match close {
        CloseBehavior::Ok => "c-ok",
        CloseBehavior::FailedByClient => "c-almost",
        CloseBehavior::WrongCode => "c-wrong-code",
        CloseBehavior::Informational => "c-info",
        _ => "c-fail",
    }
}

/// The close cell text: the peer's close code where the verdict is about codes, else the
/// failure word (Autobahn's "Unclean" / "Fail").
pub fn close_label(close: CloseBehavior, remote_code: Option<u16>) -> String {
    let code = || remote_code.map_or_else(|| "no code".to_owned(), |c| c.to_string());
    match close {
        CloseBehavior::Ok
        | CloseBehavior::FailedByClient
        | CloseBehavior::WrongCode
        | CloseBehavior::Informational => code(),
        CloseBehavior::Unclean => "Unclean".to_owned(),
        _ => "Fail".to_owned(),
    }
}

/// The name of an opcode.
pub fn opcode_name(opcode: u8) -> &'static str {
    match opcode {
        0 => "continuation",
        1 => "text",
        2 => "binary",
        8 => "close",
        9 => "ping",
        10 => "pong",
        _ => "reserved",
    }
}
