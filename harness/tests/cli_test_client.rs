//! `ampel test-client` speaks Autobahn's URL protocol: a client written here (with
//! tokio-tungstenite, independent of Ampel's stack) drives getCaseCount, getCaseInfo,
//! runCase, getCaseStatus, updateReports and stopServer, and unknown paths get 404.

mod cli_support;

use std::time::Duration;

use cli_support::{ampel, read_json, temp_dir, wait, wait_for_stderr_line};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const LIMIT: Duration = Duration::from_secs(60);

/// Connects to `url` and returns the text messages received until the server closes.
async fn texts(url: &str) -> Vec<String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect(url);
    let mut out = Vec::new();
    while let Some(Ok(msg)) = ws.next().await {
        if let Message::Text(t) = msg {
            out.push(t.to_string());
        }
    }
    out
}

/// Runs one case as a well-behaved echo client.
async fn echo_case(url: &str) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect(url);
    while let Some(Ok(msg)) = ws.next().await {
        if (msg.is_text() || msg.is_binary()) && ws.send(msg).await.is_err() {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autobahn_url_protocol() {
    let dir = temp_dir("test-client");
    let mut child = ampel()
        .args([
            "test-client",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            "1.1.1,1.2.1,2.1",
            "-o",
            dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let (line, _rest) = wait_for_stderr_line(&mut child, "listening on ws://", LIMIT);
    let base = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();

    let driving = async {
        assert_eq!(texts(&format!("{base}/getCaseCount")).await, ["3"]);
        let info = texts(&format!("{base}/getCaseInfo?case=2")).await;
        let info: serde_json::Value = serde_json::from_str(&info[0]).unwrap();
        assert_eq!(info["id"], "1.2.1");
        assert!(info["description"].is_string());

        for n in 1..=3 {
            echo_case(&format!("{base}/runCase?case={n}&agent=Tester")).await;
        }
        // casetuple re-runs a case (the later result replaces the earlier one).
        echo_case(&format!("{base}/runCase?casetuple=2.1&agent=Tester")).await;
        let status = texts(&format!("{base}/getCaseStatus?case=1&agent=Tester")).await;
        assert_eq!(status, [r#"{"behavior":"OK"}"#]);

        match tokio_tungstenite::connect_async(format!("{base}/nope")).await {
            Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 404),
            other => panic!("unknown path not refused with 404: {other:?}"),
        }
        match tokio_tungstenite::connect_async(format!("{base}/runCase?case=4&agent=T")).await {
            Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 404),
            other => panic!("case 4 of 3 not refused with 404: {other:?}"),
        }
        match tokio_tungstenite::connect_async(format!("{base}/runCase?case=1")).await {
            Err(WsError::Http(response)) => assert_eq!(response.status().as_u16(), 400),
            other => panic!("runCase without agent not refused with 400: {other:?}"),
        }

        assert!(
            texts(&format!("{base}/updateReports?agent=Tester"))
                .await
                .is_empty()
        );
        let index = read_json(&dir.join("index.json"));
        let tester = index["Tester"].as_object().expect("Tester in index.json");
        assert_eq!(tester.len(), 3);
        assert_eq!(tester["1.2.1"]["behavior"], "OK");
        assert!(dir.join("tester_case_1_1_1.json").exists());

        let _ = texts(&format!("{base}/stopServer")).await;
    };
    tokio::time::timeout(LIMIT, driving)
        .await
        .expect("protocol exchange timed out");
    let done = tokio::task::spawn_blocking(move || wait(child, LIMIT))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{done:?}");
    assert_eq!(done.last_line(), "3 passed, 0 failed, 0 skipped");
    let run = read_json(&dir.join("run.json"));
    assert_eq!(run["mode"], "test-client");
    assert!(run.get("finished").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_after_agents_agent_override_and_exclusions() {
    let dir = temp_dir("test-client-spec");
    let spec = dir.join("fuzzingserver.json");
    std::fs::write(
        &spec,
        serde_json::json!({
            "url": "ws://127.0.0.1:0",
            "outdir": dir.join("out"),
            "cases": ["1.1.1", "1.1.2"],
            "exclude-agent-cases": {"Skip*": ["1.1.2"]}
        })
        .to_string(),
    )
    .unwrap();
    let mut child = ampel()
        .args([
            "test-client",
            "-s",
            spec.to_str().unwrap(),
            "--stop-after-agents",
            "1",
            "--agent",
            "SkipRenamed",
        ])
        .spawn()
        .unwrap();
    let (line, _rest) = wait_for_stderr_line(&mut child, "listening on ws://", LIMIT);
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    let driving = async {
        for n in 1..=2 {
            echo_case(&format!("{base}/runCase?case={n}&agent=AsSent")).await;
        }
        let _ = texts(&format!("{base}/updateReports?agent=AsSent")).await;
    };
    tokio::time::timeout(LIMIT, driving)
        .await
        .expect("protocol exchange timed out");
    let done = tokio::task::spawn_blocking(move || wait(child, LIMIT))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{done:?}");
    assert_eq!(done.last_line(), "1 passed, 0 failed, 1 skipped");
    let index = read_json(&dir.join("out").join("index.json"));
    // --agent replaces the name the client sends; the exclusion matched the new name.
    assert!(index.get("AsSent").is_none());
    let ran: Vec<&String> = index["SkipRenamed"].as_object().unwrap().keys().collect();
    assert_eq!(ran, ["1.1.1"]);
}

/// Starts `ampel test-client` on a free port; returns the child and its base URL.
fn start(dir: &std::path::Path, cases: &str) -> (std::process::Child, String) {
    let mut child = ampel()
        .args([
            "test-client",
            "--listen",
            "127.0.0.1:0",
            "--cases",
            cases,
            "-o",
            dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let (line, _rest) = wait_for_stderr_line(&mut child, "listening on ws://", LIMIT);
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_on_complete_stops_the_server() {
    let dir = temp_dir("test-client-shutdown");
    let (child, base) = start(&dir, "1.1.1");
    let driving = async {
        echo_case(&format!("{base}/runCase?case=1&agent=A")).await;
        let url = format!("{base}/updateReports?agent=A&shutdownOnComplete=true");
        let _ = texts(&url).await;
    };
    tokio::time::timeout(LIMIT, driving)
        .await
        .expect("timed out");
    let done = tokio::task::spawn_blocking(move || wait(child, LIMIT))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{done:?}");
    assert_eq!(done.last_line(), "1 passed, 0 failed, 0 skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_renders_what_finished_and_exits_130() {
    let dir = temp_dir("test-client-ctrl-c");
    let (child, base) = start(&dir, "1.1.1,1.1.2");
    tokio::time::timeout(LIMIT, echo_case(&format!("{base}/runCase?case=1&agent=A")))
        .await
        .expect("timed out");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = tokio::task::spawn_blocking(move || wait(child, LIMIT))
        .await
        .unwrap();
    assert_eq!(done.code, Some(130), "{done:?}");
    assert_eq!(done.last_line(), "1 passed, 0 failed, 0 skipped");
    let index = read_json(&dir.join("index.json"));
    assert_eq!(index["A"]["1.1.1"]["behavior"], "OK");
    let run = read_json(&dir.join("run.json"));
    assert!(
        run.get("finished").is_none(),
        "an interrupted run is not finished"
    );
}
