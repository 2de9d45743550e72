//! `ampel test-client`: the harness is the server and tests clients (Autobahn's
//! fuzzingserver), speaking Autobahn's URL protocol ([`super::protocol`]) so existing client
//! drivers work unchanged. Results collect per agent for the life of the process, each on disk
//! as soon as it is judged; reports are rendered on `/updateReports` and at exit.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use ampel_cases::{Behavior, Case, CaseId, Role, excluded_for_agent};
use ampel_reports::Mode;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::control::accept_and_close;
use super::protocol::{self, Refusal, Request};
use super::recorder::Recorder;
use super::settings::{self, Common, SpecSelection};
use super::stop::{Stop, StopReason};
use super::test_server::print_summary;
use super::verdict::Summary;
use super::{ConfigError, Exit, warn};
use crate::cli::TestClientArgs;
use crate::executor::{
    BoxedIo, UpgradeRequest, read_upgrade_request, refuse, run_server_case, serve_text_and_close,
};
use crate::progress::Progress;
use crate::spec::{self, ServerSpec};

/// How long a client has to send its upgrade request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A resolved test-client run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Where to listen.
    pub listen: String,
    /// Shared settings.
    pub common: Common,
    /// Stop after this many `/updateReports`.
    pub stop_after_agents: Option<u32>,
}

/// Resolves the command line (and spec file) into a plan.
pub fn plan(args: &TestClientArgs) -> Result<Plan, ConfigError> {
    let spec: ServerSpec = match &args.spec {
        Some(path) => {
            let spec: ServerSpec = spec::load(path)?;
            for w in spec.warnings() {
                warn(&format!("{}: {w}", path.display()));
            }
            spec
        }
        None => ServerSpec::default(),
    };
    let listen = match (&args.listen, spec.listen_addr()) {
        (Some(addr), _) => addr.clone(),
        (None, Some(Ok(addr))) => addr,
        (None, Some(Err(e))) => return Err(ConfigError::ListenUrl(e)),
        (None, None) => return Err(ConfigError::NoListenAddress),
    };
    let common = settings::resolve(
        &args.run,
        SpecSelection {
            cases: spec.cases,
            exclude: spec.exclude_cases,
            exclude_agent: spec.exclude_agent_cases,
            outdir: spec.outdir,
        },
        Role::Server,
        "reports/clients",
    )?;
    Ok(Plan {
        listen,
        common,
        stop_after_agents: args.stop_after_agents,
    })
}

/// `ampel test-client`: listen, serve until stopped, print the summary.
pub async fn run(args: TestClientArgs) -> Result<Exit, ConfigError> {
    let plan = plan(&args)?;
    let agent = args.run.agent.clone();
    let json = plan.common.json;
    let server = Server::bind(plan, agent, Stop::with_ctrl_c()).await?;
    eprintln!(
        "ampel test-client listening on ws://{}",
        server.local_addr()
    );
    let outcome = server.serve(Progress::new(None)).await?;
    print_summary(&outcome.summary, json);
    Ok(outcome.exit)
}

/// What a test-client run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The tally over every agent.
    pub summary: Summary,
    /// The exit status.
    pub exit: Exit,
}

/// A bound test-client server, not yet serving.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    common: Common,
    /// Replaces the agent name clients send, when `--agent` is given.
    agent_override: Option<String>,
    recorder: Mutex<Recorder>,
    /// Bumped after each recorded result (wakes `/getCaseStatus` waiters).
    recorded: watch::Sender<u64>,
    stop: Stop,
    updates: AtomicU32,
    stop_after_agents: Option<u32>,
    not_run: AtomicUsize,
    progress: Mutex<Option<Progress>>,
}

impl Server {
    /// Binds the listening socket and creates the report directory.
    pub async fn bind(
        plan: Plan,
        agent_override: Option<String>,
        stop: Stop,
    ) -> Result<Self, ConfigError> {
        let listener =
            TcpListener::bind(&plan.listen)
                .await
                .map_err(|source| ConfigError::Listen {
                    addr: plan.listen.clone(),
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ConfigError::Listen {
                addr: plan.listen.clone(),
                source,
            })?;
        let recorder = Recorder::create(plan.common.outdir.clone(), Mode::TestClient)?;
        Ok(Self {
            listener,
            addr,
            shared: Arc::new(Shared {
                common: plan.common,
                agent_override,
                recorder: Mutex::new(recorder),
                recorded: watch::Sender::new(0),
                stop,
                updates: AtomicU32::new(0),
                stop_after_agents: plan.stop_after_agents,
                not_run: AtomicUsize::new(0),
                progress: Mutex::new(None),
            }),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `/stopServer`, `shutdownOnComplete`, `--stop-after-agents` or Ctrl-C;
    /// then abandons running cases, renders the reports and tallies them.
    pub async fn serve(self, progress: Progress) -> Result<Outcome, ConfigError> {
        *lock(&self.shared.progress) = Some(progress.clone());
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let shared = Arc::clone(&self.shared);
                        connections.spawn(async move { handle(shared, stream).await });
                    }
                    Err(e) => warn(&format!("accepting a connection failed: {e}")),
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                _ = self.shared.stop.raised() => break,
            }
        }
        connections.abort_all();
        while connections.join_next().await.is_some() {}
        progress.finish();
        let interrupted = self.shared.stop.reason() == Some(StopReason::Interrupted);
        let not_run = self.shared.not_run.load(Ordering::Relaxed);
        let common = self.shared.common.clone();
        // Every connection task has ended, so the shared state should be ours alone now; if
        // not, render through the lock without stamping the run as finished.
        let report = match Arc::try_unwrap(self.shared) {
            Ok(shared) => {
                let recorder = shared
                    .recorder
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if interrupted {
                    recorder.abandon()?
                } else {
                    recorder.finish()?
                }
            }
            Err(shared) => {
                let recorder = lock(&shared.recorder);
                recorder.update_reports()?;
                recorder.report().clone()
            }
        };
        let summary = Summary::of(&report, common.strict, &common.expectations, not_run);
        let exit = if interrupted {
            Exit::Interrupted
        } else {
            Exit::of_run(false, summary.failed)
        };
        Ok(Outcome { summary, exit })
    }
}

/// Locks a mutex, recovering the data if a holder panicked (nothing here leaves it
/// half-updated).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn handle(shared: Arc<Shared>, stream: TcpStream) {
    // Small control messages and case frames must not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let mut io: BoxedIo = Box::new(stream);
    let request = match read_upgrade_request(&mut io, REQUEST_TIMEOUT).await {
        Ok(r) => r,
        Err(e) => {
            refuse(io, 400, &e.to_string()).await;
            return;
        }
    };
    let parsed = protocol::parse(&request.path, &request.query);
    let outcome = match parsed {
        Ok(req) => serve(&shared, io, request, req).await,
        Err(refusal) => {
            refuse(io, refusal.status, &refusal.reason).await;
            Ok(())
        }
    };
    if let Err(e) = outcome {
        warn(&e);
    }
}

