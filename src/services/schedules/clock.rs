//! The runner's clock, injectable so tests (and simulations) control time.

use crate::services::bridge::BoxFuture;
use crate::types::Timestamp;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// Longest the system clock sleeps in one go: a wall-clock jump (NTP, a
/// suspended machine) is noticed within this.
const LONGEST_SLEEP: Duration = Duration::from_secs(300);

/// What time it is, and a way to wait for a time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Resolves at `at` on this clock, or earlier (the runner looks again).
    fn sleep_until(&self, at: Timestamp) -> BoxFuture<'_, ()>;
}

/// The machine's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(crate::services::now_ms())
    }

    fn sleep_until(&self, at: Timestamp) -> BoxFuture<'_, ()> {
        let wait = u64::try_from(at.millis() - self.now().millis()).unwrap_or(0);
        Box::pin(tokio::time::sleep(
            Duration::from_millis(wait).min(LONGEST_SLEEP),
        ))
    }
}

/// A clock that moves only when told to (tests).
#[derive(Clone, Debug)]
pub struct ManualClock {
    shared: Arc<(Mutex<Timestamp>, Notify)>,
}

impl ManualClock {
    /// Stopped at `at`.
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock {
            shared: Arc::new((Mutex::new(at), Notify::new())),
        }
    }

    /// Moves the clock to `at` (backwards too) and wakes every sleeper.
    pub fn set(&self, at: Timestamp) {
        *self.shared.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
        self.shared.1.notify_waiters();
    }

    /// Moves the clock forward by `millis`.
    pub fn advance(&self, millis: i64) {
        self.set(Timestamp::from_millis(self.now().millis() + millis));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sleep_until(&self, at: Timestamp) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            loop {
                let moved = self.shared.1.notified();
                if self.now() >= at {
                    return;
                }
                moved.await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_its_sleepers_when_moved_past() {
        let clock = ManualClock::new(Timestamp::from_millis(1_000));
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(Timestamp::from_millis(5_000)).await })
        };
        tokio::task::yield_now().await;
        clock.set(Timestamp::from_millis(4_999));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished());
        clock.advance(1);
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .unwrap()
            .unwrap();
    }
}
