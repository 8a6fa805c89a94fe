//! Commands sent to a controller, their ids and deadlines, and what can go
//! wrong.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// What a controller is asked to do. Relays are numbered from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Energise the relay for `seconds`, then release it. The controller
    /// times the pulse itself, so the door relocks even if Postern dies.
    Pulse { relay: u8, seconds: u32 },
    /// Energise the relay until [`Command::Release`] (scheduled unlocks).
    Hold { relay: u8 },
    /// Release a held relay.
    Release { relay: u8 },
    /// Lockdown on: release every relay and ignore the controller's own
    /// grants; off: back to normal.
    Lockdown { on: bool },
}

/// Identifies one command; the same id executed twice acts once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommandId(pub u64);

impl CommandId {
    /// A fresh random id.
    pub fn random() -> CommandId {
        CommandId(rand::random())
    }
}

impl std::fmt::Display for CommandId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A command with its id and the instant by which it must be acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRequest {
    pub id: CommandId,
    pub deadline: Instant,
    pub command: Command,
}

impl CommandRequest {
    /// A fresh id and a deadline `within` from now.
    pub fn new(command: Command, within: Duration) -> CommandRequest {
        CommandRequest { id: CommandId::random(), deadline: Instant::now() + within, command }
    }
}

/// Why a command did not complete.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum BridgeError {
    /// No acknowledgement before the deadline.
    #[error("The controller did not acknowledge command {0} in time.")]
    Timeout(CommandId),
    /// The controller is known to be offline (or simulated offline).
    #[error("The controller is offline.")]
    Offline,
    /// The controller answered with a refusal.
    #[error("The controller refused the command: {0}")]
    Refused(String),
    /// The connection failed (broker, HTTP).
    #[error("Could not reach the controller: {0}")]
    Transport(String),
    /// The configuration cannot work (wrong kind, relay out of range).
    #[error("{0}")]
    Config(String),
    /// Postern did not send it: the door is locked down, and only an
    /// owner's or admin's own unlock energises its relay.
    #[error("The door is locked down: its relay was not energised.")]
    LockedDown,
}

/// Remembers the results of recent command ids, so a repeated id answers
/// the first result instead of acting again.
#[derive(Debug, Default)]
pub struct Idempotency {
    recent: Mutex<VecDeque<(CommandId, Result<(), BridgeError>)>>,
}

impl Idempotency {
    const KEEP: usize = 256;

    /// The stored result of `id`, if it already ran.
    pub fn seen(&self, id: CommandId) -> Option<Result<(), BridgeError>> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.iter().find(|(seen, _)| *seen == id).map(|(_, result)| result.clone())
    }

    /// Stores the result of `id` and returns it.
    pub fn remember(&self, id: CommandId, result: Result<(), BridgeError>) -> Result<(), BridgeError> {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        Self::keep(&mut recent, id, result)
    }

    /// Runs `act` (quick, not async) unless `id` already ran, under one lock:
    /// callers racing with the same id act once and all get its result.
    pub fn once(&self, id: CommandId, act: impl FnOnce() -> Result<(), BridgeError>) -> Result<(), BridgeError> {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, result)) = recent.iter().find(|(seen, _)| *seen == id) {
            return result.clone();
        }
        let result = act();
        Self::keep(&mut recent, id, result)
    }

    fn keep(
        recent: &mut VecDeque<(CommandId, Result<(), BridgeError>)>,
        id: CommandId,
        result: Result<(), BridgeError>,
    ) -> Result<(), BridgeError> {
        if recent.len() == Self::KEEP {
            recent.pop_front();
        }
        recent.push_back((id, result.clone()));
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn racing_callers_with_one_id_act_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let memory = std::sync::Arc::new(Idempotency::default());
        let acted = std::sync::Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (memory, acted) = (memory.clone(), acted.clone());
                std::thread::spawn(move || {
                    memory.once(CommandId(42), || {
                        acted.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        Ok(())
                    })
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), Ok(()));
        }
        assert_eq!(acted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn idempotency_answers_the_first_result() {
        let memory = Idempotency::default();
        let id = CommandId(7);
        assert_eq!(memory.seen(id), None);
        assert_eq!(memory.remember(id, Err(BridgeError::Offline)), Err(BridgeError::Offline));
        assert_eq!(memory.seen(id), Some(Err(BridgeError::Offline)));
        for n in 0..300 {
            let _ = memory.remember(CommandId(1000 + n), Ok(()));
        }
        assert_eq!(memory.seen(id), None, "old ids are forgotten");
    }

    #[test]
    fn ids_are_random_and_print_as_hex() {
        assert_ne!(CommandId::random(), CommandId::random());
        assert_eq!(CommandId(255).to_string(), "00000000000000ff");
    }
}
