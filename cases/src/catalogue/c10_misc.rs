//! Section 10 — Miscellaneous. RFC 6455 §5.4: a sender may fragment a message of any size
//! into frames of its choosing (an endpoint that did not negotiate an extension may still
//! fragment), and the receiver must reassemble it.

use std::collections::BTreeMap;

use super::{case, ev_text, expect_events, id, kill, rfc};
use crate::case::Case;
use crate::expect::Check;
use crate::message::{Fragmentation, MessageSpec};
use crate::payload::Payload;
use crate::step::{Delivery, Step};

pub(super) fn cases(out: &mut Vec<Case>) {
    let payload = Payload::repeat(*b"*", 65_536);
    let mut message = MessageSpec::text(payload.clone());
    message.fragmentation = Fragmentation::AutoFragment(1300);
    let mut expect = expect_events(vec![ev_text(payload)]);
    // 65 536 = 50 × 1300 + 536: one text frame and 50 continuations.
    expect.check = Check::FrameCount {
        counts: BTreeMap::from([(0, 50), (1, 1)]),
    };
    out.push(case(
        id(&[10, 1, 1]),
        "64 KiB text message auto-fragmented at 1300 bytes",
        "Send a 65 536-byte text message with the harness's automatic fragmentation set to \
         1300 bytes: one text frame and 50 continuations, the last of 536 bytes.",
        "The peer echoes the reassembled message; the harness's own counters show exactly one \
         text frame and 50 continuation frames sent.",
        rfc(
            "5.4",
            "A message may be split into frames of any size; the receiver reassembles it.",
        ),
        vec![
            Step::Message {
                message,
                delivery: Delivery::PLAIN,
            },
            kill(10.0),
        ],
        expect,
    ));
}
