//! Interop with autobahn-python (PyPI `autobahn[serialization]` under `AMPEL_PEERS_DIR`):
//! autobahn sessions against our router's advanced RPC (`wamp_peers/autobahn_rpc.py`:
//! progressive results, every cancel mode, call timeout, pattern and shared registrations),
//! plus caller identification toward an autobahn callee from a raw caller here.
//! Skipped loudly without the peers; a failure when `AMPEL_REQUIRE_PEERS=1`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ampel_net::wamp::{RouterServer, RouterServerConfig};
use ampel_net::{ClientConfig, Message};
use common::autobahn::{self, RUN_LIMIT};

/// The script's next stdout line, waiting no longer than what is left of [`RUN_LIMIT`].
fn next_line(lines: &mpsc::Receiver<String>, started: Instant) -> Option<String> {
    lines
        .recv_timeout(RUN_LIMIT.saturating_sub(started.elapsed()))
        .ok()
}

async fn recv_text(
    ws: &mut ampel_net::WebSocket<ampel_net::MaybeTlsStream>,
) -> Result<String, String> {
    match tokio::time::timeout(Duration::from_secs(5), ws.recv()).await {
        Ok(Some(Ok(Message::Text(t)))) => Ok(t),
        other => Err(format!("no message: {other:?}")),
    }
}

/// Calls `com.py.whoami` with `disclose_me` from a raw JSON caller: the autobahn callee
/// answers with the identity the router disclosed; it must be ours.
async fn whoami(url: &str) -> Result<(), String> {
    let mut config = ClientConfig::default();
    config.subprotocols = vec!["wamp.2.json".into()];
    let mut ws = ampel_net::connect_with(url, config)
        .await
        .map_err(|e| e.to_string())?;
    let hello = r#"[1,"realm1",{"roles":{"caller":{"features":{"caller_identification":true}}}}]"#;
    ws.send(Message::Text(hello.into()))
        .await
        .map_err(|e| e.to_string())?;
    let welcome = recv_text(&mut ws).await?;
    let session = welcome
        .strip_prefix("[2,")
        .and_then(|w| w.split(',').next())
        .ok_or(format!("no WELCOME: {welcome}"))?
        .to_owned();
    let call = r#"[48,1,{"disclose_me":true},"com.py.whoami"]"#;
    ws.send(Message::Text(call.into()))
        .await
        .map_err(|e| e.to_string())?;
    let result = recv_text(&mut ws).await?;
    let expected = format!(r#"[50,1,{{}},[[{session},"anonymous-{session}","anonymous"]]]"#);
    if result == expected {
        Ok(())
    } else {
        Err(format!("whoami: {result}, expected {expected}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autobahn_python_advanced_rpc_against_our_router() {
    let Some(python) = autobahn::python() else {
        return;
    };
    let mut server = RouterServer::start(RouterServerConfig::default());
    let ws = server
        .listen(&"ws://127.0.0.1:0/ws".parse().unwrap())
        .await
        .unwrap();
    let url = ws.to_string();
    let mut peer = autobahn::spawn(&python, "autobahn_rpc.py", &[&url]);
    let started = Instant::now();
    let (tx, lines) = mpsc::channel();
    let stdout = peer.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let ready = tokio::task::block_in_place(|| next_line(&lines, started));
    let identified = match ready.as_deref() {
        Some("READY") => whoami(&url).await,
        other => Err(format!("script not ready: {other:?}")),
    };
    // Closing stdin tells the script to finish.
    drop(peer.0.stdin.take());
    let verdict = tokio::task::block_in_place(|| next_line(&lines, started));
    let mut stderr = String::new();
    if verdict.as_deref() != Some("OK") || identified.is_err() {
        let _ = peer.0.kill();
        if let Some(mut e) = peer.0.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
    }
    assert!(
        identified.is_ok() && verdict.as_deref() == Some("OK"),
        "identification: {identified:?}\nscript: {verdict:?}\nstderr: {stderr}"
    );
}
