//! The raw frame writer: emits exactly what a [`FrameSpec`] describes (any header field, a
//! declared length that differs from the payload, forced or missing masks), streaming the
//! payload in bounded chunks so a 16 MiB repeat is never materialised. [`Delivery`] decides
//! how the octets reach the socket: batched with neighbours, chopped into separately
//! flushed pieces, or as a sync write of their own.

use ampel_cases::{Delivery, FrameSpec, LengthEncoding, MaskPolicy, Payload, Role, WireEntry};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::codec::apply_mask;
use super::log::{SharedLog, head_hex, mask_hex};

/// Payload octets produced per step of streaming.
const CHUNK: usize = 64 * 1024;
/// Batched octets are written out once this many are pending.
const BATCH: usize = 64 * 1024;

/// The header octets of a frame: FIN, RSV (low three bits), opcode (low four bits), mask
/// key and length in the requested encoding. A 16-bit request for a length above 65535 falls
/// back to the 64-bit form.
pub fn encode_header(
    fin: bool,
    rsv: u8,
    opcode: u8,
    mask: Option<[u8; 4]>,
    len: u64,
    encoding: LengthEncoding,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(14);
    out.push(u8::from(fin) << 7 | (rsv & 0x7) << 4 | (opcode & 0x0f));
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    let form = match encoding {
        LengthEncoding::Minimal if len <= 125 => 7,
        LengthEncoding::Minimal | LengthEncoding::Extended16 if len <= 0xffff => 16,
        _ => 64,
    };
    match form {
        7 => out.push(mask_bit | len as u8),
        16 => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
    out
}

/// The masking key a frame gets: a fresh random one as client under [`MaskPolicy::Auto`].
pub fn mask_for(policy: MaskPolicy, role: Role) -> Option<[u8; 4]> {
    match policy {
        MaskPolicy::Auto => (role == Role::Client).then(rand::random::<[u8; 4]>),
        MaskPolicy::Force(key) => Some(key),
        MaskPolicy::None => None,
    }
}

/// The write half of a connection with the harness's framing on top.
#[derive(Debug)]
pub struct FrameWriter<W> {
    io: W,
    role: Role,
    log: SharedLog,
    /// Batched octets not yet written.
    pending: Vec<u8>,
    /// Mask key and offset of a frame opened by [`FrameWriter::begin_frame`].
    open_frame: Option<(Option<[u8; 4]>, usize)>,
}

/// How the octets of one frame are to be written.
enum Mode {
    Batch,
    Chop(usize, Vec<u8>),
    Sync(Vec<u8>),
}

impl<W: AsyncWrite + Unpin> FrameWriter<W> {
    /// A writer for the given role (decides automatic masking), recording into `log`.
    pub fn new(io: W, role: Role, log: SharedLog) -> Self {
        Self {
            io,
            role,
            log,
            pending: Vec::new(),
            open_frame: None,
        }
    }

    /// The underlying writer (after [`FrameWriter::flush`]).
    pub fn into_inner(self) -> W {
        self.io
    }

    /// Writes one frame as `spec` describes.
    pub async fn frame(&mut self, spec: &FrameSpec, delivery: Delivery) -> std::io::Result<()> {
        let mask = mask_for(spec.mask, self.role);
        let header = encode_header(
            spec.fin,
            spec.rsv,
            spec.opcode,
            mask,
            spec.header_len(),
            spec.len_encoding,
        );
        self.record_frame(spec, mask, delivery);
        let mut mode = self.mode_for(delivery).await?;
        self.emit(&mut mode, &header).await?;
        let mut offset = 0;
        for chunk in spec.payload.chunks(CHUNK) {
            let mut bytes = chunk.into_owned();
            if let Some(key) = mask {
                apply_mask(&mut bytes, key, offset);
            }
            offset = (offset + bytes.len()) % 4;
            self.emit(&mut mode, &bytes).await?;
        }
        self.finish(mode, delivery).await
    }

    /// Writes raw octets with no framing.
    pub async fn raw(&mut self, bytes: &Payload, delivery: Delivery) -> std::io::Result<()> {
        let mut mode = self.mode_for(delivery).await?;
        for chunk in bytes.chunks(CHUNK) {
            self.emit(&mut mode, &chunk).await?;
        }
        self.finish(mode, delivery).await
    }

    /// Writes only the header of `spec` (declaring `declared_len`, or 0) as its own write;
    /// [`FrameWriter::frame_data`] writes the payload.
    pub async fn begin_frame(&mut self, spec: &FrameSpec) -> std::io::Result<()> {
        let mask = mask_for(spec.mask, self.role);
        let len = spec.declared_len.unwrap_or(0);
        let header = encode_header(
            spec.fin,
            spec.rsv,
            spec.opcode,
            mask,
            len,
            spec.len_encoding,
        );
        self.count(spec.opcode);
        self.log.lock().traffic(|at_ms| WireEntry::TxFrame {
            at_ms,
            opcode: spec.opcode,
            fin: spec.fin,
            rsv: spec.rsv & 0x7,
            mask_hex: mask_hex(mask),
            len,
            head: Vec::new(),
            chop: None,
            sync: true,
        });
        self.open_frame = Some((mask, 0));
        self.flush().await?;
        self.write_now(&header, true).await
    }

    /// Writes payload octets of the frame opened by [`FrameWriter::begin_frame`] as one
    /// flushed write, masked continuing the header's key.
    pub async fn frame_data(&mut self, data: &Payload) -> std::io::Result<()> {
        let (mask, mut offset) = self.open_frame.unwrap_or((None, 0));
        let mut bytes = data.bytes().into_owned();
        if let Some(key) = mask {
            apply_mask(&mut bytes, key, offset);
        }
        offset = (offset + bytes.len()) % 4;
        self.open_frame = Some((mask, offset));
        self.flush().await?;
        self.write_now(&bytes, true).await
    }

    /// Writes out and flushes any batched octets.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        self.write_pending().await?;
        self.io.flush().await
    }

    /// Flushes and shuts the write direction down.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        self.io.shutdown().await
    }

    fn count(&self, opcode: u8) {
        self.log.lock().count_tx(opcode & 0x0f);
    }

    fn record_frame(&self, spec: &FrameSpec, mask: Option<[u8; 4]>, delivery: Delivery) {
        let mut log = self.log.lock();
        log.count_tx(spec.opcode & 0x0f);
        log.traffic(|at_ms| WireEntry::TxFrame {
            at_ms,
            opcode: spec.opcode,
            fin: spec.fin,
            rsv: spec.rsv & 0x7,
            mask_hex: mask_hex(mask),
            len: spec.header_len(),
            head: spec.payload.head(ampel_cases::WIRE_HEAD_LEN),
            chop: delivery.chop,
            sync: delivery.sync,
        });
    }

    async fn mode_for(&mut self, delivery: Delivery) -> std::io::Result<Mode> {
        Ok(match delivery {
            Delivery { chop: Some(n), .. } if n > 0 => {
                self.flush().await?;
                Mode::Chop(n, Vec::with_capacity(n.min(CHUNK)))
            }
            Delivery { sync: true, .. } => {
                self.flush().await?;
                Mode::Sync(Vec::new())
            }
            _ => Mode::Batch,
        })
    }

    async fn emit(&mut self, mode: &mut Mode, bytes: &[u8]) -> std::io::Result<()> {
        match mode {
            Mode::Batch => {
                self.pending.extend_from_slice(bytes);
                if self.pending.len() >= BATCH {
                    self.write_pending().await?;
                }
            }
            Mode::Chop(n, piece) => {
                let n = *n;
                let mut rest = bytes;
                while !rest.is_empty() {
                    let room = n - piece.len();
                    let (now, later) = rest.split_at(room.min(rest.len()));
                    piece.extend_from_slice(now);
                    rest = later;
                    if piece.len() == n {
                        let full = std::mem::take(piece);
                        self.write_now(&full, false).await?;
                    }
                }
            }
            Mode::Sync(all) => {
                all.extend_from_slice(bytes);
                // A large sync frame is still streamed; only its end is the sync point.
                if all.len() >= BATCH {
                    let full = std::mem::take(all);
                    self.write_now(&full, true).await?;
                }
            }
        }
        Ok(())
    }

    async fn finish(&mut self, mode: Mode, delivery: Delivery) -> std::io::Result<()> {
        match mode {
            Mode::Batch => Ok(()),
            Mode::Chop(_, piece) => {
                if !piece.is_empty() {
                    self.write_now(&piece, false).await?;
                }
                if delivery.sync {
                    tokio::task::yield_now().await;
                }
                Ok(())
            }
            Mode::Sync(all) => {
                if !all.is_empty() {
                    self.write_now(&all, true).await?;
                }
                tokio::task::yield_now().await;
                Ok(())
            }
        }
    }

    /// One write of its own, flushed at once.
    async fn write_now(&mut self, bytes: &[u8], sync: bool) -> std::io::Result<()> {
        self.log.lock().traffic(|at_ms| WireEntry::TxOctets {
            at_ms,
            len: bytes.len(),
            head_hex: head_hex(bytes),
            sync,
        });
        self.io.write_all(bytes).await?;
        self.io.flush().await
    }

    async fn write_pending(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.pending);
        self.log.lock().traffic(|at_ms| WireEntry::TxOctets {
            at_ms,
            len: bytes.len(),
            head_hex: head_hex(&bytes),
            sync: false,
        });
        let result = self.io.write_all(&bytes).await;
        // Keep the allocation for the next batch.
        self.pending = bytes;
        self.pending.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use ampel_cases::{Fragmentation, MessageSpec, opcode};

    use super::*;

    /// Records every write call separately.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl AsyncWrite for Writes {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.0.push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn writer(role: Role) -> FrameWriter<Writes> {
        FrameWriter::new(Writes::default(), role, SharedLog::new(100, false))
    }

    async fn written(role: Role, steps: &[(FrameSpec, Delivery)]) -> Vec<Vec<u8>> {
        let mut w = writer(role);
        for (spec, delivery) in steps {
            w.frame(spec, *delivery).await.ok();
        }
        w.flush().await.ok();
        w.into_inner().0
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"))
    }

    #[test]
    fn header_encodings() {
        assert_eq!(
            encode_header(true, 0, 1, None, 5, LengthEncoding::Minimal),
            [0x81, 5]
        );
        assert_eq!(
            encode_header(
                false,
                7,
                0x1f,
                Some([1, 2, 3, 4]),
                126,
                LengthEncoding::Minimal
            ),
            [0x7f, 0xfe, 0, 126, 1, 2, 3, 4]
        );
        assert_eq!(
            encode_header(true, 0, 2, None, 5, LengthEncoding::Extended16),
            [0x82, 126, 0, 5]
        );
        assert_eq!(
            encode_header(true, 0, 2, None, 5, LengthEncoding::Extended64),
            [0x82, 127, 0, 0, 0, 0, 0, 0, 0, 5]
        );
        assert_eq!(
            encode_header(true, 0, 2, None, 65_536, LengthEncoding::Extended16),
            [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]
        );
        assert_eq!(
            encode_header(true, 0, 2, None, 65_535, LengthEncoding::Minimal),
            [0x82, 126, 0xff, 0xff]
        );
    }

    #[test]
    fn exact_bytes_for_frame_specs() {
        rt().block_on(async {
            // Server role: unmasked; RFC 6455 §5.7 "Hello".
            let hello = FrameSpec::new(true, opcode::TEXT, Payload::text("Hello"));
            let out = written(Role::Server, &[(hello.clone(), Delivery::PLAIN)]).await;
            assert_eq!(out.concat(), b"\x81\x05Hello");
            // Forced key: the RFC's masked example.
            let mut masked = hello.clone();
            masked.mask = MaskPolicy::Force([0x37, 0xfa, 0x21, 0x3d]);
            let out = written(Role::Server, &[(masked, Delivery::PLAIN)]).await;
            assert_eq!(
                out.concat(),
                [
                    0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
                ]
            );
            // Client role masks by default, unless told not to.
            let out = written(Role::Client, &[(hello.clone(), Delivery::PLAIN)]).await;
            let bytes = out.concat();
            assert_eq!(bytes.len(), 11);
            assert_eq!(bytes[1], 0x85);
            let mut plain = hello.clone();
            plain.mask = MaskPolicy::None;
            let out = written(Role::Client, &[(plain, Delivery::PLAIN)]).await;
            assert_eq!(out.concat(), b"\x81\x05Hello");
            // A declared length that lies.
            let mut lying = FrameSpec::new(true, opcode::BINARY, Payload::bytes_of(*b"ab"));
            lying.declared_len = Some(300);
            let out = written(Role::Server, &[(lying, Delivery::PLAIN)]).await;
            assert_eq!(out.concat(), [0x82, 126, 1, 44, b'a', b'b']);
        });
    }

    #[test]
    fn batching_chopping_and_sync() {
        rt().block_on(async {
            let f = FrameSpec::new(true, opcode::TEXT, Payload::text("abcde"));
            // Two plain frames: one write.
            let out = written(
                Role::Server,
                &[(f.clone(), Delivery::PLAIN), (f.clone(), Delivery::PLAIN)],
            )
            .await;
            assert_eq!(out.len(), 1);
            // Chopped at 3: 7 octets in writes of 3, 3, 1.
            let out = written(Role::Server, &[(f.clone(), Delivery::chop(3))]).await;
            assert_eq!(out.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
            assert_eq!(out.concat(), b"\x81\x05abcde");
            // Sync: each frame its own write.
            let out = written(
                Role::Server,
                &[(f.clone(), Delivery::SYNC), (f.clone(), Delivery::SYNC)],
            )
            .await;
            assert_eq!(out.len(), 2);
            // A plain frame before a chopped one is written out first, in order.
            let out = written(
                Role::Server,
                &[(f.clone(), Delivery::PLAIN), (f.clone(), Delivery::chop(1))],
            )
            .await;
            assert_eq!(out.len(), 1 + 7);
            assert_eq!(out[0], b"\x81\x05abcde");
        });
    }

    #[test]
    fn large_masked_payload_streams_correctly() {
        rt().block_on(async {
            let payload = Payload::repeat(*b"BAsd7&jh23", 200_003);
            let mut spec = FrameSpec::new(true, opcode::BINARY, payload.clone());
            spec.mask = MaskPolicy::Force([9, 8, 7, 6]);
            let out = written(Role::Server, &[(spec, Delivery::PLAIN)]).await;
            let bytes = out.concat();
            let (head, body) = bytes.split_at(14);
            assert_eq!(head[1], 0xff);
            let mut body = body.to_vec();
            apply_mask(&mut body, [9, 8, 7, 6], 0);
            assert_eq!(body, &*payload.bytes());
        });
    }

    #[test]
    fn message_helper_and_10_1_1_counts() {
        rt().block_on(async {
            let mut w = writer(Role::Client);
            let msg = MessageSpec::text(Payload::text("abcd")).fragmented(2);
            for f in msg.frames() {
                w.frame(&f, Delivery::PLAIN).await.ok();
            }
            w.flush().await.ok();
            let log = w.log.clone();
            let bytes = w.into_inner().0.concat();
            // Three frames: TEXT "ab" (no FIN), CONT "cd" (no FIN), empty CONT with FIN.
            assert_eq!(bytes[0], 0x01);
            assert_eq!(bytes[8], 0x00);
            assert_eq!(bytes[16], 0x80);
            assert_eq!(bytes.len(), 8 + 8 + 6);
            let parts = log.take();
            assert_eq!(parts.tx_counts.get(&1), Some(&1));
            assert_eq!(parts.tx_counts.get(&0), Some(&2));

            let mut w = writer(Role::Client);
            let mut m = MessageSpec::text(Payload::repeat(*b"*", 65_536));
            m.fragmentation = Fragmentation::AutoFragment(1300);
            for f in m.frames() {
                w.frame(&f, Delivery::PLAIN).await.ok();
            }
            let parts = w.log.take();
            assert_eq!(parts.tx_counts.get(&1), Some(&1));
            assert_eq!(parts.tx_counts.get(&0), Some(&50));
        });
    }

    #[test]
    fn raw_octets_are_written_as_given() {
        rt().block_on(async {
            let mut w = writer(Role::Client);
            let bytes = Payload::bytes_of(*b"GARBAGE");
            w.raw(&bytes, Delivery::chop(3)).await.ok();
            w.raw(&bytes, Delivery::PLAIN).await.ok();
            w.flush().await.ok();
            let log = w.log.clone();
            let out = w.into_inner().0;
            assert_eq!(out.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1, 7]);
            assert_eq!(out.concat(), b"GARBAGEGARBAGE");
            // Raw octets are not frames: nothing is counted.
            assert!(log.take().tx_counts.is_empty());
        });
    }

    #[test]
    fn begin_frame_and_data_continue_the_mask() {
        rt().block_on(async {
            let mut w = writer(Role::Server);
            let mut head = FrameSpec::new(false, opcode::TEXT, Payload::empty());
            head.declared_len = Some(5);
            head.mask = MaskPolicy::Force([1, 2, 3, 4]);
            w.begin_frame(&head).await.ok();
            w.frame_data(&Payload::text("abc")).await.ok();
            w.frame_data(&Payload::text("de")).await.ok();
            let out = w.into_inner().0;
            assert_eq!(out.len(), 3);
            assert_eq!(out[0], [0x01, 0x85, 1, 2, 3, 4]);
            let mut body = [out[1].clone(), out[2].clone()].concat();
            apply_mask(&mut body, [1, 2, 3, 4], 0);
            assert_eq!(body, b"abcde");
        });
    }
}
