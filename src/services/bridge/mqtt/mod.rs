//! The MQTT bridge: a Tasmota relay board behind an MQTT broker, driven with
//! Tasmota's own topics (default FullTopic `%prefix%/%topic%/`), so a stock
//! firmware needs only its settings.
//!
//! # Topic scheme (`<t>` = the device's Tasmota topic)
//!
//! Postern publishes (QoS 1, not retained):
//!
//! | command | messages, in order | acknowledged by |
//! |---|---|---|
//! | pulse relay N for S s | `cmnd/<t>/PulseTime<N>` = P, then `cmnd/<t>/POWER<N>` = `ON` | relay N reported `ON` |
//! | hold relay N | `cmnd/<t>/PulseTime<N>` = `0`, then `cmnd/<t>/POWER<N>` = `ON` | relay N reported `ON` |
//! | release relay N | `cmnd/<t>/POWER<N>` = `OFF` | relay N reported `OFF` |
//! | lockdown on | `cmnd/<t>/POWER0` = `OFF` (every relay) | an `OFF` report and no relay known `ON` |
//! | lockdown off | nothing (the board has no grants of its own) | at once |
//! | state query | `cmnd/<t>/STATE` = empty (on connecting, when the device comes online, `test_connection`) | |
//!
//! P is Tasmota's PulseTime encoding: 1..=111 are tenths of a second, 112 and
//! more are seconds + 100 (5 s → `50`, 12 s → `112`, at most 64 800 s). The
//! *device* times the pulse, so the door relocks even if Postern dies
//! mid-pulse. PulseTime is a stored setting, which is why a hold sets it back
//! to 0 first.
//!
//! Postern subscribes to `stat/<t>/+` and `tele/<t>/+` and reads:
//!
//! - relay states: `stat/<t>/POWER<N>` (`stat/<t>/POWER` = relay 1) = `ON`/`OFF`,
//!   and the `"POWER<N>"` keys of the JSON in `stat/<t>/RESULT` (answers to
//!   commands and to `STATE`) and `tele/<t>/STATE` (telemetry). A command is
//!   acknowledged by the matching state arriving after it was published;
//!   every change also becomes [`ControllerEvent::Relay`].
//! - liveness: `tele/<t>/LWT` = `Online`/`Offline` (retained; the broker
//!   publishes `Offline` when the device vanishes). Online = broker connected
//!   and LWT `Online`; a lost broker connection is reported Offline at once.
//! - inputs, from Tasmota `Switch<K>` inputs detached from the relays
//!   (`SetOption114 1`, `SwitchMode<K> 1` or `2` so that ON means the line is
//!   active): `stat/<t>/RESULT` = `{"Switch<K>":{"Action":"ON"}}` and the
//!   periodic `tele/<t>/SENSOR` = `{…,"Switch<K>":"ON"}` (only changes count):
//!   - `Switch1`…`Switch8`: door contact of door 1…8, ON = open;
//!   - `Switch9`…`Switch16`: request-to-exit of door 1…8, ON (or `TOGGLE`
//!     from push-button modes) = pressed;
//!   - `Switch17`: enclosure tamper, ON = opened;
//!   - `Switch18`: the lock PSU's AC-fail output, ON = power lost, OFF after
//!     ON = power restored.
//! - cards: `tele/<t>/SENSOR` = `{…,"Wiegand":{"UID":…,"Size":26}}` (also the
//!   `PN532`, `RC522` and `RDM6300` readers' `UID`), reader port 1.
//!
//! The connection task keeps polling rumqttc's event loop after a failure
//! (back-off 250 ms … 3 s), subscribes again on every connection and asks
//! for the device's state, so relays and liveness are right after a broker
//! restart. Commands wait until the broker is connected and the device's
//! last will was read (failing at once with "offline" if it says `Offline`),
//! and a command interrupted by a lost connection is published again once
//! the broker and the device are back, until its deadline.

mod device;
mod link;
mod topics;

pub use topics::{pulse_millis, pulse_time, MAX_PULSE_SECONDS, MAX_RELAYS};

use self::device::Device;
use self::topics::{Ack, Topics};
use super::{
    BoxFuture, BridgeError, CommandId, CommandRequest, ControllerBridge, ControllerEvent,
    Idempotency,
};
use crate::model::bridge_config::MqttSettings;
use rumqttc::{AsyncClient, MqttOptions, QoS};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How long `test_connection` waits for the broker, then for the device.
const TEST_WAIT: Duration = Duration::from_secs(3);

