//! Verdict tables (case id → behavior, behaviorClose, remoteCloseCode; no durations) and
//! their golden files in `tests/golden/third_party/`. A golden entry is one row, or
//! `{"anyOf": [rows], "why": "..."}` for a case that legitimately flips between verdicts.
//! `UPDATE_GOLDEN=1` rewrites a file from the observed table, keeping an `anyOf` entry
//! that still contains the observed row.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use ampel_cases::{Behavior, CaseId, CloseBehavior, Judgement, Observation};
use serde_json::{Value, json};

use super::run::Outcomes;

/// One case's verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub behavior: Behavior,
    pub behavior_close: CloseBehavior,
    pub remote_close_code: Option<u16>,
}

impl Row {
    pub fn of(judgement: &Judgement, observation: &Observation) -> Self {
        Self {
            behavior: judgement.behavior,
            behavior_close: judgement.behavior_close,
            remote_close_code: observation.connection.remote_close_code,
        }
    }

    /// Both verdicts OK.
    pub fn is_ok(&self) -> bool {
        self.behavior == Behavior::Ok && self.behavior_close == CloseBehavior::Ok
    }

    fn to_json(self) -> Value {
        json!({
            "behavior": self.behavior,
            "behaviorClose": self.behavior_close,
            "remoteCloseCode": self.remote_close_code,
        })
    }

    fn from_json(value: &Value) -> Result<Self, String> {
        let field = |name: &str| {
            value
                .get(name)
                .cloned()
                .ok_or(format!("no {name:?} in {value}"))
        };
        Ok(Self {
            behavior: serde_json::from_value(field("behavior")?).map_err(|e| e.to_string())?,
            behavior_close: serde_json::from_value(field("behaviorClose")?)
                .map_err(|e| e.to_string())?,
            remote_close_code: serde_json::from_value(field("remoteCloseCode")?)
                .map_err(|e| e.to_string())?,
        })
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .remote_close_code
            .map_or_else(|| "no close code".to_owned(), |c| format!("close code {c}"));
        write!(f, "{} / {} / {code}", self.behavior, self.behavior_close)
    }
}

/// Case id → row.
pub type Table = BTreeMap<String, Row>;

/// The allowed rows of one golden entry, and why a case may flip.
#[derive(Debug, Clone)]
struct Entry {
    allowed: Vec<Row>,
    why: Option<String>,
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/third_party")
        .join(format!("{name}.json"))
}

fn load(name: &str) -> Result<(String, BTreeMap<String, Entry>), String> {
    let path = golden_path(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let peer = doc
        .get("peer")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let cases = doc
        .get("cases")
        .and_then(Value::as_object)
        .ok_or(format!("{}: no \"cases\" object", path.display()))?;
    let mut entries = BTreeMap::new();
    for (id, value) in cases {
        let entry = match value.get("anyOf").and_then(Value::as_array) {
            Some(rows) => Entry {
                allowed: rows.iter().map(Row::from_json).collect::<Result<_, _>>()?,
                why: value.get("why").and_then(Value::as_str).map(str::to_owned),
            },
            None => Entry {
                allowed: vec![Row::from_json(value)?],
                why: None,
            },
        };
        if entry.allowed.len() > 1 && entry.why.is_none() {
            return Err(format!("{id}: an anyOf entry needs a \"why\""));
        }
        entries.insert(id.clone(), entry);
    }
    Ok((peer, entries))
}

fn entry_json(entry: &Entry) -> Value {
    match entry.allowed.as_slice() {
        [one] => one.to_json(),
        rows => json!({
            "anyOf": rows.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "why": entry.why,
        }),
    }
}

fn sort_key(id: &str) -> Vec<u32> {
    id.parse::<CaseId>()
        .map(|c| c.parts().to_vec())
        .unwrap_or_default()
}

fn write(name: &str, peer: &str, entries: &BTreeMap<String, Entry>) {
    let mut ids: Vec<&String> = entries.keys().collect();
    ids.sort_by_key(|id| sort_key(id));
    let lines: Vec<String> = ids
        .iter()
        .filter_map(|id| {
            let entry = entries.get(*id)?;
            Some(format!("    {}: {}", json!(id), entry_json(entry)))
        })
        .collect();
    let text = format!(
        "{{\n  \"peer\": {},\n  \"cases\": {{\n{}\n  }}\n}}\n",
        json!(peer),
        lines.join(",\n")
    );
    let path = golden_path(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("wrote {}", path.display());
}

/// Prints every non-OK row with the judge's sentences (for the README and for diagnosis).
pub fn print_non_ok(label: &str, outcomes: &Outcomes) {
    let mut ids: Vec<&String> = outcomes.keys().collect();
    ids.sort_by_key(|id| sort_key(id));
    let mut count = 0;
    for id in ids {
        let Some(o) = outcomes.get(id) else { continue };
        let row = o.row();
        if !row.is_ok() {
            count += 1;
            println!(
                "[{label}] {id}: {row}: {} | {} | events {:?} | {:?}",
                o.judgement.result,
                o.judgement.result_close,
                o.observation.events,
                o.observation.connection
            );
        }
    }
    println!("[{label}] {count} of {} cases not OK/OK", outcomes.len());
}

/// Compares the run with the golden file `name` (or rewrites it under `UPDATE_GOLDEN=1`)
/// and panics with every difference.
pub fn check_golden(name: &str, peer: &str, outcomes: &Outcomes) {
    print_non_ok(name, outcomes);
    let observed = super::run::table(outcomes);
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let existing = load(name);
    if update {
        let old = existing.map(|(_, e)| e).unwrap_or_default();
        let entries = observed
            .iter()
            .map(|(id, row)| {
                let entry = match old.get(id) {
                    Some(e) if e.allowed.len() > 1 && e.allowed.contains(row) => e.clone(),
                    _ => Entry {
                        allowed: vec![*row],
                        why: None,
                    },
                };
                (id.clone(), entry)
            })
            .collect();
        write(name, peer, &entries);
        return;
    }
    let (_, golden) =
        existing.unwrap_or_else(|e| panic!("golden file: {e} (UPDATE_GOLDEN=1 writes it)"));
    let mut problems = Vec::new();
    for (id, row) in &observed {
        match golden.get(id) {
            None => problems.push(format!("{id}: not in the golden file (got {row})")),
            Some(entry) if !entry.allowed.contains(row) => {
                let want: Vec<String> = entry.allowed.iter().map(Row::to_string).collect();
                let detail = outcomes
                    .get(id)
                    .map(|o| format!("{} | {}", o.judgement.result, o.judgement.result_close))
                    .unwrap_or_default();
                problems.push(format!(
                    "{id}: got {row}, golden {} ({detail})",
                    want.join(" or ")
                ));
            }
            Some(_) => {}
        }
    }
    for id in golden.keys().filter(|id| !observed.contains_key(*id)) {
        problems.push(format!("{id}: in the golden file but not run"));
    }
    assert!(
        problems.is_empty(),
        "{name}: {} difference(s) from the golden file:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
