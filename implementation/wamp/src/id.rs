//! WAMP IDs: integers in `1..=2^53` (the largest integer an IEEE-754 double holds exactly).

use std::fmt;

/// A WAMP ID (session, publication, subscription, registration or request ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(u64);

impl Id {
    /// The smallest ID.
    pub const MIN: Id = Id(1);
    /// The largest ID, 2^53.
    pub const MAX: Id = Id(1 << 53);

    /// The ID `value`, if it lies in `1..=2^53`.
    pub const fn new(value: u64) -> Option<Id> {
        if value >= 1 && value <= Id::MAX.0 {
            Some(Id(value))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The ID after this one in a session-scope sequence: 2^53 wraps to 1.
    pub const fn next(self) -> Id {
        if self.0 == Id::MAX.0 {
            Id::MIN
        } else {
            Id(self.0 + 1)
        }
    }

    /// A global-scope ID drawn uniformly from `1..=2^53`.
    pub fn random<R: rand::RngCore + ?Sized>(rng: &mut R) -> Id {
        // 2^53 is a power of two, so masking 53 bits of a uniform u64 is itself uniform over
        // 0..2^53; shifting by one gives 1..=2^53 without bias.
        Id((rng.next_u64() & (Id::MAX.0 - 1)) + 1)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Id> for u64 {
    fn from(id: Id) -> u64 {
        id.0
    }
}

/// A session-scope ID counter: starts at 1 and increments by one, wrapping after 2^53.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdSequence {
    next: Id,
}

impl Default for IdSequence {
    fn default() -> Self {
        IdSequence { next: Id::MIN }
    }
}

impl IdSequence {
    /// A sequence whose next ID is `next` (e.g. to exercise the wrap-around).
    pub const fn starting_at(next: Id) -> IdSequence {
        IdSequence { next }
    }

    /// The ID the next call to [`IdSequence::advance`] returns.
    pub const fn peek(&self) -> Id {
        self.next
    }

    /// Returns the next ID and moves on.
    pub fn advance(&mut self) -> Id {
        let id = self.next;
        self.next = id.next();
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn range_is_one_to_two_pow_53() {
        assert_eq!(Id::new(0), None);
        assert_eq!(Id::new(1), Some(Id::MIN));
        assert_eq!(Id::new(1 << 53), Some(Id::MAX));
        assert_eq!(Id::new((1 << 53) + 1), None);
    }

    #[test]
    fn sequence_starts_at_one_and_wraps() {
        let mut seq = IdSequence::default();
        assert_eq!(seq.advance().get(), 1);
        assert_eq!(seq.advance().get(), 2);
        let mut seq = IdSequence::starting_at(Id::MAX);
        assert_eq!(seq.advance(), Id::MAX);
        assert_eq!(seq.advance(), Id::MIN);
    }

    #[test]
    fn random_ids_stay_in_range() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..10_000 {
            let id = Id::random(&mut rng);
            assert!(Id::new(id.get()).is_some());
        }
    }
}
