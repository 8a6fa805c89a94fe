//! What controllers report back. Inputs are numbered from 1 and belong to
//! the door on the relay of the same number (Controller Pro wiring: relay N,
//! door sensor N and request-to-exit N serve one door; reader port N is the
//! reader of the same number).

use super::command::{BridgeError, CommandId};
use serde::{Deserialize, Serialize};

/// One report from a controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ControllerEvent {
    /// The controller is reachable (again).
    Online,
    /// The controller stopped answering (LWT, timeouts, simulated).
    Offline,
    /// A relay changed state.
    Relay { relay: u8, energized: bool },
    /// A door sensor input changed.
    DoorSensor { input: u8, open: bool },
    /// Someone pressed the request-to-exit button.
    RequestToExit { input: u8 },
    /// A card or fob was presented at a reader port.
    CardPresented { port: u8, number: String },
    /// The enclosure's tamper switch opened.
    Tamper,
    /// The locks' power supply failed.
    PowerLost,
    /// The locks' power supply is back.
    PowerRestored,
    /// The door stayed open past its held-open limit.
    HeldOpen { input: u8 },
    /// The door opened with no grant and no request-to-exit.
    ForcedOpen { input: u8 },
    /// A command was not carried out (no acknowledgement, refused).
    CommandFailed { id: CommandId, error: BridgeError },
}
