//! `ampel testee`: Ampel's own stack (ampel-net) as the peer under test, for
//! other harnesses or for Ampel itself:
//! `ampel testee echo-server --listen 127.0.0.1:9001 [--tls-cert PEM --tls-key PEM]`
//! echoes every message, and `ampel testee echo-client <ws-url> --agent NAME`
//! follows the Autobahn client-testing protocol against a fuzzing server.
//! Both negotiate permessage-deflate unless `--no-deflate` is given.
//!
//! This is the only part of the binary (with `selftest`) that links the stack:
//! the oracle (wire, observer, executor) never does.

use std::path::{Path, PathBuf};

use ampel_net::testee::{
    autobahn_client_with, echo_client_config, echo_server, echo_server_config,
};
use ampel_net::{Listener, tls_acceptor_from_pem_files};
use clap::{Args, Subcommand};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::modes::Exit;

/// `ampel testee …`: run Ampel's own WebSocket stack as a peer.
#[derive(Debug, Subcommand)]
pub enum TesteeCommand {
    /// Echo every message verbatim (text stays text) on a WebSocket server.
    EchoServer(EchoServerArgs),
    /// Drive a fuzzing server's Autobahn client protocol (`/getCaseCount`,
    /// `/runCase`, `/updateReports`), echoing every case.
    EchoClient(EchoClientArgs),
}

/// `ampel testee echo-server`.
#[derive(Debug, Args)]
pub struct EchoServerArgs {
    /// Address to listen on (port 0 picks a free port; the URL is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9001")]
    pub listen: String,
    /// PEM certificate chain: serve `wss://` (needs --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Decline permessage-deflate (accepted by default: the first valid offer).
    #[arg(long)]
    pub no_deflate: bool,
}

/// `ampel testee echo-client`.
#[derive(Debug, Args)]
pub struct EchoClientArgs {
    /// The fuzzing server's base URL, e.g. `ws://127.0.0.1:9001`.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Agent name reported to the server.
    #[arg(long, value_name = "NAME", default_value = "ampel")]
    pub agent: String,
    /// Also trust the CA certificates in this PEM file (wss).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Offer no permessage-deflate (by default every case connection offers
    /// `permessage-deflate; client_max_window_bits`).
    #[arg(long)]
    pub no_deflate: bool,
}

/// Runs a testee command: 0 on success (the echo server ends on Ctrl-C),
/// 2 for a configuration error (certificates, address), 3 when the peer
/// could not be reached or a case connection failed.
pub async fn run(command: TesteeCommand) -> Exit {
    match command {
        TesteeCommand::EchoServer(args) => run_echo_server(args).await,
        TesteeCommand::EchoClient(args) => run_echo_client(args).await,
    }
}

async fn run_echo_server(args: EchoServerArgs) -> Exit {
    let mut config = echo_server_config(!args.no_deflate);
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        match tls_acceptor_from_pem_files(cert, key) {
            Ok(acceptor) => config.tls = Some(acceptor),
            Err(e) => return usage(&e.to_string()),
        }
    }
    let scheme = if config.tls.is_some() { "wss" } else { "ws" };
    let listener = match Listener::bind(args.listen.as_str(), config).await {
        Ok(listener) => listener,
        Err(e) => return usage(&format!("cannot listen on {}: {e}", args.listen)),
    };
    match listener.local_addr() {
        Ok(addr) => println!("ampel echo server listening on {scheme}://{addr}"),
        Err(e) => return usage(&e.to_string()),
    }
    tokio::select! {
        result = echo_server(listener) => {
            let detail = result.err().map_or_else(String::new, |e| e.to_string());
            eprintln!("error: the echo server stopped: {detail}");
            Exit::Invalid
        }
        _ = tokio::signal::ctrl_c() => Exit::Pass,
    }
}

