//! Autobahn's client-testing URL protocol, parsed: what a connection to the test-client
//! server asks for. Pure (no I/O), so every path and parameter rule is unit-tested.
//!
//! | path | request |
//! |---|---|
//! | `/getCaseCount` | the number of selected cases |
//! | `/runCase?case=N&agent=A` (or `casetuple=X.Y.Z`) | run the N-th selected case (1-based) |
//! | `/getCaseInfo?case=N` | `{"id", "description"}` |
//! | `/getCaseStatus?case=N&agent=A` | `{"behavior"}` once the result exists |
//! | `/updateReports?agent=A[&shutdownOnComplete=true]` | render the reports now |
//! | `/stopServer` | stop |
//!
//! Anything else is refused with 404 (Autobahn's "direct command mode" is not offered).

use ampel_cases::{Case, CaseId};

/// A request of the URL protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `/getCaseCount`.
    CaseCount,
    /// `/runCase`.
    RunCase {
        /// Which case.
        case: CaseRef,
        /// The client's name.
        agent: String,
    },
    /// `/getCaseInfo`.
    CaseInfo {
        /// Which case.
        case: CaseRef,
    },
    /// `/getCaseStatus`.
    CaseStatus {
        /// Which case.
        case: CaseRef,
        /// The client's name.
        agent: String,
    },
    /// `/updateReports`.
    UpdateReports {
        /// The client's name, if given (reports cover every agent anyway).
        agent: Option<String>,
        /// Stop the server once the reports are written.
        shutdown: bool,
    },
    /// `/stopServer`.
    StopServer,
}

/// How a request names a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseRef {
    /// `case=N`: 1-based position among the selected cases.
    Index(usize),
    /// `casetuple=X.Y.Z`: a case id.
    Id(CaseId),
}

/// A request that is refused, with the HTTP status and a short reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status (400 or 404).
    pub status: u16,
    /// Why.
    pub reason: String,
}

impl Refusal {
    fn bad(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            reason: reason.into(),
        }
    }

    fn not_found(reason: impl Into<String>) -> Self {
        Self {
            status: 404,
            reason: reason.into(),
        }
    }
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn agent(query: &[(String, String)], path: &str) -> Result<String, Refusal> {
    match param(query, "agent").map(str::trim) {
        Some(a) if !a.is_empty() => Ok(a.to_owned()),
        _ => Err(Refusal::bad(format!(
            "{path} needs an agent=NAME parameter"
        ))),
    }
}

fn case_ref(query: &[(String, String)], path: &str) -> Result<CaseRef, Refusal> {
    if let Some(n) = param(query, "case") {
        return match n.trim().parse::<usize>() {
            Ok(i) if i >= 1 => Ok(CaseRef::Index(i)),
            _ => Err(Refusal::bad(format!(
                "case={n:?} is not a case number (1, 2, ...)"
            ))),
        };
    }
    if let Some(t) = param(query, "casetuple") {
        return t
            .trim()
            .parse()
            .map(CaseRef::Id)
            .map_err(|_| Refusal::bad(format!("casetuple={t:?} is not a case id")));
    }
    Err(Refusal::bad(format!(
        "{path} needs a case=N or casetuple=X.Y.Z parameter"
    )))
}

/// Parses a request path (without query) and its decoded query parameters.
pub fn parse(path: &str, query: &[(String, String)]) -> Result<Request, Refusal> {
    match path.trim_end_matches('/') {
        "/getCaseCount" => Ok(Request::CaseCount),
        "/runCase" => Ok(Request::RunCase {
            case: case_ref(query, path)?,
            agent: agent(query, path)?,
        }),
        "/getCaseInfo" => Ok(Request::CaseInfo {
            case: case_ref(query, path)?,
        }),
        "/getCaseStatus" => Ok(Request::CaseStatus {
            case: case_ref(query, path)?,
            agent: agent(query, path)?,
        }),
        "/updateReports" => Ok(Request::UpdateReports {
            agent: param(query, "agent")
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            shutdown: param(query, "shutdownOnComplete")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        }),
        "/stopServer" => Ok(Request::StopServer),
        _ => Err(Refusal::not_found(format!(
            "unknown path {path:?}; known: /getCaseCount, /runCase, /getCaseInfo, \
             /getCaseStatus, /updateReports, /stopServer"
        ))),
    }
}

