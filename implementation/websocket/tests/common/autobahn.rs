//! Autobahn Testsuite sections 1-7 as wire images: what the fuzzer writes and
//! what a conforming echo peer must send back (reference §3.1-3.7, §5).

use super::{PeerFrames, Sent};

/// One case: the fuzzer's TCP writes (each delivered in `chop`-byte pieces
/// when set) and every frame we must send in return, close included.
pub struct Case {
    pub id: String,
    pub writes: Vec<Vec<u8>>,
    pub chop: Option<usize>,
    pub expect: Vec<Sent>,
}

fn case(
    id: impl Into<String>,
    writes: Vec<Vec<u8>>,
    chop: Option<usize>,
    expect: Vec<Sent>,
) -> Case {
    Case {
        id: id.into(),
        writes,
        chop,
        expect,
    }
}

const HELLO: &[u8] = b"Hello, world!";
pub const KOSME: &[u8] = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";

fn text(b: impl AsRef<[u8]>) -> Sent {
    Sent::Text(b.as_ref().to_vec())
}
fn close(code: u16) -> Sent {
    Sent::Close(Some(code))
}

pub fn sections_1_to_5(f: PeerFrames) -> Vec<Case> {
    let mut v = Vec::new();
    // 1.1 / 1.2: text and binary echoes at the length-encoding edges.
    let sizes = [0, 125, 126, 127, 128, 65535, 65536, 65536];
    for (i, &n) in sizes.iter().enumerate() {
        let chop = (i == 7).then_some(997);
        let t = vec![b'*'; n];
        v.push(case(
            format!("1.1.{}", i + 1),
            vec![f.text(&t), f.close(1000, "")],
            chop,
            vec![text(&t), close(1000)],
        ));
        let b = vec![0xFE; n];
        v.push(case(
            format!("1.2.{}", i + 1),
            vec![f.binary(&b), f.close(1000, "")],
            chop,
            vec![Sent::Binary(b), close(1000)],
        ));
    }
    // 2: pings and pongs.
    let pings: [&[u8]; 4] = [
        b"",
        HELLO,
        b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff",
        &[0xFE; 125],
    ];
    for (i, p) in pings.iter().enumerate() {
        v.push(case(
            format!("2.{}", i + 1),
            vec![f.ping(p), f.close(1000, "")],
            None,
            vec![Sent::Pong(p.to_vec()), close(1000)],
        ));
    }
    v.push(case(
        "2.5",
        vec![f.ping([0xFE; 126])],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "2.6",
        vec![f.ping([0xFE; 125]), f.close(1000, "")],
        Some(1),
        vec![Sent::Pong(vec![0xFE; 125]), close(1000)],
    ));
    v.push(case(
        "2.7",
        vec![f.pong(""), f.close(1000, "")],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "2.8",
        vec![f.pong("unsolicited pong payload"), f.close(1000, "")],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "2.9",
        vec![
            f.pong("unsolicited pong payload"),
            f.ping("ping payload"),
            f.close(1000, ""),
        ],
        None,
        vec![Sent::Pong(b"ping payload".to_vec()), close(1000)],
    ));
    for (id, chop) in [("2.10", None), ("2.11", Some(1))] {
        let mut writes: Vec<_> = (0..10).map(|i| f.ping(format!("payload-{i}"))).collect();
        writes.push(f.close(1000, ""));
        let mut expect: Vec<_> = (0..10)
            .map(|i| Sent::Pong(format!("payload-{i}").into_bytes()))
            .collect();
        expect.push(close(1000));
        v.push(case(id, writes, chop, expect));
    }
    // 3: RSV bits without a negotiated extension.
    v.push(case(
        "3.1",
        vec![f.raw(true, 1, 1, HELLO)],
        None,
        vec![close(1002)],
    ));
    for (id, rsv, chop) in [("3.2", 2, None), ("3.3", 3, None), ("3.4", 4, Some(1))] {
        v.push(case(
            id,
            vec![f.text(HELLO), f.raw(true, rsv, 1, HELLO), f.ping("")],
            chop,
            vec![text(HELLO), close(1002)],
        ));
    }
    v.push(case(
        "3.5",
        vec![f.raw(true, 5, 2, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "3.6",
        vec![f.raw(true, 6, 2, HELLO)],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "3.7",
        vec![f.raw(true, 7, 8, b"")],
        None,
        vec![close(1002)],
    ));
    // 4: reserved opcodes, alone or after a valid message.
    for (section, base) in [("4.1", 3u8), ("4.2", 11u8)] {
        v.push(case(
            format!("{section}.1"),
            vec![f.raw(true, 0, base, b"")],
            None,
            vec![close(1002)],
        ));
        v.push(case(
            format!("{section}.2"),
            vec![f.raw(true, 0, base + 1, b"reserved opcode payload")],
            None,
            vec![close(1002)],
        ));
        let rows: [(u8, &[u8], Option<usize>); 3] =
            [(2, b"", None), (3, HELLO, None), (4, HELLO, Some(1))];
        for (i, (op, payload, chop)) in rows.into_iter().enumerate() {
            v.push(case(
                format!("{section}.{}", i + 3),
                vec![
                    f.text(HELLO),
                    f.raw(true, 0, base + op, payload),
                    f.ping(""),
                ],
                chop,
                vec![text(HELLO), close(1002)],
            ));
        }
    }
    // 5: fragmentation.
    v.push(case(
        "5.1",
        vec![
            f.raw(false, 0, 9, b"fragment1"),
            f.raw(true, 0, 0, b"fragment2"),
        ],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "5.2",
        vec![
            f.raw(false, 0, 10, b"fragment1"),
            f.raw(true, 0, 0, b"fragment2"),
        ],
        None,
        vec![close(1002)],
    ));
    for (i, chop) in [None, None, Some(1)].into_iter().enumerate() {
        v.push(case(
            format!("5.{}", i + 3),
            vec![
                f.raw(false, 0, 1, b"fragment1"),
                f.raw(true, 0, 0, b"fragment2"),
                f.close(1000, ""),
            ],
            chop,
            vec![text("fragment1fragment2"), close(1000)],
        ));
        v.push(case(
            format!("5.{}", i + 6),
            vec![
                f.raw(false, 0, 1, b"fragment1"),
                f.ping("ping payload"),
                f.raw(true, 0, 0, b"fragment2"),
                f.close(1000, ""),
            ],
            chop,
            vec![
                Sent::Pong(b"ping payload".to_vec()),
                text("fragment1fragment2"),
                close(1000),
            ],
        ));
        v.push(case(
            format!("5.{}", i + 9),
            vec![
                f.raw(true, 0, 0, b"non-continuation payload"),
                f.text(HELLO),
            ],
            chop,
            vec![close(1002)],
        ));
        v.push(case(
            format!("5.{}", i + 12),
            vec![
                f.raw(false, 0, 0, b"non-continuation payload"),
                f.text(HELLO),
            ],
            chop,
            vec![close(1002)],
        ));
    }
    v.push(case(
        "5.15",
        vec![
            f.raw(false, 0, 1, b"fragment1"),
            f.raw(true, 0, 0, b"fragment2"),
            f.raw(false, 0, 0, b"fragment3"),
            f.raw(true, 0, 1, b"fragment4"),
        ],
        None,
        vec![text("fragment1fragment2"), close(1002)],
    ));
    for (id, first_fin) in [("5.16", false), ("5.17", true)] {
        let round = [
            f.raw(first_fin, 0, 0, b"fragment1"),
            f.raw(false, 0, 1, b"fragment2"),
            f.raw(true, 0, 0, b"fragment3"),
        ];
        let writes = round.iter().chain(round.iter()).cloned().collect();
        v.push(case(id, writes, None, vec![close(1002)]));
    }
    v.push(case(
        "5.18",
        vec![
            f.raw(false, 0, 1, b"fragment1"),
            f.raw(true, 0, 1, b"fragment2"),
        ],
        None,
        vec![close(1002)],
    ));
    for id in ["5.19", "5.20"] {
        v.push(case(
            id,
            vec![
                f.raw(false, 0, 1, b"fragment1"),
                f.raw(false, 0, 0, b"fragment2"),
                f.ping("pongme 1!"),
                f.raw(false, 0, 0, b"fragment3"),
                f.raw(false, 0, 0, b"fragment4"),
                f.ping("pongme 2!"),
                f.raw(true, 0, 0, b"fragment5"),
                f.close(1000, ""),
            ],
            None,
            vec![
                Sent::Pong(b"pongme 1!".to_vec()),
                Sent::Pong(b"pongme 2!".to_vec()),
                text("fragment1fragment2fragment3fragment4fragment5"),
                close(1000),
            ],
        ));
    }
    v
}

/// The message helper's fragmentation: chunks of `size`, plus an empty final
/// continuation when the length is an exact multiple (reference §2).
pub fn fragmented_text(f: PeerFrames, data: &[u8], size: usize) -> Vec<Vec<u8>> {
    if data.len() <= size {
        return vec![f.text(data)];
    }
    let chunks: Vec<&[u8]> = data.chunks(size).collect();
    let exact = data.len() % size == 0;
    let mut out = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        let last = i + 1 == chunks.len() && !exact;
        out.push(f.raw(last, 0, if i == 0 { 1 } else { 0 }, c));
    }
    if exact {
        out.push(f.raw(true, 0, 0, b""));
    }
    out
}

/// The vectors of one family, each with whether it is valid UTF-8.
type Family = Vec<(Vec<u8>, bool)>;

/// The generated UTF-8 families 6.5-6.23 (reference §5): (id, bytes, valid).
pub fn utf8_vectors() -> Vec<(String, Vec<u8>, bool)> {
    fn s(x: &str) -> Vec<u8> {
        x.as_bytes().to_vec()
    }
    fn cp(c: u32) -> Vec<u8> {
        char::from_u32(c)
            .expect("scalar value")
            .to_string()
            .into_bytes()
    }
    let mut families: Vec<(u32, Family)> = Vec::new();
    let all = |valid: bool, items: Vec<Vec<u8>>| {
        items.into_iter().map(|b| (b, valid)).collect::<Vec<_>>()
    };
    families.push((
        5,
        all(
            true,
            vec![
                KOSME.to_vec(),
                s("hello$world"),
                s("hello\u{a2}world"),
                s("hello\u{20ac}world"),
                s("hello\u{24b62}world"),
            ],
        ),
    ));
    families.push((
        6,
        (1..=KOSME.len())
            .map(|n| (KOSME[..n].to_vec(), [2, 5, 7, 9, 11].contains(&n)))
            .collect(),
    ));
    families.push((
        7,
        all(
            true,
            vec![
                vec![0x00],
                vec![0xc2, 0x80],
                vec![0xe0, 0xa0, 0x80],
                vec![0xf0, 0x90, 0x80, 0x80],
            ],
        ),
    ));
    families.push((
        8,
        all(
            false,
            vec![
                vec![0xf8, 0x88, 0x80, 0x80, 0x80],
                vec![0xfc, 0x84, 0x80, 0x80, 0x80, 0x80],
            ],
        ),
    ));
    families.push((
        9,
        all(
            true,
            vec![
                vec![0x7f],
                vec![0xdf, 0xbf],
                vec![0xef, 0xbf, 0xbf],
                vec![0xf4, 0x8f, 0xbf, 0xbf],
            ],
        ),
    ));
    families.push((
        10,
        all(
            false,
            vec![
                vec![0xf7, 0xbf, 0xbf, 0xbf],
                vec![0xfb, 0xbf, 0xbf, 0xbf, 0xbf],
                vec![0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf],
            ],
        ),
    ));
    let mut edges = all(true, vec![cp(0xD7FF), cp(0xE000), cp(0xFFFD), cp(0x10FFFF)]);
    edges.push((vec![0xf4, 0x90, 0x80, 0x80], false));
    families.push((11, edges));
    let mut stray = vec![vec![0x80], vec![0xbf]];
    for n in 2..=6 {
        stray.push(
            (0..n)
                .map(|i| if i % 2 == 0 { 0x80 } else { 0xbf })
                .collect(),
        );
    }
    stray.push((0x80..=0xbe).collect());
    families.push((12, all(false, stray)));
    let lone =
        |range: std::ops::RangeInclusive<u8>| range.flat_map(|b| [b, b' ']).collect::<Vec<u8>>();
    families.push((
        13,
        all(
            false,
            vec![
                lone(0xc0..=0xde),
                lone(0xe0..=0xee),
                lone(0xf0..=0xf6),
                lone(0xf8..=0xfa),
                lone(0xfc..=0xfc),
            ],
        ),
    ));
    let truncated: Vec<Vec<u8>> = vec![
        vec![0xc0],
        vec![0xe0, 0x80],
        vec![0xf0, 0x80, 0x80],
        vec![0xf8, 0x80, 0x80, 0x80],
        vec![0xfc, 0x80, 0x80, 0x80, 0x80],
        vec![0xdf],
        vec![0xef, 0xbf],
        vec![0xf7, 0xbf, 0xbf],
        vec![0xfb, 0xbf, 0xbf, 0xbf],
        vec![0xfd, 0xbf, 0xbf, 0xbf, 0xbf],
    ];
    families.push((15, all(false, vec![truncated.concat()])));
    families.push((14, all(false, truncated)));
    families.push((
        16,
        all(
            false,
            vec![vec![0xfe], vec![0xff], vec![0xfe, 0xfe, 0xff, 0xff]],
        ),
    ));
    let overlong = |last: u8| -> Vec<Vec<u8>> {
        vec![
            vec![0xc0, last],
            vec![0xe0, 0x80, last],
            vec![0xf0, 0x80, 0x80, last],
            vec![0xf8, 0x80, 0x80, 0x80, last],
            vec![0xfc, 0x80, 0x80, 0x80, 0x80, last],
        ]
    };
    families.push((17, all(false, overlong(0xaf))));
    families.push((
        18,
        all(
            false,
            vec![
                vec![0xc1, 0xbf],
                vec![0xe0, 0x9f, 0xbf],
                vec![0xf0, 0x8f, 0xbf, 0xbf],
                vec![0xf8, 0x87, 0xbf, 0xbf, 0xbf],
                vec![0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf],
            ],
        ),
    ));
    families.push((19, all(false, overlong(0x80))));
    let surrogate = |u: u16| {
        vec![
            0xed,
            0xa0 | ((u >> 6) & 0x1f) as u8,
            0x80 | (u & 0x3f) as u8,
        ]
    };
    let singles = [0xD800, 0xDB7F, 0xDB80, 0xDBFF, 0xDC00, 0xDF80, 0xDFFF];
    families.push((
        20,
        all(false, singles.iter().map(|&u| surrogate(u)).collect()),
    ));
    let mut pairs = Vec::new();
    for hi in [0xD800, 0xDB7F, 0xDB80, 0xDBFF] {
        for lo in [0xDC00, 0xDFFF] {
            pairs.push([surrogate(hi), surrogate(lo)].concat());
        }
    }
    families.push((21, all(false, pairs)));
    let mut nonchars = vec![cp(0xFFFE), cp(0xFFFF)];
    for plane in 1..=16u32 {
        nonchars.push(cp((plane << 16) | 0xFFFE));
        nonchars.push(cp((plane << 16) | 0xFFFF));
    }
    families.push((22, all(true, nonchars)));
    families.push((23, all(true, (0xFFF9..=0xFFFF).map(cp).collect())));
    families.sort_by_key(|(n, _)| *n);
    families
        .into_iter()
        .flat_map(|(n, items)| {
            items
                .into_iter()
                .enumerate()
                .map(move |(i, (b, valid))| (format!("6.{n}.{}", i + 1), b, valid))
        })
        .collect()
}

pub fn sections_6_and_7(f: PeerFrames) -> Vec<Case> {
    let mut v = Vec::new();
    let echo_then_close = |payload: &[u8]| vec![text(payload), close(1000)];
    // 6.1: empty messages and fragments.
    v.push(case(
        "6.1.1",
        vec![f.text(""), f.close(1000, "")],
        None,
        echo_then_close(b""),
    ));
    v.push(case(
        "6.1.2",
        vec![
            f.raw(false, 0, 1, b""),
            f.raw(false, 0, 0, b""),
            f.raw(true, 0, 0, b""),
            f.close(1000, ""),
        ],
        None,
        echo_then_close(b""),
    ));
    v.push(case(
        "6.1.3",
        vec![
            f.raw(false, 0, 1, b""),
            f.raw(false, 0, 0, b"middle frame payload"),
            f.raw(true, 0, 0, b""),
            f.close(1000, ""),
        ],
        None,
        echo_then_close(b"middle frame payload"),
    ));
    // 6.2: valid UTF-8 whole, split on a code point, split at every byte.
    let latin = "Hello-\u{b5}@\u{df}\u{f6}\u{e4}\u{fc}\u{e0}\u{e1}-UTF-8!!".as_bytes();
    assert_eq!(latin.len(), 29);
    let with_close = |mut w: Vec<Vec<u8>>| {
        w.push(f.close(1000, ""));
        w
    };
    v.push(case(
        "6.2.1",
        with_close(vec![f.text(latin)]),
        None,
        echo_then_close(latin),
    ));
    v.push(case(
        "6.2.2",
        with_close(vec![
            f.raw(false, 0, 1, &latin[..15]),
            f.raw(true, 0, 0, &latin[15..]),
        ]),
        None,
        echo_then_close(latin),
    ));
    v.push(case(
        "6.2.3",
        with_close(fragmented_text(f, latin, 1)),
        None,
        echo_then_close(latin),
    ));
    v.push(case(
        "6.2.4",
        with_close(fragmented_text(f, KOSME, 1)),
        None,
        echo_then_close(KOSME),
    ));
    // 6.3: a surrogate inside, whole and one byte per frame.
    let bad = [KOSME, b"\xed\xa0\x80", b"edited"].concat();
    v.push(case("6.3.1", vec![f.text(&bad)], None, vec![close(1007)]));
    v.push(case(
        "6.3.2",
        fragmented_text(f, &bad, 1),
        None,
        vec![close(1007)],
    ));
    // 6.5-6.23: one frame each; valid ones are echoed, the rest fail with 1007.
    for (id, bytes, valid) in utf8_vectors() {
        if valid {
            v.push(case(
                id,
                vec![f.text(&bytes), f.close(1000, "")],
                None,
                echo_then_close(&bytes),
            ));
        } else {
            v.push(case(id, vec![f.text(&bytes)], None, vec![close(1007)]));
        }
    }
    // 7.1: what follows a close is ignored.
    let hw: &[u8] = b"Hello World!";
    v.push(case(
        "7.1.1",
        vec![f.text(hw), f.close(1000, "")],
        None,
        echo_then_close(hw),
    ));
    v.push(case(
        "7.1.2",
        vec![f.close(1000, ""), f.close_empty()],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.1.3",
        vec![f.close(1000, ""), f.ping("")],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.1.4",
        vec![f.close(1000, ""), f.text(hw)],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.1.5",
        vec![
            f.raw(false, 0, 1, b"fragment1"),
            f.close(1000, ""),
            f.raw(true, 0, 0, b"fragment2"),
        ],
        None,
        vec![close(1000)],
    ));
    let big: Vec<u8> = b"BAsd7&jh23"
        .iter()
        .copied()
        .cycle()
        .take(256 << 10)
        .collect();
    v.push(case(
        "7.1.6",
        vec![f.text(&big), f.text(hw), f.close(1000, ""), f.ping("")],
        None,
        vec![text(&big), text(hw), close(1000)],
    ));
    // 7.3: close payload shapes. An empty close is answered with an empty close.
    v.push(case(
        "7.3.1",
        vec![f.close_empty()],
        None,
        vec![Sent::Close(None)],
    ));
    v.push(case(
        "7.3.2",
        vec![f.raw(true, 0, 8, b"a")],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "7.3.3",
        vec![f.close(1000, "")],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.3.4",
        vec![f.close(1000, "Hello World!")],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.3.5",
        vec![f.close(1000, [b'*'; 123])],
        None,
        vec![close(1000)],
    ));
    v.push(case(
        "7.3.6",
        vec![f.close(1000, [b'*'; 124])],
        None,
        vec![close(1002)],
    ));
    v.push(case(
        "7.5.1",
        vec![f.close(1000, &bad)],
        None,
        vec![close(1007)],
    ));
    // 7.7: valid codes are echoed; 7.9 and 7.13: invalid codes fail with 1002.
    let valid = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ];
    for (i, code) in valid.into_iter().enumerate() {
        v.push(case(
            format!("7.7.{}", i + 1),
            vec![f.close(code, "")],
            None,
            vec![close(code)],
        ));
    }
    let invalid = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];
    for (i, code) in invalid.into_iter().enumerate() {
        v.push(case(
            format!("7.9.{}", i + 1),
            vec![f.close(code, "")],
            None,
            vec![close(1002)],
        ));
    }
    for (i, code) in [5000, 65535].into_iter().enumerate() {
        v.push(case(
            format!("7.13.{}", i + 1),
            vec![f.close(code, "")],
            None,
            vec![close(1002)],
        ));
    }
    v
}
