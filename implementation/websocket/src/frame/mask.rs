//! Payload masking (RFC 6455 §5.3), in 16-byte words the compiler vectorises.

/// XORs `buf` with the mask `key`, where `buf` starts at byte `offset` of the
/// payload. Masking is its own inverse, and a payload may be processed in
/// pieces as long as each piece passes its own offset.
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: u64) {
    // Rotate the key so that `key[0]` lines up with `buf[0]`.
    let key = u32::from_be_bytes(key).rotate_left(8 * (offset % 4) as u32);
    let key = key.to_be_bytes();
    let word = u128::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3], key[0], key[1], key[2],
        key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut words = buf.chunks_exact_mut(16);
    for chunk in &mut words {
        if let Ok(bytes) = <&mut [u8; 16]>::try_from(chunk) {
            *bytes = (u128::from_ne_bytes(*bytes) ^ word).to_ne_bytes();
        }
    }
    // The tail is shorter than 16 bytes and starts on a multiple of 4.
    for (byte, k) in words.into_remainder().iter_mut().zip(key.iter().cycle()) {
        *byte ^= k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(buf: &mut [u8], key: [u8; 4], offset: u64) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[((offset + i as u64) % 4) as usize];
        }
    }

    #[test]
    fn matches_bytewise_definition_for_all_offsets_and_lengths() {
        let key = [0x12, 0x34, 0x56, 0x78];
        for len in 0..70 {
            for offset in 0..8 {
                let original: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(31)).collect();
                let mut fast = original.clone();
                let mut slow = original.clone();
                apply_mask(&mut fast, key, offset);
                naive(&mut slow, key, offset);
                assert_eq!(fast, slow, "len {len} offset {offset}");
            }
        }
    }

    #[test]
    fn pieces_equal_whole() {
        let key = [9, 8, 7, 6];
        let mut whole: Vec<u8> = (0..100u8).collect();
        let mut pieces = whole.clone();
        apply_mask(&mut whole, key, 0);
        let (a, rest) = pieces.split_at_mut(7);
        let (b, c) = rest.split_at_mut(30);
        apply_mask(a, key, 0);
        apply_mask(b, key, 7);
        apply_mask(c, key, 37);
        assert_eq!(whole, pieces);
    }
}
