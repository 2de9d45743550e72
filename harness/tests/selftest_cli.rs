//! `ampel selftest` in one process: Ampel's echo server tested as a server, Ampel's
//! Autobahn client tested as a client, both report directories written.

mod cli_support;

use std::time::Duration;

use cli_support::{read_json, run, temp_dir};

#[test]
fn selftest_runs_both_roles_and_writes_both_reports() {
    let dir = temp_dir("selftest");
    let done = run(
        &[
            "selftest",
            "--cases",
            "1.*,2.1,5.1,6.1.*,7.1.*",
            "--jobs",
            "2",
            "-o",
            dir.to_str().unwrap(),
        ],
        Duration::from_secs(120),
    );
    assert_eq!(done.code, Some(0), "{done:?}");
    let summaries: Vec<&str> = done
        .stdout
        .lines()
        .filter(|l| l.ends_with(" skipped"))
        .collect();
    // 16 + 1 + 1 + 3 + 6 cases in each role.
    assert_eq!(
        summaries,
        [
            "27 passed, 0 failed, 0 skipped",
            "27 passed, 0 failed, 0 skipped"
        ],
        "{}",
        done.stdout
    );
    for role in ["servers", "clients"] {
        let index = read_json(&dir.join(role).join("index.json"));
        let cases = index["ampel-net"]
            .as_object()
            .expect("ampel-net in index.json");
        assert_eq!(cases.len(), 27, "{role}");
        // 7.1.6 is INFORMATIONAL by definition; everything else must be OK.
        for (id, case) in cases {
            let want = if id == "7.1.6" { "INFORMATIONAL" } else { "OK" };
            assert_eq!(case["behavior"], want, "{role} {id}");
        }
    }
}
