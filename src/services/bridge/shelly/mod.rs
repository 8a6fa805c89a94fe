//! The HTTP bridge to a Shelly Gen2 relay (Pro 4PM, Plus 1, …) over its
//! JSON-RPC API: `POST <address>/rpc` with a whole request frame.
//!
//! Commands (relay N is the device's switch N − 1):
//! - `Pulse { relay, seconds }` → `Switch.Set {id, on: true, toggle_after: seconds}`:
//!   the device itself switches off again, so the door relocks even if
//!   Postern or the network goes away.
//! - `Hold` → `Switch.Set {id, on: true}`; `Release` → `Switch.Set {id, on: false}`.
//! - `Lockdown { on: true }` → `Switch.Set {on: false}` on every switch;
//!   `Lockdown { on: false }` sends nothing (the device grants nothing by itself).
//!
//! Each call is retried after transport failures (no connection, no answer
//! within the attempt timeout, HTTP 5xx) with exponential backoff, all
//! bounded by the command's deadline: `execute` answers `Ok` on the device's
//! result, [`BridgeError::Refused`] on an RPC error object, and
//! [`BridgeError::Timeout`] at the deadline, never later. Ids are idempotent
//! ([`Idempotency`]); the same id sent again while the first is under way
//! waits for the first one's result.
//!
//! Events: the device does not push to Postern, so a poller calls
//! `Shelly.GetStatus` (one request for every switch and input) every
//! [`ShellyOptions::poll_every`] and reports changes:
//! - `Online` at the first answer and whenever it answers again, followed by
//!   every relay and door sensor as it is then;
//! - `Offline` after [`ShellyOptions::offline_after`] failed polls in a row;
//! - `switch:N` → `Relay { relay: N + 1 }` (also reported as soon as a command is acknowledged);
//! - `input:0`..`input:3` → `DoorSensor { input: N + 1, open }`, input on = door
//!   open (set "invert" on the Shelly's input if the contact is closed when
//!   the door is open);
//! - `input:4`..`input:7` (devices or add-ons with more inputs) →
//!   `RequestToExit { input: N − 3 }` when the input turns on.
//!
//! With a password, requests use Shelly's digest authentication (user
//! `admin`, SHA-256, realm and nonce from the device's 401 challenge).

mod digest;
mod rpc;
mod state;

pub use rpc::Backoff;

use super::{BoxFuture, BridgeError, Command, CommandId, CommandRequest, ControllerBridge, ControllerEvent, Idempotency};
use crate::model::bridge_config::{parse_http_address, HttpSettings};
use rpc::{CallError, ComponentId, DeviceInfo, RpcClient, SwitchSet, SwitchStatus};
use serde::Serialize;
use serde_json::Value;
use state::{Observed, Snapshot};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

/// Timing and size of the bridge; the defaults suit a device on the LAN.
#[derive(Clone, Debug)]
pub struct ShellyOptions {
    /// How often the device's status is read.
    pub poll_every: Duration,
    /// Failed polls in a row before the device is reported offline.
    pub offline_after: u32,
    /// How long one HTTP request may take.
    pub attempt_timeout: Duration,
    /// Pauses between attempts of one command.
    pub backoff: Backoff,
    /// Switches on the device (relays 1..=relays); 4 for a Pro 4PM.
    pub relays: u8,
}

impl Default for ShellyOptions {
    fn default() -> Self {
        ShellyOptions {
            poll_every: Duration::from_secs(1),
            offline_after: 3,
            attempt_timeout: Duration::from_secs(2),
            backoff: Backoff::default(),
            relays: 4,
        }
    }
}

/// One Shelly Gen2 device reached over HTTP.
pub struct ShellyBridge {
    shared: Arc<Shared>,
    poller: Mutex<Option<JoinHandle<()>>>,
}

type Outcome = Result<(), BridgeError>;

