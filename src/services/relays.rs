//! The relay driver used until the controller bridge lands: an in-memory
//! simulated relay per door. A pulse holds the relay for the door's pulse
//! time; a second pulse during one restarts it (one command in flight per
//! door, never two overlapping). The door's `unlocked_until`, which makes
//! every replica show it Unlocked, is written by the unlock service in the
//! same commit as the grant's event.

use super::now_ms;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct Relays {
    /// door id → (generation of the latest pulse, held until, ms).
    held: Arc<Mutex<HashMap<i64, (u64, i64)>>>,
}

impl Relays {
    pub fn new() -> Relays {
        Relays::default()
    }

    /// Energises the door's relay until `until` (ms). The caller has already
    /// written the door's `unlocked_until` with the event (one commit for both).
    pub fn pulse(&self, door_id: i64, until: i64) -> i64 {
        let seconds = u64::try_from(until - now_ms()).unwrap_or(0) / 1000;
        let generation = {
            let mut held = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let entry = held.entry(door_id).or_insert((0, 0));
            entry.0 += 1;
            entry.1 = until;
            entry.0
        };
        let relays = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(seconds * 1000)).await;
            let mut held = relays.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Only the latest pulse releases the relay.
            if held.get(&door_id).is_some_and(|(g, _)| *g == generation) {
                held.remove(&door_id);
            }
        });
        until
    }
}
