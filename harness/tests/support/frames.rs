//! Raw RFC 6455 frames for the test peers, written independently of the harness's codec and
//! of ampel-websocket, so a deliberately broken peer's bug is explicit in its own code.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Opcodes used by the peers.
pub const CONTINUATION: u8 = 0x0;
pub const TEXT: u8 = 0x1;
pub const BINARY: u8 = 0x2;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

/// The head of a frame; the payload is read separately, in pieces, so UTF-8 can be checked
/// while a frame is still arriving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub mask: Option<[u8; 4]>,
    pub len: u64,
    /// The length used more bytes than needed, or a 64-bit length had its top bit set.
    pub bad_length: bool,
}

impl Head {
    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// Reads one frame head; `Ok(None)` at a clean end of stream before the first byte.
pub async fn read_head<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Option<Head>> {
    let mut two = [0u8; 2];
    match r.read_exact(&mut two).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let [b0, b1] = two;
    let short = u64::from(b1 & 0x7F);
    let (len, bad_length) = match short {
        126 => {
            let len = u64::from(r.read_u16().await?);
            (len, len < 126)
        }
        127 => {
            let len = r.read_u64().await?;
            (len, len <= 0xFFFF || len >> 63 == 1)
        }
        n => (n, false),
    };
    let mask = if b1 & 0x80 != 0 {
        let mut key = [0u8; 4];
        r.read_exact(&mut key).await?;
        Some(key)
    } else {
        None
    };
    Ok(Some(Head {
        fin: b0 & 0x80 != 0,
        rsv: (b0 >> 4) & 0x7,
        opcode: b0 & 0x0F,
        mask,
        len,
        bad_length,
    }))
}

/// Reads up to `want` payload bytes (at least one unless `want` is 0) and unmasks them;
/// `offset` is the position of the first byte within the payload.
pub async fn read_payload_piece<R: AsyncRead + Unpin>(
    r: &mut R,
    head: &Head,
    offset: u64,
    want: usize,
) -> io::Result<Vec<u8>> {
    let mut piece = vec![0u8; want];
    let n = r.read(&mut piece).await?;
    if n == 0 && want > 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    piece.truncate(n);
    if let Some(key) = head.mask {
        apply_mask(&mut piece, key, offset);
    }
    Ok(piece)
}

/// XORs `data` with `key`, as if `data` started at payload position `offset`.
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: u64) {
    let start = usize::try_from(offset % 4).unwrap_or(0);
    for (byte, k) in data.iter_mut().zip(key.iter().cycle().skip(start)) {
        *byte ^= k;
    }
}

/// A whole frame on the wire: FIN set, RSV clear, masked with `mask` when given.
pub fn encode(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(0x80 | opcode);
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    match u16::try_from(payload.len()) {
        Ok(n) if n < 126 => out.push(mask_bit | u8::try_from(n).unwrap_or(0)),
        Ok(n) => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Err(_) => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(payload.len() as u64).to_be_bytes());
        }
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            let start = out.len();
            out.extend_from_slice(payload);
            if let Some(body) = out.get_mut(start..) {
                apply_mask(body, key, 0);
            }
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// Writes a whole frame.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    w: &mut W,
    opcode: u8,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> io::Result<()> {
    w.write_all(&encode(opcode, payload, mask)).await?;
    w.flush().await
}

/// A close body: code, then reason.
pub fn close_body(code: u16, reason: &str) -> Vec<u8> {
    let mut body = code.to_be_bytes().to_vec();
    body.extend_from_slice(reason.as_bytes());
    body
}

/// Close codes a peer may send (RFC 6455 §7.4).
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1011 | 3000..=4999)
}
