//! The harness's compressed form of corpus windows, shared by the cases of a run. With no
//! context takeover a message compresses the same way every time, and the compression cases
//! send the same windows many times over (12.1.i and the seven 13.j.i; the rows of a size
//! that differ only in fragmentation), so most of their compression is done once.
//!
//! A run that announces its cases ([`WindowCache::plan`]) keeps a window only while a case
//! that sends it is still to end, and drops it after the last one: memory stays bounded by
//! what later cases reuse, not by the whole run. Without a plan, windows are kept until the
//! budget is spent. The budget bounds both.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ampel_cases::corpus::DataSet;
use ampel_cases::{Case, EchoSource, Payload, Step};

use super::deflate::Deflater;

/// The windows of one compression case: data set and window size (characters of a text set,
/// bytes of a binary one).
pub type Group = (DataSet, usize);

/// What the run-wide cache may hold.
const BUDGET: usize = 384 << 20;

/// A corpus window (data set, offset, length) compressed from a fresh context with a window
/// of `bits`.
type Key = (DataSet, usize, usize, u8);

/// Compressed corpus windows by the group of the case that sent them.
#[derive(Debug, Default)]
pub struct WindowCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Option<Group>, HashMap<Key, Arc<[u8]>>>,
    /// Cases announced and not yet ended, per group.
    pending: HashMap<Group, usize>,
    bytes: usize,
}

/// The window group a case sends, if it is a compression case.
pub fn group_of(case: &Case) -> Option<Group> {
    case.steps.iter().find_map(|step| match step {
        Step::EchoLoop {
            source: EchoSource::Windows(w),
            ..
        } => Some((w.set, w.size)),
        _ => None,
    })
}

impl WindowCache {
    /// The run-wide cache.
    pub fn global() -> &'static Self {
        static CACHE: OnceLock<WindowCache> = OnceLock::new();
        CACHE.get_or_init(Self::default)
    }

    /// Announces cases about to run: a window is kept only if another of them sends it.
    pub fn plan<'c>(&self, cases: impl IntoIterator<Item = &'c Case>) {
        if let Ok(mut state) = self.state.lock() {
            for group in cases.into_iter().filter_map(group_of) {
                *state.pending.entry(group).or_default() += 1;
            }
        }
    }

    /// An announced case ended: after the last case of its group, its windows are dropped.
    pub fn finished(&self, case: &Case) {
        let Some(group) = group_of(case) else {
            return;
        };
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let Some(left) = state.pending.get_mut(&group) else {
            return;
        };
        *left = left.saturating_sub(1);
        if *left == 0 {
            state.pending.remove(&group);
            let freed: usize = state
                .entries
                .remove(&Some(group))
                .map_or(0, |e| e.values().map(|p| p.len()).sum());
            state.bytes -= freed;
        }
    }

    /// The compressed form of `payload` for a case of `group`: from the cache when it was
    /// compressed before under the same window, else compressed by `deflater` (and kept if
    /// it will be sent again).
    pub fn compress(
        &self,
        deflater: &mut Deflater,
        payload: &Payload,
        group: Option<Group>,
    ) -> Result<Vec<u8>, String> {
        let (&Payload::Corpus { set, offset, len }, Some(bits)) =
            (payload, deflater.context_free_bits())
        else {
            return deflater.payload(payload);
        };
        let key = (set, offset, len, bits);
        if let Some(packed) = self.get(group, &key) {
            return Ok(packed.to_vec());
        }
        let packed = deflater.payload(payload)?;
        self.put(group, key, &packed);
        Ok(packed)
    }

    fn get(&self, group: Option<Group>, key: &Key) -> Option<Arc<[u8]>> {
        self.state
            .lock()
            .ok()?
            .entries
            .get(&group)?
            .get(key)
            .cloned()
    }

    fn put(&self, group: Option<Group>, key: Key, packed: &[u8]) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        // Announced: worth keeping only if another case of the group is still to run.
        let reused = group.is_none_or(|g| state.pending.get(&g).is_none_or(|n| *n > 1));
        if !reused || state.bytes + packed.len() > BUDGET {
            return;
        }
        let entries = state.entries.entry(group).or_default();
        if entries.contains_key(&key) {
            return;
        }
        entries.insert(key, Arc::from(packed));
        state.bytes += packed.len();
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.state.lock().map_or(0, |s| s.bytes)
    }
}

#[cfg(test)]
mod tests {
    use ampel_cases::catalogue;

    use super::*;
    use crate::wire::deflate::Direction;

    fn fresh() -> Deflater {
        Deflater::new(Direction {
            no_context_takeover: true,
            window_bits: 15,
        })
    }

    fn case(id: &str) -> &'static Case {
        catalogue()
            .iter()
            .find(|c| c.id.to_string() == id)
            .expect("catalogued")
    }

    #[test]
    fn planned_windows_live_until_their_last_case() {
        let cache = WindowCache::default();
        // 12.1.10 and 12.1.15 send the same windows; 12.1.1 sends others.
        let (a, b, other) = (case("12.1.10"), case("12.1.15"), case("12.1.1"));
        cache.plan([a, b, other]);
        let window = Payload::Corpus {
            set: DataSet::Json,
            offset: 0,
            len: 4096,
        };
        let packed = cache.compress(&mut fresh(), &window, group_of(a)).unwrap();
        assert_eq!(packed, fresh().payload(&window).unwrap());
        assert_eq!(cache.held(), packed.len(), "12.1.15 will send it again");
        assert_eq!(
            cache.compress(&mut fresh(), &window, group_of(b)).unwrap(),
            packed
        );
        cache
            .compress(&mut fresh(), &window, group_of(other))
            .unwrap();
        assert_eq!(
            cache.held(),
            packed.len(),
            "no other case of 12.1.1's group"
        );
        cache.finished(a);
        assert_eq!(cache.held(), packed.len());
        cache.finished(b);
        assert_eq!(cache.held(), 0, "dropped after the last case of the group");
    }

    #[test]
    fn context_takeover_is_never_cached() {
        let cache = WindowCache::default();
        let mut keeping = Deflater::new(Direction::default());
        let window = Payload::Corpus {
            set: DataSet::Json,
            offset: 0,
            len: 512,
        };
        cache.compress(&mut keeping, &window, None).unwrap();
        assert_eq!(cache.held(), 0);
        cache.compress(&mut fresh(), &window, None).unwrap();
        assert!(
            cache.held() > 0,
            "unplanned windows are kept within the budget"
        );
    }
}
