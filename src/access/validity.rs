//! Validity windows: from (inclusive) until (exclusive), either end open.

use crate::types::Timestamp;

/// Why `now` is outside a validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outside {
    /// Before the start.
    NotYet(Timestamp),
    /// At or after the end.
    Ended(Timestamp),
}

/// `None` when `from <= now < until`; `None` bounds are open.
pub(crate) fn outside(
    now: Timestamp,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Option<Outside> {
    match (from, until) {
        (Some(from), _) if now < from => Some(Outside::NotYet(from)),
        (_, Some(until)) if now >= until => Some(Outside::Ended(until)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn start_is_inclusive_and_end_exclusive() {
        assert_eq!(
            outside(ts(9), Some(ts(10)), Some(ts(20))),
            Some(Outside::NotYet(ts(10)))
        );
        assert_eq!(outside(ts(10), Some(ts(10)), Some(ts(20))), None);
        assert_eq!(outside(ts(19), Some(ts(10)), Some(ts(20))), None);
        assert_eq!(
            outside(ts(20), Some(ts(10)), Some(ts(20))),
            Some(Outside::Ended(ts(20)))
        );
    }

    #[test]
    fn open_bounds() {
        assert_eq!(outside(ts(i64::MIN), None, None), None);
        assert_eq!(outside(ts(i64::MAX), Some(ts(0)), None), None);
        assert_eq!(outside(ts(i64::MIN), None, Some(ts(0))), None);
    }

    #[test]
    fn an_empty_window_reports_the_nearest_cause() {
        assert_eq!(
            outside(ts(5), Some(ts(10)), Some(ts(10))),
            Some(Outside::NotYet(ts(10)))
        );
        assert_eq!(
            outside(ts(10), Some(ts(10)), Some(ts(10))),
            Some(Outside::Ended(ts(10)))
        );
    }
}
