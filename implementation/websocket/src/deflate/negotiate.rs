//! Choosing parameters: the server picks the first offer it can honour and
//! answers it; the client checks that answer against what it offered.

use super::error::NegotiationError;
use super::params::{
    DeflateParams, Direction, EXTENSION_NAME, MAX_WINDOW_BITS, MIN_WINDOW_BITS, OfferParams,
    WindowBitsRequest,
};
use crate::handshake::ExtensionOffer;

/// What a server accepts and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServerPolicy {
    /// Reset our compression context after every message, even unasked.
    pub server_no_context_takeover: bool,
    /// Ask the client to reset its context after every message.
    pub client_no_context_takeover: bool,
    /// Honour a client's `server_no_context_takeover`; if false, such offers
    /// are declined.
    pub accept_server_no_context_takeover: bool,
    /// The largest window we compress with (answered when below 15).
    pub server_max_window_bits: u8,
    /// Offers asking us for a smaller window than this are declined.
    pub min_server_max_window_bits: u8,
    /// Ask the client to keep to this window; offers without
    /// `client_max_window_bits` cannot honour it and are declined.
    pub client_max_window_bits: Option<u8>,
}

impl Default for ServerPolicy {
    /// Accepts every valid offer, requests nothing.
    fn default() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            accept_server_no_context_takeover: true,
            server_max_window_bits: MAX_WINDOW_BITS,
            min_server_max_window_bits: MIN_WINDOW_BITS,
            client_max_window_bits: None,
        }
    }
}

impl ServerPolicy {
    /// Picks the first permessage-deflate offer (in the client's preference
    /// order) that is valid and acceptable; returns the response extension and
    /// the negotiated parameters, or `None` to decline permessage-deflate.
    pub fn negotiate(&self, offers: &[ExtensionOffer]) -> Option<(ExtensionOffer, DeflateParams)> {
        offers
            .iter()
            .filter(|ext| ext.name.eq_ignore_ascii_case(EXTENSION_NAME))
            .filter_map(|ext| OfferParams::parse_offer(ext).ok())
            .find_map(|offer| self.accept(&offer))
            .map(|(response, params)| (response.to_extension(), params))
    }

    /// The response to one parsed offer, or `None` if we cannot honour it.
    pub fn accept(&self, offer: &OfferParams) -> Option<(OfferParams, DeflateParams)> {
        if offer.server_no_context_takeover && !self.accept_server_no_context_takeover {
            return None;
        }
        let ours = self
            .server_max_window_bits
            .clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS);
        let (server_answer, server_bits) = match offer.server_max_window_bits {
            Some(limit) if limit < self.min_server_max_window_bits => return None,
            Some(limit) => (Some(limit.min(ours)), limit.min(ours)),
            None => ((ours < MAX_WINDOW_BITS).then_some(ours), ours),
        };
        // Never answer client_max_window_bits unless the offer allows it.
        let (client_answer, client_bits) =
            match (self.client_max_window_bits, offer.client_max_window_bits) {
                (_, WindowBitsRequest::Absent) if self.client_max_window_bits.is_some() => {
                    return None;
                }
                (None, WindowBitsRequest::Limit(limit)) => (WindowBitsRequest::Limit(limit), limit),
                (None, _) => (WindowBitsRequest::Absent, MAX_WINDOW_BITS),
                (Some(want), WindowBitsRequest::Limit(limit)) => {
                    let bits = want.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS).min(limit);
                    (WindowBitsRequest::Limit(bits), bits)
                }
                (Some(want), _) => {
                    let bits = want.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS);
                    (WindowBitsRequest::Limit(bits), bits)
                }
            };
        let server_nct = offer.server_no_context_takeover || self.server_no_context_takeover;
        let client_nct = offer.client_no_context_takeover || self.client_no_context_takeover;
        let response = OfferParams {
            server_no_context_takeover: server_nct,
            client_no_context_takeover: client_nct,
            server_max_window_bits: server_answer,
            client_max_window_bits: client_answer,
        };
        let params = DeflateParams {
            client: Direction {
                no_context_takeover: client_nct,
                window_bits: client_bits,
            },
            server: Direction {
                no_context_takeover: server_nct,
                window_bits: server_bits,
            },
        };
        Some((response, params))
    }
}

