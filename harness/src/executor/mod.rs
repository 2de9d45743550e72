//! The case executor: runs one case's steps on one connection, in either role, concurrently
//! with the lenient observer, and records an [`Observation`] for the judge. It never panics
//! and never uses the stack under test; failures become part of the observation.
//!
//! * [`run_client_case`]: the harness connects (test-server mode).
//! * [`run_server_case`]: a client connected and its upgrade request was read with
//!   [`read_upgrade_request`] (test-client mode).
//! * [`serve_text_and_close`], [`refuse`]: the control endpoints of Autobahn's URL protocol.
//! * [`sanity_echo`]: a liveness check before and after a run.
//!
//! Peer-side notes: as server the harness accepts only the permessage-deflate offers its case's
//! rules allow and never selects a subprotocol; callers that accept connections should set
//! `TCP_NODELAY` before boxing the stream.

mod control;
mod session;

use ampel_cases::{Case, Observation, Role};
use tokio::io::AsyncWriteExt;

pub use crate::wire::connect::{Target, TlsClientOptions};
pub use crate::wire::handshake::{HandshakeError, UpgradeRequest, read_upgrade_request};
pub use crate::wire::{AsyncIo, BoxedIo};
pub use control::{refuse, sanity_echo, serve_text_and_close};

use crate::wire::connect::connect;
use crate::wire::deflate::{self, Deflater, Direction, Inflater, parse_extensions};
use crate::wire::handshake::{accept_response, check_response, client_request, new_key, read_head};
use session::Session;

/// permessage-deflate in effect on a connection: the harness's compressor and the inflater
/// for the peer's messages.
#[derive(Debug)]
pub(crate) struct Compression {
    deflater: Deflater,
    inflater: Inflater,
}

impl Compression {
    fn new(ours: Direction, peers: Direction) -> Self {
        Self {
            deflater: Deflater::new(ours),
            inflater: Inflater::new(peers),
        }
    }
}

/// Executor settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecConfig {
    /// Every case timer (waits, kill and close timers, the close-handshake, server-drop and
    /// opening-handshake limits, echo timeouts) is multiplied by this; it must be positive.
    pub timeout_scale: f64,
    /// Most wire-log rows kept per case (0 = no wire log).
    pub max_wire_rows: usize,
}

impl Default for ExecConfig {
    fn default() -> Self {
        Self {
            timeout_scale: 1.0,
            max_wire_rows: 2000,
        }
    }
}

/// Harness as client (test-server mode): connect, opening handshake (with the case's
/// offer), run the steps, record everything.
pub async fn run_client_case(target: &Target, case: &Case, cfg: &ExecConfig) -> Observation {
    let mut obs = Observation::new(Role::Client);
    let limit = case.timers.open_handshake.scaled(cfg.timeout_scale);
    let key = new_key();
    let request = client_request(&target.url, &key, &case.handshake.extensions);
    obs.handshake.request = Some(request.clone());
    let opening = async {
        let mut io = connect(target).await?;
        io.write_all(request.as_bytes()).await?;
        io.flush().await?;
        let (head, leftover) = read_head(&mut io).await?;
        Ok::<_, HandshakeError>((io, head, leftover))
    };
    let (io, head, leftover) = match tokio::time::timeout(limit, opening).await {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => return handshake_failed(obs, &e),
        Err(_) => {
            obs.connection.was_open_handshake_timeout = true;
            return handshake_failed(obs, &HandshakeError::Timeout(limit));
        }
    };
    obs.handshake.response = Some(String::from_utf8_lossy(&head).into_owned());
    let extensions = match check_response(&head, &key) {
        Ok(extensions) => extensions,
        Err(e) => return handshake_failed(obs, &e),
    };
    let offered = parse_extensions(case.handshake.extensions.iter().map(String::as_str));
    if let Some(unasked) = extensions
        .iter()
        .find(|e| !offered.iter().any(|o| o.name.eq_ignore_ascii_case(&e.name)))
    {
        let e = extension_error(format!(
            "the server selected {:?}, which was not offered",
            unasked.name
        ));
        return handshake_failed(obs, &e);
    }
    let compression = match deflate::client_params(&case.handshake.extensions, &extensions) {
        Ok(params) => params.map(|p| Compression::new(p.client, p.server)),
        Err(problem) => return handshake_failed(obs, &extension_error(problem)),
    };
    obs.handshake.extensions = extensions.into_iter().map(|e| e.name).collect();
    obs.handshake.completed = true;
    Session::start(io, leftover, case, cfg, obs, compression)
        .run()
        .await
}

fn extension_error(problem: String) -> HandshakeError {
    HandshakeError::Header {
        name: "Sec-WebSocket-Extensions",
        problem,
    }
}

/// Harness as server (test-client mode): `io` is an accepted connection whose upgrade
/// request was already read by [`read_upgrade_request`]; answer it (101) and run the case.
/// An unacceptable request is refused with 400 and recorded as a failed handshake.
pub async fn run_server_case(
    mut io: BoxedIo,
    request: UpgradeRequest,
    case: &Case,
    cfg: &ExecConfig,
) -> Observation {
    let mut obs = Observation::new(Role::Server);
    obs.handshake.request = Some(request.raw.clone());
    let accepted = deflate::server_accept(&case.handshake.deflate_accept, &request.extensions());
    let answer = match &case.handshake.deflate_answer {
        Some(forced) => Some(forced.as_str()),
        None => accepted.as_ref().map(|(answer, _)| answer.as_str()),
    };
    let response = match accept_response(&request, answer) {
        Ok(r) => r,
        Err(e) => {
            refuse(io, 400, &e.to_string()).await;
            return handshake_failed(obs, &e);
        }
    };
    obs.handshake.response = Some(response.clone());
    let limit = case.timers.open_handshake.scaled(cfg.timeout_scale);
    let answer = async {
        io.write_all(response.as_bytes()).await?;
        io.flush().await
    };
    match tokio::time::timeout(limit, answer).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return handshake_failed(obs, &HandshakeError::Io(e)),
        Err(_) => {
            obs.connection.was_open_handshake_timeout = true;
            return handshake_failed(obs, &HandshakeError::Timeout(limit));
        }
    }
    obs.handshake.completed = true;
    let compression = accepted
        .filter(|_| case.handshake.deflate_answer.is_none())
        .map(|(_, p)| {
            obs.handshake.extensions = vec![deflate::NAME.to_owned()];
            Compression::new(p.server, p.client)
        });
    Session::start(io, request.leftover, case, cfg, obs, compression)
        .run()
        .await
}

fn handshake_failed(mut obs: Observation, error: &HandshakeError) -> Observation {
    obs.connection.was_clean = false;
    obs.connection.was_not_clean_reason = Some(format!("opening handshake failed: {error}"));
    obs
}
