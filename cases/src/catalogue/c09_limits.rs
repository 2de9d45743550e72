//! Section 9 — Limits and performance. RFC 6455 §10.4: implementations should set limits on
//! frame and message sizes suitable for their platform, and messages may be large (the length
//! field allows up to 2^63 bytes); these cases check that a peer handles messages up to 16 MiB,
//! many small frames, tiny TCP segments and long request/response loops, echoing each exactly.
//! Autobahn checks only type and length; the echo check here also compares SHA-1 content.

use super::{case, expect_echoes, frame, id, rfc, send_message, send_with};
use crate::case::{Case, SpecRef};
use crate::expect::{Check, Expect};
use crate::frame::opcode::{BINARY, TEXT};
use crate::message::MessageSpec;
use crate::payload::Payload;
use crate::step::{Delivery, EchoSource, EchoSpec, Secs, Step};

const KI: usize = 1024;
const MI: usize = 1024 * 1024;
const TEXT_PATTERN: &[u8] = b"BAsd7&jh23";
const BINARY_PATTERN: &[u8] = &[0x00, 0xfe, 0x23, 0xfa, 0xf0];

/// 9.7.i / 9.8.i: (message size, timeout in seconds) for 1000 sequential round trips.
pub(crate) const ECHO_LOOP_ROWS: [(usize, f64); 6] = [
    (0, 60.0),
    (16, 60.0),
    (64, 60.0),
    (256, 120.0),
    (1024, 240.0),
    (4096, 480.0),
];

fn rule() -> SpecRef {
    rfc(
        "10.4",
        "Implementations should impose size limits suited to their platform; a conforming peer \
         still echoes large messages and long streams of messages exactly.",
    )
}

fn echo_expect(echo: EchoSpec, count: u32, timeout: f64) -> Expect {
    expect_echoes(Check::Echo {
        echo,
        count,
        timeout: Secs(timeout),
    })
}

fn size_name(n: usize) -> String {
    if n >= MI && n % MI == 0 {
        format!("{} MiB", n / MI)
    } else if n >= KI && n % KI == 0 {
        format!("{} KiB", n / KI)
    } else {
        format!("{n} bytes")
    }
}

fn kind(binary: bool) -> &'static str {
    if binary { "binary" } else { "text" }
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let sizes = [64 * KI, 256 * KI, MI, 4 * MI, 8 * MI, 16 * MI];
    // 9.1 / 9.2: one large frame.
    for (sub, binary, timeouts) in [
        (1u32, false, [10.0, 10.0, 100.0, 100.0, 100.0, 100.0]),
        (2, true, [10.0, 10.0, 10.0, 10.0, 100.0, 100.0]),
    ] {
        for (i, (size, timeout)) in (1u32..).zip(sizes.into_iter().zip(timeouts)) {
            let (op, pattern) = if binary {
                (BINARY, BINARY_PATTERN)
            } else {
                (TEXT, TEXT_PATTERN)
            };
            let f = frame(true, op, Payload::repeat(pattern, size));
            let echo = EchoSpec::of_frame(&f);
            out.push(case(
                id(&[9, sub, i]),
                format!("{} {} message in one frame", size_name(size), kind(binary)),
                format!(
                    "Send one {} message of {} in a single frame.",
                    kind(binary),
                    size_name(size)
                ),
                format!(
                    "The peer echoes it (same type, length and content) within {timeout} s; the \
                     harness then closes normally."
                ),
                rule(),
                vec![
                    send_with(f, Delivery::PLAIN),
                    Step::AwaitEcho {
                        echo: echo.clone(),
                        timeout: Secs(timeout),
                    },
                ],
                echo_expect(echo, 1, timeout),
            ));
        }
    }
    // 9.3 / 9.4: a 4 MiB message in fragments of 64 B .. 4 MiB.
    let fragment_sizes = [64, 256, KI, 4 * KI, 16 * KI, 64 * KI, 256 * KI, MI, 4 * MI];
    for (sub, binary) in [(3u32, false), (4, true)] {
        for (i, fragment) in (1u32..).zip(fragment_sizes) {
            // Autobahn sends 0xFE bytes in 9.4.1 only and '*' everywhere else.
            let byte = if binary && i == 1 { 0xfe } else { b'*' };
            let payload = Payload::repeat([byte], 4 * MI);
            let message = if binary {
                MessageSpec::binary(payload)
            } else {
                MessageSpec::text(payload)
            }
            .fragmented(fragment);
            let echo = EchoSpec::of(&message);
            out.push(case(
                id(&[9, sub, i]),
                format!(
                    "4 MiB {} message in fragments of {}",
                    kind(binary),
                    size_name(fragment)
                ),
                format!(
                    "Send one 4 MiB {} message in fragments of {} ({} frames).",
                    kind(binary),
                    size_name(fragment),
                    message.frame_count()
                ),
                "The peer echoes the reassembled message (same type, length and content) within \
                 100 s; the harness then closes normally.",
                rule(),
                vec![
                    send_message(message),
                    Step::AwaitEcho {
                        echo: echo.clone(),
                        timeout: Secs(100.0),
                    },
                ],
                echo_expect(echo, 1, 100.0),
            ));
        }
    }
    // 9.5 / 9.6: one 1 MiB frame written in small TCP pieces.
    for (sub, binary) in [(5u32, false), (6, true)] {
        for (i, chop) in (1u32..).zip([64usize, 128, 256, 512, 1024, 2048]) {
            let (op, pattern) = if binary {
                (BINARY, BINARY_PATTERN)
            } else {
                (TEXT, TEXT_PATTERN)
            };
            let f = frame(true, op, Payload::repeat(pattern, MI));
            let echo = EchoSpec::of_frame(&f);
            out.push(case(
                id(&[9, sub, i]),
                format!(
                    "1 MiB {} frame written {chop} octets at a time",
                    kind(binary)
                ),
                format!(
                    "Send one 1 MiB {} message in a single frame whose octets are written {chop} \
                     per socket write.",
                    kind(binary)
                ),
                "The peer echoes it (same type, length and content) within 1000 s; the harness \
                 then closes normally.",
                rule(),
                vec![
                    send_with(f, Delivery::chop(chop)),
                    Step::AwaitEcho {
                        echo: echo.clone(),
                        timeout: Secs(1000.0),
                    },
                ],
                echo_expect(echo, 1, 1000.0),
            ));
        }
    }
    // 9.7 / 9.8: 1000 sequential round trips, from one table.
    for (sub, binary) in [(7u32, false), (8, true)] {
        for (i, (size, timeout)) in (1u32..).zip(ECHO_LOOP_ROWS) {
            let payload = Payload::repeat([if binary { 0xfe } else { b'*' }], size);
            let message = if binary {
                MessageSpec::binary(payload)
            } else {
                MessageSpec::text(payload)
            };
            let echo = EchoSpec::of(&message);
            out.push(case(
                id(&[9, sub, i]),
                format!(
                    "1000 {} messages of {}, one at a time",
                    kind(binary),
                    size_name(size)
                ),
                format!(
                    "Send 1000 {} messages of {} each, the next only after the previous one was \
                     echoed.",
                    kind(binary),
                    size_name(size)
                ),
                format!(
                    "The peer echoes every message (same type, length and content), all within \
                     {timeout} s; the harness then closes normally."
                ),
                rule(),
                vec![Step::EchoLoop {
                    source: EchoSource::Fixed(message),
                    count: 1000,
                    timeout: Secs(timeout),
                }],
                echo_expect(echo, 1000, timeout),
            ));
        }
    }
}
