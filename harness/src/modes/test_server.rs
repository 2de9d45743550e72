//! `ampel test-server`: the harness is the client and tests servers (Autobahn's
//! fuzzingclient), one connection per case, `--jobs N` cases at a time (section 9 alone,
//! after the others), each result on disk as soon as it is judged.
//!
//! A sanity echo before each server's run tells an unreachable server (its cases are not
//! run) from failing cases, and one after the run tells a server that died during it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ampel_cases::{Case, CaseId, Observation, Step, excluded_for_agent};
use ampel_reports::Mode;
use tokio::task::JoinSet;

use super::order::heaviest_first;
use super::recorder::Recorder;
use super::settings::{self, Common, SpecSelection};
use super::stop::{Stop, StopReason};
use super::verdict::Summary;
use super::{ConfigError, Exit, warn};
use crate::cli::TestServerArgs;
use crate::executor::{ExecConfig, Target, TlsClientOptions, run_client_case, sanity_echo};
use crate::progress::Progress;
use crate::spec::{self, ClientSpec};
use crate::wire::window_cache::WindowCache;

/// The agent name when neither flags, spec nor the server's `Server` header give one.
pub const UNKNOWN_AGENT: &str = "UnknownServer";

/// One server to test.
#[derive(Debug, Clone)]
pub struct ServerTarget {
    /// Where and how to connect.
    pub target: Target,
    /// The report name, when known before connecting.
    pub agent: Option<String>,
}

/// A resolved test-server run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The servers, tested one after the other.
    pub servers: Vec<ServerTarget>,
    /// Shared settings.
    pub common: Common,
    /// Cases run at once.
    pub jobs: usize,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The tally.
    pub summary: Summary,
    /// The exit status.
    pub exit: Exit,
}

/// Resolves the command line (and spec file) into a plan.
pub fn plan(args: &TestServerArgs) -> Result<Plan, ConfigError> {
    let spec: ClientSpec = match &args.spec {
        Some(path) => {
            let spec: ClientSpec = spec::load(path)?;
            for w in spec.warnings() {
                warn(&format!("{}: {w}", path.display()));
            }
            spec
        }
        None => ClientSpec::default(),
    };
    if let Some(ca) = &args.ca {
        settings::readable(ca)?;
    }
    let tls = |server_name: Option<String>| TlsClientOptions {
        insecure: args.insecure,
        ca_pem: args.ca.clone(),
        server_name,
    };
    let agent_flag = args.run.agent.clone();
    let servers: Vec<ServerTarget> = if !args.urls.is_empty() {
        args.urls
            .iter()
            .map(|u| {
                Ok(ServerTarget {
                    target: Target {
                        url: parse_url(u)?,
                        tls: tls(None),
                    },
                    agent: agent_flag.clone(),
                })
            })
            .collect::<Result<_, ConfigError>>()?
    } else {
        spec.servers
            .iter()
            .map(|s| {
                Ok(ServerTarget {
                    target: Target {
                        url: parse_url(&s.url)?,
                        tls: tls(s.hostname.clone()),
                    },
                    agent: agent_flag.clone().or_else(|| s.agent.clone()),
                })
            })
            .collect::<Result<_, ConfigError>>()?
    };
    if servers.is_empty() {
        return Err(ConfigError::NoServers);
    }
    if agent_flag.is_some() && servers.len() > 1 {
        return Err(ConfigError::AgentForManyServers {
            count: servers.len(),
        });
    }
    let common = settings::resolve(
        &args.run,
        SpecSelection {
            cases: spec.cases,
            exclude: spec.exclude_cases,
            exclude_agent: spec.exclude_agent_cases,
            outdir: spec.outdir,
        },
        ampel_cases::Role::Client,
        "reports/servers",
    )?;
    Ok(Plan {
        servers,
        common,
        jobs: usize::from(args.jobs),
    })
}

