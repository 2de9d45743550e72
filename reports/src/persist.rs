//! Writing report directories: atomic file writes, the incremental [`ReportDir`], and
//! [`render_all`].

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ampel_cases::CaseId;

use crate::autobahn::{case_json, index_json};
use crate::filename::case_file_name;
use crate::html::{case_html, index_html};
use crate::junit::junit_xml;
use crate::model::{CaseResult, RunMeta, RunReport};
use crate::timestamp::Timestamp;

/// The canonical file of a report directory.
pub const RUN_JSON: &str = "run.json";

/// Writes `contents` to `path` so that readers see the old file or the new one, never a
/// partial one: write a temporary sibling, then rename it over `path`.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no file name", path.display()),
        )
    })?;
    // Unique per process and call, so concurrent writers never share a temporary file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = path.with_file_name(tmp_name);
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(contents)?;
        f.flush()
    });
    match written.and_then(|()| fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            // Best effort: do not leave the temporary file behind.
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// `run.json`: the canonical model as pretty JSON (2-space indentation, trailing newline);
/// byte-identical to `serde_json::to_string_pretty` of the report plus a newline.
pub fn run_json(report: &RunReport) -> io::Result<String> {
    let mut out = String::new();
    assemble_run_json(report, &mut out, |out, _, result| {
        push_indented(out, &pretty(result)?, CASE_DEPTH);
        Ok(())
    })?;
    Ok(out)
}

/// The nesting depth of a case's JSON in `run.json` (agents → agent → cases → case).
const CASE_DEPTH: usize = 4;

fn pretty<T: serde::Serialize + ?Sized>(value: &T) -> io::Result<String> {
    serde_json::to_string_pretty(value).map_err(io::Error::other)
}

/// Appends `text` (pretty JSON written at depth 0) as a value at `depth`: serde_json's pretty
/// format indents purely by depth, and JSON text never holds a raw newline inside a string,
/// so re-indenting every line after the first is exact.
fn push_indented(out: &mut String, text: &str, depth: usize) {
    let indent = "  ".repeat(depth);
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        out.push_str(first);
    }
    for line in lines {
        out.push('\n');
        out.push_str(&indent);
        out.push_str(line);
    }
}

/// Writes `run.json` field by field into `out` (cleared first), with each case's JSON at
/// [`CASE_DEPTH`] supplied by `case_text`, so the incremental writer can reuse the text of
/// cases it serialised before instead of re-serialising the whole run after every case. The
/// test `assembly_equals_serde` keeps this in step with `RunReport`'s serde layout.
fn assemble_run_json<F>(report: &RunReport, out: &mut String, mut case_text: F) -> io::Result<()>
where
    F: FnMut(&mut String, &str, &CaseResult) -> io::Result<()>,
{
    fn field(out: &mut String, name: &str, value: &str) {
        out.push_str("  \"");
        out.push_str(name);
        out.push_str("\": ");
        push_indented(out, value, 1);
        out.push_str(",\n");
    }
    out.clear();
    out.push_str("{\n");
    field(out, "generator", &pretty(&report.generator)?);
    field(out, "mode", &pretty(&report.mode)?);
    field(out, "started", &pretty(&report.started)?);
    if let Some(finished) = &report.finished {
        field(out, "finished", &pretty(finished)?);
    }
    out.push_str("  \"agents\": ");
    if report.agents.is_empty() {
        out.push_str("{}");
    } else {
        out.push_str("{\n");
        let mut agents = report.agents.iter().peekable();
        while let Some((agent, results)) = agents.next() {
            out.push_str("    ");
            out.push_str(&pretty(agent)?);
            out.push_str(": {\n      \"cases\": ");
            if results.cases.is_empty() {
                out.push_str("[]");
            } else {
                out.push_str("[\n");
                let mut cases = results.cases.iter().peekable();
                while let Some(result) = cases.next() {
                    out.push_str("        ");
                    case_text(out, agent, result)?;
                    out.push_str(if cases.peek().is_some() { ",\n" } else { "\n" });
                }
                out.push_str("      ]");
            }
            out.push_str("\n    }");
            out.push_str(if agents.peek().is_some() { ",\n" } else { "\n" });
        }
        out.push_str("  }");
    }
    out.push_str("\n}\n");
    Ok(())
}

fn io_other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Writes every output for `report` into `dir` (created if needed): `run.json`, `index.json`,
/// the per-case JSON and HTML files, `index.html` and `junit.xml`.
pub fn render_all(dir: &Path, report: &RunReport) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for (agent, results) in &report.agents {
        for result in &results.cases {
            write_atomic(
                &dir.join(case_file_name(agent, &result.id, "json")),
                case_json(agent, result).as_bytes(),
            )?;
            let page = case_html(report, agent, result).map_err(io_other)?;
            write_atomic(
                &dir.join(case_file_name(agent, &result.id, "html")),
                page.as_bytes(),
            )?;
        }
    }
    write_atomic(&dir.join("index.json"), index_json(report).as_bytes())?;
    write_atomic(
        &dir.join("index.html"),
        index_html(report).map_err(io_other)?.as_bytes(),
    )?;
    write_atomic(
        &dir.join("junit.xml"),
        junit_xml(report).map_err(io_other)?.as_bytes(),
    )?;
    // Last, so a complete run.json means the rest was written too.
    write_atomic(&dir.join(RUN_JSON), run_json(report)?.as_bytes())
}

