//! Property tests: extension and subprotocol lists survive rendering and
//! re-parsing, whitespace and quoting do not change the parse, and arbitrary
//! text never panics the parsers.

use ampel_websocket::handshake::{
    ExtensionOffer, format_extensions, format_subprotocols, is_token, parse_extensions,
    parse_subprotocols,
};
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn extension() -> impl Strategy<Value = ExtensionOffer> {
    (
        token(),
        prop::collection::vec((token(), prop::option::of(token())), 0..4),
    )
        .prop_map(|(name, params)| ExtensionOffer { name, params })
}

/// Renders with arbitrary optional whitespace and quoting, as peers may.
fn render_loosely(list: &[ExtensionOffer], ws: &[bool]) -> String {
    let mut flags = ws.iter().copied().cycle();
    let mut sp = || {
        if flags.next().unwrap_or(false) {
            " \t"
        } else {
            ""
        }
    };
    let mut out = String::new();
    for (n, ext) in list.iter().enumerate() {
        if n > 0 {
            out += &format!("{},{}", sp(), sp());
        }
        out += &ext.name;
        for (name, value) in &ext.params {
            out += &format!("{};{}{}", sp(), sp(), name);
            if let Some(value) = value {
                // Quote (escaping every character) or not, by the same coin.
                if sp().is_empty() {
                    out += &format!("{}={}{}", sp(), sp(), value);
                } else {
                    let escaped: String = value.chars().flat_map(|c| ['\\', c]).collect();
                    out += &format!("=\"{escaped}\"");
                }
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn extension_round_trip(list in prop::collection::vec(extension(), 1..5)) {
        let text = format_extensions(&list).unwrap();
        let mut parsed = Vec::new();
        parse_extensions(&text, &mut parsed).unwrap();
        prop_assert_eq!(parsed, list);
    }

    #[test]
    fn extension_loose_rendering(
        list in prop::collection::vec(extension(), 1..5),
        ws in prop::collection::vec(any::<bool>(), 1..16),
    ) {
        let text = render_loosely(&list, &ws);
        let mut parsed = Vec::new();
        parse_extensions(&text, &mut parsed).unwrap();
        prop_assert_eq!(parsed, list);
    }

    #[test]
    fn extension_lines_combine(
        a in prop::collection::vec(extension(), 1..4),
        b in prop::collection::vec(extension(), 1..4),
    ) {
        let mut parsed = Vec::new();
        parse_extensions(&format_extensions(&a).unwrap(), &mut parsed).unwrap();
        parse_extensions(&format_extensions(&b).unwrap(), &mut parsed).unwrap();
        prop_assert_eq!(parsed, [a, b].concat());
    }

    #[test]
    fn subprotocol_round_trip(list in prop::collection::btree_set(token(), 1..6)) {
        let list: Vec<String> = list.into_iter().collect();
        let text = format_subprotocols(&list).unwrap();
        let mut parsed = Vec::new();
        parse_subprotocols(&text, &mut parsed).unwrap();
        prop_assert_eq!(parsed, list);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\t]{0,64}|\\PC{0,32}") {
        let mut exts = Vec::new();
        if parse_extensions(&text, &mut exts).is_ok() {
            // Whatever parses is tokens only and renders back to the same list.
            prop_assert!(!exts.is_empty());
            let again = format_extensions(&exts).unwrap();
            let mut reparsed = Vec::new();
            parse_extensions(&again, &mut reparsed).unwrap();
            prop_assert_eq!(reparsed, exts);
        }
        let mut protocols = Vec::new();
        if parse_subprotocols(&text, &mut protocols).is_ok() {
            prop_assert!(protocols.iter().all(|p| is_token(p)));
        }
    }
}
