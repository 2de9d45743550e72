//! Section 13 — permessage-deflate parameters. RFC 7692 §7.1: context takeover
//! (`*_no_context_takeover`) and the LZ77 window (`*_max_window_bits`, 8-15) are negotiated
//! per direction; a client may offer several parameter sets in preference order. Every case
//! echoes 1000 windows of the JSON data set under one negotiation, as section 12 does.
//!
//! As client the harness sends the set's offers; as server it answers with the set's rules
//! ([`DeflateAccept`]), and when no rule applies nothing is negotiated (UNIMPLEMENTED).
//! Autobahn used 8 window bits up to v0.8.1 and 9 since, because zlib cannot compress with a
//! 256-byte window; 9 is used here.

use super::c12_deflate_data::{DEFAULT_OFFER, MESSAGES, ROWS, deflate_case};
use crate::case::{Case, DeflateAccept, HandshakeOffer};
use crate::corpus::DataSet;

/// One parameter set: (offer suffix added to the default offer, the server rule).
struct ParamSet {
    server_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
}

impl ParamSet {
    const fn new(server_no_context_takeover: bool, server_max_window_bits: Option<u8>) -> Self {
        Self {
            server_no_context_takeover,
            server_max_window_bits,
        }
    }

    /// The client offer: the default one plus the server parameters requested.
    fn offer(&self) -> String {
        let mut offer = DEFAULT_OFFER.to_owned();
        if self.server_no_context_takeover {
            offer.push_str("; server_no_context_takeover");
        }
        if let Some(bits) = self.server_max_window_bits {
            offer.push_str(&format!("; server_max_window_bits={bits}"));
        }
        offer
    }

    /// The server rule: the same requests, made of the client.
    fn accept(&self) -> DeflateAccept {
        DeflateAccept {
            client_no_context_takeover: self.server_no_context_takeover,
            client_max_window_bits: self.server_max_window_bits,
        }
    }
}

/// 13.1-13.6 each use one set; 13.7 offers and tries 13.5's, 13.2's and 13.1's in that order.
const SETS: [ParamSet; 6] = [
    ParamSet::new(false, None),
    ParamSet::new(true, None),
    ParamSet::new(false, Some(9)),
    ParamSet::new(false, Some(15)),
    ParamSet::new(true, Some(9)),
    ParamSet::new(true, Some(15)),
];

fn negotiation(sets: &[&ParamSet]) -> (String, HandshakeOffer) {
    let offers: Vec<String> = sets.iter().map(|s| s.offer()).collect();
    let text = if offers.len() == 1 {
        format!("offer \"{}\"", offers.join(""))
    } else {
        format!("offers, in order: \"{}\"", offers.join("\", \""))
    };
    (
        text,
        HandshakeOffer {
            extensions: offers,
            deflate_accept: sets.iter().map(|s| s.accept()).collect(),
            deflate_answer: None,
        },
    )
}

pub(super) fn cases(out: &mut Vec<Case>) {
    let [s1, s2, _, _, s5, _] = &SETS;
    let mut families: Vec<Vec<&ParamSet>> = SETS.iter().map(|s| vec![s]).collect();
    families.push(vec![s5, s2, s1]);
    for (j, family) in (1u32..).zip(&families) {
        let (text, handshake) = negotiation(family);
        for (i, row) in (1u32..).zip(ROWS) {
            out.push(deflate_case(
                &[13, j, i],
                DataSet::Json,
                row,
                MESSAGES,
                (&text, handshake.clone()),
            ));
        }
    }
}
