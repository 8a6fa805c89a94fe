//! A single event: two fixed instants, whatever the time zone.

use super::Span;
use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// Unlocked from `start` to `end`, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleEvent {
    pub start: Timestamp,
    /// After `start` (the form checks it).
    pub end: Timestamp,
}

impl SingleEvent {
    /// Its one occurrence (none if it holds no instant).
    pub fn span(&self) -> Option<Span> {
        Span::new(self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_its_two_instants() {
        let event = SingleEvent {
            start: Timestamp::from_millis(1_000),
            end: Timestamp::from_millis(5_000),
        };
        let span = event.span().unwrap();
        assert_eq!((span.start, span.end), (event.start, event.end));
        let backwards = SingleEvent {
            start: event.end,
            end: event.start,
        };
        assert_eq!(backwards.span(), None);
    }
}
