//! The bridge hub: one running bridge per controller, built from its stored
//! kind and connection, with a pump task that turns what the controller
//! reports into door state, events and live updates ([`super::pump`]).
//! Every relay command of the server goes through here with an id and a
//! deadline; a command that fails is logged against its door.

use super::monitor::GRACE;
use super::pump::{self, PumpInput};
use super::simulated::{SimStart, SimulatedController};
use super::{BridgeError, Command, CommandRequest, ControllerBridge};
use crate::model::BridgeConfig;
use crate::services::db::flag;
use crate::services::event_writer::{EventWriter, NewEvent};
use crate::services::live::Live;
use crate::services::unlock::UnlockService;
use crate::services::{now_ms, Db, ServiceResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long a controller has to acknowledge a command.
pub const COMMAND_DEADLINE: Duration = Duration::from_secs(3);

/// A granted unlock's relay pulse.
#[derive(Clone, Copy, Debug)]
pub struct Pulse {
    pub door_id: i64,
    pub controller_id: i64,
    pub relay: u8,
    pub seconds: u32,
    /// An owner's or admin's own unlock: sent during a lockdown too.
    pub exempt_from_lockdown: bool,
}

/// One physical relay: (controller, relay number).
type RelayKey = (i64, u8);

struct Running {
    bridge: Arc<dyn ControllerBridge>,
    simulated: Option<SimulatedController>,
    inputs: mpsc::UnboundedSender<PumpInput>,
    pump: tokio::task::AbortHandle,
}

pub(super) struct Hub {
    pub(super) db: Db,
    pub(super) events: EventWriter,
    pub(super) live: Live,
    pub(super) unlock: OnceLock<UnlockService>,
    running: Mutex<HashMap<i64, Running>>,
    /// One lock per relay, held while a command that energises it (a pulse,
    /// a hold) is checked against lockdown and sent, and by a lockdown while
    /// it releases the relay: a lockdown waits for what is in flight, and
    /// what comes after it reads the lockdown (see [`Bridges::relock`]).
    relays: Mutex<HashMap<RelayKey, Arc<tokio::sync::Mutex<()>>>>,
    /// Whether this replica acts on real controllers' reports (see
    /// [`Bridges::set_leading`]).
    leading: AtomicBool,
}

/// Every controller's bridge. Cheap to clone.
#[derive(Clone)]
pub struct Bridges {
    pub(super) hub: Arc<Hub>,
}

impl std::fmt::Debug for Bridges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridges").finish_non_exhaustive()
    }
}

impl Bridges {
    /// A hub with no controllers yet; [`Bridges::start`] connects them.
    pub fn new(db: Db, events: EventWriter, live: Live) -> Bridges {
        let hub = Hub {
            db,
            events,
            live,
            unlock: OnceLock::new(),
            running: Mutex::new(HashMap::new()),
            relays: Mutex::new(HashMap::new()),
            leading: AtomicBool::new(true),
        };
        Bridges { hub: Arc::new(hub) }
    }

