//! Autobahn spec files: `fuzzingclient.json` (test-server mode) and `fuzzingserver.json`
//! (test-client mode).
//!
//! Keys Ampel understands are typed; anything else is kept so it can be reported as a
//! warning rather than silently ignored. Autobahn engine `options` change how its fuzzer
//! behaves; Ampel's behaviour is fixed, so an option is accepted silently only when its value
//! is the one Ampel implements ([`FIXED_OPTIONS`]) and warned about otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// Why a spec file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read spec file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or a key has the wrong type.
    #[error("spec file {path} is invalid: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error (with line and column).
        source: serde_json::Error,
    },
}

/// One entry of `fuzzingclient.json`'s `servers`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerEntry {
    /// The server's URL (`ws://` or `wss://`).
    pub url: String,
    /// The report name; else the server's `Server` header, else `UnknownServer`.
    #[serde(default)]
    pub agent: Option<String>,
    /// TLS server name (SNI) to use instead of the URL's host.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Per-server engine options.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// Keys Ampel does not use.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `fuzzingclient.json`: Ampel connects to servers under test.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ClientSpec {
    /// Servers under test.
    #[serde(default)]
    pub servers: Vec<ServerEntry>,
    /// Report directory.
    #[serde(default)]
    pub outdir: Option<PathBuf>,
    /// Case patterns to run.
    #[serde(default)]
    pub cases: Option<Vec<String>>,
    /// Case patterns to leave out.
    #[serde(default, rename = "exclude-cases")]
    pub exclude_cases: Vec<String>,
    /// Agent pattern → case patterns to leave out for matching agents.
    #[serde(default, rename = "exclude-agent-cases")]
    pub exclude_agent_cases: BTreeMap<String, Vec<String>>,
    /// Global engine options.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// Keys Ampel does not use.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// `fuzzingserver.json`: clients under test connect to Ampel.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ServerSpec {
    /// Where to listen, e.g. `ws://127.0.0.1:9001`.
    #[serde(default)]
    pub url: Option<String>,
    /// Report directory.
    #[serde(default)]
    pub outdir: Option<PathBuf>,
    /// Case patterns to run.
    #[serde(default)]
    pub cases: Option<Vec<String>>,
    /// Case patterns to leave out.
    #[serde(default, rename = "exclude-cases")]
    pub exclude_cases: Vec<String>,
    /// Agent pattern → case patterns to leave out for matching agents.
    #[serde(default, rename = "exclude-agent-cases")]
    pub exclude_agent_cases: BTreeMap<String, Vec<String>>,
    /// Engine options.
    #[serde(default)]
    pub options: BTreeMap<String, Value>,
    /// Keys Ampel does not use.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// Autobahn engine options at the values Ampel's fixed behaviour corresponds to. Ampel
/// honours these (and only these) values; any other option or value is ignored with a
/// warning, because it would change what Autobahn grades.
pub const FIXED_OPTIONS: &[(&str, FixedValue)] = &[
    ("failByDrop", FixedValue::Bool(false)),
    ("tcpNoDelay", FixedValue::Bool(true)),
    ("utf8validateIncoming", FixedValue::Bool(true)),
    ("applyMask", FixedValue::Bool(true)),
    ("maskClientFrames", FixedValue::Bool(true)),
    ("acceptMaskedServerFrames", FixedValue::Bool(false)),
    ("requireMaskedClientFrames", FixedValue::Bool(true)),
    ("maskServerFrames", FixedValue::Bool(false)),
    ("echoCloseCodeReason", FixedValue::Bool(false)),
    ("version", FixedValue::Int(18)),
    ("autoFragmentSize", FixedValue::Int(0)),
    ("openHandshakeTimeout", FixedValue::Int(5)),
    ("closeHandshakeTimeout", FixedValue::Int(1)),
    ("serverConnectionDropTimeout", FixedValue::Int(1)),
];

/// A value in [`FIXED_OPTIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedValue {
    /// A boolean.
    Bool(bool),
    /// An integer (also matched by an equal float, as Python writes `5.0`).
    Int(i64),
}

impl FixedValue {
    fn matches(self, value: &Value) -> bool {
        match (self, value) {
            (Self::Bool(b), Value::Bool(v)) => b == *v,
            (Self::Int(i), Value::Number(n)) => {
                n.as_i64() == Some(i) || n.as_f64().is_some_and(|f| f == i as f64)
            }
            _ => false,
        }
    }

    fn show(self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
        }
    }
}

/// Keys Autobahn knows but Ampel does not use, with what Ampel does instead.
const IGNORED_KEYS: &[(&str, &str)] = &[
    (
        "webport",
        "Autobahn ignores it too; Ampel serves no web pages",
    ),
    (
        "protocols",
        "Ampel offers and selects no subprotocol, as Autobahn's fuzzer",
    ),
    ("origin", "Ampel sends no Origin header"),
    (
        "key",
        "serving wss:// is not supported; put a TLS proxy in front",
    ),
    (
        "cert",
        "serving wss:// is not supported; put a TLS proxy in front",
    ),
];

/// Reads and parses a spec file.
pub fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SpecError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Warnings about the options of one scope (`where_` names it, e.g. `options` or
/// `servers[0].options`).
pub fn option_warnings(where_: &str, options: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, value) in options {
        let fixed = FIXED_OPTIONS.iter().find(|(n, _)| n == name);
        match fixed {
            Some((_, want)) if want.matches(value) => {}
            Some((_, want)) => out.push(format!(
                "{where_}: option {name}={value} is ignored: Ampel always behaves as {name}={}",
                want.show()
            )),
            None => out.push(format!(
                "{where_}: option {name} is not supported and is ignored (Ampel honours only: {})",
                honoured_list()
            )),
        }
    }
    out
}

