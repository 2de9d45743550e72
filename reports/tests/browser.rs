//! The HTML as a person sees it: Debian's `chromium`, headless, renders the synthetic report.
//! Checks the matrix rows in the rendered DOM, the computed colours of a failed and a passed
//! cell (a probe script writes `getComputedStyle` results into the DOM), the close-details
//! toggle, the wire log on a case page, that peer text stays text, and takes a screenshot
//! (kept under the target dir's test tmpdir for people to look at).
//!
//! Without `chromium` on PATH the test prints a loud skip message and passes, unless
//! `AMPEL_REQUIRE_BROWSER` is set (CI sets it), in which case it fails.

mod common;

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ampel_reports::render_all;

/// Per chromium invocation.
const TIMEOUT: Duration = Duration::from_secs(60);

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
}

/// Runs chromium headless on `page` with `extra` arguments, in its own process group so a
/// hung browser and all its helper processes can be killed. Returns stdout.
fn chromium(binary: &Path, profile: &Path, extra: &[String], page: &Path) -> String {
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait on chromium") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    // Whatever happened, no helper process of this browser may outlive the test.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    match status {
        Some(s) if s.success() => out,
        Some(s) => panic!("chromium exited with {s}; stderr:\n{err}"),
        None => panic!("chromium did not finish within {TIMEOUT:?}; stderr:\n{err}"),
    }
}

/// A copy of `index.html` with a script that writes what the page computed into `#probe`.
const PROBE: &str = r##"<script>
(function () {
  function cell(agent, id, role) {
    return document.querySelector('td[data-agent="' + agent + '"][data-case="' + id + '"][data-role="' + role + '"]');
  }
  function bg(el) { return el ? getComputedStyle(el).backgroundColor : "missing"; }
  var a = "Ampel/0.1", b = "Other <Server> & Co/2.0";
  var result = {
    rows: Array.prototype.map.call(document.querySelectorAll("#matrix tr.case-row"), function (r) { return r.dataset.case; }),
    failed: bg(cell(a, "5.1", "behavior")),
    passed: bg(cell(a, "1.1.1", "behavior")),
    nonStrict: bg(cell(a, "3.1", "behavior")),
    info: bg(cell(a, "7.13.1", "behavior")),
    unimplemented: bg(cell(a, "12.1.1", "behavior")),
    missing: bg(cell(b, "12.1.1", "behavior")),
    unclean: bg(cell(a, "7.1.1", "close")),
    failedByClient: bg(cell(b, "7.1.1", "close")),
    wrongCode: bg(cell(a, "6.3.1", "close")),
    passedText: getComputedStyle(cell(a, "1.1.1", "behavior")).color
  };
  toggleClose();
  result.closeHidden = getComputedStyle(cell(a, "1.1.1", "close")).display;
  result.agentColspan = document.querySelector("#matrix th.agent").colSpan;
  toggleClose();
  result.closeShownAgain = getComputedStyle(cell(a, "1.1.1", "close")).display;
  var out = document.createElement("pre");
  out.id = "probe";
  // Markers built by concatenation, so the script source itself does not contain them.
  out.textContent = "@@PRO" + "BE@@" + JSON.stringify(result) + "@@E" + "ND@@";
  document.body.appendChild(out);
})();
</script>
</body>"##;

fn probe_result(dom: &str) -> serde_json::Value {
    // The DOM dump escapes nothing inside <pre> text except &, <, >.
    let start = dom.find("@@PROBE@@").expect("the probe script ran") + "@@PROBE@@".len();
    let end = dom[start..].find("@@END@@").expect("probe end") + start;
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("probe JSON")
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let Some(binary) = find_chromium() else {
        let required = std::env::var_os("AMPEL_REQUIRE_BROWSER").is_some();
        // Written to the stderr handle itself: the test harness captures `eprintln!` of
        // passing tests, and this message must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!! SKIPPED: `chromium` is not on PATH; the HTML report was NOT checked\n\
             !!! in a browser. Install Debian's `chromium` package to run this test.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        assert!(
            !required,
            "AMPEL_REQUIRE_BROWSER is set but chromium is missing"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    render_all(&site, &common::report()).unwrap();
    let profile = tmp.path().join("profile");
    let dump = ["--dump-dom".to_owned()];

    // 1. The matrix as rendered: one row per case that ran, in numeric order.
    let dom = chromium(&binary, &profile, &dump, &site.join("index.html"));
    for id in ["1.1.1", "3.1", "5.1", "6.3.1", "7.1.1", "7.13.1", "12.1.1"] {
        assert!(
            dom.contains(&format!("id=\"case-{id}\"")),
            "row {id} missing"
        );
    }
    assert!(
        dom.contains("Other &lt;Server&gt; &amp; Co/2.0"),
        "agent name shown as text"
    );

    // 2. Computed colours, via the probe page.
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let probe_page = site.join("probe.html");
    std::fs::write(&probe_page, index.replace("</body>", PROBE)).unwrap();
    let probe = probe_result(&chromium(&binary, &profile, &dump, &probe_page));
    assert_eq!(
        probe["rows"],
        serde_json::json!(["1.1.1", "3.1", "5.1", "6.3.1", "7.1.1", "7.13.1", "12.1.1"])
    );
    let colours = [
        ("failed", "rgb(153, 0, 0)"),
        ("passed", "rgb(0, 170, 0)"),
        ("nonStrict", "rgb(153, 170, 0)"),
        ("info", "rgb(64, 149, 191)"),
        ("unimplemented", "rgb(128, 0, 128)"),
        ("missing", "rgb(160, 90, 44)"),
        ("unclean", "rgb(153, 0, 0)"),
        ("failedByClient", "rgb(102, 221, 102)"),
        ("wrongCode", "rgb(153, 170, 0)"),
        ("passedText", "rgb(255, 255, 255)"),
        ("closeHidden", "none"),
        ("closeShownAgain", "table-cell"),
    ];
    for (key, want) in colours {
        assert_eq!(probe[key], want, "{key}: {probe}");
    }
    assert_eq!(probe["agentColspan"], 1, "{probe}");

    // 3. A case page shows the wire log, and peer text stays text.
    let page = chromium(
        &binary,
        &profile,
        &dump,
        &site.join("ampel_0_1_case_5_1.html"),
    );
    let wirelog = &page[page.find("id=\"wirelog\"").expect("wire log block")..];
    for row in [
        "TX OCTETS",
        "RX OCTETS",
        "TX FRAME",
        "RX FRAME",
        "FAIL CONNECTION AFTER",
        "TCP DROPPED BY PEER",
    ] {
        assert!(wirelog.contains(row), "wire log row {row:?} missing");
    }
    assert!(page.contains("&lt;script&gt;alert('peer')&lt;/script&gt;"));
    assert!(!page.contains("<script>alert"), "peer text became markup");
    assert!(!page.contains("<b>evil</b>"), "peer header became markup");

    // 4. A screenshot, kept for people to look at.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&shots).unwrap();
    for (page, png) in [
        ("index.html", "index.png"),
        ("ampel_0_1_case_5_1.html", "case_5_1.png"),
    ] {
        let png = shots.join(png);
        let _ = std::fs::remove_file(&png);
        chromium(
            &binary,
            &profile,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1200,900".to_owned(),
            ],
            &site.join(page),
        );
        let bytes = std::fs::read(&png).expect("screenshot written");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(bytes.len() > 10_000, "suspiciously small screenshot");
        eprintln!("screenshot: {}", png.display());
    }
}
