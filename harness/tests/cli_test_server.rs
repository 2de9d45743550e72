//! `ampel test-server` against small servers written here: an unreachable one (exit 3), one
//! that echoes binary as text (exit 1, failures listed), known deviations, spec files,
//! selection, report merging, and Ctrl-C in the middle of a run.

mod cli_support;

use std::time::{Duration, Instant};

use cli_support::{
    Flaw, ampel, broken_echo_server, dead_port, echo_server_with_peak, read_json, run, temp_dir,
    wait,
};

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn unreachable_server_exits_3() {
    let dir = temp_dir("unreachable");
    let url = format!("ws://127.0.0.1:{}", dead_port());
    let done = run(
        &[
            "test-server",
            &url,
            "--cases",
            "1.1.1",
            "-o",
            dir.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(3), "{done:?}");
    assert!(done.stderr.contains("unreachable"), "{}", done.stderr);
    assert_eq!(done.last_line(), "0 passed, 0 failed, 1 skipped");
}

#[test]
fn binary_as_text_fails_the_binary_cases() {
    let addr = broken_echo_server(Flaw::BinaryAsText);
    let dir = temp_dir("binary-as-text");
    let done = run(
        &[
            "test-server",
            &format!("ws://{addr}"),
            "--cases",
            "1.1.1,1.1.2",
            "--cases",
            "1.2.1,1.2.2",
            "--jobs",
            "2",
            "-o",
            dir.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(1), "{done:?}");
    for id in ["1.2.1", "1.2.2"] {
        assert!(
            done.stdout
                .contains(&format!("FAILED {id} [UnknownServer]")),
            "{}",
            done.stdout
        );
    }
    assert!(!done.stdout.contains("FAILED 1.1."), "{}", done.stdout);
    assert!(
        done.stdout.contains("  Expected: OK: [binary message"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("  Actual:   [text message"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("  Reason:   events differ"),
        "{}",
        done.stdout
    );
    assert_eq!(done.last_line(), "2 passed, 2 failed, 0 skipped");

    // Only the selected cases ran, under the agent from the (absent) Server header.
    let index = read_json(&dir.join("index.json"));
    let agent = index["UnknownServer"]
        .as_object()
        .expect("agent in index.json");
    let mut ids: Vec<&str> = agent.keys().map(String::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["1.1.1", "1.1.2", "1.2.1", "1.2.2"]);
    assert_eq!(agent["1.2.1"]["behavior"], "FAILED");
    assert_eq!(agent["1.1.1"]["behavior"], "OK");
    assert!(dir.join("junit.xml").exists());
    assert!(dir.join("index.html").exists());
    assert!(dir.join("unknownserver_case_1_2_1.json").exists());
}

#[test]
fn expected_deviations_do_not_fail_the_run() {
    let addr = broken_echo_server(Flaw::BinaryAsText);
    let dir = temp_dir("expected-deviations");
    let expect = dir.join("expect.toml");
    std::fs::write(
        &expect,
        "[\"1.2.*\"]\nbehavior = \"FAILED\"\nreason = \"binary echoed as text\"\n\
         [\"1.1.1\"]\nbehavior = \"FAILED\"\nreason = \"stale entry\"\n",
    )
    .unwrap();
    let done = run(
        &[
            "test-server",
            &format!("ws://{addr}"),
            "--cases",
            "1.1.1,1.2.1,1.2.2",
            "--expect",
            expect.to_str().unwrap(),
            "--agent",
            "Broken",
            "-o",
            dir.join("out").to_str().unwrap(),
            "--json",
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(0), "{done:?}");
    assert!(
        done.stderr.contains("2 expected deviation(s)"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("UNEXPECTED PASS 1.1.1 [Broken]"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("1 passed, 0 failed, 2 skipped"),
        "{}",
        done.stderr
    );
    let summary: serde_json::Value = serde_json::from_str(done.stdout.trim()).unwrap();
    assert_eq!(summary["passed"], 1);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["unexpected_passes"][0]["id"], "1.1.1");
    assert_eq!(
        summary["expected_deviations"][0]["reason"],
        "binary echoed as text"
    );
}

#[test]
fn spec_file_servers_agent_outdir_and_exclusions_then_merged_report() {
    let addr = broken_echo_server(Flaw::BinaryAsText);
    let dir = temp_dir("spec-file");
    let spec = dir.join("fuzzingclient.json");
    let out_a = dir.join("a");
    let spec_text = serde_json::json!({
        "outdir": out_a,
        "options": {"failByDrop": false},
        "servers": [{"agent": "SpecAgent", "url": format!("ws://{addr}")}],
        "cases": ["2.*"],
        "exclude-cases": ["2.1*"],
        "exclude-agent-cases": {"Spec*": ["2.2", "2.3"]}
    });
    std::fs::write(&spec, spec_text.to_string()).unwrap();
    let done = run(&["test-server", "-s", spec.to_str().unwrap()], LIMIT);
    assert_eq!(done.code, Some(0), "{done:?}");
    // 2.1, 2.10, 2.11 excluded by the glob; 2.2 and 2.3 not run for this agent.
    assert_eq!(done.last_line(), "6 passed, 0 failed, 2 skipped");
    let index = read_json(&out_a.join("index.json"));
    let ran: Vec<&String> = index["SpecAgent"].as_object().unwrap().keys().collect();
    assert_eq!(ran.len(), 6, "{ran:?}");
    assert!(
        !ran.iter()
            .any(|id| ["2.1", "2.2", "2.3", "2.10"].contains(&id.as_str()))
    );

    // A second run under another agent, then both merged into one report.
    let out_b = dir.join("b");
    let done = run(
        &[
            "test-server",
            &format!("ws://{addr}"),
            "--cases",
            "1.1.1",
            "--agent",
            "Other",
            "-o",
            out_b.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(0), "{done:?}");
    let merged = dir.join("merged");
    let done = run(
        &[
            "report",
            out_a.to_str().unwrap(),
            out_b.join("run.json").to_str().unwrap(),
            "-o",
            merged.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(0), "{done:?}");
    let index = read_json(&merged.join("index.json"));
    assert_eq!(index["SpecAgent"].as_object().unwrap().len(), 6);
    assert_eq!(index["Other"]["1.1.1"]["behavior"], "OK");
    assert!(merged.join("index.html").exists());
}

#[test]
fn ctrl_c_keeps_the_finished_cases() {
    let addr = broken_echo_server(Flaw::SlowEcho(Duration::from_millis(300)));
    let dir = temp_dir("ctrl-c");
    let child = ampel()
        .args([
            "test-server",
            &format!("ws://{addr}"),
            "--cases",
            "1.*",
            "-o",
            dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    // Wait until a few cases are on disk, then interrupt.
    let deadline = Instant::now() + Duration::from_secs(30);
    let run_json = dir.join("run.json");
    loop {
        let done_cases = std::fs::read_to_string(&run_json)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v["agents"]["UnknownServer"]["cases"]
                    .as_array()
                    .map(Vec::len)
            })
            .unwrap_or(0);
        if done_cases >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no case finished in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = wait(child, LIMIT);
    assert_eq!(done.code, Some(130), "{done:?}");
    let run = read_json(&run_json);
    let cases = run["agents"]["UnknownServer"]["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 2 && cases.len() < 16,
        "{} cases",
        cases.len()
    );
    assert!(
        run.get("finished").is_none(),
        "an interrupted run is not finished"
    );
    for case in cases {
        let id = case["id"].as_str().unwrap().replace('.', "_");
        assert!(dir.join(format!("unknownserver_case_{id}.json")).exists());
    }
    let summary = done.last_line();
    assert!(
        summary.starts_with(&format!("{} passed, 0 failed", cases.len())),
        "{summary}"
    );
}

#[test]
fn server_dying_mid_run_exits_3_and_names_the_affected_cases() {
    // The sanity echo and two cases get through; then the server stops accepting.
    let addr = broken_echo_server(Flaw::DieAfter(3));
    let dir = temp_dir("dying");
    let done = run(
        &[
            "test-server",
            &format!("ws://{addr}"),
            "--cases",
            "1.1.1,1.1.2,1.1.3,1.1.4",
            "-o",
            dir.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(3), "{done:?}");
    assert!(
        done.stderr
            .contains("did not answer the sanity echo after the run"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("from case 1.1.3 on"),
        "{}",
        done.stderr
    );
    assert_eq!(done.last_line(), "2 passed, 2 failed, 0 skipped");
}

#[test]
fn jobs_run_cases_concurrently() {
    let (addr, peak) = echo_server_with_peak(Flaw::SlowEcho(Duration::from_millis(400)));
    let dir = temp_dir("jobs");
    let url = format!("ws://{addr}");
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "test-server",
        &url,
        "--cases",
        "1.1.1,1.1.2,1.1.3,1.1.4,1.2.2,1.2.3",
        "--agent",
        "Slow",
        "--jobs",
        "3",
        "-o",
        dir_arg,
    ];
    let done = run(&args, LIMIT);
    assert_eq!(done.code, Some(0), "{done:?}");
    assert_eq!(done.last_line(), "6 passed, 0 failed, 0 skipped");
    let peak = peak.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (2..=3).contains(&peak),
        "peak concurrency {peak} with --jobs 3"
    );
}