fn honoured_list() -> String {
    let parts: Vec<String> = FIXED_OPTIONS
        .iter()
        .map(|(n, v)| format!("{n}={}", v.show()))
        .collect();
    parts.join(", ")
}

fn key_warnings(where_: &str, other: &BTreeMap<String, Value>) -> Vec<String> {
    other
        .keys()
        .map(|key| match IGNORED_KEYS.iter().find(|(k, _)| k == key) {
            Some((_, why)) => format!("{where_}key {key:?} is ignored: {why}"),
            None => format!("{where_}unknown key {key:?} is ignored"),
        })
        .collect()
}

impl ClientSpec {
    /// Everything in the file that Ampel ignores, one warning each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = key_warnings("", &self.other);
        out.extend(option_warnings("options", &self.options));
        for (i, server) in self.servers.iter().enumerate() {
            out.extend(key_warnings(&format!("servers[{i}]: "), &server.other));
            out.extend(option_warnings(
                &format!("servers[{i}].options"),
                &server.options,
            ));
        }
        out
    }
}

impl ServerSpec {
    /// Everything in the file that Ampel ignores, one warning each.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = key_warnings("", &self.other);
        out.extend(option_warnings("options", &self.options));
        out
    }

    /// The address to listen on, from `url` (`ws://host:port`).
    pub fn listen_addr(&self) -> Option<Result<String, String>> {
        self.url.as_deref().map(listen_addr_of)
    }
}

/// The `host:port` of a `ws://` URL (default port 80); `wss://` is refused because serving
/// TLS is not supported.
pub fn listen_addr_of(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("spec url {url:?} is invalid: {e}"))?;
    if parsed.scheme() != "ws" {
        return Err(format!(
            "spec url {url:?}: only ws:// can be served (wss:// needs a TLS proxy in front)"
        ));
    }
    let host = match parsed.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => return Err(format!("spec url {url:?} has no host")),
    };
    Ok(format!("{host}:{}", parsed.port().unwrap_or(80)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_fuzzingclient_spec() {
        let json = r#"{
            "options": {"failByDrop": false},
            "outdir": "./reports/servers",
            "servers": [
                {"agent": "MyServer", "url": "ws://127.0.0.1:9001", "options": {"version": 18}},
                {"url": "wss://example.test:443", "hostname": "sni.test", "origin": "x"}
            ],
            "cases": ["*"],
            "exclude-cases": ["9.*", "12.*", "13.*"],
            "exclude-agent-cases": {"MyServer": ["6.4.*"]}
        }"#;
        let spec: ClientSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.servers.len(), 2);
        assert_eq!(spec.servers[0].agent.as_deref(), Some("MyServer"));
        assert_eq!(spec.servers[1].hostname.as_deref(), Some("sni.test"));
        assert_eq!(spec.cases, Some(vec!["*".to_owned()]));
        assert_eq!(spec.exclude_cases, ["9.*", "12.*", "13.*"]);
        assert_eq!(spec.exclude_agent_cases["MyServer"], ["6.4.*"]);
        assert_eq!(spec.outdir, Some(PathBuf::from("./reports/servers")));
        let warnings = spec.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("servers[1]: key \"origin\""));
    }

    #[test]
    fn parses_a_fuzzingserver_spec() {
        let json = r#"{
            "url": "ws://127.0.0.1:9001",
            "outdir": "./reports/clients",
            "webport": 8080,
            "cases": ["1.*"],
            "exclude-cases": [],
            "exclude-agent-cases": {}
        }"#;
        let spec: ServerSpec = serde_json::from_str(json).unwrap();
        assert_eq!(spec.listen_addr(), Some(Ok("127.0.0.1:9001".to_owned())));
        let warnings = spec.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("webport"));
    }

    #[test]
    fn warns_about_options_ampel_cannot_honour() {
        let mut options = BTreeMap::new();
        options.insert("failByDrop".to_owned(), Value::Bool(true));
        options.insert("openHandshakeTimeout".to_owned(), serde_json::json!(5.0));
        options.insert("autoPingInterval".to_owned(), serde_json::json!(10));
        let warnings = option_warnings("options", &options);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("autoPingInterval is not supported"));
        assert!(warnings[0].contains("failByDrop=false"));
        assert!(warnings[1].contains("failByDrop=true is ignored"));
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_addr_of("ws://0.0.0.0:9001").unwrap(), "0.0.0.0:9001");
        assert_eq!(listen_addr_of("ws://[::1]:9001").unwrap(), "[::1]:9001");
        assert_eq!(listen_addr_of("ws://localhost").unwrap(), "localhost:80");
        assert!(listen_addr_of("wss://127.0.0.1:9001").is_err());
        assert!(listen_addr_of("not a url").is_err());
    }

    #[test]
    fn reports_bad_files_precisely() {
        let dir = std::env::temp_dir().join(format!("ampel-spec-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{\"servers\": [{\"agent\": \"x\"}]}").unwrap();
        let err = load::<ClientSpec>(&bad).unwrap_err();
        assert!(matches!(err, SpecError::Parse { .. }));
        assert!(err.to_string().contains("missing field `url`"), "{err}");
        std::fs::write(&bad, "{\"cases\": \"*\"}").unwrap();
        assert!(matches!(
            load::<ServerSpec>(&bad),
            Err(SpecError::Parse { .. })
        ));
        let missing = dir.join("missing.json");
        assert!(matches!(
            load::<ServerSpec>(&missing),
            Err(SpecError::Read { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