async fn run_echo_client(args: EchoClientArgs) -> Exit {
    let mut config = echo_client_config(!args.no_deflate);
    if let Some(ca) = &args.ca {
        match load_certs(ca) {
            Ok(certs) => config.extra_roots = certs,
            Err(e) => return usage(&e),
        }
    }
    match autobahn_client_with(&args.url, &args.agent, &config).await {
        Ok(summary) => {
            for (case, reason) in &summary.connect_failures {
                eprintln!("case {case}: cannot connect: {reason}");
            }
            for (case, reason) in &summary.refusals {
                println!("case {case}: refused the server's answer: {reason}");
            }
            println!(
                "ran {} cases as agent {:?}; {} refused by the client, {} could not connect",
                summary.case_count,
                args.agent,
                summary.refusals.len(),
                summary.connect_failures.len()
            );
            if summary.connect_failures.is_empty() {
                Exit::Pass
            } else {
                Exit::Invalid
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Invalid
        }
    }
}

fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read certificates from {}: {e:?}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate in {}", path.display()));
    }
    Ok(certs)
}

fn usage(message: &str) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// The subcommand as the binary will mount it.
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        testee: TesteeCommand,
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn parses_both_commands() {
        let cli = Cli::try_parse_from(["t", "echo-server", "--listen", "127.0.0.1:0"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(cli.testee, TesteeCommand::EchoServer(a) if a.listen == "127.0.0.1:0" && a.tls_cert.is_none() && !a.no_deflate)
        );
        let cli = Cli::try_parse_from(["t", "echo-server", "--no-deflate"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(cli.testee, TesteeCommand::EchoServer(a) if a.no_deflate));
        let cli = Cli::try_parse_from(["t", "echo-client", "ws://127.0.0.1:9001", "--no-deflate"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(cli.testee, TesteeCommand::EchoClient(a) if a.no_deflate));
        let cli =
            Cli::try_parse_from(["t", "echo-client", "ws://127.0.0.1:9001", "--agent", "x y"])
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(cli.testee, TesteeCommand::EchoClient(a) if a.agent == "x y" && a.url == "ws://127.0.0.1:9001")
        );
        // A certificate without its key is a usage error.
        assert!(Cli::try_parse_from(["t", "echo-server", "--tls-cert", "c.pem"]).is_err());
        assert!(Cli::try_parse_from(["t", "echo-client"]).is_err());
    }

    #[test]
    fn configuration_errors_exit_2() {
        let missing = PathBuf::from("/nonexistent/ampel-test.pem");
        let args = EchoServerArgs {
            listen: "127.0.0.1:0".to_owned(),
            tls_cert: Some(missing.clone()),
            tls_key: Some(missing.clone()),
            no_deflate: false,
        };
        assert_eq!(
            runtime().block_on(run(TesteeCommand::EchoServer(args))),
            Exit::Usage
        );
        let args = EchoServerArgs {
            listen: "not an address".to_owned(),
            tls_cert: None,
            tls_key: None,
            no_deflate: true,
        };
        assert_eq!(
            runtime().block_on(run(TesteeCommand::EchoServer(args))),
            Exit::Usage
        );
        let args = EchoClientArgs {
            url: "ws://127.0.0.1:9".to_owned(),
            agent: "a".to_owned(),
            ca: Some(missing),
            no_deflate: false,
        };
        assert_eq!(
            runtime().block_on(run(TesteeCommand::EchoClient(args))),
            Exit::Usage
        );
    }

    #[test]
    fn unreachable_fuzzing_server_exits_3() {
        let rt = runtime();
        let port = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            listener
                .local_addr()
                .map(|a| a.port())
                .unwrap_or_else(|e| panic!("{e}"))
        });
        let args = EchoClientArgs {
            url: format!("ws://127.0.0.1:{port}"),
            agent: "a".to_owned(),
            ca: None,
            no_deflate: false,
        };
        let exit = rt.block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(20),
                run(TesteeCommand::EchoClient(args)),
            )
            .await
            .unwrap_or_else(|_| panic!("timed out"))
        });
        assert_eq!(exit, Exit::Invalid);
    }
}
