//! HTML content checks that need no browser: rows, cells, summary, escaping of peer text.

mod common;

use ampel_reports::{case_html, index_html};

#[test]
fn matrix_has_one_row_per_case_that_ran_and_the_right_cells() {
    let html = index_html(&common::report()).unwrap();
    assert_eq!(html.matches("<tr class=\"case-row\"").count(), 7);
    // Sections present are the ones that ran; 2 (Pings) did not run, so it has no header.
    assert!(html.contains(">1 Framing<"));
    assert!(!html.contains(">2 Pings/Pongs<"));
    assert!(html.contains(">6.3 Invalid UTF-8, whole and split at every byte<"));
    // Agent B never ran 12.1.1: a Missing cell spanning both columns; A's is Unimplemented.
    assert!(html.contains(
        "<td class=\"cell span2 v-missing\" colspan=\"2\" data-agent=\"Other &lt;Server&gt; &amp; Co&#x2F;2.0\" data-case=\"12.1.1\""
    ));
    assert!(html.contains("<td class=\"cell span2 v-unimplemented\" colspan=\"2\" data-agent=\"Ampel&#x2F;0.1\" data-case=\"12.1.1\""));
    // A failed behaviour cell links to its page and shows the duration.
    assert!(html.contains(
        "<td class=\"cell v-fail\" data-agent=\"Ampel&#x2F;0.1\" data-case=\"5.1\" data-role=\"behavior\""
    ));
    assert!(html.contains(
        "<a href=\"ampel_0_1_case_5_1.html\">Fail</a><span class=\"duration\">7 ms</span>"
    ));
    // Close cells: UNCLEAN says so, FAILED BY CLIENT shows the code in light green.
    assert!(html.contains("class=\"cell close c-fail\" data-agent=\"Ampel&#x2F;0.1\" data-case=\"7.1.1\" data-role=\"close\">Unclean<"));
    assert!(html.contains("class=\"cell close c-almost\" data-agent=\"Other &lt;Server&gt; &amp; Co&#x2F;2.0\" data-case=\"7.1.1\" data-role=\"close\">1000<"));
}

#[test]
fn summary_counts_outcomes_per_agent() {
    let html = index_html(&common::report()).unwrap();
    let row = |agent: &str| {
        let start = html.find(&format!("<tr data-agent=\"{agent}\">")).unwrap();
        let end = html[start..].find("</tr>").unwrap() + start;
        html[start..end].to_owned()
    };
    let a = row("Ampel&#x2F;0.1");
    for (outcome, n) in [
        ("Pass", 1),
        ("Non-Strict", 2),
        ("Fail", 2),
        ("Info", 1),
        ("Unimplemented", 1),
        ("Missing", 0),
    ] {
        assert!(
            a.contains(&format!("data-outcome=\"{outcome}\">{n}<")),
            "{outcome} {n}: {a}"
        );
    }
    let b = row("Other &lt;Server&gt; &amp; Co&#x2F;2.0");
    // 7.1.1 is FAILED BY CLIENT there, which makes an OK case NON-STRICT.
    for (outcome, n) in [("Pass", 2), ("Non-Strict", 3), ("Fail", 0), ("Missing", 1)] {
        assert!(
            b.contains(&format!("data-outcome=\"{outcome}\">{n}<")),
            "{outcome} {n}: {b}"
        );
    }
}

#[test]
fn peer_text_is_escaped_on_case_pages() {
    let report = common::report();
    let result = common::case(common::AGENT_B, "5.1");
    let html = case_html(&report, common::AGENT_B, &result).unwrap();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(&#x27;peer&#x27;)&lt;&#x2F;script&gt;"));
    assert!(!html.contains("<b>evil</b>"));
    assert!(!html.contains("<Server>"));
    assert!(html.contains("Other &lt;Server&gt; &amp; Co&#x2F;2.0"));
    // The page has no script at all.
    assert!(!html.contains("<script"));
}

#[test]
fn case_page_sections() {
    let report = common::report();
    let html = case_html(
        &report,
        common::AGENT_A,
        &common::case(common::AGENT_A, "7.1.1"),
    )
    .unwrap();
    assert!(html.contains("<div class=\"banner v-pass\" id=\"banner\">"));
    assert!(html.contains("Closing behaviour: <span class=\"tag c-fail\">UNCLEAN</span>"));
    for part in [
        "Opening handshake",
        "Connection flags",
        "wasNotCleanReason",
        "Octets received by chop size",
        "Frames sent by opcode",
        "TX FRAME  OPCODE=8 (close)",
        "CLOSE HANDSHAKE TIMER 1.000 sec",
        "TCP DROPPED BY ME",
        "@ 2024-05-01T12:00:05.000Z",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
}
