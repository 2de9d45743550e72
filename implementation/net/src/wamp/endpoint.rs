//! WAMP endpoint URLs: `ws://host:port/path`, `wss://…` and `rawsocket://host:port`.

use std::fmt;
use std::str::FromStr;

use super::Error;

/// Where a client connects or a router listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `rawsocket://host:port`: RawSocket over TCP.
    RawSocket {
        /// Host name or IP address (IPv6 without brackets).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// `ws://…` or `wss://…`.
    WebSocket(url::Url),
}

impl Endpoint {
    /// `host:port` for connecting or binding (IPv6 hosts in brackets).
    pub fn authority(&self) -> String {
        match self {
            Endpoint::RawSocket { host, port } => join_host_port(host, *port),
            Endpoint::WebSocket(url) => {
                let host = url.host_str().unwrap_or_default();
                let host = host.trim_start_matches('[').trim_end_matches(']');
                join_host_port(host, url.port_or_known_default().unwrap_or(80))
            }
        }
    }
}

fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl FromStr for Endpoint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Endpoint, Error> {
        let invalid = |reason| Error::InvalidUrl {
            url: s.to_owned(),
            reason,
        };
        let url = url::Url::parse(s).map_err(|_| invalid("not a URL"))?;
        match url.scheme() {
            "ws" | "wss" => {
                if url.host_str().is_none() {
                    return Err(invalid("no host"));
                }
                Ok(Endpoint::WebSocket(url))
            }
            "rawsocket" | "tcp" => {
                let host = url.host_str().ok_or_else(|| invalid("no host"))?;
                let port = url
                    .port()
                    .ok_or_else(|| invalid("RawSocket URLs need a port"))?;
                if !matches!(url.path(), "" | "/") || url.query().is_some() {
                    return Err(invalid("RawSocket URLs have no path or query"));
                }
                let host = host.trim_start_matches('[').trim_end_matches(']');
                Ok(Endpoint::RawSocket {
                    host: host.to_owned(),
                    port,
                })
            }
            _ => Err(invalid("scheme must be ws, wss or rawsocket")),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::RawSocket { .. } => write!(f, "rawsocket://{}", self.authority()),
            Endpoint::WebSocket(url) => url.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let e: Endpoint = "rawsocket://127.0.0.1:8081".parse().unwrap();
        assert_eq!(
            e,
            Endpoint::RawSocket {
                host: "127.0.0.1".into(),
                port: 8081
            }
        );
        assert_eq!(e.to_string(), "rawsocket://127.0.0.1:8081");
        let e: Endpoint = "rawsocket://[::1]:9".parse().unwrap();
        assert_eq!(e.authority(), "[::1]:9");
        let e: Endpoint = "ws://127.0.0.1:8080/ws".parse().unwrap();
        assert_eq!(e.authority(), "127.0.0.1:8080");
        let e: Endpoint = "ws://localhost/ws".parse().unwrap();
        assert_eq!(e.authority(), "localhost:80");
        for bad in [
            "rawsocket://127.0.0.1",
            "rawsocket://127.0.0.1:1/x",
            "http://x:1",
            "nonsense",
            "rawsocket://:1",
        ] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad}");
        }
    }
}
