//! Short exchanges outside the case catalogue: Autobahn's URL-protocol control endpoints
//! (send one text message and close, or refuse) and the sanity echo that tells a dead peer
//! from failing cases.

use std::time::Duration;

use ampel_cases::{Delivery, FrameSpec, ObservedEvent, Payload, Role, opcode};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{BoxedIo, HandshakeError, Target, UpgradeRequest};
use crate::observer::{Observer, Output};
use crate::wire::connect::connect;
use crate::wire::handshake::{self, accept_response, check_response, client_request, new_key};
use crate::wire::log::{SharedLog, WireLog};
use crate::wire::writer::FrameWriter;

/// How long the closing handshake of a control exchange may take.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Refuses an upgrade with an HTTP status (e.g. 400/404) and a short body.
pub async fn refuse(mut io: BoxedIo, status: u16, reason: &str) {
    handshake::refuse(&mut io, status, reason).await;
}

/// Completes the upgrade, sends one text message and closes cleanly (waiting briefly for
/// the client's close).
pub async fn serve_text_and_close(
    mut io: BoxedIo,
    request: UpgradeRequest,
    text: &str,
) -> Result<(), HandshakeError> {
    let response = match accept_response(&request, None) {
        Ok(r) => r,
        Err(e) => {
            handshake::refuse(&mut io, 400, &e.to_string()).await;
            return Err(e);
        }
    };
    io.write_all(response.as_bytes()).await?;
    let (mut rd, wr) = tokio::io::split(io);
    let mut writer = FrameWriter::new(wr, Role::Server, SharedLog::new(0, false));
    writer
        .frame(
            &FrameSpec::new(true, opcode::TEXT, Payload::text(text)),
            Delivery::PLAIN,
        )
        .await?;
    writer.frame(&close_frame(), Delivery::PLAIN).await?;
    writer.flush().await?;
    let mut observer = Observer::new(Role::Server);
    let mut leftover = request.leftover;
    let _ = tokio::time::timeout(
        CLOSE_GRACE,
        until_close(&mut rd, &mut observer, &mut leftover),
    )
    .await;
    let _ = writer.shutdown().await;
    Ok(())
}

/// A quick liveness check of a server: connect, echo one short text message, close.
pub async fn sanity_echo(target: &Target, timeout: Duration) -> Result<(), String> {
    match tokio::time::timeout(timeout, echo_once(target)).await {
        Ok(result) => result,
        Err(_) => Err(format!("no echo within {timeout:?}")),
    }
}

async fn echo_once(target: &Target) -> Result<(), String> {
    const TEXT: &str = "Ampel sanity check";
    let mut io = connect(target).await.map_err(|e| e.to_string())?;
    let key = new_key();
    io.write_all(client_request(&target.url, &key, &[]).as_bytes())
        .await
        .map_err(|e| format!("sending the upgrade request: {e}"))?;
    let (head, mut leftover) = handshake::read_head(&mut io)
        .await
        .map_err(|e| e.to_string())?;
    let extensions = check_response(&head, &key).map_err(|e| e.to_string())?;
    if let Some(e) = extensions.first() {
        return Err(format!(
            "the server selected extension {:?}, which was not offered",
            e.name
        ));
    }
    let (mut rd, wr) = tokio::io::split(io);
    let mut writer = FrameWriter::new(wr, Role::Client, SharedLog::new(0, false));
    let io_err = |e: std::io::Error| format!("writing: {e}");
    writer
        .frame(
            &FrameSpec::new(true, opcode::TEXT, Payload::text(TEXT)),
            Delivery::PLAIN,
        )
        .await
        .map_err(io_err)?;
    writer.flush().await.map_err(io_err)?;
    let mut observer = Observer::new(Role::Client);
    let expected = ObservedEvent::message(false, TEXT.as_bytes());
    let mut buf = vec![0u8; 16 * 1024];
    let mut log = WireLog::new(0, false);
    let mut out = Vec::new();
    'echo: loop {
        if leftover.is_empty() {
            let n = rd
                .read(&mut buf)
                .await
                .map_err(|e| format!("reading: {e}"))?;
            if n == 0 {
                return Err("the server closed TCP before echoing".into());
            }
            leftover.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        observer.feed(&mut leftover, &mut log, &mut out);
        leftover.clear();
        for output in out.drain(..) {
            match output {
                Output::Ping(p) => {
                    let pong = FrameSpec::new(true, opcode::PONG, Payload::bytes_of(p));
                    writer.frame(&pong, Delivery::PLAIN).await.map_err(io_err)?;
                    writer.flush().await.map_err(io_err)?;
                }
                Output::Event(e @ ObservedEvent::Message { .. }) => {
                    if e == expected {
                        break 'echo;
                    }
                    return Err("the echo differs from the message sent".into());
                }
                Output::Event(_) => {}
                Output::Close { code, .. } => {
                    return Err(format!(
                        "the server closed (code {code:?}) instead of echoing"
                    ));
                }
                Output::Violation { violation, .. } => {
                    return Err(format!("protocol violation by the server: {violation:?}"));
                }
            }
        }
    }
    writer
        .frame(&close_frame(), Delivery::PLAIN)
        .await
        .map_err(io_err)?;
    writer.flush().await.map_err(io_err)?;
    let _ = tokio::time::timeout(
        CLOSE_GRACE,
        until_close(&mut rd, &mut observer, &mut Vec::new()),
    )
    .await;
    Ok(())
}

fn close_frame() -> FrameSpec {
    FrameSpec::new(
        true,
        opcode::CLOSE,
        Payload::bytes_of(1000u16.to_be_bytes().to_vec()),
    )
}

/// Reads until the peer's close frame or the end of TCP.
async fn until_close<R: AsyncRead + AsyncWrite + Unpin>(
    rd: &mut tokio::io::ReadHalf<R>,
    observer: &mut Observer,
    pending: &mut Vec<u8>,
) {
    let mut log = WireLog::new(0, false);
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        observer.feed(pending, &mut log, &mut out);
        pending.clear();
        if observer.peer_closed() || observer.failed() {
            return;
        }
        match rd.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
}