/// One Tasmota device behind one broker connection.
pub struct MqttBridge {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

struct Shared {
    /// `mqtt://host:port`, for sentences.
    url: String,
    topics: Topics,
    client: AsyncClient,
    device: watch::Sender<Device>,
    events: broadcast::Sender<ControllerEvent>,
    /// Every relay report as it arrives, for acknowledgements.
    relay_reports: broadcast::Sender<Vec<(u8, bool)>>,
    idempotency: Idempotency,
    /// Commands being carried out, so a repeated id waits for the first.
    running: Mutex<HashMap<CommandId, watch::Receiver<Outcome>>>,
}

impl MqttBridge {
    /// Starts connecting in the background (needs a Tokio runtime) and
    /// returns at once; the bridge reports Online when the device does.
    pub fn connect(settings: &MqttSettings) -> Arc<MqttBridge> {
        let client_id = format!("postern-{:08x}", rand::random::<u32>());
        let mut options = MqttOptions::new(client_id, settings.host.clone(), settings.port);
        options
            .set_keep_alive(Duration::from_secs(10))
            .set_clean_session(true);
        if !settings.username.is_empty() {
            options.set_credentials(settings.username.clone(), settings.password.clone());
        }
        let (client, eventloop) = AsyncClient::new(options, 64);
        let shared = Arc::new(Shared {
            url: format!("mqtt://{}:{}", settings.host, settings.port),
            topics: Topics::new(&settings.topic),
            client,
            device: watch::Sender::new(Device::default()),
            events: broadcast::channel(256).0,
            relay_reports: broadcast::channel(64).0,
            idempotency: Idempotency::default(),
            running: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(link::run(shared.clone(), eventloop, stopped));
        Arc::new(MqttBridge { shared, stop })
    }

    /// Runs `request` once per id: a repeated id answers the first result, and
    /// waits for it if the first is still running.
    async fn execute_once(&self, request: CommandRequest) -> Result<(), BridgeError> {
        let shared = &self.shared;
        let id = request.id;
        loop {
            let first = {
                let mut running = shared.running.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(result) = shared.idempotency.seen(id) {
                    return result;
                }
                match running.get(&id) {
                    Some(first) => Turn::Wait(first.clone()),
                    None => {
                        let (done, receiver) = watch::channel(None);
                        running.insert(id, receiver);
                        Turn::Run(done)
                    }
                }
            };
            match first {
                Turn::Wait(mut first) => {
                    match tokio::time::timeout_at(request.deadline, first.wait_for(Option::is_some))
                        .await
                    {
                        Ok(Ok(result)) => {
                            return result.clone().unwrap_or(Err(BridgeError::Timeout(id)))
                        }
                        Ok(Err(_)) => continue, // the first caller gave up: run it here
                        Err(_) => return Err(BridgeError::Timeout(id)),
                    }
                }
                Turn::Run(done) => {
                    let _running = Running { shared, id };
                    let result =
                        tokio::time::timeout_at(request.deadline, shared.carry_out(&request))
                            .await
                            .unwrap_or(Err(BridgeError::Timeout(id)));
                    let result = shared.idempotency.remember(id, result);
                    done.send_replace(Some(result.clone()));
                    return result;
                }
            }
        }
    }

    async fn check(&self) -> Result<String, BridgeError> {
        let shared = &self.shared;
        let mut device = shared.device.subscribe();
        let failures = device.borrow().failures;
        let connected = tokio::time::timeout(
            TEST_WAIT,
            device.wait_for(|d| d.broker_up || d.failures > failures),
        )
        .await
        .map(|d| d.map(|d| d.broker_up).unwrap_or(false))
        .unwrap_or(false);
        if !connected {
            let reason = device
                .borrow()
                .last_error
                .clone()
                .unwrap_or_else(|| "no answer within 3 s".into());
            return Err(BridgeError::Transport(format!(
                "{} did not accept the connection: {reason}.",
                shared.url
            )));
        }
        let mut reports = shared.relay_reports.subscribe();
        shared
            .client
            .publish(
                shared.topics.command("STATE"),
                QoS::AtLeastOnce,
                false,
                Vec::new(),
            )
            .await
            .map_err(|e| BridgeError::Transport(e.to_string()))?;
        let topic = shared.topics.topic();
        match tokio::time::timeout(TEST_WAIT, reports.recv()).await {
            Ok(Ok(_)) => {
                // The first report after the query may be a late echo of an
                // earlier command naming one relay; the device's whole
                // state, updated before any report is passed on, names all.
                let relays = shared.device.borrow().relays.clone();
                let states: Vec<String> = relays
                    .iter()
                    .map(|(n, on)| format!("relay {n} {}", if *on { "ON" } else { "OFF" }))
                    .collect();
                Ok(format!(
                    "Connected to {}; device {topic} answered: {}.",
                    shared.url,
                    states.join(", ")
                ))
            }
            _ => {
                let will = match device.borrow().lwt {
                    Some(false) => " (its last will says Offline)",
                    _ => "",
                };
                Err(BridgeError::Transport(format!(
                    "connected to {}, but device {topic} did not answer within 3 s{will}; check the topic.",
                    shared.url
                )))
            }
        }
    }
}

/// A command's result once it is known.
type Outcome = Option<Result<(), BridgeError>>;

/// Whether this caller carries the command out or waits for the first one.
enum Turn {
    Run(watch::Sender<Outcome>),
    Wait(watch::Receiver<Outcome>),
}

/// Forgets a running command when its first caller finishes or gives up.
struct Running<'a> {
    shared: &'a Shared,
    id: CommandId,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.shared
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

impl Shared {
    /// Publishes the command's messages and waits for the acknowledgement,
    /// publishing again after a reconnection. The caller bounds it by the deadline.
    async fn carry_out(&self, request: &CommandRequest) -> Result<(), BridgeError> {
        let (messages, ack) = self
            .topics
            .publications(&request.command)
            .map_err(BridgeError::Config)?;
        let Some(ack) = ack else { return Ok(()) };
        let mut device = self.device.subscribe();
        loop {
            let (connection, lwt) = {
                // Connected, and the device's last will read: publishing
                // before it is back (after a broker restart) would be lost.
                let d = device
                    .wait_for(|d| d.broker_up && d.lwt.is_some())
                    .await
                    .map_err(|_| stopped())?;
                (d.connections, d.lwt)
            };
            if lwt == Some(false) {
                return Err(BridgeError::Offline);
            }
            let mut reports = self.relay_reports.subscribe();
            for (topic, payload) in &messages {
                self.client
                    .publish(topic.as_str(), QoS::AtLeastOnce, false, payload.as_bytes())
                    .await
                    .map_err(|e| BridgeError::Transport(e.to_string()))?;
            }
            loop {
                tokio::select! {
                    report = reports.recv() => match report {
                        Ok(relays) if self.acknowledges(ack, &relays) => return Ok(()),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return Err(stopped()),
                    },
                    changed = device.changed() => {
                        changed.map_err(|_| stopped())?;
                        let d = device.borrow_and_update();
                        if d.lwt == Some(false) {
                            return Err(BridgeError::Offline);
                        }
                        if !d.broker_up || d.connections != connection {
                            break; // publish again on the new connection
                        }
                    }
                }
            }
        }
    }

    fn acknowledges(&self, ack: Ack, relays: &[(u8, bool)]) -> bool {
        match ack {
            Ack::Relay(relay, on) => relays.contains(&(relay, on)),
            Ack::AllOff => {
                relays.iter().any(|(_, on)| !on)
                    && self.device.borrow().relays.values().all(|on| !on)
            }
        }
    }
}

fn stopped() -> BridgeError {
    BridgeError::Transport("the MQTT bridge was shut down".into())
}

impl ControllerBridge for MqttBridge {
    fn execute(&self, request: CommandRequest) -> BoxFuture<'_, Result<(), BridgeError>> {
        Box::pin(self.execute_once(request))
    }

    fn events(&self) -> broadcast::Receiver<ControllerEvent> {
        self.shared.events.subscribe()
    }

    fn test_connection(&self) -> BoxFuture<'_, Result<String, BridgeError>> {
        Box::pin(self.check())
    }

    fn shutdown(&self) {
        self.stop.send_replace(true);
    }
}

impl Drop for MqttBridge {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
