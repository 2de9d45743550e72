//! Every case of the real catalogue goes through the model and every writer: results built
//! with `CaseResult::new` from the judge's verdict on an observation of a peer that completed
//! the handshake and then dropped TCP. Nothing panics, every file is written, and the
//! incremental `ReportDir` stays fast enough to rewrite run.json after each case.

use std::time::{Duration, Instant, SystemTime};

use ampel_cases::{Observation, Role, TimerKind, WireEntry, catalogue, judge};
use ampel_reports::{CaseResult, Mode, ReportDir, RunMeta, load_runs};

fn observation(rows: usize) -> Observation {
    let mut obs = Observation::new(Role::Client);
    obs.handshake.completed = true;
    obs.handshake.request = Some("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_owned());
    obs.handshake.response = Some("HTTP/1.1 101 Switching Protocols\r\n\r\n".to_owned());
    obs.connection.was_not_clean_reason = Some("peer dropped the TCP connection".to_owned());
    obs.duration_ms = 1.25;
    for i in 0..rows {
        obs.wire_log.push(WireEntry::TxFrame {
            at_ms: i as f64,
            opcode: 1,
            fin: true,
            rsv: 0,
            mask_hex: Some("01020304".to_owned()),
            len: 65536,
            head: vec![b'*'; 64],
            chop: None,
            sync: false,
        });
    }
    obs.wire_log.push(WireEntry::Timer {
        at_ms: rows as f64,
        kind: TimerKind::Kill,
        fired: true,
        secs: 1.0,
        tag: None,
    });
    obs.wire_log.push(WireEntry::TcpDropped {
        at_ms: rows as f64 + 1.0,
        by_me: false,
    });
    obs
}

#[test]
fn every_catalogue_case_is_recorded_and_rendered() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = ReportDir::create(tmp.path(), RunMeta::new(Mode::TestServer)).unwrap();
    let started = Instant::now();
    let all = catalogue();
    for (i, case) in all.iter().enumerate() {
        // A few cases carry a capped-size wire log, as bulk cases do.
        let rows = if case.id.section() == 9 { 200 } else { 4 };
        let obs = observation(rows);
        let verdict = judge(case, &obs);
        let result = CaseResult::new(case, i + 1, obs, verdict, SystemTime::now());
        dir.record("Peer", result).unwrap();
    }
    let recorded = started.elapsed();
    let report = dir.finish().unwrap();
    assert_eq!(report.agents["Peer"].cases.len(), all.len());
    // Each case: JSON + HTML; plus run.json, index.json, index.html, junit.xml.
    let files = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(files, all.len() * 2 + 4);
    assert_eq!(load_runs(&[tmp.path()]).unwrap(), report);
    // Generous bound for a debug build on a slow machine; the point is "not quadratic blow-up".
    assert!(
        recorded < Duration::from_secs(120),
        "recording {} cases took {recorded:?}",
        all.len()
    );
    eprintln!("recorded {} cases in {recorded:?}", all.len());
}