/// A client's permessage-deflate offers, most preferred first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ClientOffers {
    /// The offers, in preference order.
    pub offers: Vec<OfferParams>,
}

impl ClientOffers {
    /// One offer.
    pub fn single(offer: OfferParams) -> Self {
        Self {
            offers: vec![offer],
        }
    }

    /// The offers as extensions for the upgrade request.
    pub fn extensions(&self) -> Vec<ExtensionOffer> {
        self.offers.iter().map(OfferParams::to_extension).collect()
    }

    /// Checks the extensions the server accepted. `Ok(None)`: it declined
    /// permessage-deflate. An error fails the connection (RFC 7692 §5).
    pub fn accept_response(
        &self,
        accepted: &[ExtensionOffer],
    ) -> Result<Option<DeflateParams>, NegotiationError> {
        let mut ours = accepted
            .iter()
            .filter(|ext| ext.name.eq_ignore_ascii_case(EXTENSION_NAME));
        let Some(ext) = ours.next() else {
            return Ok(None);
        };
        let extra = ours.count();
        if extra > 0 {
            return Err(NegotiationError::MultipleResponses { count: extra + 1 });
        }
        let response = OfferParams::parse_response(ext)?;
        let mut first_error = None;
        for offer in &self.offers {
            match answers(offer, &response) {
                Ok(params) => return Ok(Some(params)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        // No offers: nothing could be answered, so any parameter is unexpected.
        Err(first_error.unwrap_or(NegotiationError::WrongExtension {
            name: ext.name.clone(),
        }))
    }
}

/// The parameters if `response` is a valid answer to `offer`.
fn answers(offer: &OfferParams, response: &OfferParams) -> Result<DeflateParams, NegotiationError> {
    const SERVER_NCT: &str = "server_no_context_takeover";
    const SERVER_MWB: &str = "server_max_window_bits";
    const CLIENT_MWB: &str = "client_max_window_bits";
    if offer.server_no_context_takeover && !response.server_no_context_takeover {
        return Err(NegotiationError::Unanswered { name: SERVER_NCT });
    }
    let server_bits = match (
        response.server_max_window_bits,
        offer.server_max_window_bits,
    ) {
        (None, Some(_)) => return Err(NegotiationError::Unanswered { name: SERVER_MWB }),
        (None, None) => MAX_WINDOW_BITS,
        (Some(bits), Some(limit)) if bits > limit => {
            return Err(NegotiationError::WindowAboveOffer {
                name: SERVER_MWB,
                bits,
            });
        }
        (Some(bits), _) => bits,
    };
    let client_bits = match (
        response.client_max_window_bits,
        offer.client_max_window_bits,
    ) {
        (WindowBitsRequest::Limit(_), WindowBitsRequest::Absent) => {
            return Err(NegotiationError::NotOffered { name: CLIENT_MWB });
        }
        (WindowBitsRequest::Limit(bits), WindowBitsRequest::Limit(limit)) if bits > limit => {
            return Err(NegotiationError::WindowAboveOffer {
                name: CLIENT_MWB,
                bits,
            });
        }
        (WindowBitsRequest::Limit(bits), _) => bits,
        (_, WindowBitsRequest::Limit(limit)) => limit,
        _ => MAX_WINDOW_BITS,
    };
    Ok(DeflateParams {
        client: Direction {
            no_context_takeover: offer.client_no_context_takeover
                || response.client_no_context_takeover,
            window_bits: client_bits,
        },
        server: Direction {
            no_context_takeover: response.server_no_context_takeover,
            window_bits: server_bits,
        },
    })
}