    /// Connects every stored controller; cards presented at readers go
    /// through `unlock`.
    pub async fn start(&self, unlock: UnlockService) -> ServiceResult<()> {
        let _ = self.hub.unlock.set(unlock);
        let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM controllers ORDER BY id").fetch_all(self.hub.db.pool()).await?;
        for (id,) in ids {
            self.reload(id).await?;
        }
        Ok(())
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Running>> {
        self.hub.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (Re)connects one controller after it was created, edited or deleted.
    pub async fn reload(&self, controller_id: i64) -> ServiceResult<()> {
        if let Some(old) = self.running().remove(&controller_id) {
            old.pump.abort();
            old.bridge.shutdown();
        }
        let row: Option<(String, i64, i64)> =
            sqlx::query_as("SELECT bridge_config, online, power_lost FROM controllers WHERE id = $1")
                .bind(controller_id)
                .fetch_optional(self.hub.db.pool())
                .await?;
        let Some((config, online, power_lost)) = row else { return Ok(()) };
        let config = crate::services::controllers::stored_config(&config);
        let doors: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT relay, sensor_open FROM doors WHERE controller_id = $1 AND relay IS NOT NULL")
                .bind(controller_id)
                .fetch_all(self.hub.db.pool())
                .await?;
        let mut start = SimStart { online: flag(online), power_lost: flag(power_lost), doors_open: [false; 4] };
        for (relay, open) in doors {
            if let Some(slot) = usize::try_from(relay - 1).ok().and_then(|i| start.doors_open.get_mut(i)) {
                *slot = open.is_some_and(flag);
            }
        }
        let (bridge, simulated) = connect(&config, start);
        let (inputs, receiver) = mpsc::unbounded_channel();
        let pump = tokio::spawn(pump::run(self.clone(), controller_id, simulated.is_some(), bridge.events(), receiver)).abort_handle();
        if let Some(simulated) = &simulated {
            // Its door sensors are known from the start, as a real controller's are once connected.
            simulated.report_state();
        }
        self.running().insert(controller_id, Running { bridge, simulated, inputs, pump });
        Ok(())
    }

    /// With several replicas every one hears a real controller's reports;
    /// only the replica running the scheduler (one at a time) acts on them,
    /// so a card is decided and an alarm logged once. Simulated controllers
    /// live in one process and are always handled there. On by default.
    pub fn set_leading(&self, leading: bool) {
        self.hub.leading.store(leading, Ordering::Relaxed);
    }

    /// See [`set_leading`](Self::set_leading).
    pub fn leading(&self) -> bool {
        self.hub.leading.load(Ordering::Relaxed)
    }

    /// The simulated controller, for the simulator panel.
    pub fn simulated(&self, controller_id: i64) -> Option<SimulatedController> {
        self.running().get(&controller_id).and_then(|r| r.simulated.clone())
    }

    /// [`simulated`](Self::simulated), connecting a controller that was
    /// added behind the hub's back (the CLI's `demo`, another replica).
    pub async fn simulated_or_connect(&self, controller_id: i64) -> ServiceResult<Option<SimulatedController>> {
        if self.simulated(controller_id).is_none() && !self.running().contains_key(&controller_id) {
            self.reload(controller_id).await?;
        }
        Ok(self.simulated(controller_id))
    }

    fn bridge(&self, controller_id: i64) -> Option<(Arc<dyn ControllerBridge>, mpsc::UnboundedSender<PumpInput>)> {
        self.running().get(&controller_id).map(|r| (r.bridge.clone(), r.inputs.clone()))
    }

    /// Sends one command and waits for its acknowledgement (or its
    /// deadline). A hold is sent only if the relay's door is not locked
    /// down (checked under the relay's lock, see [`relock`](Self::relock)).
    pub async fn command(&self, controller_id: i64, command: Command) -> Result<(), BridgeError> {
        match command {
            Command::Hold { relay } => self.energise(controller_id, relay, command, false).await,
            Command::Pulse { relay, .. } => self.energise(controller_id, relay, command, false).await,
            _ => self.send(controller_id, command).await,
        }
    }

    /// Sends a command that energises `relay`, under the relay's lock,
    /// after reading whether its door is locked down now (unless `exempt`).
    async fn energise(&self, controller_id: i64, relay: u8, command: Command, exempt: bool) -> Result<(), BridgeError> {
        let lock = self.relay_lock((controller_id, relay));
        let _held = lock.lock().await;
        if !exempt && self.locked_down(controller_id, relay).await? {
            return Err(BridgeError::LockedDown);
        }
        self.send(controller_id, command).await
    }

    /// Whether the door on this relay (or its place) is locked down, read
    /// from the database now.
    async fn locked_down(&self, controller_id: i64, relay: u8) -> Result<bool, BridgeError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT CASE WHEN d.locked_down_at IS NULL AND p.locked_down_at IS NULL THEN 0 ELSE 1 END
             FROM doors d JOIN places p ON p.id = d.place_id WHERE d.controller_id = $1 AND d.relay = $2",
        )
        .bind(controller_id)
        .bind(i64::from(relay))
        .fetch_optional(self.hub.db.pool())
        .await
        .map_err(|e| BridgeError::Transport(format!("could not read the door's lockdown: {e}")))?;
        Ok(row.is_some_and(|(locked,)| locked != 0))
    }

    fn relay_lock(&self, key: RelayKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut relays = self.hub.relays.lock().unwrap_or_else(|p| p.into_inner());
        relays.entry(key).or_default().clone()
    }

    /// Sends one command as it is.
    async fn send(&self, controller_id: i64, command: Command) -> Result<(), BridgeError> {
        if self.bridge(controller_id).is_none() {
            // Added behind the hub's back (the CLI, another replica): connect it now.
            self.reload(controller_id).await.map_err(|e| BridgeError::Transport(e.to_string()))?;
        }
        let (bridge, inputs) =
            self.bridge(controller_id).ok_or_else(|| BridgeError::Config("The controller no longer exists.".into()))?;
        let held = match command {
            Command::Hold { relay } => Some((relay, true)),
            Command::Release { relay } => Some((relay, false)),
            _ => None,
        };
        bridge.execute(CommandRequest::new(command, COMMAND_DEADLINE)).await?;
        if let Some((relay, held)) = held {
            let _ = inputs.send(PumpInput::Held { relay, held });
        }
        Ok(())
    }

