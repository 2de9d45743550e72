//! A small seeded generator (SplitMix64) and the helpers the corpus generators share.
//!
//! Only integer arithmetic is used anywhere in the corpus, so every platform produces the
//! same bytes.

/// SplitMix64: a 64-bit counter passed through an invertible mixing function. Fast, tiny,
/// and good enough for synthetic data (it is not a cryptographic generator).
pub(super) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator seeded with `seed`.
    pub(super) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by multiply-and-shift.
    pub(super) fn below(&mut self, n: usize) -> usize {
        let wide = u128::from(self.next_u64()) * n as u128;
        usize::try_from(wide >> 64).unwrap_or(0)
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = usize::try_from(hi.saturating_sub(lo)).unwrap_or(0);
        lo + i64::try_from(self.below(span.saturating_add(1))).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen element (`items` must not be empty).
    pub(super) fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        let i = self.below(items.len());
        items[i]
    }

    /// A uniformly chosen element, by reference (`items` must not be empty).
    pub(super) fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        &items[i]
    }

    /// An element chosen with a falling, roughly Zipf-like weight: earlier entries are more
    /// frequent, as common words are in natural text.
    pub(super) fn pick_skewed<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        let bound = self.below(items.len()) + 1;
        let i = self.below(bound);
        items[i]
    }

    /// Appends `n` random bytes.
    pub(super) fn fill(&mut self, out: &mut Vec<u8>, n: usize) {
        out.reserve(n);
        let mut left = n;
        while left > 0 {
            let word = self.next_u64().to_le_bytes();
            let take = left.min(word.len());
            out.extend_from_slice(&word[..take]);
            left -= take;
        }
    }
}

/// `s` with its first character upper-cased.
pub(super) fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Appends words from `words` separated by spaces, then `end`, so that exactly `len` bytes
/// are added. `fillers[i]` must be an ASCII word of `i + 1` bytes (at least two of them);
/// they close the gap at the end. Should `len` be too short even for a filler and `end`, the
/// gap is filled with spaces.
pub(super) fn fill_exact(
    out: &mut String,
    len: usize,
    rng: &mut Rng,
    words: &[&str],
    fillers: &[&str],
    end: &str,
) {
    let goal = out.len() + len;
    let reserve = fillers.len() + end.len();
    let mut first = true;
    loop {
        let left = goal - out.len();
        let sep = usize::from(!first);
        if left <= reserve + sep {
            break;
        }
        let mut word = rng.pick_skewed(words);
        if sep + word.len() + reserve > left {
            // Too long for the space that is left: a filler that fits instead.
            let n = (left - sep - reserve).min(fillers.len());
            word = fillers.get(n - 1).copied().unwrap_or("");
        }
        if !first {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
    let mut left = goal - out.len();
    if !first && left > end.len() + 1 {
        out.push(' ');
        left -= 1;
    }
    if left > end.len() {
        // 1 <= left - end.len() <= fillers.len().
        out.push_str(fillers.get(left - end.len() - 1).copied().unwrap_or(""));
        out.push_str(end);
    }
    let short = goal - out.len();
    out.extend(std::iter::repeat_n(' ', short));
}

/// Lays `text` out in lines of at most `width` bytes (a longer word gets a line of its own),
/// each line ending in `\n`.
pub(super) fn wrap(out: &mut String, text: &str, width: usize) {
    let mut line = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        }
        if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out.push('\n');
}
