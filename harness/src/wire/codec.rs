//! A lenient, incremental frame decoder: it decodes whatever a peer sends (any opcode, any
//! RSV bits, masked or not, every length encoding) and reports header irregularities as
//! facts for the observer to judge, never as errors. Payloads are streamed: only the header
//! (at most 14 octets) is ever buffered, so a peer cannot make the decoder allocate.

/// How the length field of a received header was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthForm {
    /// The 7-bit form (0..=125).
    Short,
    /// 126 followed by 16 bits.
    Extended16,
    /// 127 followed by 64 bits.
    Extended64,
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// The FIN bit.
    pub fin: bool,
    /// The three RSV bits (RSV1 is 4).
    pub rsv: u8,
    /// The opcode, 0..=15.
    pub opcode: u8,
    /// The masking key, if the MASK bit was set.
    pub mask: Option<[u8; 4]>,
    /// The declared payload length (for a 64-bit length with the top bit set, the top bit is
    /// kept; see [`FrameHeader::length_top_bit`]).
    pub len: u64,
    /// How the length was encoded.
    pub form: LengthForm,
}

impl FrameHeader {
    /// True when the length is not in its shortest encoding.
    pub fn non_minimal_length(&self) -> bool {
        match self.form {
            LengthForm::Short => false,
            LengthForm::Extended16 => self.len <= 125,
            LengthForm::Extended64 => self.len <= 0xffff,
        }
    }

    /// True for a 64-bit length with its most significant bit set (forbidden by RFC 6455).
    pub fn length_top_bit(&self) -> bool {
        self.form == LengthForm::Extended64 && self.len & (1 << 63) != 0
    }

    /// True for opcodes 8..=15.
    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// One step of decoding.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// A complete header. Payload pieces and then [`Decoded::End`] follow.
    Header(FrameHeader),
    /// The next piece of the current frame's payload, already unmasked.
    Payload(&'a [u8]),
    /// The current frame's payload is complete.
    End,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Collecting header octets in `head`.
    Header,
    /// Inside a payload: octets still to come and the mask offset reached so far.
    Payload { remaining: u64, offset: usize },
    /// The payload ended; [`Decoded::End`] is due.
    End,
}

/// The incremental decoder; feed it the octets as they arrive.
#[derive(Debug, Clone)]
pub struct Decoder {
    state: State,
    head: [u8; 14],
    head_len: usize,
    mask: Option<[u8; 4]>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder at a frame boundary.
    pub fn new() -> Self {
        Self {
            state: State::Header,
            head: [0; 14],
            head_len: 0,
            mask: None,
        }
    }

    /// True between frames (no partial header or payload pending).
    pub fn at_boundary(&self) -> bool {
        matches!(self.state, State::Header) && self.head_len == 0
    }

    /// Decodes the next item from `input`, consuming what it uses (payload octets are
    /// unmasked in place). `None` means every octet of `input` was consumed and more are
    /// needed.
    pub fn next<'a>(&mut self, input: &mut &'a mut [u8]) -> Option<Decoded<'a>> {
        loop {
            match self.state {
                State::End => {
                    self.state = State::Header;
                    return Some(Decoded::End);
                }
                State::Payload { remaining, offset } => {
                    if input.is_empty() {
                        return None;
                    }
                    let take = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(input.len());
                    let (piece, rest) = std::mem::take(input).split_at_mut(take);
                    *input = rest;
                    if let Some(key) = self.mask {
                        apply_mask(piece, key, offset);
                    }
                    let left = remaining - take as u64;
                    self.state = if left == 0 {
                        State::End
                    } else {
                        State::Payload {
                            remaining: left,
                            offset: (offset + take) % 4,
                        }
                    };
                    return Some(Decoded::Payload(piece));
                }
                State::Header => {
                    let need = header_len(&self.head[..self.head_len]);
                    if self.head_len < need {
                        let (&mut first, rest) = std::mem::take(input).split_first_mut()?;
                        *input = rest;
                        if let Some(slot) = self.head.get_mut(self.head_len) {
                            *slot = first;
                        }
                        self.head_len += 1;
                        continue;
                    }
                    let header = parse_header(&self.head[..self.head_len]);
                    self.head_len = 0;
                    self.mask = header.mask;
                    self.state = if header.len == 0 {
                        State::End
                    } else {
                        State::Payload {
                            remaining: header.len,
                            offset: 0,
                        }
                    };
                    return Some(Decoded::Header(header));
                }
            }
        }
    }
}

/// The header length implied by the octets collected so far (2 until the second octet is in).
fn header_len(head: &[u8]) -> usize {
    let Some(&second) = head.get(1) else {
        return 2;
    };
    let mask = if second & 0x80 != 0 { 4 } else { 0 };
    let ext = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + ext + mask
}

