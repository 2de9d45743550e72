//! Catalogue-wide invariants: the golden id list, counts, indices and table facts.

use super::*;
use crate::step::Step;

const GOLDEN: &str = include_str!("../../ids.txt");

fn count(prefix: &[u32]) -> usize {
    catalogue()
        .iter()
        .filter(|c| c.id.starts_with(prefix))
        .count()
}

fn index(s: &str) -> usize {
    index_of(&s.parse().unwrap()).unwrap()
}

#[test]
fn matches_the_golden_id_list() {
    let golden: Vec<&str> = GOLDEN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let ours: Vec<String> = catalogue().iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ours, golden);
}

#[test]
fn counts_per_section() {
    assert_eq!(catalogue().len(), 534);
    for (section, n) in [
        (12, 90),
        (13, 126),
        (14, 17),
        (1, 16),
        (2, 11),
        (3, 7),
        (4, 10),
        (5, 20),
        (6, 145),
        (7, 37),
        (9, 54),
        (10, 1),
    ] {
        assert_eq!(count(&[section]), n, "section {section}");
    }
    for (sub, n) in [(1, 6), (3, 6), (5, 1), (7, 13), (9, 9), (13, 2)] {
        assert_eq!(count(&[7, sub]), n, "7.{sub}");
    }
    for (sub, n) in [
        (1, 6),
        (2, 6),
        (3, 9),
        (4, 9),
        (5, 6),
        (6, 6),
        (7, 6),
        (8, 6),
    ] {
        assert_eq!(count(&[9, sub]), n, "9.{sub}");
    }
}

#[test]
fn global_index_ranges_of_appendix_a() {
    let ranges: &[(&[u32], usize, usize)] = &[
        (&[1, 1], 1, 8),
        (&[1, 2], 9, 16),
        (&[2], 17, 27),
        (&[3], 28, 34),
        (&[4, 1], 35, 39),
        (&[4, 2], 40, 44),
        (&[5], 45, 64),
        (&[6, 1], 65, 67),
        (&[6, 2], 68, 71),
        (&[6, 3], 72, 73),
        (&[6, 4], 74, 77),
        (&[6, 5], 78, 82),
        (&[6, 6], 83, 93),
        (&[6, 7], 94, 97),
        (&[6, 8], 98, 99),
        (&[6, 9], 100, 103),
        (&[6, 10], 104, 106),
        (&[6, 11], 107, 111),
        (&[6, 12], 112, 119),
        (&[6, 13], 120, 124),
        (&[6, 14], 125, 134),
        (&[6, 15], 135, 135),
        (&[6, 16], 136, 138),
        (&[6, 17], 139, 143),
        (&[6, 18], 144, 148),
        (&[6, 19], 149, 153),
        (&[6, 20], 154, 160),
        (&[6, 21], 161, 168),
        (&[6, 22], 169, 202),
        (&[6, 23], 203, 209),
        (&[7, 1], 210, 215),
        (&[7, 3], 216, 221),
        (&[7, 5], 222, 222),
        (&[7, 7], 223, 235),
        (&[7, 9], 236, 244),
        (&[7, 13], 245, 246),
        (&[9, 1], 247, 252),
        (&[9, 2], 253, 258),
        (&[9, 3], 259, 267),
        (&[9, 4], 268, 276),
        (&[9, 5], 277, 282),
        (&[9, 6], 283, 288),
        (&[9, 7], 289, 294),
        (&[9, 8], 295, 300),
        (&[10, 1], 301, 301),
        (&[12, 1], 302, 319),
        (&[12, 5], 374, 391),
        (&[13, 1], 392, 409),
        (&[13, 7], 500, 517),
    ];
    for &(prefix, first, last) in ranges {
        let positions: Vec<usize> = catalogue()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.id.starts_with(prefix))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(positions.first(), Some(&first), "{prefix:?}");
        assert_eq!(positions.last(), Some(&last), "{prefix:?}");
        assert_eq!(positions.len(), last - first + 1, "{prefix:?}");
    }
}

#[test]
fn lookups() {
    assert_eq!(index("7.1.6"), 215);
    assert_eq!(index("10.1.1"), 301);
    assert_eq!(
        by_index(215).map(|c| c.id.to_string()).as_deref(),
        Some("7.1.6")
    );
    assert_eq!(
        by_index(1).map(|c| c.id.to_string()).as_deref(),
        Some("1.1.1")
    );
    assert!(by_index(0).is_none());
    assert_eq!(index("13.7.18"), 517);
    assert!(by_index(535).is_none());
    assert!(by_id(&"7.9.10".parse().unwrap()).is_none());
    for (i, c) in catalogue().iter().enumerate() {
        assert_eq!(index_of(&c.id), Some(i + 1));
        assert_eq!(by_id(&c.id).map(|x| &x.id), Some(&c.id));
    }
}