/// A report directory written as the run goes: each finished case is on disk at once.
///
/// ```no_run
/// # fn demo(case: &ampel_cases::Case, obs: ampel_cases::Observation) -> std::io::Result<()> {
/// use ampel_reports::{CaseResult, Mode, ReportDir, RunMeta};
/// let mut dir = ReportDir::create("reports/servers", RunMeta::new(Mode::TestServer))?;
/// let judgement = ampel_cases::judge(case, &obs);
/// let started = std::time::SystemTime::now();
/// dir.record("my-server", CaseResult::new(case, 1, obs, judgement, started))?;
/// let report = dir.finish()?;
/// # let _ = report; Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReportDir {
    dir: PathBuf,
    report: RunReport,
    /// The JSON text of each recorded case (agent → id → text), indented for its place in
    /// `run.json` and reused by every rewrite of it.
    case_texts: BTreeMap<String, BTreeMap<CaseId, String>>,
    /// The text of `run.json`, kept between rewrites: a large run's file is tens of MB, and a
    /// fresh allocation per case would be paged in again each time.
    run_text: String,
}

impl ReportDir {
    /// Creates `dir` (and parents) and writes an empty `run.json` for the run.
    pub fn create(dir: impl AsRef<Path>, meta: RunMeta) -> io::Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)?;
        let mut this = Self {
            dir,
            report: RunReport::new(meta),
            case_texts: BTreeMap::new(),
            run_text: String::new(),
        };
        this.write_run_json()?;
        Ok(this)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The results so far.
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// Records one finished case: writes its Autobahn JSON file and rewrites `run.json`
    /// (atomically) before returning. A later result for the same agent and case replaces the
    /// earlier one.
    pub fn record(&mut self, agent: &str, result: CaseResult) -> io::Result<()> {
        write_atomic(
            &self.dir.join(case_file_name(agent, &result.id, "json")),
            case_json(agent, &result).as_bytes(),
        )?;
        let mut text = String::new();
        push_indented(&mut text, &pretty(&result)?, CASE_DEPTH);
        self.case_texts
            .entry(agent.to_owned())
            .or_default()
            .insert(result.id.clone(), text);
        self.report.insert(agent, result);
        self.write_run_json()
    }

    /// Renders everything for the results so far without ending the run (Autobahn's
    /// `/updateReports`).
    pub fn update_reports(&self) -> io::Result<()> {
        render_all(&self.dir, &self.report)
    }

    /// Ends the run: stamps the finish time and writes every output.
    pub fn finish(mut self) -> io::Result<RunReport> {
        self.report.finished = Some(Timestamp::now().max(self.report.started));
        render_all(&self.dir, &self.report)?;
        Ok(self.report)
    }

    fn write_run_json(&mut self) -> io::Result<()> {
        let texts = &self.case_texts;
        assemble_run_json(&self.report, &mut self.run_text, |out, agent, result| {
            match texts.get(agent).and_then(|c| c.get(&result.id)) {
                Some(text) => out.push_str(text),
                None => push_indented(out, &pretty(result)?, CASE_DEPTH),
            }
            Ok(())
        })?;
        write_atomic(&self.dir.join(RUN_JSON), self.run_text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_agents(agents: &[(&str, usize)]) -> RunReport {
        let mut report = RunReport::new(crate::RunMeta::new(crate::Mode::TestClient));
        for (agent, n) in agents {
            report.agents.entry((*agent).to_owned()).or_default();
            for case in ampel_cases::catalogue().iter().take(*n) {
                let obs = ampel_cases::Observation::new(ampel_cases::Role::Server);
                let verdict = ampel_cases::judge(case, &obs);
                let started = std::time::SystemTime::UNIX_EPOCH;
                report.insert(agent, CaseResult::new(case, 1, obs, verdict, started));
            }
        }
        report
    }

    #[test]
    fn assembly_equals_serde() {
        let mut finished = with_agents(&[("a \"quoted\" agent", 3), ("b", 1)]);
        finished.finished = Some(finished.started);
        for report in [
            with_agents(&[]),
            with_agents(&[("empty", 0)]),
            with_agents(&[("one", 1), ("two", 0)]),
            finished,
        ] {
            let mut want = serde_json::to_string_pretty(&report).unwrap();
            want.push('\n');
            assert_eq!(run_json(&report).unwrap(), want);
        }
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.json"]);
    }

    #[test]
    fn atomic_write_reports_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(&dir.path().join("no/such/x"), b"1").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(write_atomic(Path::new("/"), b"1").is_err());
    }
}
