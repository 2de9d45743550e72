//! The one control exchange the executor does not provide: complete the upgrade and close at
//! once, with no message (Autobahn's `/updateReports`, and a case left out for an agent).

use std::time::Duration;

use ampel_cases::{Delivery, FrameSpec, Payload, Role, opcode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::executor::{BoxedIo, HandshakeError, UpgradeRequest, refuse};
use crate::wire::handshake::accept_response;
use crate::wire::log::SharedLog;
use crate::wire::writer::FrameWriter;

/// How long the client has to answer the close before TCP is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Answers the upgrade (101), sends close 1000 and waits briefly for the client's reply.
pub async fn accept_and_close(
    mut io: BoxedIo,
    request: &UpgradeRequest,
) -> Result<(), HandshakeError> {
    let response = match accept_response(request, None) {
        Ok(r) => r,
        Err(e) => {
            refuse(io, 400, &e.to_string()).await;
            return Err(e);
        }
    };
    io.write_all(response.as_bytes()).await?;
    let (mut rd, wr) = tokio::io::split(io);
    let mut writer = FrameWriter::new(wr, Role::Server, SharedLog::new(0, false));
    let close = FrameSpec::new(
        true,
        opcode::CLOSE,
        Payload::bytes_of(1000u16.to_be_bytes().to_vec()),
    );
    writer.frame(&close, Delivery::PLAIN).await?;
    writer.flush().await?;
    // Anything the client sends now is its close reply (or data it sent before seeing ours);
    // the first read that returns ends the exchange, and the server drops TCP first.
    let mut buf = [0u8; 256];
    let _ = tokio::time::timeout(CLOSE_GRACE, rd.read(&mut buf)).await;
    let mut wr = writer.into_inner();
    let _ = wr.shutdown().await;
    Ok(())
}
