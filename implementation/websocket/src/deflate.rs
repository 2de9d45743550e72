//! permessage-deflate (RFC 7692): parameter negotiation for both roles and
//! the per-direction codec the connection uses.
//!
//! Negotiation works on the handshake's generic [`ExtensionOffer`]s: a client
//! renders its offers with [`ClientOffers::extensions`] and checks the server's
//! answer with [`ClientOffers::accept_response`]; a server picks the first
//! acceptable offer with [`ServerPolicy::negotiate`]. Both produce the
//! negotiated [`DeflateParams`], which go into
//! [`Config::deflate`](crate::Config::deflate) through a [`DeflateConfig`].
//!
//! Window bits: zlib cannot write a raw deflate stream with a 256-byte window,
//! so a negotiated 8 compresses with 9. That is still safe for a peer with an
//! 8-bit window: zlib never emits a distance above `window - 262` (its
//! lookahead reserve), i.e. 250 with 9 bits. The inflater likewise opens with
//! at least 9 bits; it therefore accepts a stream that reaches back 257-512
//! bytes from a peer that negotiated 8, which only a stricter decoder would
//! reject.
//!
//! [`ExtensionOffer`]: crate::handshake::ExtensionOffer

mod codec;
mod error;
mod negotiate;
mod params;

pub use codec::{Compressor, Decompressor, InflateError};
pub use error::NegotiationError;
pub use negotiate::{ClientOffers, ServerPolicy};
pub use params::{
    DeflateConfig, DeflateParams, Direction, EXTENSION_NAME, MAX_WINDOW_BITS, MIN_WINDOW_BITS,
    OfferParams, WindowBitsRequest,
};
