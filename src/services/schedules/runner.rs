//! The runner: holds doors open while their scheduled windows are active.
//!
//! Each round reads every door with schedules, works out its window now
//! ([`plan`](super::plan)) and makes the world match: a window that should
//! be open is held (`Command::Hold`, the door's `unlocked_until` set to the
//! window's end, "schedule.started" logged); one that is over or no longer
//! wanted is released (`Command::Release`, `unlocked_until` cleared,
//! "schedule.ended" logged). Then it sleeps until the earliest next
//! transition of any door, or until [`changed`](super::changed) wakes it.
//!
//! The database remembers what was applied to each door (`schedule_state`:
//! the held window's start and end), so a restart reconciles instead of
//! repeating: a window still active is held again (commands are
//! idempotent) without a second "started"; one that ended meanwhile is
//! released and logged "ended" once. A window is claimed in the database
//! before the relay moves, so two runners can never both start it.
//!
//! A command that fails (controller offline) is logged once per window as
//! "schedule.failed" and retried every 15 seconds.

use super::clock::{Clock, SystemClock};
use super::plan::{self, DoorFacts, Plan};
use super::{crud, holidays, leader, wake, Db, ServiceResult};
use crate::schedule::{format_instant, HolidayCalendar, Schedule, Window};
use crate::services::bridge::{BridgeError, Bridges, Command};
use crate::services::event_writer::{EventWriter, NewEvent};
use crate::services::live::Live;
use crate::types::Timestamp;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::watch;

/// How soon a failed command is tried again.
const RETRY_MS: i64 = 15_000;
/// How long the runner sleeps when nothing is scheduled (the clock may wake
/// it sooner; a change always does).
const IDLE_MS: i64 = 24 * 3_600_000;

/// The running scheduler. Dropping it leaves the task running; call
/// [`Scheduler::stop`].
#[derive(Debug)]
pub struct Scheduler {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Scheduler {
    /// Starts the runner on the machine's clock.
    pub fn start(db: Db, bridges: Bridges, live: Live) -> Scheduler {
        Scheduler::start_with_clock(db, bridges, live, Arc::new(SystemClock))
    }

    /// Starts the runner on `clock` (tests move time by hand).
    pub fn start_with_clock(
        db: Db,
        bridges: Bridges,
        live: Live,
        clock: Arc<dyn Clock>,
    ) -> Scheduler {
        let (stop, stopped) = watch::channel(false);
        // Its own writer: the events' commits announce the doors like the unlocks'.
        let events = EventWriter::spawn_with_hook(db.clone(), Some(live.commit_hook()));
        let runner = Runner {
            db,
            bridges,
            events,
            live,
            clock,
        };
        Scheduler {
            stop,
            task: tokio::spawn(runner.run(stopped)),
        }
    }

    /// Stops after the round in progress, if any, and gives up the lead.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Runner {
    db: Db,
    bridges: Bridges,
    events: EventWriter,
    live: Live,
    clock: Arc<dyn Clock>,
}

/// What this process did, forgotten when it stops leading.
#[derive(Default)]
struct Memory {
    /// Doors this process has held (after a restart, held again once).
    held: HashSet<i64>,
    /// Doors whose command failed, with the window concerned (logged once).
    failing: HashMap<i64, Timestamp>,
}

/// What the door's round needs next.
enum Outcome {
    Done,
    /// A command failed: try again soon.
    Retry,
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

impl Runner {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            // Real controllers' reports are acted on by the replica that runs the schedules.
            self.bridges.set_leading(self.db.kind() == crate::services::db::DbKind::Sqlite);
            let mut leadership = tokio::select! {
                leadership = leader::acquire(&self.db) => leadership,
                () = stopped(&mut stop) => return,
            };
            self.bridges.set_leading(true);
            let mut memory = Memory::default();
            loop {
                // Registered before the round: a change during it wakes the next one.
                let woken = wake().notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                let next = self.round(&mut memory).await;
                tokio::select! {
                    () = woken => {}
                    () = self.clock.sleep_until(next) => {}
                    () = leadership.lost() => break,
                    () = stopped(&mut stop) => return,
                }
            }
        }
    }

    /// One pass over every scheduled door; returns when to look again.
    async fn round(&self, memory: &mut Memory) -> Timestamp {
        let now = self.clock.now();
        match self.try_round(now, memory).await {
            Ok(next) => next,
            Err(error) => {
                tracing::error!(%error, "scheduler: could not read the schedules; trying again soon");
                plus(now, RETRY_MS)
            }
        }
    }

