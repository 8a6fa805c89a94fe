//! The one unlock service every entry point calls (dashboard, member page,
//! API, reader, link): load the rules (one query, every time: nothing is
//! kept between unlocks), run the pure access decision, reserve an access
//! link's use, record the event durably (where a lockdown committed first
//! still refuses the grant), and pulse the relay when granted.

use super::event_writer::{EventWriter, NewEvent};
use super::bridge::{Bridges, Pulse};
use super::live::Live;
use super::{now_ms, Db, ServiceResult};
use crate::access::{
    ActorKind, Explanation, Location, ProximityProof, Reason, RequestContext,
};
use crate::model::SessionUser;
use crate::types::{TimeZoneName, Timestamp};

mod facts;
mod link_uses;
mod reader;

/// How the unlock was asked for (the event log's "method").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockMethod {
    Web,
    App,
    Link,
    Reader,
    Api,
}

impl UnlockMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            UnlockMethod::Web => "web",
            UnlockMethod::App => "app",
            UnlockMethod::Link => "link",
            UnlockMethod::Reader => "reader",
            UnlockMethod::Api => "api",
        }
    }
}

/// Who asks.
#[derive(Clone, Debug)]
pub enum UnlockActor {
    /// A signed-in person; `verified_at` is their last password entry.
    Session { user: SessionUser, verified_at: Option<i64>, device_id: Option<String> },
    /// An API key acting as its user (checked by the caller on this request).
    ApiKey { user: SessionUser },
    /// Whoever holds an access link (already resolved from its token).
    Link { link_id: i64, recipient: String },
    /// A person's card or fob presented at the door's reader: they stand at
    /// the door, so the reader restriction and the geofence are met, and the
    /// app-only rules (app access, primary device, two-factor) do not apply.
    Card { user: SessionUser, number: String },
}

/// One unlock request.
#[derive(Clone, Debug)]
pub struct UnlockInput {
    pub door_id: i64,
    pub actor: UnlockActor,
    pub method: UnlockMethod,
    pub location: Option<(f64, f64, f64)>,
    pub proximity: ProximityProof,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum UnlockOutcome {
    Granted { until_ms: i64, pulse_seconds: u32 },
    Denied { reasons: Vec<Reason>, time_zone: TimeZoneName },
    /// Granted, but the door has no controller (HTTP 409).
    NoController,
    /// Granted, but the controller is offline (HTTP 503).
    ControllerOffline,
    /// Granted, but the fail-secure lock has no power and cannot release (HTTP 503).
    LockUnpowered,
}

impl UnlockOutcome {
    /// What a granted unlock that could not happen says, for every entry point.
    pub const LOCK_UNPOWERED: &'static str =
        "The lock has no power: a fail-secure lock stays locked until its power returns.";
}

/// Shared by every entry point. Cheap to clone.
#[derive(Clone, Debug)]
pub struct UnlockService {
    db: Db,
    events: EventWriter,
    bridges: Bridges,
}

pub use facts::DoorFacts;

impl UnlockService {
    pub fn new(db: Db, events: EventWriter, bridges: Bridges) -> UnlockService {
        UnlockService { db, events, bridges }
    }

    /// Connects every stored controller's bridge and serves unlocks through
    /// them, recording with `events`.
    pub async fn start(db: Db, events: EventWriter, live: Live) -> ServiceResult<UnlockService> {
        let bridges = Bridges::new(db.clone(), events.clone(), live);
        let service = UnlockService::new(db, events, bridges.clone());
        bridges.start(service.clone()).await?;
        Ok(service)
    }

    /// The controllers' bridges (for the simulator panel and the controller page).
    pub fn bridges(&self) -> &Bridges {
        &self.bridges
    }

    /// The door's rules as the decision needs them.
    pub async fn door_facts(&self, door_id: i64) -> ServiceResult<DoorFacts> {
        facts::door(&self.db, door_id).await
    }

    /// "Why can't they unlock?": the decision for a user at a door, at a time
    /// and place of the admin's choosing, laid out rule by rule. Records nothing.
    pub async fn explain(&self, user_id: i64, door_id: i64, at_ms: i64, location: Option<(f64, f64, f64)>) -> ServiceResult<Explanation> {
        let facts = facts::person(&self.db, user_id, door_id, at_ms).await?;
        let context = explain_context(at_ms, location);
        let decision = facts.decide(ActorKind::Session, &context);
        Ok(explanation(decision, &facts.door, at_ms, facts.user.role.reaches_every_door()))
    }

