//! Ampel's report model and its writers.
//!
//! One serde model ([`RunReport`] → agents → [`CaseResult`]s sorted by numeric case id) feeds
//! every output of a report directory:
//!
//! | file | writer |
//! |---|---|
//! | `run.json` | the canonical model, pretty JSON; mergeable with [`load_runs`] |
//! | `index.json` | Autobahn's summary: `{agent: {caseId: {behavior, …, reportfile}}}` |
//! | `<agent>_case_<id>.json` | Autobahn's per-case document (same keys and verdict strings) |
//! | `index.html` | the agent × case matrix with Autobahn's colours and a summary per agent |
//! | `<agent>_case_<id>.html` | one page per agent × case, with the wire log |
//! | `junit.xml` | one testsuite per agent × section, one testcase per case |
//!
//! A harness writes incrementally through [`ReportDir`]: each [`ReportDir::record`] writes the
//! case's Autobahn JSON and rewrites `run.json` atomically, so an interrupted run keeps every
//! finished case; [`load_runs`] + [`render_all`] render it later. What counts as a failure is
//! decided once, by [`CaseResult::outcome`].
#![forbid(unsafe_code)]

mod autobahn;
mod filename;
mod html;
mod junit;
mod load;
mod model;
mod persist;
mod preview;
mod timestamp;

pub use autobahn::{case_json, index_json, to_autobahn_json};
pub use filename::{case_file_name, clean_agent};
pub use html::{HtmlError, case_html, index_html};
pub use junit::{JunitError, junit_xml};
pub use load::{LoadError, load_runs};
pub use model::{
    AgentReport, CaseResult, EchoExpectation, EventSummary, ExpectedAlternative, ExpectedData,
    Generator, Mode, Outcome, RunMeta, RunReport, events_text,
};
pub use persist::{RUN_JSON, ReportDir, render_all, run_json, write_atomic};
pub use preview::{hex_preview, text_preview};
pub use timestamp::{Timestamp, TimestampError};
