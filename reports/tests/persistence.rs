//! run.json round trips, merging runs with `load_runs`, and the incremental `ReportDir`.

mod common;

use std::fs;
use std::path::PathBuf;

use ampel_cases::Behavior;
use ampel_reports::{
    LoadError, Mode, RUN_JSON, ReportDir, RunMeta, RunReport, load_runs, render_all, run_json,
};

fn write_run(dir: &std::path::Path, report: &RunReport) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let path = dir.join(RUN_JSON);
    fs::write(&path, run_json(report).unwrap()).unwrap();
    path
}

fn meta() -> RunMeta {
    let report = common::report();
    RunMeta {
        generator: report.generator,
        mode: Mode::TestServer,
        started: common::at(0),
    }
}

#[test]
fn run_json_round_trips() {
    let report = common::report();
    let text = run_json(&report).unwrap();
    let back: RunReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
    assert_eq!(run_json(&back).unwrap(), text);
}

#[test]
fn merge_unites_agents_and_the_later_path_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let full = common::report();

    // Run 1: agent A only. Run 2: agent B, plus a re-run of A's 5.1 that now passes.
    let mut run1 = full.clone();
    run1.agents.remove(common::AGENT_B);
    let mut run2 = full.clone();
    run2.agents.remove(common::AGENT_A);
    run2.started = common::at(100);
    run2.finished = Some(common::at(200));
    let mut rerun = common::case(common::AGENT_A, "5.1");
    rerun.judgement.behavior = Behavior::Ok;
    run2.insert(common::AGENT_A, rerun);

    let p1 = write_run(&tmp.path().join("one"), &run1);
    let dir2 = tmp.path().join("two");
    write_run(&dir2, &run2);

    // A run.json path and a report directory are both accepted.
    let merged = load_runs(&[&p1, &dir2]).unwrap();
    assert_eq!(merged.agents.len(), 2);
    assert_eq!(merged.agents[common::AGENT_A].cases.len(), 7);
    assert_eq!(merged.agents[common::AGENT_B].cases.len(), 6);
    let a51 = merged.agents[common::AGENT_A]
        .get(&"5.1".parse().unwrap())
        .unwrap();
    assert_eq!(a51.judgement.behavior, Behavior::Ok, "later path wins");
    assert_eq!(merged.started, common::at(0));
    assert_eq!(merged.finished, Some(common::at(200)));

    // Reversed order: the first run's FAILED result is now the later one.
    let merged = load_runs(&[dir2, p1]).unwrap();
    let a51 = merged.agents[common::AGENT_A]
        .get(&"5.1".parse().unwrap())
        .unwrap();
    assert_eq!(a51.judgement.behavior, Behavior::Failed);
    // Cases stay in numeric order after merging.
    let ids: Vec<String> = merged.agents[common::AGENT_A]
        .cases
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        ids,
        ["1.1.1", "3.1", "5.1", "6.3.1", "7.1.1", "7.13.1", "12.1.1"]
    );
}

#[test]
fn merge_of_an_unfinished_run_is_unfinished() {
    let tmp = tempfile::tempdir().unwrap();
    let mut unfinished = common::report();
    unfinished.finished = None;
    let a = write_run(&tmp.path().join("a"), &common::report());
    let b = write_run(&tmp.path().join("b"), &unfinished);
    assert_eq!(load_runs(&[a, b]).unwrap().finished, None);
}

#[test]
fn load_errors_are_precise() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(load_runs::<PathBuf>(&[]), Err(LoadError::NoInput)));

    let empty_dir = tmp.path().join("empty");
    fs::create_dir_all(&empty_dir).unwrap();
    match load_runs(&[&empty_dir]) {
        Err(LoadError::Read { path, .. }) => assert_eq!(path, empty_dir.join(RUN_JSON)),
        other => panic!("{other:?}"),
    }

    let bad = tmp.path().join("bad.json");
    fs::write(&bad, "{\"generator\": 1}").unwrap();
    let err = load_runs(&[&bad]).unwrap_err();
    assert!(matches!(&err, LoadError::Parse { path, .. } if *path == bad));
    assert!(err.to_string().contains("bad.json"), "{err}");

    let mut client_run = common::report();
    client_run.mode = Mode::TestClient;
    let server = write_run(&tmp.path().join("s"), &common::report());
    let client = write_run(&tmp.path().join("c"), &client_run);
    let err = load_runs(&[server, client]).unwrap_err();
    assert!(matches!(err, LoadError::MixedModes { .. }), "{err:?}");
    assert!(err.to_string().contains("test-client"), "{err}");
}

