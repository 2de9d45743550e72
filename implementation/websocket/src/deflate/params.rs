//! The RFC 7692 §7.1 parameters as values: what an offer or a response says,
//! and what was negotiated for each direction.

use super::error::NegotiationError;
use crate::handshake::ExtensionOffer;
use crate::validate::Role;

/// The extension token.
pub const EXTENSION_NAME: &str = "permessage-deflate";
/// The smallest LZ77 window RFC 7692 allows (256 bytes).
pub const MIN_WINDOW_BITS: u8 = 8;
/// The largest (and default) LZ77 window (32 KiB).
pub const MAX_WINDOW_BITS: u8 = 15;

const SERVER_NCT: &str = "server_no_context_takeover";
const CLIENT_NCT: &str = "client_no_context_takeover";
const SERVER_MWB: &str = "server_max_window_bits";
const CLIENT_MWB: &str = "client_max_window_bits";

/// `client_max_window_bits` in an offer (§7.1.2.2): absent, present without a
/// value (the client can honour any limit the server picks), or a limit the
/// client announces it keeps to. A response always carries a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WindowBitsRequest {
    /// Not present: the server must not answer the parameter.
    #[default]
    Absent,
    /// Present without a value.
    Any,
    /// Present with this value.
    Limit(u8),
}

/// The parameters of one permessage-deflate offer or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OfferParams {
    /// `server_no_context_takeover`.
    pub server_no_context_takeover: bool,
    /// `client_no_context_takeover`.
    pub client_no_context_takeover: bool,
    /// `server_max_window_bits=N`.
    pub server_max_window_bits: Option<u8>,
    /// `client_max_window_bits[=N]`.
    pub client_max_window_bits: WindowBitsRequest,
}

impl OfferParams {
    /// Parses a client's offer (`client_max_window_bits` may lack a value).
    pub fn parse_offer(ext: &ExtensionOffer) -> Result<Self, NegotiationError> {
        Self::parse(ext, false)
    }

    /// Parses a server's response (`client_max_window_bits` needs a value).
    pub fn parse_response(ext: &ExtensionOffer) -> Result<Self, NegotiationError> {
        Self::parse(ext, true)
    }

    fn parse(ext: &ExtensionOffer, response: bool) -> Result<Self, NegotiationError> {
        if !ext.name.eq_ignore_ascii_case(EXTENSION_NAME) {
            return Err(NegotiationError::WrongExtension {
                name: ext.name.clone(),
            });
        }
        let mut out = Self::default();
        let mut seen = [false; 4];
        for (name, value) in &ext.params {
            let (index, known) = match name.to_ascii_lowercase().as_str() {
                SERVER_NCT => (0, SERVER_NCT),
                CLIENT_NCT => (1, CLIENT_NCT),
                SERVER_MWB => (2, SERVER_MWB),
                CLIENT_MWB => (3, CLIENT_MWB),
                _ => {
                    return Err(NegotiationError::UnknownParameter { name: name.clone() });
                }
            };
            if let Some(slot) = seen.get_mut(index) {
                if *slot {
                    return Err(NegotiationError::DuplicateParameter { name: known });
                }
                *slot = true;
            }
            match (known, value.as_deref()) {
                (SERVER_NCT | CLIENT_NCT, Some(v)) => {
                    return Err(NegotiationError::UnexpectedValue {
                        name: known,
                        value: v.to_owned(),
                    });
                }
                (SERVER_NCT, None) => out.server_no_context_takeover = true,
                (CLIENT_NCT, None) => out.client_no_context_takeover = true,
                (SERVER_MWB, None) => return Err(NegotiationError::MissingValue { name: known }),
                (SERVER_MWB, Some(v)) => out.server_max_window_bits = Some(window_bits(known, v)?),
                (_, None) if response => {
                    return Err(NegotiationError::MissingValue { name: known });
                }
                (_, None) => out.client_max_window_bits = WindowBitsRequest::Any,
                (_, Some(v)) => {
                    out.client_max_window_bits = WindowBitsRequest::Limit(window_bits(known, v)?);
                }
            }
        }
        Ok(out)
    }

    /// Renders these parameters as a `permessage-deflate` extension.
    pub fn to_extension(&self) -> ExtensionOffer {
        let mut ext = ExtensionOffer::new(EXTENSION_NAME);
        if self.server_no_context_takeover {
            ext = ext.param(SERVER_NCT, None);
        }
        if self.client_no_context_takeover {
            ext = ext.param(CLIENT_NCT, None);
        }
        if let Some(bits) = self.server_max_window_bits {
            ext = ext.param(SERVER_MWB, Some(&bits.to_string()));
        }
        match self.client_max_window_bits {
            WindowBitsRequest::Absent => {}
            WindowBitsRequest::Any => ext = ext.param(CLIENT_MWB, None),
            WindowBitsRequest::Limit(bits) => ext = ext.param(CLIENT_MWB, Some(&bits.to_string())),
        }
        ext
    }
}

/// §7.1.2: `1*DIGIT` in 8..=15; leading zeros are refused as non-canonical.
fn window_bits(name: &'static str, value: &str) -> Result<u8, NegotiationError> {
    value
        .parse::<u8>()
        .ok()
        .filter(|b| (MIN_WINDOW_BITS..=MAX_WINDOW_BITS).contains(b) && !value.starts_with('0'))
        .filter(|_| value.bytes().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| NegotiationError::InvalidWindowBits {
            name,
            value: value.to_owned(),
        })
}

/// What was negotiated for the messages one endpoint sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Direction {
    /// The sender resets its compression context after every message.
    pub no_context_takeover: bool,
    /// The largest LZ77 window the sender uses (8..=15).
    pub window_bits: u8,
}

impl Default for Direction {
    fn default() -> Self {
        Self {
            no_context_takeover: false,
            window_bits: MAX_WINDOW_BITS,
        }
    }
}

/// The outcome of negotiation: the parameters of each direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeflateParams {
    /// Messages the client sends (the server inflates them).
    pub client: Direction,
    /// Messages the server sends (the client inflates them).
    pub server: Direction,
}

impl DeflateParams {
    /// The direction `role` compresses.
    pub const fn outgoing(&self, role: Role) -> Direction {
        match role {
            Role::Client => self.client,
            Role::Server => self.server,
        }
    }

    /// The direction `role` inflates.
    pub const fn incoming(&self, role: Role) -> Direction {
        match role {
            Role::Client => self.server,
            Role::Server => self.client,
        }
    }
}

/// permessage-deflate settings of a connection: the negotiated parameters and
/// how we compress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DeflateConfig {
    /// What the handshake negotiated.
    pub params: DeflateParams,
    /// zlib compression level, 0 (stored) to 9 (best).
    pub level: u32,
    /// Whole messages shorter than this are sent uncompressed (RSV1 clear).
    pub min_size: usize,
}

impl DeflateConfig {
    /// Level 6 (zlib's default), every message compressed.
    pub const fn new(params: DeflateParams) -> Self {
        Self {
            params,
            level: 6,
            min_size: 0,
        }
    }
}