    async fn try_round(&self, now: Timestamp, memory: &mut Memory) -> ServiceResult<Timestamp> {
        let doors = plan::load_scheduled_doors(&self.db).await?;
        let mut schedules: HashMap<i64, Vec<Schedule>> = HashMap::new();
        for (door_id, schedule) in crud::load_schedules(&self.db, None).await? {
            schedules.entry(door_id).or_default().push(schedule);
        }
        let calendars = holidays::all_calendars(&self.db).await?;
        let empty = HolidayCalendar::empty();
        let mut next = plus(now, IDLE_MS);
        for door in &doors {
            let door_schedules = schedules.get(&door.id).map_or(&[][..], Vec::as_slice);
            let calendar = calendars.get(&door.place_id).unwrap_or(&empty);
            let plan = plan::plan(door, door_schedules, calendar, now);
            if let Some(at) = plan.wake_at {
                next = next.min(at);
            }
            match self.apply(door, &plan, now, memory).await {
                Ok(Outcome::Done) => {}
                Ok(Outcome::Retry) => next = next.min(plus(now, RETRY_MS)),
                Err(error) => {
                    tracing::error!(door_id = door.id, %error, "scheduler: could not apply a door's schedule");
                    next = next.min(plus(now, RETRY_MS));
                }
            }
        }
        Ok(next)
    }

    /// Makes the door match its plan.
    async fn apply(
        &self,
        door: &DoorFacts,
        plan: &Plan,
        now: Timestamp,
        memory: &mut Memory,
    ) -> ServiceResult<Outcome> {
        let desired = plan.window;
        if let Some((start, end)) = door.applied {
            let continues = desired.is_some_and(|w| w.start == start || end > now);
            if let (true, Some(window)) = (continues, desired) {
                return self.keep(door, (start, end), window, memory).await;
            }
            // Over, or no longer wanted: release (unless a new window holds on).
            if desired.is_none() {
                if let Err(error) = self.command(door, false).await {
                    return self.failed(door, start, &error, memory).await;
                }
            }
            memory.held.remove(&door.id);
            memory.failing.remove(&door.id);
            self.end(door, (start, end), plan, now).await?;
        }
        let Some(window) = desired else {
            return Ok(Outcome::Done);
        };
        if !self.claim(door.id, window).await? {
            return Ok(Outcome::Done);
        }
        // Durable first, like every grant (SPEC §9): the start (and the
        // door's "unlocked until") is committed before the relay moves. A
        // retry after a failed hold holds under that same start, and the
        // door reads Unlocked again once the hold is acknowledged.
        let retry = memory.failing.get(&door.id) == Some(&window.start);
        if !retry {
            let details = format!("Unlocked until {}.", format_instant(window.end, &door.zone));
            self.log(door, now, "schedule.started", "ok", Vec::new(), details, Some(window.end)).await?;
        }
        if let Err(error) = self.command(door, true).await {
            sqlx::query("UPDATE schedule_state SET applied_start = NULL, applied_end = NULL WHERE door_id = $1 AND applied_start = $2")
                .bind(door.id)
                .bind(window.start.millis())
                .execute(self.db.pool())
                .await?;
            sqlx::query("UPDATE doors SET unlocked_until = NULL WHERE id = $1 AND unlocked_until <= $2")
                .bind(door.id)
                .bind(window.end.millis())
                .execute(self.db.pool())
                .await?;
            self.live.doors_changed(&[door.id]);
            return self.failed(door, window.start, &error, memory).await;
        }
        if retry {
            self.show_unlocked_until(door.id, window.end).await?;
        }
        memory.held.insert(door.id);
        memory.failing.remove(&door.id);
        Ok(Outcome::Done)
    }

    /// The applied window goes on (maybe moved by an edit): hold the relay
    /// if this process has not yet, and follow the window's new bounds.
    async fn keep(
        &self,
        door: &DoorFacts,
        applied: (Timestamp, Timestamp),
        window: Window,
        memory: &mut Memory,
    ) -> ServiceResult<Outcome> {
        if !memory.held.contains(&door.id) {
            if let Err(error) = self.command(door, true).await {
                return self.failed(door, applied.0, &error, memory).await;
            }
            memory.held.insert(door.id);
            memory.failing.remove(&door.id);
        }
        if (window.start, window.end) != applied {
            sqlx::query("UPDATE schedule_state SET applied_start = $1, applied_end = $2 WHERE door_id = $3 AND applied_start = $4")
                .bind(window.start.millis())
                .bind(window.end.millis())
                .bind(door.id)
                .bind(applied.0.millis())
                .execute(self.db.pool())
                .await?;
            self.show_unlocked_until(door.id, window.end).await?;
        }
        Ok(Outcome::Done)
    }

    /// The door reads Unlocked until `end`, on every page.
    async fn show_unlocked_until(&self, door_id: i64, end: Timestamp) -> ServiceResult<()> {
        sqlx::query("UPDATE doors SET unlocked_until = $1 WHERE id = $2")
            .bind(end.millis())
            .bind(door_id)
            .execute(self.db.pool())
            .await?;
        self.live.doors_changed(&[door_id]);
        Ok(())
    }

