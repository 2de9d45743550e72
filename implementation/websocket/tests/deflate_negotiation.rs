//! permessage-deflate negotiation (RFC 7692 §7.1) for both roles: every
//! parameter, every invalid form, offers in preference order.

use ampel_websocket::deflate::{
    ClientOffers, DeflateParams, Direction, NegotiationError, OfferParams, ServerPolicy,
    WindowBitsRequest,
};
use ampel_websocket::handshake::{ExtensionOffer, format_extensions, parse_extensions};

fn exts(header: &str) -> Vec<ExtensionOffer> {
    let mut out = Vec::new();
    parse_extensions(header, &mut out).unwrap();
    out
}

fn dir(no_context_takeover: bool, window_bits: u8) -> Direction {
    Direction {
        no_context_takeover,
        window_bits,
    }
}

fn params(client: Direction, server: Direction) -> DeflateParams {
    DeflateParams { client, server }
}

/// Server with the default policy: (offer header, response header or None
/// for declined, negotiated client/server directions).
#[test]
fn server_accepts_with_default_policy() {
    let d = dir(false, 15);
    let table: &[(&str, Option<&str>, DeflateParams)] = &[
        (
            "permessage-deflate",
            Some("permessage-deflate"),
            params(d, d),
        ),
        (
            "permessage-deflate; server_no_context_takeover",
            Some("permessage-deflate; server_no_context_takeover"),
            params(d, dir(true, 15)),
        ),
        (
            "permessage-deflate; client_no_context_takeover",
            Some("permessage-deflate; client_no_context_takeover"),
            params(dir(true, 15), d),
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            Some("permessage-deflate; server_max_window_bits=10"),
            params(d, dir(false, 10)),
        ),
        (
            "permessage-deflate; server_max_window_bits=\"8\"",
            Some("permessage-deflate; server_max_window_bits=8"),
            params(d, dir(false, 8)),
        ),
        // Without a policy limit the server does not answer a bare client_max_window_bits.
        (
            "permessage-deflate; client_max_window_bits",
            Some("permessage-deflate"),
            params(d, d),
        ),
        (
            "permessage-deflate; client_max_window_bits=9",
            Some("permessage-deflate; client_max_window_bits=9"),
            params(dir(false, 9), d),
        ),
        (
            "permessage-deflate; Server_No_Context_Takeover; CLIENT_MAX_WINDOW_BITS=12",
            Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=12"),
            params(dir(false, 12), dir(true, 15)),
        ),
        // Invalid offers are declined, never answered.
        ("permessage-deflate; server_max_window_bits", None, d0()),
        ("permessage-deflate; server_max_window_bits=7", None, d0()),
        ("permessage-deflate; server_max_window_bits=16", None, d0()),
        ("permessage-deflate; server_max_window_bits=08", None, d0()),
        ("permessage-deflate; server_max_window_bits=1a", None, d0()),
        ("permessage-deflate; client_max_window_bits=0", None, d0()),
        ("permessage-deflate; client_max_window_bits=+9", None, d0()),
        (
            "permessage-deflate; server_no_context_takeover=1",
            None,
            d0(),
        ),
        (
            "permessage-deflate; client_no_context_takeover=x",
            None,
            d0(),
        ),
        (
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            None,
            d0(),
        ),
        (
            "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9",
            None,
            d0(),
        ),
        (
            "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
            None,
            d0(),
        ),
        (
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            None,
            d0(),
        ),
        ("permessage-deflate; mux", None, d0()),
        ("x-webkit-deflate-frame", None, d0()),
    ];
    for (offer, response, expected) in table {
        let got = ServerPolicy::default().negotiate(&exts(offer));
        match response {
            None => assert_eq!(got, None, "{offer}"),
            Some(response) => {
                let (ext, negotiated) = got.unwrap_or_else(|| panic!("declined {offer}"));
                assert_eq!(format_extensions(&[ext]).unwrap(), *response, "{offer}");
                assert_eq!(negotiated, *expected, "{offer}");
            }
        }
    }
}

fn d0() -> DeflateParams {
    DeflateParams::default()
}

