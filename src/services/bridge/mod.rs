//! The controller bridge (SPEC §6): how Postern drives relays and hears back
//! from controllers. One [`ControllerBridge`] per controller, whatever its
//! kind: [`simulated`] (inside the server), MQTT (Tasmota firmware) or HTTP
//! (Shelly Gen2). The [`hub`] owns them, routes commands to them and turns
//! what they report into door state, events and live updates.
//!
//! Every command carries an id and a deadline. A bridge resolves
//! [`ControllerBridge::execute`] when the controller acknowledged the
//! command, or with [`BridgeError::Timeout`] at the deadline — never later.
//! Commands are idempotent: executing the same id twice acts once and
//! answers the first result again ([`Idempotency`]).

mod command;
mod event;
pub mod hub;
pub mod monitor;
pub mod mqtt;
mod pump;
pub mod shelly;
pub mod simulated;
mod unavailable;

pub use command::{BridgeError, Command, CommandId, CommandRequest, Idempotency};
pub use event::ControllerEvent;
pub use hub::{Bridges, Pulse};

use std::future::Future;
use std::pin::Pin;
use tokio::sync::broadcast;

/// A boxed future, so bridges of every kind fit behind one `dyn` trait.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One controller, as Postern talks to it.
pub trait ControllerBridge: Send + Sync + 'static {
    /// Carries out the command; resolves when the controller acknowledged it,
    /// or with [`BridgeError::Timeout`] at `request.deadline`.
    fn execute(&self, request: CommandRequest) -> BoxFuture<'_, Result<(), BridgeError>>;

    /// What the controller reports, from now on (online/offline, relays,
    /// door sensors, request-to-exit, cards, tamper, power).
    fn events(&self) -> broadcast::Receiver<ControllerEvent>;

    /// Reaches the controller once and says what happened, in a sentence
    /// for the admin ("Connected to … ; the device answered …").
    fn test_connection(&self) -> BoxFuture<'_, Result<String, BridgeError>>;

    /// Stops background tasks (connections, timers). Called when the
    /// controller is deleted or its configuration changes.
    fn shutdown(&self);
}
