//! View models: everything the templates display, computed here.

use std::collections::BTreeMap;

use ampel_cases::{CaseId, Role, TimerKind, WireEntry, group_title};
use serde::Serialize;

use super::style::{behavior_style, close_class, close_label, opcode_name};
use crate::filename::case_file_name;
use crate::model::{CaseResult, EventSummary, Outcome, RunReport};
use crate::preview::{hex_string_preview, text_preview};

/// The width at which hex and payload previews wrap.
const WRAP: usize = 100;
/// How many events a list shows before it says how many more there are.
const EVENT_LIST_MAX: usize = 100;

#[derive(Debug, Serialize)]
pub struct Legend {
    label: &'static str,
    class: &'static str,
    text: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Count {
    label: &'static str,
    class: &'static str,
    count: usize,
}

#[derive(Debug, Serialize)]
pub struct SummaryRow {
    agent: String,
    counts: Vec<Count>,
    total: usize,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    agent: String,
    /// One cell spanning both columns (Unimplemented, Missing).
    span: bool,
    class: &'static str,
    label: String,
    href: Option<String>,
    detail: String,
    close_class: &'static str,
    close_label: String,
    tooltip: String,
}

#[derive(Debug, Serialize)]
pub struct Row {
    id: String,
    title: String,
    cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Group {
    heading: Option<String>,
    rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    heading: String,
    groups: Vec<Group>,
}

/// The matrix page.
#[derive(Debug, Serialize)]
pub struct IndexView {
    generated: String,
    unfinished: Option<String>,
    agents: Vec<String>,
    columns: usize,
    summary_headers: Vec<Legend>,
    summary: Vec<SummaryRow>,
    legend: Vec<Legend>,
    close_legend: Vec<Legend>,
    sections: Vec<Section>,
}

const LEGEND: [Legend; 6] = [
    Legend {
        label: "Pass",
        class: "v-pass",
        text: "The case ran and passed strictly.",
    },
    Legend {
        label: "Non-Strict",
        class: "v-non-strict",
        text: "Passed, but a SHOULD of the specification (or a preferred behaviour it leaves \
               open) was not met. Still conformant.",
    },
    Legend {
        label: "Fail",
        class: "v-fail",
        text: "The case ran and failed: the peer broke a MUST of the specification.",
    },
    Legend {
        label: "Info",
        class: "v-info",
        text: "Informational: behaviour the specification leaves open, shown for interest.",
    },
    Legend {
        label: "Unimplemented",
        class: "v-unimplemented",
        text: "The feature under test (e.g. permessage-deflate) was not negotiated.",
    },
    Legend {
        label: "Missing",
        class: "v-missing",
        text: "This agent has no result for the case (not selected, or the run stopped).",
    },
];

const CLOSE_LEGEND: [Legend; 5] = [
    Legend {
        label: "OK",
        class: "c-ok",
        text: "Closed as expected; the cell shows the peer's close code.",
    },
    Legend {
        label: "Failed by client",
        class: "c-almost",
        text: "All fine, but the harness (as client) had to drop TCP: the server should.",
    },
    Legend {
        label: "Wrong code",
        class: "c-wrong-code",
        text: "The peer's close code is not one the case allows.",
    },
    Legend {
        label: "Unclean / Fail",
        class: "c-fail",
        text: "No clean closing handshake where one was required, or the wrong endpoint \
               closed first.",
    },
    Legend {
        label: "Info",
        class: "c-info",
        text: "Informational close.",
    },
];

fn outcome_headers() -> Vec<Legend> {
    let mut headers: Vec<Legend> = Outcome::ALL
        .iter()
        .map(|o| Legend {
            label: o.label(),
            class: o.css_class(),
            text: "",
        })
        .collect();
    headers.push(Legend {
        label: "Missing",
        class: "v-missing",
        text: "",
    });
    headers
}

fn summary(report: &RunReport, all_ids: &[CaseId]) -> Vec<SummaryRow> {
    report
        .agents
        .iter()
        .map(|(agent, results)| {
            let counts = results.counts();
            let mut row: Vec<Count> = Outcome::ALL
                .iter()
                .map(|o| Count {
                    label: o.label(),
                    class: o.css_class(),
                    count: counts.get(o).copied().unwrap_or(0),
                })
                .collect();
            row.push(Count {
                label: "Missing",
                class: "v-missing",
                count: all_ids.len().saturating_sub(results.cases.len()),
            });
            SummaryRow {
                agent: agent.clone(),
                counts: row,
                total: results.cases.len(),
            }
        })
        .collect()
}

/// The line under a verdict: the duration, and for compression cases the ratios as
/// `[in/out]` (compressed ÷ uncompressed octets, three decimals).
fn cell_detail(r: &CaseResult) -> String {
    let ms = format!("{} ms", r.duration_ms);
    match r.observation.compression {
        Some(stats) if r.expected.report_compression_ratio => {
            let show = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"));
            format!(
                "{ms} [{}/{}]",
                show(stats.ratio_in()),
                show(stats.ratio_out())
            )
        }
        _ => ms,
    }
}

fn cell(agent: &str, result: Option<&CaseResult>) -> Cell {
    let Some(r) = result else {
        return Cell {
            agent: agent.to_owned(),
            span: true,
            class: "v-missing",
            label: "Missing".to_owned(),
            href: None,
            detail: String::new(),
            close_class: "",
            close_label: String::new(),
            tooltip: format!("{agent}: no result"),
        };
    };
    let (label, class) = behavior_style(r.judgement.behavior);
    let close = r.judgement.behavior_close;
    Cell {
        agent: agent.to_owned(),
        span: r.outcome() == Outcome::Unimplemented,
        class,
        label: label.to_owned(),
        href: Some(case_file_name(agent, &r.id, "html")),
        detail: cell_detail(r),
        close_class: close_class(close),
        close_label: close_label(close, r.observation.connection.remote_close_code),
        tooltip: format!(
            "{agent} · {}: {} / close {}",
            r.id, r.judgement.behavior, close
        ),
    }
}

fn section_heading(section: u32) -> String {
    match group_title(&[section]) {
        Some(title) => format!("{section} {title}"),
        None => section.to_string(),
    }
}

fn group_heading(id: &CaseId) -> Option<String> {
    let prefix = id.parts().get(..2).filter(|_| id.parts().len() > 2)?;
    let label = format!("{}.{}", prefix.first()?, prefix.get(1)?);
    Some(match group_title(prefix) {
        Some(title) => format!("{label} {title}"),
        None => label,
    })
}

fn sections(report: &RunReport, ids: &[CaseId]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut last_section = None;
    let mut last_group: Option<Option<String>> = None;
    for id in ids {
        if last_section != Some(id.section()) {
            out.push(Section {
                heading: section_heading(id.section()),
                groups: Vec::new(),
            });
            last_section = Some(id.section());
            last_group = None;
        }
        let heading = group_heading(id);
        let Some(section) = out.last_mut() else {
            continue;
        };
        if last_group.as_ref() != Some(&heading) {
            section.groups.push(Group {
                heading: heading.clone(),
                rows: Vec::new(),
            });
            last_group = Some(heading);
        }
        let title = report
            .agents
            .values()
            .find_map(|a| a.get(id))
            .map(|r| r.title.clone())
            .unwrap_or_default();
        let cells = report
            .agents
            .iter()
            .map(|(agent, results)| cell(agent, results.get(id)))
            .collect();
        if let Some(group) = section.groups.last_mut() {
            group.rows.push(Row {
                id: id.to_string(),
                title,
                cells,
            });
        }
    }
    out
}

/// The view of `index.html`.
pub fn index_view(report: &RunReport) -> IndexView {
    let ids = report.case_ids();
    let finished = report
        .finished
        .map_or_else(|| "not finished".to_owned(), |f| f.to_string());
    IndexView {
        generated: format!(
            "{} {} · {} run · started {} · finished {}",
            report.generator.name, report.generator.version, report.mode, report.started, finished
        ),
        unfinished: report.finished.is_none().then(|| {
            "This run did not finish (interrupted or still running): only the cases that \
             finished are shown."
                .to_owned()
        }),
        agents: report.agents.keys().cloned().collect(),
        columns: 1 + 2 * report.agents.len(),
        summary_headers: outcome_headers(),
        summary: summary(report, &ids),
        legend: LEGEND.into(),
        close_legend: CLOSE_LEGEND.into(),
        sections: sections(report, &ids),
    }
}

#[derive(Debug, Serialize)]
pub struct Alternative {
    label: &'static str,
    events: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Flag {
    key: &'static str,
    value: String,
    description: &'static str,
}

#[derive(Debug, Serialize)]
pub struct StatRow {
    key: String,
    count: u64,
    octets: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct StatTable {
    title: &'static str,
    key_header: &'static str,
    rows: Vec<StatRow>,
    total_count: u64,
    total_octets: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct WireRow {
    class: &'static str,
    head: String,
    lines: Vec<String>,
}

/// The per-case page.
#[derive(Debug, Serialize)]
pub struct CaseView {
    agent: String,
    id: String,
    title: String,
    verdict_label: &'static str,
    verdict_class: &'static str,
    behavior: &'static str,
    outcome_label: &'static str,
    outcome_class: &'static str,
    duration: String,
    started: String,
    description: String,
    expectation: String,
    spec: String,
    result: String,
    reason: Option<String>,
    expected: Vec<Alternative>,
    expected_note: Option<String>,
    observed: Vec<String>,
    observed_note: Option<String>,
    close_behavior: &'static str,
    close_class: &'static str,
    result_close: String,
    close_expected: String,
    close_actual: String,
    http_request: String,
    http_response: String,
    flags: Vec<Flag>,
    octets: Vec<StatTable>,
    frames: Vec<StatTable>,
    violations: Vec<String>,
    wire: Vec<WireRow>,
    wire_note: Option<String>,
}

fn event_lines(events: &[EventSummary]) -> Vec<String> {
    let mut lines: Vec<String> = events
        .iter()
        .take(EVENT_LIST_MAX)
        .map(EventSummary::describe)
        .collect();
    if events.len() > EVENT_LIST_MAX {
        lines.push(format!("… and {} more", events.len() - EVENT_LIST_MAX));
    }
    lines
}

fn show<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| v.to_string())
}

fn flags(r: &CaseResult) -> Vec<Flag> {
    let c = &r.observation.connection;
    let yes = |b: bool| if b { "true" } else { "false" }.to_owned();
    vec![
        Flag {
            key: "isServer",
            value: yes(r.observation.harness_role == Role::Server),
            description: "True when the harness was the server and the peer a client.",
        },
        Flag {
            key: "closedByMe",
            value: yes(c.closed_by_me),
            description: "True when the harness sent the first close frame (including its \
                          kill timer and its own detection of a violation).",
        },
        Flag {
            key: "failedByMe",
            value: yes(c.failed_by_me),
            description: "True when the harness failed the connection (kill timer or a \
                          violation it detected).",
        },
        Flag {
            key: "droppedByMe",
            value: yes(c.dropped_by_me),
            description: "True when the harness closed the TCP connection.",
        },
        Flag {
            key: "wasClean",
            value: yes(c.was_clean),
            description: "True when close frames were both sent and received and TCP ended \
                          in time.",
        },
        Flag {
            key: "wasNotCleanReason",
            value: show(c.was_not_clean_reason.as_deref()),
            description: "Why the close was not clean.",
        },
        Flag {
            key: "wasServerConnectionDropTimeout",
            value: yes(c.was_server_connection_drop_timeout),
            description: "Harness as client: the server did not drop TCP in time after the \
                          closing handshake.",
        },
        Flag {
            key: "wasOpenHandshakeTimeout",
            value: yes(c.was_open_handshake_timeout),
            description: "The opening handshake did not complete in time.",
        },
        Flag {
            key: "wasCloseHandshakeTimeout",
            value: yes(c.was_close_handshake_timeout),
            description: "The harness started the closing handshake and the peer did not \
                          answer in time.",
        },
        Flag {
            key: "localCloseCode",
            value: show(c.local_close_code),
            description: "The close code the harness sent.",
        },
        Flag {
            key: "localCloseReason",
            value: show(c.local_close_reason.as_deref()),
            description: "The close reason the harness sent.",
        },
        Flag {
            key: "remoteCloseCode",
            value: show(c.remote_close_code),
            description: "The close code the peer sent.",
        },
        Flag {
            key: "remoteCloseReason",
            value: show(c.remote_close_reason.as_deref()),
            description: "The close reason the peer sent.",
        },
    ]
}

fn octet_table(title: &'static str, log: &[WireEntry], rx: bool) -> StatTable {
    let mut sizes: BTreeMap<usize, u64> = BTreeMap::new();
    for row in log {
        match (row, rx) {
            (WireEntry::RxOctets { len, .. }, true) | (WireEntry::TxOctets { len, .. }, false) => {
                *sizes.entry(*len).or_default() += 1;
            }
            _ => {}
        }
    }
    let rows: Vec<StatRow> = sizes
        .iter()
        .map(|(size, count)| StatRow {
            key: size.to_string(),
            count: *count,
            octets: Some((*size as u64).saturating_mul(*count)),
        })
        .collect();
    StatTable {
        title,
        key_header: "Chop size",
        total_count: rows.iter().map(|r| r.count).sum(),
        total_octets: Some(rows.iter().filter_map(|r| r.octets).sum()),
        rows,
    }
}

fn frame_table(title: &'static str, counts: &BTreeMap<u8, u64>) -> StatTable {
    let rows: Vec<StatRow> = counts
        .iter()
        .map(|(op, count)| StatRow {
            key: format!("{op} ({})", opcode_name(*op)),
            count: *count,
            octets: None,
        })
        .collect();
    StatTable {
        title,
        key_header: "Opcode",
        total_count: rows.iter().map(|r| r.count).sum(),
        total_octets: None,
        rows,
    }
}

/// Splits `text` into lines of at most [`WRAP`] characters.
fn wrap(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(WRAP)
        .map(|chunk| chunk.iter().collect())
        .collect()
}

fn timer_text(
    kind: TimerKind,
    fired: bool,
    secs: f64,
    tag: Option<&str>,
) -> (&'static str, String) {
    let tag = tag.unwrap_or("-");
    let (class, text) = match (kind, fired) {
        (TimerKind::Wait, false) => ("w-timer", format!("DELAY {secs:.3} sec for TAG {tag}")),
        (TimerKind::Wait, true) => ("w-timer", format!("DELAY TIMEOUT on TAG {tag}")),
        (TimerKind::Kill, false) => ("w-kill", format!("FAIL CONNECTION AFTER {secs:.3} sec")),
        (TimerKind::Kill, true) => ("w-kill", "FAILING CONNECTION".to_owned()),
        (TimerKind::CloseAfter, false) => {
            ("w-kill", format!("CLOSE CONNECTION AFTER {secs:.3} sec"))
        }
        (TimerKind::CloseAfter, true) => ("w-kill", "CLOSING CONNECTION".to_owned()),
        (TimerKind::CloseHandshake, false) => {
            ("w-timer", format!("CLOSE HANDSHAKE TIMER {secs:.3} sec"))
        }
        (TimerKind::CloseHandshake, true) => ("w-kill", "CLOSE HANDSHAKE TIMEOUT".to_owned()),
        (TimerKind::ServerDrop, false) => ("w-timer", format!("SERVER DROP TIMER {secs:.3} sec")),
        (TimerKind::ServerDrop, true) => ("w-kill", "SERVER DROP TIMEOUT".to_owned()),
        (TimerKind::Echo, false) => ("w-timer", format!("ECHO TIMER {secs:.3} sec")),
        (TimerKind::Echo, true) => ("w-kill", "ECHO TIMEOUT".to_owned()),
    };
    (class, text)
}

fn wire_rows(r: &CaseResult) -> Vec<WireRow> {
    let log = &r.observation.wire_log;
    let mut rows = Vec::with_capacity(log.len() + 1);
    let mut saw_drop = false;
    for (i, entry) in log.iter().enumerate() {
        let n = format!("{i:03}");
        let row = match entry {
            WireEntry::RxOctets {
                at_ms,
                len,
                head_hex,
            } => WireRow {
                class: "w-rx-octets",
                head: format!("{n} {at_ms:>10.3} ms  RX OCTETS  {len} octets"),
                lines: wrap(&hex_string_preview(head_hex, *len)),
            },
            WireEntry::TxOctets {
                at_ms,
                len,
                head_hex,
                sync,
            } => WireRow {
                class: if *sync {
                    "w-tx-octets-sync"
                } else {
                    "w-tx-octets"
                },
                head: format!("{n} {at_ms:>10.3} ms  TX OCTETS  {len} octets, SYNC={sync}"),
                lines: wrap(&hex_string_preview(head_hex, *len)),
            },
            WireEntry::RxFrame {
                at_ms,
                opcode,
                fin,
                rsv,
                mask_hex,
                len,
                head,
            } => WireRow {
                class: "w-rx-frame",
                head: format!(
                    "{n} {at_ms:>10.3} ms  RX FRAME  OPCODE={opcode} ({}), FIN={fin}, RSV={rsv}, \
                     PAYLOAD-LEN={len}, MASKED={}, MASK={}",
                    opcode_name(*opcode),
                    mask_hex.is_some(),
                    show(mask_hex.as_deref())
                ),
                lines: wrap(&text_preview(
                    head,
                    usize::try_from(*len).unwrap_or(usize::MAX),
                )),
            },
            WireEntry::TxFrame {
                at_ms,
                opcode,
                fin,
                rsv,
                mask_hex,
                len,
                head,
                chop,
                sync,
            } => WireRow {
                class: if *sync || chop.is_some() {
                    "w-tx-frame-sync"
                } else {
                    "w-tx-frame"
                },
                head: format!(
                    "{n} {at_ms:>10.3} ms  TX FRAME  OPCODE={opcode} ({}), FIN={fin}, RSV={rsv}, \
                     PAYLOAD-LEN={len}, MASK={}, CHOPSIZE={}, SYNC={sync}",
                    opcode_name(*opcode),
                    show(mask_hex.as_deref()),
                    show(*chop)
                ),
                lines: wrap(&text_preview(
                    head,
                    usize::try_from(*len).unwrap_or(usize::MAX),
                )),
            },
            WireEntry::Timer {
                at_ms,
                kind,
                fired,
                secs,
                tag,
            } => {
                let (class, text) = timer_text(*kind, *fired, *secs, tag.as_deref());
                WireRow {
                    class,
                    head: format!("{n} {at_ms:>10.3} ms  {text}"),
                    lines: Vec::new(),
                }
            }
            WireEntry::TcpDropped { at_ms, by_me } => {
                saw_drop = true;
                tcp_drop_row(&format!("{n} {at_ms:>10.3} ms  "), *by_me)
            }
            WireEntry::Elided { rows } => WireRow {
                class: "w-elided",
                head: format!("{n}  … {rows} rows not logged"),
                lines: Vec::new(),
            },
        };
        rows.push(row);
    }
    if !saw_drop {
        let n = format!("{:03}  ", log.len());
        rows.push(tcp_drop_row(&n, r.observation.connection.dropped_by_me));
    }
    rows
}

fn tcp_drop_row(prefix: &str, by_me: bool) -> WireRow {
    if by_me {
        WireRow {
            class: "w-drop-me",
            head: format!("{prefix}TCP DROPPED BY ME"),
            lines: Vec::new(),
        }
    } else {
        WireRow {
            class: "w-drop-peer",
            head: format!("{prefix}TCP DROPPED BY PEER"),
            lines: Vec::new(),
        }
    }
}

/// The view of one agent × case page.
pub fn case_view(agent: &str, r: &CaseResult) -> CaseView {
    let (verdict_label, verdict_class) = behavior_style(r.judgement.behavior);
    let outcome = r.outcome();
    let obs = &r.observation;
    let expected_note = match (&r.expected.echo, &r.expected.frame_counts) {
        (Some(_), _) => Some(r.expected.events_text()),
        (None, Some(counts)) => {
            let list: Vec<String> = counts
                .iter()
                .map(|(op, n)| format!("{n} × opcode {op} ({})", opcode_name(*op)))
                .collect();
            Some(format!(
                "The harness's own data frames: {}",
                list.join(", ")
            ))
        }
        (None, None) => None,
    };
    let observed_note = obs.echo.as_ref().map(|echo| {
        format!(
            "{} echo replies{}, {:.1} ms",
            echo.replies.len(),
            if echo.timed_out { ", timed out" } else { "" },
            echo.elapsed_ms
        )
    });
    let wire_note = if obs.wire_log.is_empty() {
        Some("No wire log was recorded for this case.".to_owned())
    } else if obs
        .wire_log
        .iter()
        .any(|e| matches!(e, WireEntry::Elided { .. }))
    {
        Some("The wire log was capped: some rows were not logged (see the … rows).".to_owned())
    } else {
        None
    };
    CaseView {
        agent: agent.to_owned(),
        id: r.id.to_string(),
        title: r.title.clone(),
        verdict_label,
        verdict_class,
        behavior: r.judgement.behavior.as_str(),
        outcome_label: outcome.label(),
        outcome_class: outcome.css_class(),
        duration: format!("{} ms", r.duration_ms),
        started: r.started.to_string(),
        description: r.description.clone(),
        expectation: r.expectation.clone(),
        spec: format!(
            "{} §{}: {}",
            r.spec_ref.document, r.spec_ref.section, r.spec_ref.requirement
        ),
        result: r.judgement.result.clone(),
        reason: r.judgement.reason.clone(),
        expected: r
            .expected
            .alternatives
            .iter()
            .map(|a| Alternative {
                label: a.label.as_str(),
                events: event_lines(&a.events),
            })
            .collect(),
        expected_note,
        observed: event_lines(&r.observed_events()),
        observed_note,
        close_behavior: r.judgement.behavior_close.as_str(),
        close_class: close_class(r.judgement.behavior_close),
        result_close: r.judgement.result_close.clone(),
        close_expected: r.expected.close_text(),
        close_actual: r.close_actual_text(),
        http_request: obs
            .handshake
            .request
            .as_deref()
            .unwrap_or("(none recorded)")
            .trim_end()
            .to_owned(),
        http_response: obs
            .handshake
            .response
            .as_deref()
            .unwrap_or("(none recorded)")
            .trim_end()
            .to_owned(),
        flags: flags(r),
        octets: vec![
            octet_table("Octets received by chop size", &obs.wire_log, true),
            octet_table("Octets sent by chop size", &obs.wire_log, false),
        ],
        frames: vec![
            frame_table("Frames received by opcode", &obs.rx_frame_counts),
            frame_table("Frames sent by opcode", &obs.tx_frame_counts),
        ],
        violations: obs
            .peer_violations
            .iter()
            .map(|v| format!("{v:?}"))
            .collect(),
        wire: wire_rows(r),
        wire_note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_splits_on_characters() {
        assert_eq!(wrap(""), Vec::<String>::new());
        let text = "é".repeat(150);
        let lines = wrap(&text);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].chars().count(), 100);
    }

    #[test]
    fn group_headings_only_for_three_part_ids() {
        let id = |s: &str| s.parse::<CaseId>().unwrap();
        assert_eq!(
            group_heading(&id("6.4.3")).as_deref(),
            Some("6.4 Fail fast on invalid UTF-8")
        );
        assert_eq!(group_heading(&id("2.10")), None);
        assert_eq!(group_heading(&id("42.1.1")).as_deref(), Some("42.1"));
        assert_eq!(section_heading(1), "1 Framing");
        assert_eq!(section_heading(42), "42");
    }
}