fn parse_url(text: &str) -> Result<url::Url, ConfigError> {
    let bad = |reason: String| ConfigError::BadUrl {
        url: text.to_owned(),
        reason,
    };
    let url = url::Url::parse(text).map_err(|e| bad(e.to_string()))?;
    match url.scheme() {
        "ws" | "wss" => {}
        other => return Err(bad(format!("scheme {other:?} is not ws or wss"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".to_owned()));
    }
    Ok(url)
}

/// `ampel test-server`: plan, run, print the summary, return the exit status.
pub async fn run(args: TestServerArgs) -> Result<Exit, ConfigError> {
    let plan = plan(&args)?;
    let json = plan.common.json;
    let outcome = execute(plan, Stop::with_ctrl_c(), Progress::new).await?;
    print_summary(&outcome.summary, json);
    Ok(outcome.exit)
}

/// Prints the summary: human text on stdout (its last line is the count line), or, with
/// `--json`, the text on stderr and one JSON object on stdout.
pub fn print_summary(summary: &Summary, json: bool) {
    let text = summary.render();
    if json {
        eprint!("{text}");
        match serde_json::to_string(summary) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("error: cannot write the JSON summary: {e}"),
        }
    } else {
        print!("{text}");
    }
}

/// How long a sanity echo may take.
fn sanity_timeout(cfg: &ExecConfig) -> Duration {
    Duration::from_secs_f64((5.0 * cfg.timeout_scale).clamp(1.0, 60.0))
}

/// Runs `plan` until done or `stop`; `progress` makes the bar for a number of cases.
pub async fn execute(
    plan: Plan,
    stop: Stop,
    progress: impl FnOnce(Option<u64>) -> Progress,
) -> Result<Outcome, ConfigError> {
    let common = &plan.common;
    let mut recorder = Recorder::create(common.outdir.clone(), Mode::TestServer)?;
    let total = plan.servers.len() * common.cases.len();
    let progress = progress(u64::try_from(total).ok());
    let mut invalid = false;
    let mut not_run = 0;
    for server in &plan.servers {
        if stop.reason().is_some() {
            break;
        }
        let target = Arc::new(server.target.clone());
        let url = target.url.to_string();
        let before = tokio::select! {
            result = sanity_echo(&target, sanity_timeout(&common.exec)) => result,
            _ = stop.raised() => break,
        };
        if let Err(e) = before {
            progress.println(format!(
                "error: {url} is unreachable (the sanity echo before the run failed: {e}); \
                 its {} cases were not run",
                common.cases.len()
            ));
            invalid = true;
            not_run += common.cases.len();
            for _ in 0..common.cases.len() {
                progress.inc();
            }
            continue;
        }
        let mut run = ServerRun {
            recorder: &mut recorder,
            progress: &progress,
            common,
            agent: server.agent.clone(),
            finished: Vec::new(),
            not_run: 0,
        };
        let interrupted = run.run_all(&target, plan.jobs, &stop).await?;
        not_run += run.not_run;
        let finished = std::mem::take(&mut run.finished);
        if interrupted {
            break;
        }
        let after = tokio::select! {
            result = sanity_echo(&target, sanity_timeout(&common.exec)) => result,
            _ = stop.raised() => break,
        };
        if let Err(e) = after {
            invalid = true;
            progress.println(format!(
                "error: {url} did not answer the sanity echo after the run ({e}): it may have \
                 died during the run; {}",
                affected(&finished)
            ));
        }
    }
    progress.finish();
    let interrupted = stop.reason() == Some(StopReason::Interrupted);
    let report = if interrupted {
        recorder.abandon()?
    } else {
        recorder.finish()?
    };
    let summary = Summary::of(&report, common.strict, &common.expectations, not_run);
    let exit = if interrupted {
        Exit::Interrupted
    } else {
        Exit::of_run(invalid, summary.failed)
    };
    Ok(Outcome { summary, exit })
}

/// Which results a server that died during the run may have spoiled.
fn affected(finished: &[(CaseId, bool)]) -> String {
    match finished.iter().position(|(_, opened)| !opened) {
        Some(first) => {
            let ids: Vec<String> = finished
                .iter()
                .skip(first)
                .filter(|(_, opened)| !opened)
                .map(|(id, _)| id.to_string())
                .collect();
            format!(
                "results from case {} on may be affected ({} cases could not even open: {})",
                finished
                    .get(first)
                    .map(|(id, _)| id.to_string())
                    .unwrap_or_default(),
                ids.len(),
                ids.join(", ")
            )
        }
        None => {
            let last: Vec<String> = finished
                .iter()
                .rev()
                .take(3)
                .map(|(id, _)| id.to_string())
                .collect();
            format!(
                "the last cases run may be affected (most recent first: {})",
                last.join(", ")
            )
        }
    }
}

/// The run of the selected cases against one server.
struct ServerRun<'a> {
    recorder: &'a mut Recorder,
    progress: &'a Progress,
    common: &'a Common,
    /// Known from flags or spec, or resolved from the first response.
    agent: Option<String>,
    /// Finished cases in completion order, and whether their opening handshake completed.
    finished: Vec<(CaseId, bool)>,
    /// Cases left out for the agent.
    not_run: usize,
}

impl ServerRun<'_> {
    /// Runs every case; true when interrupted.
    async fn run_all(
        &mut self,
        target: &Arc<Target>,
        jobs: usize,
        stop: &Stop,
    ) -> Result<bool, ConfigError> {
        let common: &Common = self.common;
        let progress: &Progress = self.progress;
        let mut cases: &[&'static Case] = &common.cases;
        if self.agent.is_none() {
            // The agent may come from the server's `Server` header, and exclusions depend on
            // it: run the first case alone to learn it.
            let Some((first, rest)) = cases.split_first() else {
                return Ok(false);
            };
            cases = rest;
            if run_batch(
                target,
                &[*first],
                1,
                &common.exec,
                stop,
                progress,
                |case, started, obs| {
                    let agent = server_header(&obs).unwrap_or_else(|| UNKNOWN_AGENT.to_owned());
                    self.agent = Some(agent);
                    self.finish(case, started, obs)
                },
            )
            .await?
            {
                return Ok(true);
            }
        }
        let agent = self
            .agent
            .clone()
            .unwrap_or_else(|| UNKNOWN_AGENT.to_owned());
        let schedule = Schedule::of(cases, &common.exclude_agent, &agent);
        self.not_run += schedule.excluded;
        for _ in 0..schedule.excluded {
            self.progress.inc();
        }
        let Schedule {
            concurrent: others,
            alone: section9,
            ..
        } = schedule;
        let exec = &common.exec;
        if run_batch(target, &others, jobs, exec, stop, progress, |c, s, o| {
            self.finish(c, s, o)
        })
        .await?
        {
            return Ok(true);
        }
        run_batch(target, &section9, 1, exec, stop, progress, |c, s, o| {
            self.finish(c, s, o)
        })
        .await
    }

    fn finish(
        &mut self,
        case: &'static Case,
        started: SystemTime,
        obs: Observation,
    ) -> Result<(), ConfigError> {
        self.progress.inc();
        let agent = self
            .agent
            .clone()
            .unwrap_or_else(|| UNKNOWN_AGENT.to_owned());
        if excluded_for_agent(&self.common.exclude_agent, &agent, &case.id) {
            // Only the probe case can get here: Autobahn records nothing for it either.
            self.not_run += 1;
            return Ok(());
        }
        self.finished
            .push((case.id.clone(), obs.handshake.completed));
        let index = ampel_cases::index_of(&case.id).unwrap_or(0);
        self.recorder.record(&agent, case, index, obs, started)?;
        Ok(())
    }
}

/// The order of one server's cases: independent ones `--jobs` at a time, then section 9
/// (performance) one by one, after the others, so nothing competes with its timings.
#[derive(Debug, PartialEq)]
struct Schedule {
    concurrent: Vec<&'static Case>,
    alone: Vec<&'static Case>,
    /// Cases left out for the agent (`exclude-agent-cases`).
    excluded: usize,
}

impl Schedule {
    fn of(
        cases: &[&'static Case],
        exclude_agent: &std::collections::BTreeMap<String, Vec<String>>,
        agent: &str,
    ) -> Self {
        let (kept, excluded): (Vec<&'static Case>, Vec<&'static Case>) = cases
            .iter()
            .partition(|c| !excluded_for_agent(exclude_agent, agent, &c.id));
        let (alone, concurrent) = kept.into_iter().partition(|c| c.id.section() == 9);
        Self {
            concurrent,
            alone,
            excluded: excluded.len(),
        }
    }
}

/// Runs `cases` against `target`, `jobs` at a time, calling `done` as each ends. Returns
/// true when `stop` was raised (running cases are abandoned, nothing more is scheduled).
async fn run_batch(
    target: &Arc<Target>,
    cases: &[&'static Case],
    jobs: usize,
    cfg: &ExecConfig,
    stop: &Stop,
    progress: &Progress,
    mut done: impl FnMut(&'static Case, SystemTime, Observation) -> Result<(), ConfigError>,
) -> Result<bool, ConfigError> {
    let mut running = JoinSet::new();
    WindowCache::global().plan(cases.iter().copied());
    // Cases that mostly sit in their own timed waits (5.19, 5.20, 6.4.x) start first and run
    // beside the `jobs` busy ones: a wait puts no load on the peer, and queueing them behind
    // each other would make the run as long as the sum of their waits.
    let (waiting, mut busy): (Vec<&'static Case>, Vec<&'static Case>) =
        cases.iter().partition(|c| has_timed_wait(c));
    if jobs > 1 {
        busy = heaviest_first(&busy);
    }
    let mut waiting_running = 0;
    let mut queue = waiting.iter().chain(busy.iter());
    loop {
        while running.len() - waiting_running < jobs.max(1) && stop.reason().is_none() {
            let Some(case) = queue.next() else { break };
            if has_timed_wait(case) {
                waiting_running += 1;
            }
            progress.set_message(case.id.to_string());
            let (case, target, cfg) = (*case, Arc::clone(target), cfg.clone());
            running.spawn(async move {
                let started = SystemTime::now();
                let obs = run_client_case(&target, case, &cfg).await;
                (case, started, obs)
            });
        }
        if running.is_empty() {
            return Ok(stop.reason().is_some());
        }
        tokio::select! {
            joined = running.join_next() => match joined {
                Some(Ok((case, started, obs))) => {
                    WindowCache::global().finished(case);
                    if has_timed_wait(case) {
                        waiting_running -= 1;
                    }
                    done(case, started, obs)?
                }
                Some(Err(e)) => warn(&format!("a case task ended abnormally: {e}")),
                None => {}
            },
            _ = stop.raised() => {
                running.abort_all();
                while running.join_next().await.is_some() {}
                return Ok(true);
            }
        }
    }
}

/// The case has a [`Step::Wait`]: the harness idles through it by design.
fn has_timed_wait(case: &Case) -> bool {
    case.steps.iter().any(|s| matches!(s, Step::Wait { .. }))
}

/// The `Server` header of the opening-handshake response, if any.
fn server_header(obs: &Observation) -> Option<String> {
    let response = obs.handshake.response.as_deref()?;
    response.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        (name.trim().eq_ignore_ascii_case("server") && !value.is_empty()).then(|| value.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_header_names_the_agent() {
        let mut obs = Observation::new(ampel_cases::Role::Client);
        assert_eq!(server_header(&obs), None);
        obs.handshake.response = Some(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nserver:  Foo/1.0 \r\n\r\n"
                .to_owned(),
        );
        assert_eq!(server_header(&obs).as_deref(), Some("Foo/1.0"));
        obs.handshake.response = Some("HTTP/1.1 101 OK\r\nServer:\r\n\r\n".to_owned());
        assert_eq!(server_header(&obs), None);
    }

    #[test]
    fn urls_are_checked() {
        assert!(parse_url("ws://127.0.0.1:9001/path").is_ok());
        assert!(parse_url("wss://example.test").is_ok());
        assert!(matches!(
            parse_url("http://127.0.0.1"),
            Err(ConfigError::BadUrl { .. })
        ));
        assert!(parse_url("127.0.0.1:9001").is_err());
    }

    #[test]
    fn only_the_cases_with_their_own_waits_run_beside_the_jobs() {
        let waiting: Vec<String> = ampel_cases::catalogue()
            .iter()
            .filter(|c| has_timed_wait(c))
            .map(|c| c.id.to_string())
            .collect();
        assert_eq!(
            waiting,
            ["5.19", "5.20", "6.4.1", "6.4.2", "6.4.3", "6.4.4"]
        );
    }

    #[test]
    fn section_9_runs_alone_after_the_others() {
        let cases = ampel_cases::select_cases(
            &[
                "1.1.1".to_owned(),
                "9.1.1".to_owned(),
                "2.*".to_owned(),
                "9.8.6".to_owned(),
            ],
            &[],
        )
        .unwrap();
        let mut exclusions = std::collections::BTreeMap::new();
        exclusions.insert("Agent*".to_owned(), vec!["2.1*".to_owned()]);
        let ids =
            |cases: &[&Case]| -> Vec<String> { cases.iter().map(|c| c.id.to_string()).collect() };
        let plan = Schedule::of(&cases, &exclusions, "AgentX");
        assert_eq!(ids(&plan.alone), ["9.1.1", "9.8.6"]);
        assert_eq!(plan.concurrent.len(), 1 + 11 - 3);
        assert!(!ids(&plan.concurrent).iter().any(|id| id.starts_with("9.")));
        assert_eq!(plan.excluded, 3);
        let other = Schedule::of(&cases, &exclusions, "Other");
        assert_eq!((other.concurrent.len(), other.excluded), (12, 0));
    }

    #[test]
    fn affected_cases_start_at_the_first_failed_opening() {
        let id = |s: &str| s.parse::<CaseId>().unwrap();
        let finished = vec![
            (id("1.1.1"), true),
            (id("1.1.2"), false),
            (id("1.1.3"), true),
            (id("1.1.4"), false),
        ];
        let text = affected(&finished);
        assert!(text.contains("from case 1.1.2 on"), "{text}");
        assert!(
            text.contains("2 cases could not even open: 1.1.2, 1.1.4"),
            "{text}"
        );
        let text = affected(&[(id("2.1"), true), (id("2.2"), true)]);
        assert!(text.contains("2.2, 2.1"), "{text}");
    }
}