struct Shared {
    address: String,
    rpc: RpcClient,
    options: ShellyOptions,
    events: broadcast::Sender<ControllerEvent>,
    done: Idempotency,
    /// Commands under way, by id; later callers with the same id wait on it.
    running: Mutex<HashMap<CommandId, watch::Receiver<Option<Outcome>>>>,
    observed: Mutex<Observed>,
}

impl ShellyBridge {
    /// A bridge with the default timing; starts polling at once (call
    /// inside a Tokio runtime).
    pub fn new(settings: &HttpSettings) -> Result<ShellyBridge, BridgeError> {
        ShellyBridge::with_options(settings, ShellyOptions::default())
    }

    pub fn with_options(settings: &HttpSettings, options: ShellyOptions) -> Result<ShellyBridge, BridgeError> {
        let address = parse_http_address(&settings.address).map_err(BridgeError::Config)?;
        let rpc = RpcClient::new(&address, &settings.password).map_err(BridgeError::Config)?;
        let shared = Arc::new(Shared {
            address,
            rpc,
            options,
            events: broadcast::channel(64).0,
            done: Idempotency::default(),
            running: Mutex::new(HashMap::new()),
            observed: Mutex::new(Observed::default()),
        });
        let poller = tokio::spawn(poll(Arc::clone(&shared)));
        Ok(ShellyBridge { shared, poller: Mutex::new(Some(poller)) })
    }
}

impl ControllerBridge for ShellyBridge {
    fn execute(&self, request: CommandRequest) -> BoxFuture<'_, Result<(), BridgeError>> {
        let shared = Arc::clone(&self.shared);
        Box::pin(async move { shared.execute_once(&request).await })
    }

    fn events(&self) -> broadcast::Receiver<ControllerEvent> {
        self.shared.events.subscribe()
    }

    fn test_connection(&self) -> BoxFuture<'_, Result<String, BridgeError>> {
        Box::pin(self.shared.test_connection())
    }

    fn shutdown(&self) {
        if let Some(poller) = self.poller.lock().unwrap_or_else(|p| p.into_inner()).take() {
            poller.abort();
        }
    }
}

impl Drop for ShellyBridge {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Removes a command from `running` however its future ends.
struct Running<'a> {
    shared: &'a Shared,
    id: CommandId,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        lock(&self.shared.running).remove(&self.id);
    }
}

impl Shared {
    /// Runs the command, or answers the result of the same id (done or under
    /// way). Every wait ends at the deadline; a timeout is remembered like
    /// any other result.
    async fn execute_once(&self, request: &CommandRequest) -> Outcome {
        let timeout = || Err(BridgeError::Timeout(request.id));
        loop {
            let sender = {
                let mut running = lock(&self.running);
                if let Some(outcome) = self.done.seen(request.id) {
                    return outcome;
                }
                match running.get(&request.id) {
                    Some(first) => Err(first.clone()),
                    None => {
                        let (sender, receiver) = watch::channel(None);
                        running.insert(request.id, receiver);
                        Ok(sender)
                    }
                }
            };
            match sender {
                Ok(sender) => {
                    let _running = Running { shared: self, id: request.id };
                    let outcome =
                        tokio::time::timeout_at(request.deadline, self.carry_out(&request.command)).await.unwrap_or_else(|_| timeout());
                    let outcome = {
                        let _running = lock(&self.running);
                        self.done.remember(request.id, outcome)
                    };
                    sender.send_replace(Some(outcome.clone()));
                    return outcome;
                }
                Err(mut first) => {
                    match tokio::time::timeout_at(request.deadline, first.wait_for(Option::is_some)).await {
                        Ok(Ok(outcome)) => return outcome.clone().unwrap_or_else(timeout),
                        Ok(Err(_)) => {} // The first caller gave up before an answer: try again ourselves.
                        Err(_) => return timeout(),
                    }
                }
            }
        }
    }