    /// The explainer for an access link at a door. Records nothing.
    pub async fn explain_link(&self, link_id: i64, door_id: i64, at_ms: i64) -> ServiceResult<Explanation> {
        let facts = self.link_facts(link_id, door_id, at_ms).await?;
        let context = explain_context(at_ms, None);
        let decision = facts.decide(&context);
        let checks = crate::access::explain_link(&decision, &facts.door.rules, &facts.door.name, &facts.door.rules.time_zone);
        Ok(Explanation { checks, ..explanation(decision, &facts.door, at_ms, false) })
    }

    /// The link's facts (its uses of today, for a per-day limit, counted
    /// on the wall clock of the door's place).
    async fn link_facts(&self, link_id: i64, door_id: i64, now: i64) -> ServiceResult<facts::LinkFacts> {
        facts::link(&self.db, link_id, door_id, now).await
    }

    /// Decides, records the attempt durably, and pulses the relay when granted.
    pub async fn unlock(&self, input: UnlockInput) -> ServiceResult<UnlockOutcome> {
        Ok(self.unlock_logged(input).await?.0)
    }

    /// [`unlock`](Self::unlock), also returning the id of the event that
    /// records the attempt. Denials carry their reasons in plain words in
    /// the event's details, so a page can show them again from the event.
    pub async fn unlock_logged(&self, input: UnlockInput) -> ServiceResult<(UnlockOutcome, i64)> {
        let now = now_ms();
        let mut context = RequestContext {
            now: Timestamp::from_millis(now),
            location: facts::location(input.location),
            proximity: input.proximity,
            device_id: None,
            verified_at: None,
        };
        let mut event = NewEvent {
            at: now,
            action: "unlock".into(),
            door_id: Some(input.door_id),
            method: Some(input.method.as_str().into()),
            ..Default::default()
        };
        // Owners' and admins' own unlocks pass a lockdown; everyone else's
        // grant is checked against it again in the grant's commit.
        let mut exempt_from_lockdown = false;
        let mut link_use = None;
        let (door, mut decision) = match &input.actor {
            UnlockActor::Session { user, .. } | UnlockActor::ApiKey { user, .. } | UnlockActor::Card { user, .. } => {
                let mut facts = facts::person(&self.db, user.id, input.door_id, now).await?;
                let kind = match &input.actor {
                    UnlockActor::Card { number, .. } => {
                        facts.user.app_access = true;
                        facts.user.primary_device_required = false;
                        context.proximity = ProximityProof::Valid;
                        context.verified_at = Some(context.now);
                        context.location = Some(Location { at: facts.door.rules.center, accuracy_m: 0.0 });
                        context.device_id = facts.user.bound_device.clone();
                        event.actor_kind = "card".into();
                        event.details = format!("card {number}");
                        ActorKind::Session
                    }
                    UnlockActor::Session { verified_at, device_id, .. } => {
                        context.device_id = device_id.clone();
                        context.verified_at = verified_at.map(Timestamp::from_millis);
                        event.actor_kind = "user".into();
                        ActorKind::Session
                    }
                    _ => {
                        event.actor_kind = "api_key".into();
                        ActorKind::ApiKey
                    }
                };
                exempt_from_lockdown = facts.user.role.reaches_every_door();
                event.actor_user_id = Some(user.id);
                event.actor_name = format!("{} <{}>", facts.name, facts.email);
                if let UnlockActor::Card { number, .. } = &input.actor {
                    event.actor_name = format!("{} <{}> (card {number})", facts.name, facts.email);
                }
                let decision = facts.decide(kind, &context);
                (facts.door, decision)
            }
            UnlockActor::Link { link_id, recipient } => {
                let facts = self.link_facts(*link_id, input.door_id, now).await?;
                event.actor_kind = "link".into();
                event.link_id = Some(*link_id);
                event.actor_name = format!("{recipient} (access link)");
                let mut decision = facts.decide(&context);
                if decision.granted {
                    // The use is taken before the grant counts, in one
                    // conditional statement: N uses are N grants at most,
                    // whatever arrives at once (SPEC §9).
                    let day = link_uses::day_key(now, &facts.door.rules.time_zone);
                    if link_uses::reserve(&self.db, *link_id, &day, now).await? {
                        link_use = Some((*link_id, day));
                    } else {
                        decision.granted = false;
                        decision.reasons = vec![Reason::CredentialUsedUp];
                    }
                }
                (facts.door, decision)
            }
        };
        event.subject = door.name.clone();
        event.place_id = Some(door.place_id);
        let outcome = self.record_and_pulse(input.door_id, &door, &mut decision, event, now, exempt_from_lockdown).await;
        // A reserved use is given back when nothing opened.
        if let Some((link_id, day)) = link_use {
            if !matches!(outcome, Ok((UnlockOutcome::Granted { .. }, _))) {
                link_uses::give_back(&self.db, link_id, &day).await?;
            }
        }
        outcome
    }