#[test]
fn building_is_cheap() {
    // Nothing large is materialised or hashed while the catalogue is built.
    let start = std::time::Instant::now();
    let mut all = Vec::new();
    c09_limits::cases(&mut all);
    assert!(
        start.elapsed() < std::time::Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn ids_are_unique_and_sorted() {
    let all = catalogue();
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
}

#[test]
fn utf8_family_table_facts() {
    let families = c06_utf8::families();
    assert_eq!(families.len(), 19);
    let valid_per_family: Vec<usize> = families
        .iter()
        .map(|(_, seqs)| {
            seqs.iter()
                .filter(|s| std::str::from_utf8(s).is_ok())
                .count()
        })
        .collect();
    let sizes: Vec<usize> = families.iter().map(|(_, s)| s.len()).collect();
    assert_eq!(
        sizes,
        [5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7]
    );
    assert_eq!(
        valid_per_family,
        [5, 5, 4, 0, 4, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 34, 7]
    );
    // 6.12.8 is the run 0x80..=0xbe; 6.15.1 is 30 bytes.
    assert_eq!(families[7].1[7].len(), 63);
    assert_eq!(families[10].1[0].len(), 30);
    // Section 6 overall: 70 echoed, 75 rejected.
    let six: Vec<&Case> = catalogue().iter().filter(|c| c.id.section() == 6).collect();
    let echoed = six.iter().filter(|c| c.expect.close.closed_by_me).count();
    assert_eq!((echoed, six.len() - echoed), (70, 75));
    assert!(
        six.iter()
            .filter(|c| !c.expect.close.closed_by_me)
            .all(|c| c.expect.close.wrong_closer_is_fatal && c.expect.close.codes == [1007])
    );
}

#[test]
fn every_case_is_described_and_bounded() {
    for c in catalogue() {
        assert!(
            !c.title.is_empty() && !c.description.is_empty() && !c.expectation.is_empty(),
            "{}",
            c.id
        );
        assert!(!c.spec_ref.requirement.is_empty(), "{}", c.id);
        assert!(!c.steps.is_empty(), "{}", c.id);
        assert!(!c.expect.close.codes.is_empty(), "{}", c.id);
        // Every case has something that ends it: a timer, a close, or an echo wait.
        assert!(
            c.steps.iter().any(|s| matches!(
                s,
                Step::KillAfter { .. }
                    | Step::CloseAfter { .. }
                    | Step::AwaitEcho { .. }
                    | Step::EchoLoop { .. }
            )),
            "{}",
            c.id
        );
    }
}

#[test]
fn table_rules() {
    let get = |s: &str| by_id(&s.parse().unwrap()).unwrap();
    // WRONG CODE → FAILED exactly in 7.1.1-7.1.5, 7.3.x, 7.5.1, 7.7.x, 7.9.x.
    for c in catalogue() {
        let p = c.id.parts();
        let strict = p.starts_with(&[7]) && !(p == [7, 1, 6] || p.starts_with(&[7, 13]));
        assert_eq!(c.expect.wrong_code_fails_behavior, strict, "{}", c.id);
        let informational = p == [7, 1, 6] || p.starts_with(&[7, 13]);
        assert_eq!(c.expect.forced_informational, informational, "{}", c.id);
    }
    assert_eq!(get("7.7.13").expect.close.codes, [1000, 4999]);
    assert_eq!(
        get("7.9.6").steps[0],
        Step::Close {
            body: crate::CloseBody::code(1016)
        }
    );
    assert_eq!(get("7.13.2").expect.close.codes, [1000, 65535, 1002]);
    // Payload sizes that probe the length encodings.
    let sizes: Vec<usize> = (1..=8)
        .map(|i| match &get(&format!("1.1.{i}")).steps[0] {
            Step::Frame { frame, .. } => frame.payload.len(),
            _ => usize::MAX,
        })
        .collect();
    assert_eq!(sizes, [0, 125, 126, 127, 128, 65535, 65536, 65536]);
    // 9.x: 16 MiB is not materialised; the table's timeouts are data.
    match &get("9.1.6").expect.check {
        crate::Check::Echo {
            echo,
            count,
            timeout,
        } => {
            assert_eq!((echo.len(), *count, timeout.0), (16 << 20, 1, 100.0));
        }
        other => panic!("unexpected check {other:?}"),
    }
    match &get("9.8.6").expect.check {
        crate::Check::Echo {
            echo,
            count,
            timeout,
        } => {
            assert_eq!(
                (echo.len(), echo.binary, *count, timeout.0),
                (4096, true, 1000, 480.0)
            );
        }
        other => panic!("unexpected check {other:?}"),
    }
    // 6.4.3 streams one frame of declared length 21.
    match &get("6.4.3").steps[0] {
        Step::BeginFrame { frame } => assert_eq!(frame.declared_len, Some(21)),
        other => panic!("unexpected step {other:?}"),
    }
    // 10.1.1 produces the frame counts it checks.
    match &get("10.1.1").steps[0] {
        Step::Message { message, .. } => {
            assert_eq!(message.frames().filter(|f| f.opcode == 0).count(), 50);
            assert_eq!(message.frames().filter(|f| f.opcode == 1).count(), 1);
        }
        other => panic!("unexpected step {other:?}"),
    }
}

#[test]
fn catalogue_serialises() {
    let json = serde_json::to_string(catalogue()).unwrap();
    let back: Vec<Case> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, catalogue());
    // Large payloads stay descriptions, not megabytes of data.
    assert!(
        json.len() < 2 * 1024 * 1024,
        "catalogue JSON is {} bytes",
        json.len()
    );
}

/// Every frame a case writes, with the case id.
fn all_frames() -> Vec<(String, crate::FrameSpec)> {
    let mut out = Vec::new();
    for c in catalogue() {
        for s in &c.steps {
            match s {
                Step::Frame { frame, .. } | Step::BeginFrame { frame } => {
                    out.push((c.id.to_string(), frame.clone()));
                }
                Step::Message { message, .. } if message.payload.len() < 100_000 => {
                    out.extend(message.frames().map(|f| (c.id.to_string(), f)));
                }
                Step::Close { body } => {
                    let f = crate::FrameSpec::new(true, 8, Payload::bytes_of(body.to_bytes()));
                    out.push((c.id.to_string(), f));
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn violations_appear_only_where_intended() {
    let frames = all_frames();
    let mut oversize_control: Vec<&str> = frames
        .iter()
        .filter(|(_, f)| f.opcode >= 8 && f.payload.len() > 125)
        .map(|(id, _)| id.as_str())
        .collect();
    oversize_control.dedup();
    assert_eq!(oversize_control, ["2.5", "7.3.6"]);

    let mut with_rsv: Vec<&str> = frames
        .iter()
        .filter(|(_, f)| f.rsv != 0)
        .map(|(id, _)| id.as_str())
        .collect();
    with_rsv.dedup();
    // 14.1 and 14.2: RSV1 where permessage-deflate forbids it.
    assert_eq!(
        with_rsv,
        [
            "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "14.1", "14.2"
        ]
    );

    let mut reserved: Vec<&str> = frames
        .iter()
        .filter(|(_, f)| matches!(f.opcode, 3..=7 | 11..=15))
        .map(|(id, _)| id.as_str())
        .collect();
    reserved.dedup();
    assert_eq!(reserved.len(), 10);
    assert!(reserved.iter().all(|id| id.starts_with("4.")));

    let mut fragmented_control: Vec<&str> = frames
        .iter()
        .filter(|(_, f)| f.opcode >= 8 && !f.fin)
        .map(|(id, _)| id.as_str())
        .collect();
    fragmented_control.dedup();
    assert_eq!(fragmented_control, ["5.1", "5.2"]);

    // Masking is never overridden in sections 1-10.
    assert!(
        frames
            .iter()
            .all(|(_, f)| f.mask == crate::MaskPolicy::Auto)
    );
}

#[test]
fn text_is_valid_utf8_except_in_the_utf8_rejection_cases() {
    let bad: Vec<String> = catalogue()
        .iter()
        .filter(|c| {
            c.steps.iter().any(|s| match s {
                Step::Frame { frame, .. } => {
                    frame.opcode == 1 && frame.fin && !frame.payload.is_utf8()
                }
                Step::Message { message, .. } => !message.binary && !message.payload.is_utf8(),
                _ => false,
            })
        })
        .map(|c| c.id.to_string())
        .collect();
    // 6.3.x and the 67 single-frame invalid sequences of 6.5-6.23 (6.6's two... all counted).
    assert!(bad.iter().all(|id| id.starts_with("6.")), "{bad:?}");
    let rejected = catalogue()
        .iter()
        .filter(|c| c.id.section() == 6 && !c.expect.close.closed_by_me)
        .count();
    // Every rejection case except the four streamed/staged 6.4.x sends one invalid message.
    assert_eq!(bad.len(), rejected - 4);
}