/// A policy that requests things: parameters it may add unasked are added,
/// client_max_window_bits only where the offer allows it, and offers it
/// cannot honour are skipped for the next one in preference order.
#[test]
fn server_policy_requests_and_declines() {
    let mut policy = ServerPolicy::default();
    policy.server_no_context_takeover = true;
    policy.client_no_context_takeover = true;
    policy.server_max_window_bits = 12;
    policy.client_max_window_bits = Some(10);
    let table: &[(&str, Option<&str>)] = &[
        // No client_max_window_bits: cannot limit the client, declined.
        ("permessage-deflate", None),
        (
            "permessage-deflate; client_max_window_bits",
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10",
            ),
        ),
        (
            "permessage-deflate; client_max_window_bits=9; server_max_window_bits=14",
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9",
            ),
        ),
        (
            "permessage-deflate; server_max_window_bits=9; client_max_window_bits=15",
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10",
            ),
        ),
        // The first offer is unacceptable, the second is taken.
        (
            "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits",
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=10",
            ),
        ),
        // An invalid first offer is skipped too.
        (
            "permessage-deflate; foo, permessage-deflate; client_max_window_bits=8",
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=8",
            ),
        ),
    ];
    for (offer, response) in table {
        let got = policy
            .negotiate(&exts(offer))
            .map(|(ext, _)| format_extensions(&[ext]).unwrap());
        assert_eq!(got.as_deref(), *response, "{offer}");
    }
    // A server that will not go below 10 bits, or refuses to drop its context.
    let mut strict = ServerPolicy::default();
    strict.min_server_max_window_bits = 10;
    strict.accept_server_no_context_takeover = false;
    assert_eq!(
        strict.negotiate(&exts("permessage-deflate; server_max_window_bits=9")),
        None
    );
    assert!(
        strict
            .negotiate(&exts("permessage-deflate; server_max_window_bits=10"))
            .is_some()
    );
    assert_eq!(
        strict.negotiate(&exts("permessage-deflate; server_no_context_takeover")),
        None
    );
}

/// Every response of the server is valid for the offer it answers: the
/// client derives the same parameters.
#[test]
fn client_agrees_with_server_for_every_window_and_flag() {
    for bits in 8..=15u8 {
        for flags in 0..4u8 {
            let offer = OfferParams {
                server_no_context_takeover: flags & 1 != 0,
                client_no_context_takeover: flags & 2 != 0,
                server_max_window_bits: Some(bits),
                client_max_window_bits: WindowBitsRequest::Any,
            };
            let client = ClientOffers::single(offer);
            let mut policy = ServerPolicy::default();
            policy.client_max_window_bits = Some(bits);
            let (response, server_view) = policy.negotiate(&client.extensions()).unwrap();
            let client_view = client.accept_response(&[response]).unwrap();
            assert_eq!(client_view, Some(server_view), "bits {bits} flags {flags}");
            assert_eq!(server_view.server.window_bits, bits);
            assert_eq!(server_view.client.window_bits, bits);
        }
    }
}