    /// Records that the door holds `window` from now; false if it already
    /// holds one (another runner got there first).
    async fn claim(&self, door_id: i64, window: Window) -> ServiceResult<bool> {
        let (start, end) = (window.start.millis(), window.end.millis());
        let updated = sqlx::query(
            "UPDATE schedule_state SET applied_start = $1, applied_end = $2 WHERE door_id = $3 AND applied_start IS NULL",
        )
        .bind(start)
        .bind(end)
        .bind(door_id)
        .execute(self.db.pool())
        .await?;
        if updated.rows_affected() == 1 {
            return Ok(true);
        }
        let inserted = sqlx::query(
            "INSERT INTO schedule_state (door_id, applied_start, applied_end) VALUES ($1, $2, $3) ON CONFLICT (door_id) DO NOTHING",
        )
        .bind(door_id)
        .bind(start)
        .bind(end)
        .execute(self.db.pool())
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Clears the door's window: "unlocked until" (unless a later unlock
    /// set it beyond), the applied window, and logs the end once.
    async fn end(
        &self,
        door: &DoorFacts,
        (start, end): (Timestamp, Timestamp),
        plan: &Plan,
        now: Timestamp,
    ) -> ServiceResult<()> {
        sqlx::query(
            "UPDATE doors SET unlocked_until = NULL WHERE id = $1 AND unlocked_until <= $2",
        )
        .bind(door.id)
        .bind(end.millis())
        .execute(self.db.pool())
        .await?;
        let cleared = sqlx::query(
            "UPDATE schedule_state SET applied_start = NULL, applied_end = NULL WHERE door_id = $1 AND applied_start = $2",
        )
        .bind(door.id)
        .bind(start.millis())
        .execute(self.db.pool())
        .await?;
        self.live.doors_changed(&[door.id]);
        if cleared.rows_affected() == 0 {
            return Ok(());
        }
        let ended_at = format_instant(end.min(now), &door.zone);
        let details = if end <= now && now.millis() - end.millis() > RETRY_MS * 2 {
            format!(
                "Ended at {ended_at} while the scheduler was not running; locked on its return."
            )
        } else if end <= now {
            format!("Ended at {ended_at}.")
        } else {
            let why = plan
                .held_back
                .map_or_else(|| "The schedule changed.".to_owned(), |h| h.sentence());
            format!("Ended early at {ended_at}. {why}")
        };
        self.log(door, now, "schedule.ended", "ok", Vec::new(), details, None)
            .await
    }

    /// Holds (`true`) or releases the door's relay; waits for the controller.
    async fn command(&self, door: &DoorFacts, hold: bool) -> Result<(), BridgeError> {
        let (Some(controller_id), Some(relay)) = (door.controller_id, door.relay) else {
            return Err(BridgeError::Config(
                "The door has no controller and relay to drive.".into(),
            ));
        };
        let command = if hold {
            Command::Hold { relay }
        } else {
            Command::Release { relay }
        };
        self.bridges.command(controller_id, command).await
    }

    /// Logs a failed command once per window; asks for a retry.
    async fn failed(
        &self,
        door: &DoorFacts,
        window: Timestamp,
        error: &BridgeError,
        memory: &mut Memory,
    ) -> ServiceResult<Outcome> {
        tracing::warn!(door_id = door.id, %error, "scheduler: relay command failed; retrying");
        if memory.failing.get(&door.id) != Some(&window) {
            memory.failing.insert(door.id, window);
            let reason = match error {
                BridgeError::Offline | BridgeError::Timeout(_) | BridgeError::Transport(_) => {
                    "controller_offline"
                }
                BridgeError::Config(_) => "no_controller",
                BridgeError::Refused(_) => "command_failed",
                BridgeError::LockedDown => "locked_down",
            };
            let details = format!(
                "{error} The scheduled unlock is retried every {} seconds.",
                RETRY_MS / 1000
            );
            self.log(
                door,
                self.clock.now(),
                "schedule.failed",
                "error",
                vec![reason.into()],
                details,
                None,
            )
            .await?;
        }
        Ok(Outcome::Retry)
    }

    #[allow(clippy::too_many_arguments)]
    async fn log(
        &self,
        door: &DoorFacts,
        at: Timestamp,
        action: &str,
        result: &str,
        reasons: Vec<String>,
        details: String,
        unlocked_until: Option<Timestamp>,
    ) -> ServiceResult<()> {
        let event = NewEvent {
            at: at.millis(),
            actor_kind: "schedule".into(),
            actor_name: "Scheduled unlock".into(),
            action: action.into(),
            subject: door.name.clone(),
            door_id: Some(door.id),
            place_id: Some(door.place_id),
            method: Some("schedule".into()),
            result: result.into(),
            reasons,
            details,
            unlocked_until: unlocked_until.map(|until| (door.id, until.millis())),
            ..Default::default()
        };
        self.events.record(event).await?;
        Ok(())
    }
}

fn plus(at: Timestamp, millis: i64) -> Timestamp {
    Timestamp::from_millis(at.millis().saturating_add(millis))
}
