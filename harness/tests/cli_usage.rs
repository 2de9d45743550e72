//! Usage and configuration errors exit 2 with a precise message; `ampel list`.

mod cli_support;

use std::time::Duration;

use cli_support::{dead_port, run, temp_dir};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("usage");
    let bad_spec = dir.join("bad.json");
    std::fs::write(&bad_spec, "{\"servers\": [{\"agent\": \"no url\"}]}").unwrap();
    let no_reason = dir.join("expect.toml");
    std::fs::write(&no_reason, "[\"1.1.1\"]\nbehavior = \"FAILED\"\n").unwrap();
    let url = format!("ws://127.0.0.1:{}", dead_port());
    let spec = bad_spec.to_str().unwrap();
    let expect = no_reason.to_str().unwrap();
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--no-such-flag"], "unexpected argument"),
        (&["test-server", &url, "--jobs", "0"], "--jobs"),
        (
            &["test-server", &url, "--cases", "7.9.10", "-o", out],
            "unknown case id 7.9.10",
        ),
        (
            &["test-server", &url, "--cases", "abc", "-o", out],
            "neither a case id nor a glob",
        ),
        (&["test-server", "-s", spec], "missing field `url`"),
        (&["test-server", "-o", out], "no server to test"),
        (
            &["test-server", "http://127.0.0.1:1", "-o", out],
            "not ws or wss",
        ),
        (
            &["test-server", &url, "--expect", expect, "-o", out],
            "needs a non-empty reason",
        ),
        (&["test-client", "-o", out], "no address to listen on"),
        (&["list", "9.9.9"], "unknown case id 9.9.9"),
    ];
    for (args, message) in cases {
        let done = run(args, LIMIT);
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        assert!(
            done.stderr.contains(message),
            "{args:?}: stderr lacks {message:?}: {}",
            done.stderr
        );
    }
}

#[test]
fn list_prints_cases_as_text_and_json() {
    let done = run(&["list", "1.1.*,2.1"], LIMIT);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let lines: Vec<&str> = done.stdout.lines().collect();
    assert_eq!(lines.len(), 9, "{}", done.stdout);
    assert!(lines[0].starts_with("1.1.1 "));
    assert!(lines[8].starts_with("2.1 "));

    let done = run(&["list", "--json", "6.4.*"], LIMIT);
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let json: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["id"], "6.4.1");
    assert!(
        rows.iter()
            .all(|r| r["applies_to"].is_string() && r["title"].is_string())
    );
}

#[test]
fn report_of_missing_input_is_a_configuration_error() {
    let dir = temp_dir("report-missing");
    let done = run(
        &[
            "report",
            dir.join("nope.json").to_str().unwrap(),
            "-o",
            dir.join("out").to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert!(done.stderr.contains("nope.json"), "{}", done.stderr);
    assert!(!dir.join("out").join("index.json").exists());
}
