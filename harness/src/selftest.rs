//! `ampel selftest`: the suite against Ampel's own stack, both roles, in one process.
//!
//! 1. Ampel's echo server (`ampel_net::testee::echo_server`) on 127.0.0.1:0, tested in
//!    test-server mode (reports in `OUT/servers`).
//! 2. test-client mode on 127.0.0.1:0, driven by Ampel's Autobahn client
//!    (`ampel_net::testee::autobahn_client`) (reports in `OUT/clients`).
//!
//! The bar is strict: any case that is not OK (or INFORMATIONAL where the case forces it)
//! fails the selftest, so NON-STRICT and UNIMPLEMENTED count as failures here.

use std::path::PathBuf;

use ampel_cases::Role;
use ampel_net::testee::{autobahn_client_with, echo_client_config, echo_server_config};

use crate::cli::{RunFlags, SelftestArgs};
use crate::executor::Target;
use crate::modes::settings::{self, SpecSelection};
use crate::modes::stop::{Stop, StopReason};
use crate::modes::{ConfigError, Exit, test_client, test_server};
use crate::progress::Progress;

/// The agent name of Ampel's own stack in selftest reports.
pub const AGENT: &str = "ampel-net";

/// Why the selftest could not set itself up (exit status 2).
fn setup_failed(what: &'static str, e: impl std::fmt::Display) -> ConfigError {
    ConfigError::Selftest {
        what,
        detail: e.to_string(),
    }
}

fn flags(args: &SelftestArgs, outdir: PathBuf) -> RunFlags {
    RunFlags {
        cases: args.cases.clone(),
        exclude: args.exclude.clone(),
        agent: Some(AGENT.to_owned()),
        outdir: Some(outdir),
        strict: true,
        expect: None,
        timeout_scale: args.timeout_scale,
        json: false,
    }
}

/// Runs both halves and prints both summaries.
pub async fn run(args: SelftestArgs) -> Result<Exit, ConfigError> {
    let stop = Stop::with_ctrl_c();

    // 1. Our echo server under test; we are the client.
    let server_flags = flags(&args, args.outdir.join("servers"));
    let common = settings::resolve(
        &server_flags,
        SpecSelection::default(),
        Role::Client,
        "reports/servers",
    )?;
    let listener = ampel_net::Listener::bind("127.0.0.1:0", echo_server_config(true))
        .await
        .map_err(|e| setup_failed("binding the echo server", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| setup_failed("reading the echo server's address", e))?;
    let echo = tokio::spawn(ampel_net::testee::echo_server(listener));
    let url = url::Url::parse(&format!("ws://{addr}"))
        .map_err(|e| setup_failed("the echo server's URL", e))?;
    let plan = test_server::Plan {
        servers: vec![test_server::ServerTarget {
            target: Target::new(url),
            agent: Some(AGENT.to_owned()),
        }],
        common,
        jobs: usize::from(args.jobs),
    };
    let servers = test_server::execute(plan, stop.clone(), Progress::new).await;
    echo.abort();
    let servers = servers?;
    println!("== servers (Ampel as client, testing ampel-net's echo server)");
    test_server::print_summary(&servers.summary, false);
    if servers.exit == Exit::Interrupted {
        return Ok(Exit::Interrupted);
    }

    // 2. test-client mode; our Autobahn client under test.
    let client_flags = flags(&args, args.outdir.join("clients"));
    let common = settings::resolve(
        &client_flags,
        SpecSelection::default(),
        Role::Server,
        "reports/clients",
    )?;
    let plan = test_client::Plan {
        listen: "127.0.0.1:0".to_owned(),
        common,
        stop_after_agents: Some(1),
    };
    let server = test_client::Server::bind(plan, None, stop.clone()).await?;
    let base = format!("ws://{}", server.local_addr());
    let serving = tokio::spawn(server.serve(Progress::new(None)));
    let driven = autobahn_client_with(&base, AGENT, &echo_client_config(true)).await;
    let mut invalid = false;
    match &driven {
        Ok(summary) => {
            for (case, reason) in &summary.connect_failures {
                eprintln!("error: the client could not open case {case}: {reason}");
            }
            // Refusing an invalid answer is what those cases test; their verdicts say so.
            let refused: Vec<String> = summary
                .refusals
                .iter()
                .map(|(c, _)| c.to_string())
                .collect();
            if !refused.is_empty() {
                println!(
                    "note: the client refused the upgrade answer in cases {}",
                    refused.join(", ")
                );
            }
        }
        Err(e) => {
            eprintln!("error: the Autobahn client driver failed: {e}");
            invalid = true;
            // The driver will not ask for reports; end the server ourselves.
            stop.raise(StopReason::Requested);
        }
    }
    let clients = serving
        .await
        .map_err(|e| setup_failed("the test-client server task", e))??;
    println!("== clients (Ampel as server, testing ampel-net's Autobahn client)");
    test_server::print_summary(&clients.summary, false);

    // Our own stack must implement every case: UNIMPLEMENTED fails the selftest too.
    let unimplemented = servers.summary.skipped + clients.summary.skipped;
    if unimplemented > 0 {
        eprintln!(
            "error: {unimplemented} case(s) were skipped as UNIMPLEMENTED by Ampel's own stack"
        );
    }
    let exit = [servers.exit, clients.exit]
        .into_iter()
        .chain((unimplemented > 0).then_some(Exit::Failures))
        .chain(invalid.then_some(Exit::Invalid))
        .max_by_key(|e| severity(*e))
        .unwrap_or(Exit::Pass);
    Ok(exit)
}

fn severity(exit: Exit) -> u8 {
    match exit {
        Exit::Pass => 0,
        Exit::Failures => 1,
        Exit::Usage => 2,
        Exit::Invalid => 3,
        Exit::Interrupted => 4,
    }
}