    /// Records the decided attempt and, for a grant, pulses the relay.
    async fn record_and_pulse(
        &self,
        door_id: i64,
        door: &DoorFacts,
        decision: &mut crate::access::Decision,
        mut event: NewEvent,
        now: i64,
        exempt_from_lockdown: bool,
    ) -> ServiceResult<(UnlockOutcome, i64)> {
        let denied = |reasons: Vec<Reason>| UnlockOutcome::Denied { reasons, time_zone: door.rules.time_zone.clone() };
        if !decision.granted {
            event.result = "denied".into();
            event.reasons = decision.reasons.iter().map(|r| r.code().to_owned()).collect();
            event.details = decision.reasons.iter().map(|r| r.message(&door.rules.time_zone)).collect::<Vec<_>>().join("\n");
            let event_id = self.events.record(event).await?;
            return Ok((denied(decision.reasons.clone()), event_id));
        }
        let (Some(controller_id), Some(relay)) = (door.controller_id, door.relay) else {
            event.result = "error".into();
            event.reasons = vec!["no_controller".into()];
            event.details = "The door has no assigned controller.".into();
            let event_id = self.events.record(event).await?;
            return Ok((UnlockOutcome::NoController, event_id));
        };
        if !door.controller_online {
            event.result = "error".into();
            event.reasons = vec!["controller_offline".into()];
            event.details = "The door's controller is offline.".into();
            let event_id = self.events.record(event).await?;
            return Ok((UnlockOutcome::ControllerOffline, event_id));
        }
        if door.lock_unpowered {
            event.result = "error".into();
            event.reasons = vec!["lock_unpowered".into()];
            event.details = UnlockOutcome::LOCK_UNPOWERED.into();
            let event_id = self.events.record(event).await?;
            return Ok((UnlockOutcome::LockUnpowered, event_id));
        }
        // The grant (and the door's "unlocked until") is on disk before the
        // relay moves and before the caller hears it, in one group commit,
        // which refuses it instead if a lockdown committed first.
        let until_ms = now + i64::from(door.pulse_seconds) * 1000;
        event.result = "granted".into();
        event.unlocked_until = Some((door_id, until_ms));
        event.lockdown_applies = !exempt_from_lockdown;
        let written = self.events.record_grant(event).await?;
        if written.refused_by_lockdown {
            decision.granted = false;
            decision.reasons = vec![Reason::LockedDown];
            return Ok((denied(vec![Reason::LockedDown]), written.id));
        }
        super::schedules::spawn_first_person_in(&self.db, door_id, now);
        self.bridges.pulse(Pulse { door_id, controller_id, relay, seconds: door.pulse_seconds, exempt_from_lockdown });
        Ok((UnlockOutcome::Granted { until_ms, pulse_seconds: door.pulse_seconds }, written.id))
    }
}

fn explain_context(at_ms: i64, location: Option<(f64, f64, f64)>) -> RequestContext {
    RequestContext {
        now: Timestamp::from_millis(at_ms),
        location: facts::location(location),
        proximity: ProximityProof::Missing,
        device_id: None,
        verified_at: None,
    }
}

fn explanation(decision: crate::access::Decision, door: &DoorFacts, at_ms: i64, reaches_every_door: bool) -> Explanation {
    let checks = crate::access::explain(&decision, &door.rules, &door.name, &door.rules.time_zone, reaches_every_door);
    Explanation {
        granted: decision.granted,
        door_name: door.name.clone(),
        at_local: Timestamp::from_millis(at_ms).format_in(&door.rules.time_zone),
        time_zone: door.rules.time_zone.as_str().to_owned(),
        checks,
    }
}