/// The client's checks of the response, against its offers.
#[test]
fn client_validates_response() {
    let offers = ClientOffers {
        offers: vec![
            OfferParams {
                server_max_window_bits: Some(10),
                client_max_window_bits: WindowBitsRequest::Any,
                ..OfferParams::default()
            },
            OfferParams::default(),
        ],
    };
    assert_eq!(
        offers.extensions(),
        exts(
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate"
        )
    );
    let ok: &[(&str, DeflateParams)] = &[
        // Answers the second offer (no server_max_window_bits answered).
        ("permessage-deflate", d0()),
        (
            "permessage-deflate; server_max_window_bits=9",
            params(dir(false, 15), dir(false, 9)),
        ),
        (
            "permessage-deflate; server_max_window_bits=10; client_max_window_bits=8",
            params(dir(false, 8), dir(false, 10)),
        ),
        // Answers the second offer: the server may limit its own window unasked.
        (
            "permessage-deflate; server_max_window_bits=12",
            params(dir(false, 15), dir(false, 12)),
        ),
        (
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            params(dir(true, 15), dir(true, 15)),
        ),
    ];
    for (response, expected) in ok {
        assert_eq!(
            offers.accept_response(&exts(response)),
            Ok(Some(*expected)),
            "{response}"
        );
    }
    assert_eq!(offers.accept_response(&exts("x-other")), Ok(None));
    assert_eq!(offers.accept_response(&[]), Ok(None));
    let bad: &[(&str, NegotiationError)] = &[
        (
            "permessage-deflate; server_max_window_bits=12; client_max_window_bits=8",
            NegotiationError::WindowAboveOffer {
                name: "server_max_window_bits",
                bits: 12,
            },
        ),
        (
            "permessage-deflate; client_max_window_bits",
            NegotiationError::MissingValue {
                name: "client_max_window_bits",
            },
        ),
        (
            "permessage-deflate; client_max_window_bits=10",
            NegotiationError::Unanswered {
                name: "server_max_window_bits",
            },
        ),
        (
            "permessage-deflate; server_max_window_bits",
            NegotiationError::MissingValue {
                name: "server_max_window_bits",
            },
        ),
        (
            "permessage-deflate; server_max_window_bits=16",
            NegotiationError::InvalidWindowBits {
                name: "server_max_window_bits",
                value: "16".into(),
            },
        ),
        (
            "permessage-deflate; client_max_window_bits=7",
            NegotiationError::InvalidWindowBits {
                name: "client_max_window_bits",
                value: "7".into(),
            },
        ),
        (
            "permessage-deflate; server_no_context_takeover=0",
            NegotiationError::UnexpectedValue {
                name: "server_no_context_takeover",
                value: "0".into(),
            },
        ),
        (
            "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
            NegotiationError::DuplicateParameter {
                name: "client_no_context_takeover",
            },
        ),
        (
            "permessage-deflate; foo=1",
            NegotiationError::UnknownParameter { name: "foo".into() },
        ),
        (
            "permessage-deflate, permessage-deflate",
            NegotiationError::MultipleResponses { count: 2 },
        ),
    ];
    for (response, expected) in bad {
        assert_eq!(
            offers.accept_response(&exts(response)).as_ref(),
            Err(expected),
            "{response}"
        );
    }
    // Only one offer, without client_max_window_bits: the server must not answer it.
    let plain = ClientOffers::single(OfferParams::default());
    assert_eq!(
        plain.accept_response(&exts("permessage-deflate; client_max_window_bits=15")),
        Err(NegotiationError::NotOffered {
            name: "client_max_window_bits"
        })
    );
    // A server_no_context_takeover we asked for must be answered.
    let nct = ClientOffers::single(OfferParams {
        server_no_context_takeover: true,
        ..OfferParams::default()
    });
    assert_eq!(
        nct.accept_response(&exts("permessage-deflate")),
        Err(NegotiationError::Unanswered {
            name: "server_no_context_takeover"
        })
    );
    // A client_max_window_bits limit we offered binds us even unanswered.
    let limited = ClientOffers::single(OfferParams {
        client_max_window_bits: WindowBitsRequest::Limit(11),
        ..OfferParams::default()
    });
    assert_eq!(
        limited.accept_response(&exts("permessage-deflate")),
        Ok(Some(params(dir(false, 11), dir(false, 15))))
    );
    assert_eq!(
        limited.accept_response(&exts("permessage-deflate; client_max_window_bits=12")),
        Err(NegotiationError::WindowAboveOffer {
            name: "client_max_window_bits",
            bits: 12
        })
    );
}

/// Offer parsing and rendering round-trip for every parameter form.
#[test]
fn offer_round_trip() {
    for bits in 8..=15u8 {
        for cmwb in [
            WindowBitsRequest::Absent,
            WindowBitsRequest::Any,
            WindowBitsRequest::Limit(bits),
        ] {
            let offer = OfferParams {
                server_no_context_takeover: bits % 2 == 0,
                client_no_context_takeover: bits % 3 == 0,
                server_max_window_bits: (bits > 9).then_some(bits),
                client_max_window_bits: cmwb,
            };
            let text = format_extensions(&[offer.to_extension()]).unwrap();
            let parsed = exts(&text);
            assert_eq!(OfferParams::parse_offer(&parsed[0]), Ok(offer), "{text}");
        }
    }
}