async fn serve(
    shared: &Arc<Shared>,
    io: BoxedIo,
    request: UpgradeRequest,
    req: Request,
) -> Result<(), String> {
    let cases = &shared.common.cases;
    let text = |io: BoxedIo, request: UpgradeRequest, text: String| async move {
        serve_text_and_close(io, request, &text)
            .await
            .map_err(|e| e.to_string())
    };
    match req {
        Request::CaseCount => text(io, request, cases.len().to_string()).await,
        Request::CaseInfo { case } => match protocol::resolve(&case, cases) {
            Ok((_, case)) => text(io, request, protocol::case_info_json(case)).await,
            Err(r) => refused(io, r).await,
        },
        Request::RunCase { case, agent } => match protocol::resolve(&case, cases) {
            Ok((index, case)) => run_case(shared, io, request, index, case, &agent).await,
            Err(r) => refused(io, r).await,
        },
        Request::CaseStatus { case, agent } => match protocol::resolve(&case, cases) {
            Ok((_, case)) => {
                let agent = shared.agent_name(&agent);
                match wait_for_behavior(shared, &agent, &case.id).await {
                    Some(b) => text(io, request, protocol::case_status_json(b)).await,
                    None => {
                        refused(
                            io,
                            Refusal {
                                status: 503,
                                reason: "the server is stopping".to_owned(),
                            },
                        )
                        .await
                    }
                }
            }
            Err(r) => refused(io, r).await,
        },
        Request::UpdateReports { shutdown, .. } => {
            let rendered = lock(&shared.recorder)
                .update_reports()
                .map_err(|e| e.to_string());
            let closed = accept_and_close(io, &request)
                .await
                .map_err(|e| e.to_string());
            let updates = shared.updates.fetch_add(1, Ordering::Relaxed) + 1;
            if shutdown || shared.stop_after_agents.is_some_and(|n| updates >= n) {
                shared.stop.raise(StopReason::Requested);
            }
            rendered.and(closed)
        }
        Request::StopServer => {
            let closed = accept_and_close(io, &request)
                .await
                .map_err(|e| e.to_string());
            shared.stop.raise(StopReason::Requested);
            closed
        }
    }
}

async fn refused(io: BoxedIo, r: Refusal) -> Result<(), String> {
    refuse(io, r.status, &r.reason).await;
    Ok(())
}

impl Shared {
    fn agent_name(&self, sent: &str) -> String {
        self.agent_override
            .clone()
            .unwrap_or_else(|| sent.to_owned())
    }

    fn progress(&self) -> Option<Progress> {
        lock(&self.progress).clone()
    }
}

async fn run_case(
    shared: &Arc<Shared>,
    io: BoxedIo,
    request: UpgradeRequest,
    index: usize,
    case: &'static Case,
    agent: &str,
) -> Result<(), String> {
    let agent = shared.agent_name(agent);
    if excluded_for_agent(&shared.common.exclude_agent, &agent, &case.id) {
        // Autobahn opens and closes at once, and records nothing.
        shared.not_run.fetch_add(1, Ordering::Relaxed);
        return accept_and_close(io, &request)
            .await
            .map_err(|e| e.to_string());
    }
    let progress = shared.progress();
    if let Some(p) = &progress {
        p.set_message(format!("{agent}: {}", case.id));
    }
    let started = SystemTime::now();
    let obs = run_server_case(io, request, case, &shared.common.exec).await;
    let recorded = lock(&shared.recorder)
        .record(&agent, case, index, obs, started)
        .map(|_| ())
        .map_err(|e| e.to_string());
    if let Some(p) = &progress {
        p.inc();
    }
    shared.recorded.send_modify(|n| *n += 1);
    recorded
}

/// The behavior recorded for `agent` × `id`, waiting until it exists; `None` if the server
/// stops first.
async fn wait_for_behavior(shared: &Arc<Shared>, agent: &str, id: &CaseId) -> Option<Behavior> {
    let mut recorded = shared.recorded.subscribe();
    loop {
        recorded.borrow_and_update();
        let found = lock(&shared.recorder)
            .report()
            .agents
            .get(agent)
            .and_then(|a| a.get(id))
            .map(|c| c.judgement.behavior);
        if found.is_some() {
            return found;
        }
        tokio::select! {
            changed = recorded.changed() => changed.ok()?,
            _ = shared.stop.raised() => return None,
        }
    }
}