    async fn carry_out(&self, command: &Command) -> Outcome {
        match *command {
            Command::Pulse { relay, seconds } => {
                if seconds == 0 {
                    return Err(BridgeError::Config("A pulse lasts at least one second.".into()));
                }
                self.set(self.switch(relay)?, true, Some(seconds)).await
            }
            Command::Hold { relay } => self.set(self.switch(relay)?, true, None).await,
            Command::Release { relay } => self.set(self.switch(relay)?, false, None).await,
            Command::Lockdown { on: true } => {
                for id in 0..self.options.relays {
                    self.set(id, false, None).await?;
                }
                Ok(())
            }
            Command::Lockdown { on: false } => Ok(()),
        }
    }

    /// The device's switch id for relay `relay` (from 1).
    fn switch(&self, relay: u8) -> Result<u8, BridgeError> {
        if (1..=self.options.relays).contains(&relay) {
            Ok(relay - 1)
        } else {
            Err(BridgeError::Config(format!("This device has relays 1 to {}; relay {relay} does not exist.", self.options.relays)))
        }
    }

    async fn set(&self, id: u8, on: bool, toggle_after: Option<u32>) -> Outcome {
        self.call_with_retries::<_, Value>("Switch.Set", SwitchSet { id, on, toggle_after }).await?;
        let events = lock(&self.observed).commanded(id, on);
        self.emit(events);
        Ok(())
    }

    /// Calls until the device answers; the caller bounds it by the deadline.
    async fn call_with_retries<P: Serialize + Clone, T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> Result<T, BridgeError> {
        let mut attempt = 0;
        loop {
            match self.rpc.call(method, Some(params.clone()), self.options.attempt_timeout).await {
                Ok(result) => return Ok(result),
                Err(CallError::Transient(why)) => {
                    let pause = self.options.backoff.delay(attempt);
                    tracing::debug!(address = %self.address, method, attempt, ?pause, "Shelly call failed, retrying: {why}");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(error) => return Err(bridge_error(error)),
            }
        }
    }

    async fn test_connection(&self) -> Result<String, BridgeError> {
        let within = self.options.attempt_timeout;
        let info: DeviceInfo = self.rpc.call::<(), _>("Shelly.GetDeviceInfo", None, within).await.map_err(|e| self.unreachable(e))?;
        let status: SwitchStatus =
            self.rpc.call("Switch.GetStatus", Some(ComponentId { id: 0 }), within).await.map_err(|e| self.unreachable(e))?;
        let model = info.app.filter(|app| !app.is_empty()).unwrap_or(info.model);
        let state = if status.output { "on" } else { "off" };
        Ok(format!("Reached {model} {} at {}; switch 0 (relay 1) is {state}.", info.id, self.address))
    }

    fn unreachable(&self, error: CallError) -> BridgeError {
        match error {
            CallError::Transient(why) => BridgeError::Transport(format!("{} did not answer ({why}).", self.address)),
            other => bridge_error(other),
        }
    }

    fn emit(&self, events: Vec<ControllerEvent>) {
        for event in events {
            // Nobody listening is fine.
            let _ = self.events.send(event);
        }
    }
}

fn bridge_error(error: CallError) -> BridgeError {
    match error {
        CallError::Transient(why) => BridgeError::Transport(why),
        CallError::Rpc(e) => BridgeError::Refused(format!("{} (code {}).", e.message.trim_end_matches(['.', '!']), e.code)),
        CallError::Auth(why) => BridgeError::Config(why),
    }
}

/// Reads the device's status every `poll_every` and reports what changed.
async fn poll(shared: Arc<Shared>) {
    let mut ticker = tokio::time::interval(shared.options.poll_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let generation = lock(&shared.observed).generation();
        let within = shared.options.attempt_timeout.min(shared.options.poll_every.max(Duration::from_millis(500)));
        let events = match shared.rpc.call::<(), Value>("Shelly.GetStatus", None, within).await {
            Ok(status) => lock(&shared.observed).answered(&Snapshot::from_status(&status), generation),
            Err(error) => {
                tracing::debug!(address = %shared.address, "Shelly poll failed: {error:?}");
                lock(&shared.observed).failed(shared.options.offline_after)
            }
        };
        shared.emit(events);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