/// Finds the case a request names among the `selected` ones: its 1-based number and the case.
pub fn resolve(
    case: &CaseRef,
    selected: &[&'static Case],
) -> Result<(usize, &'static Case), Refusal> {
    match case {
        CaseRef::Index(n) => n
            .checked_sub(1)
            .and_then(|i| selected.get(i))
            .map(|c| (*n, *c))
            .ok_or_else(|| {
                Refusal::not_found(format!(
                    "case {n} does not exist: {} cases are selected",
                    selected.len()
                ))
            }),
        CaseRef::Id(id) => selected
            .iter()
            .position(|c| c.id == *id)
            .and_then(|i| selected.get(i).map(|c| (i + 1, *c)))
            .ok_or_else(|| Refusal::not_found(format!("case {id} is not selected"))),
    }
}

/// The `/getCaseInfo` reply: the id and the description up to the first HTML tag.
pub fn case_info_json(case: &Case) -> String {
    let description = case
        .description
        .split('<')
        .next()
        .unwrap_or_default()
        .trim();
    serde_json::json!({ "id": case.id.to_string(), "description": description }).to_string()
}

/// The `/getCaseStatus` reply.
pub fn case_status_json(behavior: ampel_cases::Behavior) -> String {
    serde_json::json!({ "behavior": behavior.as_str() }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parses_every_endpoint() {
        assert_eq!(parse("/getCaseCount", &[]), Ok(Request::CaseCount));
        assert_eq!(
            parse("/runCase", &q(&[("case", "3"), ("agent", "My Client")])),
            Ok(Request::RunCase {
                case: CaseRef::Index(3),
                agent: "My Client".to_owned()
            })
        );
        assert_eq!(
            parse("/runCase", &q(&[("casetuple", "6.4.3"), ("agent", "a")])),
            Ok(Request::RunCase {
                case: CaseRef::Id("6.4.3".parse().unwrap()),
                agent: "a".to_owned()
            })
        );
        assert_eq!(
            parse("/getCaseInfo", &q(&[("case", "1")])),
            Ok(Request::CaseInfo {
                case: CaseRef::Index(1)
            })
        );
        assert_eq!(
            parse("/getCaseStatus", &q(&[("case", "2"), ("agent", "a")])),
            Ok(Request::CaseStatus {
                case: CaseRef::Index(2),
                agent: "a".to_owned()
            })
        );
        assert_eq!(
            parse(
                "/updateReports",
                &q(&[("agent", "a"), ("shutdownOnComplete", "true")])
            ),
            Ok(Request::UpdateReports {
                agent: Some("a".to_owned()),
                shutdown: true
            })
        );
        assert_eq!(
            parse("/updateReports", &[]),
            Ok(Request::UpdateReports {
                agent: None,
                shutdown: false
            })
        );
        assert_eq!(parse("/stopServer", &[]), Ok(Request::StopServer));
    }

    #[test]
    fn refusals() {
        let status =
            |path: &str, query: &[(&str, &str)]| parse(path, &q(query)).unwrap_err().status;
        assert_eq!(status("/", &[]), 404);
        assert_eq!(status("/sendframe", &[]), 404);
        assert_eq!(status("/runCase", &[("case", "1")]), 400);
        assert_eq!(status("/runCase", &[("agent", "a")]), 400);
        assert_eq!(status("/runCase", &[("case", "0"), ("agent", "a")]), 400);
        assert_eq!(status("/runCase", &[("case", "x"), ("agent", "a")]), 400);
        assert_eq!(
            status("/runCase", &[("casetuple", "1.x"), ("agent", "a")]),
            400
        );
        assert_eq!(
            status("/getCaseStatus", &[("case", "1"), ("agent", " ")]),
            400
        );
    }

    #[test]
    fn resolves_numbers_and_ids_among_the_selected() {
        let selected = ampel_cases::select_cases(&["2.*".to_owned()], &["2.1".to_owned()]).unwrap();
        let (n, case) = resolve(&CaseRef::Index(1), &selected).unwrap();
        assert_eq!((n, case.id.to_string()), (1, "2.2".to_owned()));
        let (n, case) = resolve(&CaseRef::Id("2.10".parse().unwrap()), &selected).unwrap();
        assert_eq!((n, case.id.to_string()), (9, "2.10".to_owned()));
        assert_eq!(
            resolve(&CaseRef::Index(11), &selected).unwrap_err().status,
            404
        );
        assert_eq!(
            resolve(&CaseRef::Id("2.1".parse().unwrap()), &selected)
                .unwrap_err()
                .status,
            404
        );
    }

    #[test]
    fn json_replies() {
        let case = ampel_cases::by_id(&"1.1.1".parse().unwrap()).unwrap();
        let info: serde_json::Value = serde_json::from_str(&case_info_json(case)).unwrap();
        assert_eq!(info["id"], "1.1.1");
        assert!(
            info["description"]
                .as_str()
                .is_some_and(|d| !d.contains('<'))
        );
        assert_eq!(
            case_status_json(ampel_cases::Behavior::NonStrict),
            r#"{"behavior":"NON-STRICT"}"#
        );
    }
}
