//! The raw wire: a lenient frame decoder, an exact frame writer, the harness's own HTTP/1.1
//! upgrade code and the transport (TCP, TLS). None of it uses the stack under test.

pub mod codec;
pub mod connect;
pub mod deflate;
pub mod handshake;
pub mod log;
pub mod window_cache;
pub mod writer;

use tokio::io::{AsyncRead, AsyncWrite};

/// A bidirectional byte stream (TCP, TLS, or an in-memory pipe in tests).
pub trait AsyncIo: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> AsyncIo for T {}

/// A boxed [`AsyncIo`].
pub type BoxedIo = Box<dyn AsyncIo>;
