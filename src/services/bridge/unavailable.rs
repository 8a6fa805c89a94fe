//! Stands in for a bridge whose configuration cannot work (the reason is
//! kept): every command fails at once with it, nothing is ever reported.

use super::{BoxFuture, BridgeError, CommandRequest, ControllerBridge, ControllerEvent};
use tokio::sync::broadcast;

pub struct Unavailable(pub String);

impl ControllerBridge for Unavailable {
    fn execute(&self, _request: CommandRequest) -> BoxFuture<'_, Result<(), BridgeError>> {
        Box::pin(async move { Err(BridgeError::Config(self.0.clone())) })
    }

    fn events(&self) -> broadcast::Receiver<ControllerEvent> {
        broadcast::channel(1).1
    }

    fn test_connection(&self) -> BoxFuture<'_, Result<String, BridgeError>> {
        Box::pin(async move { Err(BridgeError::Config(self.0.clone())) })
    }

    fn shutdown(&self) {}
}
