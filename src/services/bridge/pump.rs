//! One task per controller: what the controller reports becomes stored
//! state (online, power, each door's sensor and alarm), events in the log,
//! live updates, and — for a card at a reader or the exit button — an
//! unlock. Held-open and forced-open alarms come from [`DoorMonitor`], the
//! same for every bridge kind.

use super::hub::{Bridges, Pulse};
use super::monitor::{AlarmChange, DoorMonitor};
use super::ControllerEvent;
use crate::door_status::DoorAlarm;
use crate::services::data_version::{self, DataVersion};
use crate::services::event_writer::NewEvent;
use crate::services::{now_ms, ServiceResult};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

/// What the hub tells a pump besides the controller's own reports.
#[derive(Debug)]
pub(super) enum PumpInput {
    /// A pulse was acknowledged: the door may open until then.
    Allow { relay: u8, until: Instant },
    /// A relay was held (scheduled unlock) or released.
    Held { relay: u8, held: bool },
}

/// The door wired to one relay (and its inputs and reader of that number).
#[derive(Clone, Debug, sqlx::FromRow)]
struct WiredDoor {
    id: i64,
    name: String,
    place_id: i64,
    relay: i64,
    pulse_seconds: i64,
    held_open_seconds: i64,
    lock_type: String,
}

struct Pump {
    bridges: Bridges,
    controller_id: i64,
    /// In this process: its reports are this replica's to handle.
    simulated: bool,
    monitor: DoorMonitor,
    doors: Vec<WiredDoor>,
    power_lost: bool,
    /// The database version `doors` and `power_lost` were read at.
    loaded_at: Option<DataVersion>,
    /// When `last_seen_at` was last written for a relay report.
    seen_written: Option<Instant>,
}

/// How often a relay report refreshes the controller's `last_seen_at` (a
/// write per pulse would cost every unlock two more commits).
const SEEN_EVERY: Duration = Duration::from_secs(60);