    /// Pulses a granted door's relay in the background. When the controller
    /// acknowledges, opening the door is expected until the pulse ends; when
    /// it does not (or the door was locked down since the grant, and the
    /// grant was not an owner's or admin's), the failure is logged against
    /// the door and the door no longer reads Unlocked.
    pub fn pulse(&self, pulse: Pulse) {
        let bridges = self.clone();
        tokio::spawn(async move {
            let command = Command::Pulse { relay: pulse.relay, seconds: pulse.seconds };
            let sent = Instant::now();
            match bridges.energise(pulse.controller_id, pulse.relay, command, pulse.exempt_from_lockdown).await {
                Ok(()) => {
                    if let Some((_, inputs)) = bridges.bridge(pulse.controller_id) {
                        let until = sent + Duration::from_secs(u64::from(pulse.seconds));
                        let _ = inputs.send(PumpInput::Allow { relay: pulse.relay, until });
                    }
                }
                Err(error) => bridges.pulse_failed(pulse, &error).await,
            }
        });
    }

    /// Releases the relays of these doors at once (lockdown): a pulse in
    /// progress ends now instead of running out. Each relay's lock is taken
    /// first, so a pulse or hold being sent is acknowledged before the
    /// release goes out, and every later one reads the lockdown (committed
    /// before this is called) and is not sent. Failures to release are only
    /// logged to the server log; the decision already refuses new unlocks.
    pub async fn relock(&self, door_ids: &[i64]) -> ServiceResult<()> {
        for &door_id in door_ids {
            let wired: Option<(Option<i64>, Option<i64>)> = sqlx::query_as("SELECT controller_id, relay FROM doors WHERE id = $1")
                .bind(door_id)
                .fetch_optional(self.hub.db.pool())
                .await?;
            if let Some((Some(controller_id), Some(relay))) = wired {
                let relay = u8::try_from(relay).unwrap_or(1);
                let lock = self.relay_lock((controller_id, relay));
                let _held = lock.lock().await;
                if let Err(error) = self.send(controller_id, Command::Release { relay }).await {
                    tracing::warn!(door_id, %error, "could not release the relay for a lockdown");
                }
            }
        }
        Ok(())
    }

    async fn pulse_failed(&self, pulse: Pulse, error: &BridgeError) {
        tracing::warn!(door_id = pulse.door_id, controller_id = pulse.controller_id, %error, "relay command failed");
        let db = &self.hub.db;
        let _ = sqlx::query("UPDATE doors SET unlocked_until = NULL WHERE id = $1 AND unlocked_until <= $2")
            .bind(pulse.door_id)
            .bind(now_ms() + i64::from(pulse.seconds) * 1000 + GRACE.as_millis() as i64)
            .execute(db.pool())
            .await;
        let door: Option<(String, i64)> =
            sqlx::query_as("SELECT name, place_id FROM doors WHERE id = $1").bind(pulse.door_id).fetch_optional(db.pool()).await.ok().flatten();
        let (subject, place_id) = door.map_or((String::new(), None), |(name, place)| (name, Some(place)));
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "system".into(),
            actor_name: "Controller bridge".into(),
            action: "relay.command_failed".into(),
            subject,
            door_id: Some(pulse.door_id),
            place_id,
            result: "error".into(),
            reasons: vec!["command_failed".into()],
            details: error.to_string(),
            ..Default::default()
        };
        let _ = self.hub.events.record(event).await;
        self.hub.live.doors_changed(&[pulse.door_id]);
    }

    /// Reaches a controller with a configuration (saved or not) and says what
    /// happened, for the controller page's "Test connection".
    pub async fn test_connection(&self, controller_id: Option<i64>, config: &BridgeConfig) -> Result<String, BridgeError> {
        if let (Some(id), BridgeConfig::Simulated) = (controller_id, config) {
            if let Some(simulated) = self.simulated(id) {
                return simulated.test_connection().await;
            }
        }
        let (bridge, _) = connect(config, SimStart { online: true, ..Default::default() });
        let result = tokio::time::timeout(COMMAND_DEADLINE * 2, bridge.test_connection())
            .await
            .unwrap_or_else(|_| Err(BridgeError::Transport("no answer within 6 s".into())));
        bridge.shutdown();
        result
    }
}

/// Builds the bridge a configuration asks for.
fn connect(config: &BridgeConfig, start: SimStart) -> (Arc<dyn ControllerBridge>, Option<SimulatedController>) {
    match config {
        BridgeConfig::Simulated => {
            let simulated = SimulatedController::new(start);
            (Arc::new(simulated.clone()), Some(simulated))
        }
        BridgeConfig::Mqtt(settings) => (super::mqtt::MqttBridge::connect(settings), None),
        BridgeConfig::Http(settings) => match super::shelly::ShellyBridge::new(settings) {
            Ok(bridge) => (Arc::new(bridge), None),
            Err(error) => (Arc::new(super::unavailable::Unavailable(error.to_string())), None),
        },
    }
}