#[test]
fn load_restores_order_and_uniqueness_of_hand_edited_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut report = common::report();
    let agent = report.agents.get_mut(common::AGENT_A).unwrap();
    agent.cases.reverse();
    let mut dup = agent.cases[0].clone(); // 12.1.1 after reversing
    dup.title = "the later duplicate".to_owned();
    agent.cases.push(dup);
    let path = write_run(tmp.path(), &report);
    let loaded = load_runs(&[path]).unwrap();
    let cases = &loaded.agents[common::AGENT_A].cases;
    assert_eq!(cases.len(), 7);
    assert!(cases.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(cases[6].title, "the later duplicate");
}

#[test]
fn report_dir_keeps_finished_cases_when_the_run_is_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("reports");
    {
        let mut rd = ReportDir::create(&dir, meta()).unwrap();
        // run.json exists (empty) before any case finished.
        let empty = load_runs(&[&dir]).unwrap();
        assert!(empty.agents.is_empty());

        rd.record(common::AGENT_A, common::case(common::AGENT_A, "7.1.1"))
            .unwrap();
        // Written at once: the per-case Autobahn JSON and run.json.
        assert!(dir.join("ampel_0_1_case_7_1_1.json").is_file());
        assert_eq!(
            load_runs(&[&dir]).unwrap().agents[common::AGENT_A]
                .cases
                .len(),
            1
        );

        rd.record(common::AGENT_B, common::case(common::AGENT_B, "1.1.1"))
            .unwrap();
        // Dropped without finish(): a crash or Ctrl-C.
    }
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
    assert!(!names.contains(&"index.html".to_owned()));

    let loaded = load_runs(&[&dir]).unwrap();
    assert_eq!(loaded.finished, None);
    assert_eq!(loaded.case_ids().len(), 2);

    let out = tmp.path().join("rendered");
    render_all(&out, &loaded).unwrap();
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("data-case=\"7.1.1\""));
    assert!(index.contains("data-case=\"1.1.1\""));
    assert!(index.contains("This run did not finish"));
    assert!(
        out.join("other__server____co_2_0_case_1_1_1.html")
            .is_file()
    );
    assert!(out.join("junit.xml").is_file());
    assert!(out.join("index.json").is_file());
}

#[test]
fn report_dir_finish_writes_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rd = ReportDir::create(tmp.path(), meta()).unwrap();
    for id in ["1.1.1", "5.1"] {
        rd.record(common::AGENT_A, common::case(common::AGENT_A, id))
            .unwrap();
    }
    // Recording a case again replaces it.
    rd.record(common::AGENT_A, common::case(common::AGENT_A, "5.1"))
        .unwrap();
    // The incremental run.json (assembled from cached case texts) is the canonical one.
    assert_eq!(
        fs::read_to_string(tmp.path().join(RUN_JSON)).unwrap(),
        run_json(rd.report()).unwrap()
    );
    rd.update_reports().unwrap();
    assert!(tmp.path().join("index.html").is_file());
    let report = rd.finish().unwrap();
    assert!(report.finished.is_some());
    assert_eq!(report.agents[common::AGENT_A].cases.len(), 2);
    for name in [
        "run.json",
        "index.json",
        "index.html",
        "junit.xml",
        "ampel_0_1_case_1_1_1.json",
        "ampel_0_1_case_1_1_1.html",
        "ampel_0_1_case_5_1.json",
        "ampel_0_1_case_5_1.html",
    ] {
        assert!(tmp.path().join(name).is_file(), "{name}");
    }
    let loaded = load_runs(&[tmp.path()]).unwrap();
    assert_eq!(loaded, report);
}

#[test]
fn an_empty_run_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let report = RunReport::new(meta());
    render_all(tmp.path(), &report).unwrap();
    let index = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(!index.contains("case-row"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("index.json")).unwrap(),
        "{}"
    );
    assert_eq!(load_runs(&[tmp.path()]).unwrap(), report);
}