fn parse_header(head: &[u8]) -> FrameHeader {
    let byte = |i: usize| head.get(i).copied().unwrap_or(0);
    let (first, second) = (byte(0), byte(1));
    let (len, form, at) = match second & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes([byte(2), byte(3)])),
            LengthForm::Extended16,
            4,
        ),
        127 => {
            let mut b = [0u8; 8];
            for (i, slot) in b.iter_mut().enumerate() {
                *slot = byte(2 + i);
            }
            (u64::from_be_bytes(b), LengthForm::Extended64, 10)
        }
        n => (u64::from(n), LengthForm::Short, 2),
    };
    let mask = (second & 0x80 != 0).then(|| [byte(at), byte(at + 1), byte(at + 2), byte(at + 3)]);
    FrameHeader {
        fin: first & 0x80 != 0,
        rsv: (first >> 4) & 0x7,
        opcode: first & 0x0f,
        mask,
        len,
        form,
    }
}

/// XORs `data` with `key`, starting `offset` octets into the key (masking and unmasking are
/// the same operation).
pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    let mut rotated = [0u8; 4];
    for (i, slot) in rotated.iter_mut().enumerate() {
        *slot = key[(offset + i) % 4];
    }
    let word = u32::from_ne_bytes(rotated);
    let mut chunks = data.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let mut b = [0u8; 4];
        b.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u32::from_ne_bytes(b) ^ word).to_ne_bytes());
    }
    for (byte, k) in chunks.into_remainder().iter_mut().zip(rotated) {
        *byte ^= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `wire` fed in two pieces split at `split`; returns headers and joined payloads.
    fn decode_split(wire: &[u8], split: usize) -> Vec<(FrameHeader, Vec<u8>)> {
        let mut data = wire.to_vec();
        let (a, b) = data.split_at_mut(split);
        let mut dec = Decoder::new();
        let mut out: Vec<(FrameHeader, Vec<u8>)> = Vec::new();
        let mut ended = 0;
        for part in [a, b] {
            let mut input: &mut [u8] = part;
            while let Some(item) = dec.next(&mut input) {
                match item {
                    Decoded::Header(h) => out.push((h, Vec::new())),
                    Decoded::Payload(p) => {
                        if let Some(last) = out.last_mut() {
                            last.1.extend_from_slice(p);
                        }
                    }
                    Decoded::End => ended += 1,
                }
            }
        }
        assert_eq!(ended, out.len(), "every frame ends");
        assert!(dec.at_boundary());
        out
    }

    #[test]
    fn rfc_examples_split_at_every_byte() {
        // RFC 6455 §5.7: unmasked "Hello", masked "Hello", and a 256-byte binary frame.
        let mut wire = vec![0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];
        wire.extend([
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ]);
        wire.extend([0x82, 0x7e, 0x01, 0x00]);
        wire.extend(std::iter::repeat_n(0xaa, 256));
        for split in 0..=wire.len() {
            let frames = decode_split(&wire, split);
            assert_eq!(frames.len(), 3, "split {split}");
            assert_eq!(frames[0].1, b"Hello");
            assert_eq!(frames[0].0.mask, None);
            assert_eq!(frames[1].1, b"Hello");
            assert_eq!(frames[1].0.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
            assert_eq!(frames[2].0.len, 256);
            assert_eq!(frames[2].0.form, LengthForm::Extended16);
            assert!(!frames[2].0.non_minimal_length());
            assert_eq!(frames[2].1.len(), 256);
        }
    }

    #[test]
    fn irregular_headers_are_reported_not_rejected() {
        // Non-minimal 16-bit length of 5, RSV 7, reserved opcode 3, no FIN.
        let mut wire = vec![0x73, 0x7e, 0x00, 0x05];
        wire.extend(b"abcde");
        // Non-minimal 64-bit length of 2, empty-masked ping.
        wire.extend([0x89, 0xff, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 3, 4, 0, 0]);
        for split in 0..=wire.len() {
            let frames = decode_split(&wire, split);
            let h = frames[0].0;
            assert!(!h.fin);
            assert_eq!((h.rsv, h.opcode, h.len), (7, 3, 5));
            assert!(h.non_minimal_length());
            assert_eq!(frames[0].1, b"abcde");
            let p = frames[1].0;
            assert!(p.fin && p.is_control() && p.non_minimal_length());
            assert_eq!(frames[1].1, [1, 2]);
        }
    }

    #[test]
    fn top_bit_length_is_visible() {
        let mut input: &mut [u8] = &mut [0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1];
        let mut dec = Decoder::new();
        match dec.next(&mut input) {
            Some(Decoded::Header(h)) => assert!(h.length_top_bit()),
            other => panic!("expected a header, got {other:?}"),
        }
        assert_eq!(dec.next(&mut input), None);
    }

    #[test]
    fn mask_offsets_carry_over() {
        let key = [1, 2, 3, 4];
        let plain: Vec<u8> = (0..23).collect();
        let mut whole = plain.clone();
        apply_mask(&mut whole, key, 0);
        for cut in 0..plain.len() {
            let mut parts = plain.clone();
            let (a, b) = parts.split_at_mut(cut);
            apply_mask(a, key, 0);
            apply_mask(b, key, cut % 4);
            assert_eq!(parts, whole, "cut {cut}");
        }
    }
}