pub(super) async fn run(
    bridges: Bridges,
    controller_id: i64,
    simulated: bool,
    mut events: broadcast::Receiver<ControllerEvent>,
    mut inputs: mpsc::UnboundedReceiver<PumpInput>,
) {
    let mut pump = Pump {
        bridges,
        controller_id,
        simulated,
        monitor: DoorMonitor::default(),
        doors: Vec::new(),
        power_lost: false,
        loaded_at: None,
        seen_written: None,
    };
    if let Err(error) = pump.refresh().await {
        tracing::warn!(controller_id, %error, "could not read the controller's doors");
    }
    loop {
        let deadline = pump.monitor.next_deadline(&pump.limits());
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => {
                    if let Err(error) = pump.handle(event).await {
                        tracing::warn!(controller_id, %error, "could not handle a controller event");
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(controller_id, missed, "controller events were dropped");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            Some(input) = inputs.recv() => match input {
                PumpInput::Allow { relay, until } => pump.monitor.allow_until(relay, until),
                PumpInput::Held { relay, held } => pump.monitor.set_relay(relay, held, Instant::now()),
            },
            () = sleep_until(deadline), if deadline.is_some() => {
                for change in pump.monitor.tick(Instant::now(), &pump.limits()) {
                    if let Err(error) = pump.alarm(change).await {
                        tracing::warn!(controller_id, %error, "could not record an alarm");
                    }
                }
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Pump {
    /// Reads the wiring again if the database changed since it was read
    /// (doors are wired and rewired while the controller runs, from any replica).
    async fn refresh(&mut self) -> ServiceResult<()> {
        let version = data_version::read(&self.bridges.hub.db).await?;
        if self.loaded_at.as_ref() != Some(&version) {
            self.load().await?;
            self.loaded_at = Some(version);
        }
        Ok(())
    }

    async fn load(&mut self) -> ServiceResult<()> {
        let db = &self.bridges.hub.db;
        self.doors = sqlx::query_as(
            "SELECT id, name, place_id, relay, pulse_seconds, held_open_seconds, lock_type FROM doors
             WHERE controller_id = $1 AND relay IS NOT NULL",
        )
        .bind(self.controller_id)
        .fetch_all(db.pool())
        .await?;
        let (power_lost,): (i64,) =
            sqlx::query_as("SELECT power_lost FROM controllers WHERE id = $1").bind(self.controller_id).fetch_one(db.pool()).await?;
        self.power_lost = power_lost != 0;
        self.apply_power();
        Ok(())
    }

    fn door(&self, relay: u8) -> Option<&WiredDoor> {
        self.doors.iter().find(|d| d.relay == i64::from(relay))
    }

    fn limits(&self) -> [Option<Duration>; 4] {
        let mut limits = [None; 4];
        for door in &self.doors {
            if let Some(slot) = usize::try_from(door.relay - 1).ok().and_then(|i| limits.get_mut(i)) {
                *slot = u64::try_from(door.held_open_seconds).ok().filter(|s| *s > 0).map(Duration::from_secs);
            }
        }
        limits
    }

    /// A fail-safe lock without power is open at will: no forced-open alarm.
    fn apply_power(&mut self) {
        let now = Instant::now();
        for door in &self.doors {
            let fail_safe = crate::types::LockType::parse(&door.lock_type).is_ok_and(|t| t.fail_safe());
            if let Ok(relay) = u8::try_from(door.relay) {
                self.monitor.set_released(relay, self.power_lost && fail_safe, now);
            }
        }
    }

    fn door_ids(&self) -> Vec<i64> {
        self.doors.iter().map(|d| d.id).collect()
    }

    async fn handle(&mut self, event: ControllerEvent) -> ServiceResult<()> {
        if !self.simulated && !self.bridges.leading() {
            return Ok(());
        }
        let db = self.bridges.hub.db.clone();
        if let ControllerEvent::Relay { relay, energized } = event {
            // Every pulse reports twice: no reads, and a write once a minute.
            // Whoever energised it (this replica, another one, a schedule), the door may open.
            self.monitor.set_relay(relay, energized, Instant::now());
            if self.seen_written.is_none_or(|at| at.elapsed() >= SEEN_EVERY) {
                self.seen_written = Some(Instant::now());
                sqlx::query("UPDATE controllers SET last_seen_at = $1 WHERE id = $2").bind(now_ms()).bind(self.controller_id).execute(db.pool()).await?;
            }
            return Ok(());
        }
        self.refresh().await?;
        match event {
            ControllerEvent::Online | ControllerEvent::Offline => {
                let online = event == ControllerEvent::Online;
                sqlx::query("UPDATE controllers SET online = $1, last_seen_at = $2 WHERE id = $3")
                    .bind(i64::from(online))
                    .bind(now_ms())
                    .bind(self.controller_id)
                    .execute(db.pool())
                    .await?;
                let (action, result) = if online { ("controller.online", "ok") } else { ("controller.offline", "error") };
                self.log_controller(action, result, "").await?;
                self.bridges.hub.live.doors_changed(&self.door_ids());
            }
            ControllerEvent::PowerLost | ControllerEvent::PowerRestored => {
                let lost = event == ControllerEvent::PowerLost;
                if lost == self.power_lost {
                    return Ok(());
                }
                sqlx::query("UPDATE controllers SET power_lost = $1, last_seen_at = $2 WHERE id = $3")
                    .bind(i64::from(lost))
                    .bind(now_ms())
                    .bind(self.controller_id)
                    .execute(db.pool())
                    .await?;
                self.power_lost = lost;
                self.apply_power();
                let (action, details) = if lost {
                    ("controller.power_lost", "Fail-safe locks released; fail-secure locks stay locked.")
                } else {
                    ("controller.power_restored", "")
                };
                self.log_controller(action, if lost { "error" } else { "ok" }, details).await?;
                self.bridges.hub.live.doors_changed(&self.door_ids());
            }
            ControllerEvent::DoorSensor { input, open } => {
                let Some(door) = self.door(input).cloned() else { return Ok(()) };
                sqlx::query("UPDATE doors SET sensor_open = $1 WHERE id = $2").bind(i64::from(open)).bind(door.id).execute(db.pool()).await?;
                match self.monitor.sensor(input, open, Instant::now()) {
                    Some(change) => self.alarm(change).await?,
                    None => self.bridges.hub.live.doors_changed(&[door.id]),
                }
            }
            ControllerEvent::RequestToExit { input } => {
                self.request_to_exit(input).await?;
                // The last person out may close the day's scheduled unlock.
                if let Some(door) = self.door(input) {
                    crate::services::schedules::request_to_exit(&db, door.id, now_ms()).await?;
                }
            }
            ControllerEvent::CardPresented { port, number } => {
                let reader: Option<(i64,)> = sqlx::query_as("SELECT id FROM readers WHERE controller_id = $1 AND port = $2")
                    .bind(self.controller_id)
                    .bind(i64::from(port))
                    .fetch_optional(db.pool())
                    .await?;
                if let (Some((reader_id,)), Some(unlock)) = (reader, self.bridges.hub.unlock.get()) {
                    unlock.present_card(reader_id, &number).await?;
                }
            }
            ControllerEvent::HeldOpen { input } => self.alarm(AlarmChange::Raised { input, alarm: DoorAlarm::HeldOpen }).await?,
            ControllerEvent::ForcedOpen { input } => self.alarm(AlarmChange::Raised { input, alarm: DoorAlarm::ForcedOpen }).await?,
            ControllerEvent::Tamper => self.log_controller("controller.tamper", "error", "The enclosure was opened.").await?,
            ControllerEvent::CommandFailed { id, error } => {
                self.log_controller("relay.command_failed", "error", &format!("Command {id}: {error}")).await?;
            }
            ControllerEvent::Relay { .. } => {}
        }
        Ok(())
    }

    /// The exit button: always granted, logged, the relay pulsed.
    async fn request_to_exit(&mut self, input: u8) -> ServiceResult<()> {
        let Some(door) = self.door(input).cloned() else { return Ok(()) };
        let seconds = u32::try_from(door.pulse_seconds).unwrap_or(5);
        let until_ms = now_ms() + i64::from(seconds) * 1000;
        self.monitor.allow_until(input, Instant::now() + Duration::from_secs(u64::from(seconds)));
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "system".into(),
            actor_name: "Request to exit".into(),
            action: "unlock".into(),
            subject: door.name.clone(),
            door_id: Some(door.id),
            place_id: Some(door.place_id),
            method: Some("request_to_exit".into()),
            result: "granted".into(),
            unlocked_until: Some((door.id, until_ms)),
            ..Default::default()
        };
        self.bridges.hub.events.record(event).await?;
        // The event writer's commit announces the door's "unlocked until" live.
        // Leaving is never locked down: a person inside must get out.
        let pulse = Pulse { door_id: door.id, controller_id: self.controller_id, relay: input, seconds, exempt_from_lockdown: true };
        self.bridges.pulse(pulse);
        Ok(())
    }

    async fn alarm(&mut self, change: AlarmChange) -> ServiceResult<()> {
        let (input, alarm, raised) = match change {
            AlarmChange::Raised { input, alarm } => (input, alarm, true),
            AlarmChange::Cleared { input, alarm } => (input, alarm, false),
        };
        let Some(door) = self.door(input).cloned() else { return Ok(()) };
        let db = &self.bridges.hub.db;
        sqlx::query("UPDATE doors SET alarm = $1 WHERE id = $2")
            .bind(raised.then(|| alarm.as_str()))
            .bind(door.id)
            .execute(db.pool())
            .await?;
        let (action, details) = match (raised, alarm) {
            (true, DoorAlarm::ForcedOpen) => ("door.forced_open", "The door opened with no grant and no request to exit.".to_owned()),
            (true, DoorAlarm::HeldOpen) => {
                ("door.held_open", format!("The door has been open longer than its {} s limit.", door.held_open_seconds))
            }
            (false, _) => ("door.alarm_cleared", format!("{} alarm cleared: the door closed.", alarm.label())),
        };
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "system".into(),
            actor_name: "Door sensor".into(),
            action: action.into(),
            subject: door.name.clone(),
            door_id: Some(door.id),
            place_id: Some(door.place_id),
            result: if raised { "error".into() } else { "ok".into() },
            reasons: if raised { vec![alarm.as_str().into()] } else { Vec::new() },
            details,
            ..Default::default()
        };
        self.bridges.hub.events.record(event).await?;
        self.bridges.hub.live.doors_changed(&[door.id]);
        Ok(())
    }

    async fn log_controller(&self, action: &str, result: &str, details: &str) -> ServiceResult<()> {
        let db = &self.bridges.hub.db;
        let (name, place_id): (String, i64) =
            sqlx::query_as("SELECT name, place_id FROM controllers WHERE id = $1").bind(self.controller_id).fetch_one(db.pool()).await?;
        let event = NewEvent {
            at: now_ms(),
            actor_kind: "system".into(),
            actor_name: format!("Controller {name}"),
            action: action.into(),
            subject: name,
            place_id: Some(place_id),
            result: result.into(),
            details: details.into(),
            ..Default::default()
        };
        self.bridges.hub.events.record(event).await?;
        Ok(())
    }
}
