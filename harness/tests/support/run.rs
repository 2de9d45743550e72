//! Running cases through the executor and the judge: one case, a list of cases two at a time
//! (section 9 alone, one at a time), and the harness as server for a client peer.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ampel::executor::{
    BoxedIo, ExecConfig, Target, read_upgrade_request, refuse, run_client_case, run_server_case,
    serve_text_and_close,
};
use ampel_cases::{Case, CaseId, Judgement, Observation, Role, catalogue, judge};
use tokio::net::TcpListener;

use super::verdicts::{Row, Table};

/// A multi-threaded runtime for the tests (the machine has two cores).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

/// A `ws://` target for an address.
pub fn target(addr: SocketAddr) -> Target {
    Target::new(url::Url::parse(&format!("ws://{addr}/")).unwrap_or_else(|e| panic!("url: {e}")))
}

/// Executor settings with this timer scale.
pub fn scaled(timeout_scale: f64) -> ExecConfig {
    ExecConfig {
        timeout_scale,
        ..ExecConfig::default()
    }
}

/// The case with this id.
pub fn case(id: &str) -> &'static Case {
    let id: CaseId = id.parse().unwrap_or_else(|e| panic!("{id}: {e:?}"));
    ampel_cases::by_id(&id).unwrap_or_else(|| panic!("{id} is not in the catalogue"))
}

/// The cases whose id starts with one of `prefixes` (`"6."`, `"7.1."`, or a whole id).
pub fn cases_under(prefixes: &[&str]) -> Vec<&'static Case> {
    catalogue()
        .iter()
        .filter(|c| {
            let id = c.id.to_string();
            prefixes
                .iter()
                .any(|p| id == *p || (p.ends_with('.') && id.starts_with(p)))
        })
        .collect()
}

/// The cases of sections 1-10 (no extension negotiated).
pub fn core_cases() -> Vec<&'static Case> {
    catalogue()
        .iter()
        .filter(|c| c.id.section() <= 10)
        .collect()
}

/// What the third-party runs use, for the harness playing `harness_role`: sections 1-10 and
/// 14, and the first five rows (16 bytes to 4 KiB) of every 12.x and 13.x set, which cover
/// each data set and parameter set; the larger rows move gigabytes and take minutes against
/// interpreted peers.
pub fn suite_cases(harness_role: Role) -> Vec<&'static Case> {
    catalogue()
        .iter()
        .filter(|c| c.applies_to.allows(harness_role))
        .filter(|c| {
            let parts = c.id.parts();
            !matches!(parts.first(), Some(12 | 13)) || parts.get(2).is_some_and(|row| *row <= 5)
        })
        .collect()
}

fn is_section_9(case: &Case) -> bool {
    case.id.section() == 9
}

/// One judged case.
pub struct Outcome {
    pub case: &'static Case,
    pub observation: Observation,
    pub judgement: Judgement,
}

impl Outcome {
    pub fn row(&self) -> Row {
        Row::of(&self.judgement, &self.observation)
    }
}

/// The results of a run, by case id.
pub type Outcomes = BTreeMap<String, Outcome>;

/// The verdict table of a run.
pub fn table(outcomes: &Outcomes) -> Table {
    outcomes
        .iter()
        .map(|(id, o)| (id.clone(), o.row()))
        .collect()
}

/// Runs `cases` with the harness as client against `target`: two at a time, then the
/// section 9 cases one at a time, each alone on the machine; the whole run is bounded by
/// `limit`.
pub async fn run_against_server(
    target: &Target,
    cases: &[&'static Case],
    cfg: &ExecConfig,
    limit: Duration,
) -> Outcomes {
    let target = Arc::new(target.clone());
    let cfg = Arc::new(cfg.clone());
    let run = move |case: &'static Case| {
        let (target, cfg) = (target.clone(), cfg.clone());
        async move {
            let observation = run_client_case(&target, case, &cfg).await;
            let judgement = judge(case, &observation);
            Outcome {
                case,
                observation,
                judgement,
            }
        }
    };
    let (nine, rest): (Vec<_>, Vec<_>) = cases.iter().copied().partition(|c| is_section_9(c));
    let work = async {
        let mut outcomes = in_parallel(rest, 2, run.clone()).await;
        outcomes.append(&mut in_parallel(nine, 1, run).await);
        outcomes
    };
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}"))
}

/// Runs `cases` with `workers` in flight.
async fn in_parallel<F, Fut>(cases: Vec<&'static Case>, workers: usize, run: F) -> Outcomes
where
    F: Fn(&'static Case) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let queue = Arc::new(Mutex::new(cases.into_iter().rev().collect::<Vec<_>>()));
    let mut handles = Vec::new();
    for _ in 0..workers {
        let (queue, run) = (queue.clone(), run.clone());
        handles.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(case) = next else { break };
                done.push(run(case).await);
            }
            done
        }));
    }
    let mut outcomes = Outcomes::new();
    for handle in handles {
        let done = handle.await.unwrap_or_else(|e| panic!("worker: {e}"));
        for outcome in done {
            outcomes.insert(outcome.case.id.to_string(), outcome);
        }
    }
    outcomes
}

