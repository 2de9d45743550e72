//! URI patterns of pattern-based subscriptions and registrations
//! (`advanced/pubsub_pattern_based_subscription.md`, `advanced/rpc_pattern_based_registration.md`),
//! shared by the broker, the dealer and the router's permission rules.
//!
//! - exact: the URI itself;
//! - prefix: the URI itself or any URI that continues it with more components. The spec's
//!   introductory example also lets `com.myapp.myobject1` match `com.myapp.myobject1-mysub`
//!   (a string prefix), but its normative selection examples need whole components: with
//!   string prefixes, `a1.b2.c3` would match `a1.b2.c33.d4.e5`, which the spec routes to a
//!   wildcard registration ("no prefix match"). We follow the normative algorithm;
//! - wildcard: an empty component matches any one component; the component count must agree.
//!
//! When several patterns match, [`Pattern::precedence`] orders them as the dealer's selection
//! algorithm says: exact, then the longest prefix, then the wildcard whose runs of literal
//! components are longest, compared run by run from the left.

use std::cmp::Ordering;
use std::fmt;

use crate::uri::{Uri, UriError, UriRule};
use crate::value::{Dict, Value};

/// SUBSCRIBE/REGISTER `Options.match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum MatchPolicy {
    /// The default.
    #[default]
    Exact,
    /// `prefix`.
    Prefix,
    /// `wildcard`.
    Wildcard,
}

impl MatchPolicy {
    /// The policy in `options.match` (absent means exact); `None` for any other value.
    pub fn from_options(options: &Dict) -> Option<MatchPolicy> {
        match options.get("match") {
            None => Some(MatchPolicy::Exact),
            Some(Value::Str(s)) => MatchPolicy::parse(s),
            Some(_) => None,
        }
    }

    /// `exact`, `prefix` or `wildcard`.
    pub fn parse(s: &str) -> Option<MatchPolicy> {
        match s {
            "exact" => Some(MatchPolicy::Exact),
            "prefix" => Some(MatchPolicy::Prefix),
            "wildcard" => Some(MatchPolicy::Wildcard),
            _ => None,
        }
    }

    /// The option's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchPolicy::Exact => "exact",
            MatchPolicy::Prefix => "prefix",
            MatchPolicy::Wildcard => "wildcard",
        }
    }
}

impl fmt::Display for MatchPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A URI with its match policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pattern {
    /// The URI as given (with empty components for wildcards).
    pub uri: Uri,
    /// How it matches.
    pub policy: MatchPolicy,
}

/// How well a pattern matches one URI; greater is better (see [`Pattern::precedence`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precedence {
    /// Lengths of the runs of literal components, left to right.
    Wildcard(Vec<usize>),
    /// Number of components in the prefix.
    Prefix(usize),
    /// The URI itself.
    Exact,
}

impl Pattern {
    /// An exact pattern.
    pub fn exact(uri: Uri) -> Pattern {
        Pattern {
            uri,
            policy: MatchPolicy::Exact,
        }
    }

    /// Checks the URI under `rule`: empty components only in wildcard patterns.
    pub fn check(&self, rule: UriRule) -> Result<(), UriError> {
        match self.policy {
            MatchPolicy::Wildcard => self.uri.check_pattern(rule),
            MatchPolicy::Exact | MatchPolicy::Prefix => self.uri.check(rule),
        }
    }

    /// Whether `uri` matches.
    pub fn matches(&self, uri: &Uri) -> bool {
        self.precedence(uri).is_some()
    }

    /// How well `uri` matches, or `None` if it does not.
    pub fn precedence(&self, uri: &Uri) -> Option<Precedence> {
        let (pattern, uri) = (self.uri.as_str(), uri.as_str());
        match self.policy {
            MatchPolicy::Exact => (pattern == uri).then_some(Precedence::Exact),
            // The empty prefix has no components, so every URI continues it.
            MatchPolicy::Prefix if pattern.is_empty() => Some(Precedence::Prefix(0)),
            MatchPolicy::Prefix => {
                let rest = uri.strip_prefix(pattern)?;
                (rest.is_empty() || rest.starts_with('.'))
                    .then(|| Precedence::Prefix(pattern.split('.').count()))
            }
            MatchPolicy::Wildcard => {
                let mut parts = pattern.split('.');
                let mut given = uri.split('.');
                let mut runs = vec![0];
                loop {
                    match (parts.next(), given.next()) {
                        (None, None) => break,
                        (Some(""), Some(_)) => runs.push(0),
                        (Some(p), Some(g)) if p == g => *runs.last_mut()? += 1,
                        _ => return None,
                    }
                }
                Some(Precedence::Wildcard(runs))
            }
        }
    }
}

