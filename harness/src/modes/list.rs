//! `ampel list [SELECTOR...] [--json]`: the catalogue, or the cases the selectors pick
//! (ids or Autobahn globs, as `--cases`).

use ampel_cases::{AppliesTo, Case, select_cases};
use serde::Serialize;

use super::settings::flag_list;
use super::{ConfigError, Exit};
use crate::cli::ListArgs;

#[derive(Debug, Serialize)]
struct Row<'a> {
    id: String,
    title: &'a str,
    applies_to: AppliesTo,
}

/// The cases the selectors pick (every case when there are none).
pub fn selected(selectors: &[String]) -> Result<Vec<&'static Case>, ConfigError> {
    let mut patterns = flag_list(selectors);
    if patterns.is_empty() {
        patterns.push("*".to_owned());
    }
    Ok(select_cases(&patterns, &[])?)
}

/// The listing as text: one `id  roles  title` line per case.
pub fn render_table(cases: &[&Case]) -> String {
    let width = cases
        .iter()
        .map(|c| c.id.to_string().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for case in cases {
        let roles = match case.applies_to {
            AppliesTo::Both => "both",
            AppliesTo::Server => "server",
            AppliesTo::Client => "client",
        };
        out.push_str(&format!(
            "{:<width$}  {roles:<6}  {}\n",
            case.id.to_string(),
            case.title
        ));
    }
    out
}

/// The listing as a JSON array of `{id, title, applies_to}`.
pub fn render_json(cases: &[&Case]) -> Result<String, serde_json::Error> {
    let rows: Vec<Row<'_>> = cases
        .iter()
        .map(|c| Row {
            id: c.id.to_string(),
            title: &c.title,
            applies_to: c.applies_to,
        })
        .collect();
    serde_json::to_string_pretty(&rows)
}

/// Runs `ampel list`.
pub fn run(args: &ListArgs) -> Result<Exit, ConfigError> {
    let cases = selected(&args.selectors)?;
    if args.json {
        match render_json(&cases) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return Ok(Exit::Usage);
            }
        }
    } else {
        print!("{}", render_table(&cases));
    }
    Ok(Exit::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_pick_cases() {
        let all = selected(&[]).unwrap();
        assert_eq!(all.len(), ampel_cases::catalogue().len());
        let some = selected(&["2.1,2.2".to_owned(), "7.1.*".to_owned()]).unwrap();
        let ids: Vec<String> = some.iter().map(|c| c.id.to_string()).collect();
        assert_eq!(ids[..2], ["2.1", "2.2"]);
        assert!(ids[2..].iter().all(|id| id.starts_with("7.1.")));
        assert!(selected(&["7.9.10".to_owned()]).is_err());
    }

    #[test]
    fn table_and_json() {
        let cases = selected(&["1.1.1".to_owned()]).unwrap();
        let table = render_table(&cases);
        assert!(table.starts_with("1.1.1  both"), "{table}");
        let json: serde_json::Value = serde_json::from_str(&render_json(&cases).unwrap()).unwrap();
        assert_eq!(json[0]["id"], "1.1.1");
        assert_eq!(json[0]["applies_to"], "both");
        assert!(json[0]["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
}