/// Runs `cases` one by one with the harness as server, the way Autobahn's client protocol
/// does: for each case `connect` is called with the case's URL path
/// (`/runCase?case=<index>&agent=<agent>`) and must connect a client to `addr`; the harness
/// reads the upgrade request, finds the case by its index and runs it.
pub async fn run_against_client<C, Fut>(
    agent: &str,
    cases: &[&'static Case],
    cfg: &ExecConfig,
    limit: Duration,
    connect: C,
) -> Outcomes
where
    C: Fn(SocketAddr, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("local_addr: {e}"));
    let work = async {
        let mut outcomes = Outcomes::new();
        for case in cases {
            let index = ampel_cases::index_of(&case.id)
                .unwrap_or_else(|| panic!("{} has no index", case.id));
            let client = tokio::spawn(connect(
                addr,
                format!("/runCase?case={index}&agent={agent}"),
            ));
            let (tcp, _) = listener
                .accept()
                .await
                .unwrap_or_else(|e| panic!("accept: {e}"));
            let _ = tcp.set_nodelay(true);
            let mut io: BoxedIo = Box::new(tcp);
            let request = read_upgrade_request(&mut io, Duration::from_secs(5))
                .await
                .unwrap_or_else(|e| panic!("{}: upgrade request: {e}", case.id));
            let asked = request
                .query_param("case")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(ampel_cases::by_index)
                .unwrap_or_else(|| panic!("bad case parameter in {:?}", request.path));
            assert_eq!(asked.id, case.id, "the client asked for another case");
            let observation = run_server_case(io, request, asked, cfg).await;
            let judgement = judge(asked, &observation);
            // The client ends when the harness drops TCP; a stuck one is abandoned.
            let _ = tokio::time::timeout(Duration::from_secs(10), client).await;
            outcomes.insert(
                case.id.to_string(),
                Outcome {
                    case,
                    observation,
                    judgement,
                },
            );
        }
        outcomes
    };
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}"))
}

/// Serves Autobahn's client protocol on `listener` to a client that drives itself: it asks
/// `/getCaseCount` (answered with the catalogue's size), then connects to
/// `/runCase?case=<n>&agent=<agent>` for each case it wants, and ends with
/// `/updateReports?agent=<agent>`, which ends the run. Unknown paths and case numbers are
/// refused with 404. The whole run is bounded by `limit`.
/// `cases` are served as case 1, 2, … in order.
pub async fn serve_client_protocol(
    listener: &TcpListener,
    cases: &[&'static Case],
    cfg: &ExecConfig,
    limit: Duration,
) -> Outcomes {
    let work = async {
        let mut outcomes = Outcomes::new();
        loop {
            let (tcp, _) = listener
                .accept()
                .await
                .unwrap_or_else(|e| panic!("accept: {e}"));
            let _ = tcp.set_nodelay(true);
            let mut io: BoxedIo = Box::new(tcp);
            let Ok(request) = read_upgrade_request(&mut io, Duration::from_secs(5)).await else {
                continue;
            };
            match request.path.as_str() {
                "/getCaseCount" => {
                    let count = cases.len().to_string();
                    let _ = serve_text_and_close(io, request, &count).await;
                }
                "/updateReports" => {
                    let _ = serve_text_and_close(io, request, "").await;
                    return outcomes;
                }
                "/runCase" => {
                    let case = request
                        .query_param("case")
                        .and_then(|n| n.parse::<usize>().ok())
                        .and_then(|n| n.checked_sub(1))
                        .and_then(|i| cases.get(i).copied());
                    let Some(case) = case else {
                        refuse(io, 404, "no such case").await;
                        continue;
                    };
                    let observation = run_server_case(io, request, case, cfg).await;
                    let judgement = judge(case, &observation);
                    outcomes.insert(
                        case.id.to_string(),
                        Outcome {
                            case,
                            observation,
                            judgement,
                        },
                    );
                }
                _ => refuse(io, 404, "unknown endpoint").await,
            }
        }
    };
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| panic!("the run did not finish within {limit:?}"))
}

/// The suite against a client process that drives Autobahn's client protocol by itself:
/// `command` gets `ws://ADDR AGENT` appended, must exit successfully, and every case must run
/// within `limit`.
pub fn run_client_process(
    mut command: std::process::Command,
    agent: &str,
    limit: Duration,
) -> Outcomes {
    let cases = suite_cases(Role::Server);
    let (outcomes, status) = runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local_addr: {e}"));
        command.arg(format!("ws://{addr}")).arg(agent);
        let mut peer = super::peers::PeerProcess::spawn_client(command);
        let outcomes =
            serve_client_protocol(&listener, &cases, &ExecConfig::default(), limit).await;
        (outcomes, peer.wait_exit(Duration::from_secs(10)))
    });
    assert!(
        status.is_some_and(|s| s.success()),
        "the client ended with {status:?}"
    );
    assert_eq!(outcomes.len(), cases.len(), "every case ran");
    outcomes
}
