//! A stretch of time between two instants.

use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// From `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Span {
    /// The span from `start` to `end`, or `None` when it holds no instant.
    pub fn new(start: Timestamp, end: Timestamp) -> Option<Span> {
        (end > start).then_some(Span { start, end })
    }

    /// Whether `at` is inside.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }

    /// Whether the span shares an instant with `from..to`.
    pub fn overlaps(&self, from: Timestamp, to: Timestamp) -> bool {
        self.start < to && from < self.end
    }

    /// Its length in milliseconds.
    pub fn millis(&self) -> i64 {
        self.end.millis() - self.start.millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: i64) -> Timestamp {
        Timestamp::from_millis(n)
    }

    #[test]
    fn is_half_open() {
        let span = Span::new(ms(10), ms(20)).unwrap();
        assert!(span.contains(ms(10)));
        assert!(span.contains(ms(19)));
        assert!(!span.contains(ms(20)));
        assert!(!span.contains(ms(9)));
        assert!(span.overlaps(ms(19), ms(30)));
        assert!(!span.overlaps(ms(20), ms(30)));
        assert!(!span.overlaps(ms(0), ms(10)));
        assert_eq!(span.millis(), 10);
    }

    #[test]
    fn an_empty_span_is_none() {
        assert_eq!(Span::new(ms(10), ms(10)), None);
        assert_eq!(Span::new(ms(10), ms(9)), None);
    }
}
