//! Testees for the conformance harness: an echo server, and a client that
//! follows the Autobahn client-testing protocol (`/getCaseCount`,
//! `/runCase?case=N&agent=A`, `/updateReports?agent=A`) echoing every case.

use tokio::io::{AsyncRead, AsyncWrite};

use crate::config::{ClientConfig, ClientDeflate, ServerConfig, ServerDeflate};
use crate::error::{Error, Result};
use crate::message::Message;
use crate::server::Listener;
use crate::websocket::WebSocket;
use crate::{MaybeTlsStream, connect_with};

/// The echo server's settings: the defaults, and unless `deflate` is false
/// permessage-deflate for whatever a client validly offers (the first
/// acceptable offer wins; every parameter is honoured, nothing extra is
/// requested). That covers Autobahn's 12.x/13.x offers:
/// `permessage-deflate; client_no_context_takeover; client_max_window_bits`,
/// optionally with `server_no_context_takeover` and `server_max_window_bits=9|15`.
pub fn echo_server_config(deflate: bool) -> ServerConfig {
    let mut config = ServerConfig::default();
    if deflate {
        config.deflate = Some(ServerDeflate::default().level(TESTEE_DEFLATE_LEVEL));
    }
    config
}

/// The testees compress at zlib level 1: conformance does not depend on the
/// level, and the compression suites then run about twice as fast.
pub const TESTEE_DEFLATE_LEVEL: u32 = 1;

/// The echo client's settings: the defaults, and unless `deflate` is false the
/// offer `permessage-deflate; client_max_window_bits`, so every valid response
/// is acceptable (`client_no_context_takeover`, `client_max_window_bits=N`,
/// `server_no_context_takeover`, `server_max_window_bits=N`).
pub fn echo_client_config(deflate: bool) -> ClientConfig {
    let mut config = ClientConfig::default();
    if deflate {
        config.deflate = Some(ClientDeflate::default().level(TESTEE_DEFLATE_LEVEL));
    }
    config
}

/// Echoes every message of `ws` verbatim (text stays text) until the
/// connection ends; pongs are automatic, a close is answered by the state
/// machine. Echoes are batched: they are written when the next receive
/// would wait. Returns the number of messages echoed; a protocol violation
/// by the peer is not an error here (the connection is failed as it must be).
pub async fn echo<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut WebSocket<S>) -> Result<u64> {
    let mut echoed = 0;
    while let Some(item) = ws.recv().await {
        match item {
            Ok(message) if message.is_data() => {
                ws.feed(message).await?;
                echoed += 1;
            }
            Ok(_) | Err(Error::Protocol(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(echoed)
}

/// Runs an echo server on `listener` until accepting fails; each connection
/// is upgraded and echoed in its own task (its errors end only that task).
pub async fn echo_server(listener: Listener) -> Result<()> {
    loop {
        let incoming = listener.accept().await?;
        tokio::spawn(async move {
            if let Ok(mut ws) = incoming.upgrade().await {
                // A peer that breaks the transport ends only its own connection.
                let _ = echo(&mut ws).await;
            }
        });
    }
}

/// What [`autobahn_client`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutobahnSummary {
    /// The case count the server announced.
    pub case_count: u32,
    /// Cases whose connection could not be opened (no TCP, no HTTP answer),
    /// with the reason.
    pub connect_failures: Vec<(u32, String)>,
    /// Cases whose upgrade answer our client refused (an invalid handshake or
    /// permessage-deflate answer): a decision of the client under test, which
    /// the case judges, not a failure of the run.
    pub refusals: Vec<(u32, String)>,
}

/// Drives the Autobahn client-testing protocol against `base_url`
/// (e.g. `ws://127.0.0.1:9001`) as `agent`, with default settings.
pub async fn autobahn_client(base_url: &str, agent: &str) -> Result<AutobahnSummary> {
    autobahn_client_with(base_url, agent, &ClientConfig::default()).await
}

/// [`autobahn_client`] with explicit client settings (e.g. TLS roots).
/// Fails if the case count cannot be read or the reports cannot be
/// requested; a case whose connection fails is recorded and skipped.
pub async fn autobahn_client_with(
    base_url: &str,
    agent: &str,
    config: &ClientConfig,
) -> Result<AutobahnSummary> {
    let base = base_url.trim_end_matches('/');
    let agent = percent_encode(agent);
    let case_count = read_case_count(&format!("{base}/getCaseCount"), config).await?;
    let mut summary = AutobahnSummary {
        case_count,
        connect_failures: Vec::new(),
        refusals: Vec::new(),
    };
    for case in 1..=case_count {
        let url = format!("{base}/runCase?case={case}&agent={agent}");
        match connect_with(&url, config.clone()).await {
            Ok(mut ws) => {
                // Whatever the case does to the connection is the case's verdict.
                let _ = echo(&mut ws).await;
            }
            Err(e @ (Error::Handshake(_) | Error::DeflateResponse { .. })) => {
                summary.refusals.push((case, e.to_string()));
            }
            Err(e) => summary.connect_failures.push((case, e.to_string())),
        }
    }
    let mut ws = connect_with(
        &format!("{base}/updateReports?agent={agent}"),
        config.clone(),
    )
    .await?;
    drain(&mut ws).await?;
    Ok(summary)
}

/// Reads the one text message of `/getCaseCount`: a JSON integer.
async fn read_case_count(url: &str, config: &ClientConfig) -> Result<u32> {
    let mut ws = connect_with(url, config.clone()).await?;
    let mut count = None;
    while let Some(item) = ws.recv().await {
        if let (None, Message::Text(text)) = (count, item?) {
            let parsed = text.trim().parse::<u32>().map_err(|_| Error::Testee {
                detail: format!("case count is not an integer: {text:?}"),
            })?;
            count = Some(parsed);
        }
    }
    count.ok_or_else(|| Error::Testee {
        detail: "the server sent no case count".to_owned(),
    })
}

/// Receives until the connection ends.
async fn drain(ws: &mut WebSocket<MaybeTlsStream>) -> Result<()> {
    while let Some(item) = ws.recv().await {
        item?;
    }
    Ok(())
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn agent_encoding() {
        assert_eq!(percent_encode("ampel-0.1_x~y."), "ampel-0.1_x~y.");
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }
}