/// The best of `candidates` for `uri` by the dealer's selection rules; ties keep the first.
pub fn best_match<'a, T>(
    uri: &Uri,
    candidates: impl IntoIterator<Item = (&'a Pattern, T)>,
) -> Option<T> {
    let mut best: Option<(Precedence, T)> = None;
    for (pattern, item) in candidates {
        let Some(p) = pattern.precedence(uri) else {
            continue;
        };
        let better = best
            .as_ref()
            .is_none_or(|(b, _)| p.cmp(b) == Ordering::Greater);
        if better {
            best = Some((p, item));
        }
    }
    best.map(|(_, item)| item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(uri: &str, policy: MatchPolicy) -> Pattern {
        Pattern {
            uri: Uri::from(uri),
            policy,
        }
    }

    #[test]
    fn prefix_matches_whole_components() {
        let p = pattern("com.myapp.myobject1", MatchPolicy::Prefix);
        for uri in [
            "com.myapp.myobject1.myprocedure1",
            "com.myapp.myobject1.mysubobject1.myprocedure1",
            "com.myapp.myobject1",
        ] {
            assert!(p.matches(&Uri::from(uri)), "{uri}");
        }
        let everything = pattern("", MatchPolicy::Prefix);
        assert!(everything.matches(&Uri::from("com.x")) && everything.matches(&Uri::from("a")));
        let both = Uri::from("com.myapp.myobject1.x");
        assert!(everything.precedence(&both) < p.precedence(&both));
        for uri in [
            "com.myapp.myobject2",
            "com.myapp.myobject",
            "com.myapp.myobject1-mysubobject1",
        ] {
            assert!(!p.matches(&Uri::from(uri)), "{uri}");
        }
    }

    #[test]
    fn wildcard_matches_whole_components() {
        let p = pattern("com.myapp..myprocedure1", MatchPolicy::Wildcard);
        for uri in [
            "com.myapp.myobject1.myprocedure1",
            "com.myapp.myobject2.myprocedure1",
        ] {
            assert!(p.matches(&Uri::from(uri)), "{uri}");
        }
        for uri in [
            "com.myapp.myobject1.myprocedure1.mysubprocedure1",
            "com.myapp.myobject1.myprocedure2",
            "com.myapp2.myobject1.myprocedure1",
        ] {
            assert!(!p.matches(&Uri::from(uri)), "{uri}");
        }
    }

    /// The seven worked examples of `advanced/rpc_pattern_based_registration.md`.
    #[test]
    fn selection_follows_the_spec_examples() {
        use MatchPolicy::*;
        let registered = [
            pattern("a1.b2.c3.d4.e55", Exact),
            pattern("a1.b2.c3", Prefix),
            pattern("a1.b2.c3.d4", Prefix),
            pattern("a1.b2..d4.e5", Wildcard),
            pattern("a1.b2.c33..e5", Wildcard),
            pattern("a1.b2..d4.e5..g7", Wildcard),
            pattern("a1.b2..d4..f6.g7", Wildcard),
        ];
        let select = |uri: &str| {
            best_match(
                &Uri::from(uri),
                registered.iter().enumerate().map(|(i, p)| (p, i + 1)),
            )
        };
        assert_eq!(select("a1.b2.c3.d4.e55"), Some(1));
        assert_eq!(select("a1.b2.c3.d98.e74"), Some(2));
        assert_eq!(select("a1.b2.c3.d4.e325"), Some(3));
        assert_eq!(select("a1.b2.c55.d4.e5"), Some(4));
        assert_eq!(select("a1.b2.c33.d4.e5"), Some(5));
        assert_eq!(select("a1.b2.c88.d4.e5.f6.g7"), Some(6));
        assert_eq!(select("a2.b2.c2.d2.e2"), None);
    }

    #[test]
    fn match_option() {
        let opts = |v: Value| Dict::from([("match".to_owned(), v)]);
        assert_eq!(
            MatchPolicy::from_options(&Dict::new()),
            Some(MatchPolicy::Exact)
        );
        assert_eq!(
            MatchPolicy::from_options(&opts(Value::from("wildcard"))),
            Some(MatchPolicy::Wildcard)
        );
        assert_eq!(MatchPolicy::from_options(&opts(Value::from("regex"))), None);
        assert_eq!(MatchPolicy::from_options(&opts(Value::Bool(true))), None);
    }
}
