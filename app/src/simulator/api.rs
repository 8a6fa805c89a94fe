use crate::error::AppError;
use leptos::prelude::*;
use postern::door_status::DoorLive;
use postern::model::Reader;
use serde::{Deserialize, Serialize};

/// What the reader did with the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentResult {
    pub granted: bool,
    pub door: String,
    /// Seconds the door stays unlocked (granted only).
    pub seconds: u32,
    /// Why not, in plain words (denied only).
    pub reasons: Vec<String>,
}

/// One simulated controller as the panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimController {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub online: bool,
    pub power_lost: bool,
    pub lockdown: bool,
    pub ports: Vec<SimPort>,
}

/// Relay, door sensor, exit button and reader N of a controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimPort {
    pub port: u8,
    pub reader: Option<Reader>,
    pub door: Option<String>,
    /// "Electric strike (fail-safe)"…
    pub lock_type: Option<String>,
    pub relay_energized: bool,
    pub door_open: bool,
    /// The wired door's state as loaded (then followed live by the page),
    /// and its place's time zone.
    pub door_live: Option<DoorLive>,
    pub time_zone: String,
}

/// What a simulated controller reports right now: the panel reads it every
/// second and on every live door change, without rebuilding its forms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimState {
    pub id: i64,
    pub online: bool,
    pub power_lost: bool,
    pub relays_energized: [bool; 4],
    pub doors_open: [bool; 4],
}

#[server(prefix = "/rpc", endpoint = "simulator_states")]
pub async fn simulator_states() -> Result<Vec<SimState>, AppError> {
    require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let ids = postern::services::controllers::simulated_ids(&context.db).await?;
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            let state = context.unlock.bridges().simulated(id)?.snapshot();
            Some(SimState {
                id,
                online: state.online,
                power_lost: state.power_lost,
                relays_energized: state.relays_energized,
                doors_open: state.doors_open,
            })
        })
        .collect())
}

#[server(prefix = "/rpc", endpoint = "simulator_controllers")]
pub async fn simulator_controllers() -> Result<Vec<SimController>, AppError> {
    use postern::services::controllers;
    use postern::types::{BridgeKind, Page, SearchQuery};
    require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let db = &context.db;
    let readers = controllers::readers(db, None).await?;
    let doors = postern::services::doors::list(db, postern::services::scope::Scope::Everything, &SearchQuery::new(""), Page { number: 1, size: 1000 }).await?.items;
    let mut out = Vec::new();
    for c in controllers::list(db, &SearchQuery::new(""), Page { number: 1, size: 1000 }).await?.items {
        if c.bridge_kind != BridgeKind::Simulated {
            continue;
        }
        let Some(sim) = context.unlock.bridges().simulated_or_connect(c.id).await? else { continue };
        let state = sim.snapshot();
        let ports = c
            .relays
            .iter()
            .map(|r| {
                let door = doors.iter().find(|d| d.controller_id == Some(c.id) && d.relay == Some(r.relay));
                let index = usize::from(r.relay.saturating_sub(1)).min(3);
                SimPort {
                    port: r.relay,
                    reader: readers.iter().find(|x| x.controller_id == c.id && x.port == r.relay).cloned(),
                    door: door.map(|d| d.name.clone()),
                    lock_type: door.map(|d| d.lock_type.label().to_owned()),
                    relay_energized: state.relays_energized[index],
                    door_open: state.doors_open[index],
                    door_live: door.map(|d| d.live()),
                    time_zone: door.map(|d| d.time_zone.clone()).unwrap_or_default(),
                }
            })
            .collect();
        out.push(SimController {
            id: c.id,
            name: c.name,
            place: c.place_name,
            online: state.online,
            power_lost: state.power_lost,
            lockdown: state.lockdown,
            ports,
        });
    }
    Ok(out)
}

/// A physical action on a simulated controller: the exit button, the door
/// pushed open or shut, power cut or restored, network cable pulled or
/// plugged back, the enclosure opened.
#[server(prefix = "/rpc", endpoint = "simulate")]
pub async fn simulate(controller_id: i64, action: String, port: Option<u8>) -> Result<(), AppError> {
    require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let sim = context
        .unlock
        .bridges()
        .simulated_or_connect(controller_id)
        .await?
        .ok_or_else(|| AppError::NotFound("That simulated controller no longer exists.".into()))?;
    let port = || port.ok_or_else(|| AppError::invalid("port", "Pick a door (1 to 4)."));
    let done = match action.as_str() {
        "exit" => sim.press_exit(port()?),
        "open" => sim.set_door_open(port()?, true),
        "close" => sim.set_door_open(port()?, false),
        "power_off" => Ok(sim.set_power(false)),
        "power_on" => Ok(sim.set_power(true)),
        "offline" => Ok(sim.set_online(false)),
        "online" => Ok(sim.set_online(true)),
        "tamper" => Ok(sim.tamper()),
        other => return Err(AppError::invalid("action", format!("Unknown simulator action \"{other}\"."))),
    };
    done.map_err(|message| AppError::invalid("port", message))?;
    // The controller's report reaches the database in a moment; give it
    // that moment so the page reloads with the new state.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    Ok(())
}

/// Presents a card number at a reader, as a person at the door would.
#[server(prefix = "/rpc", endpoint = "present_card")]
pub async fn present_card(reader_id: String, number: String) -> Result<PresentResult, AppError> {
    use postern::services::unlock::UnlockOutcome;
    require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let reader_id = reader_id.trim().parse::<i64>().map_err(|_| AppError::invalid("reader_id", "Pick a reader."))?;
    if number.trim().is_empty() {
        return Err(AppError::invalid("number", "Enter the number printed on the card or fob."));
    }
    let reader = postern::services::controllers::readers(&context.db, None)
        .await?
        .into_iter()
        .find(|r| r.id == reader_id)
        .ok_or_else(|| AppError::invalid("reader_id", "That reader no longer exists."))?;
    if context.unlock.bridges().simulated(reader.controller_id).is_some_and(|sim| !sim.snapshot().online) {
        return Err(AppError::invalid("number", "The controller is offline: the card reached nobody. Bring it online first."));
    }
    let (outcome, event_id) = context.unlock.present_card(reader_id, &number).await?;
    let (door,): (String,) = postern::services::event_log::subject(&context.db, event_id).await?;
    Ok(match outcome {
        UnlockOutcome::Granted { pulse_seconds, .. } => PresentResult { granted: true, door, seconds: pulse_seconds, reasons: vec![] },
        UnlockOutcome::Denied { reasons, time_zone } => {
            PresentResult { granted: false, door, seconds: 0, reasons: reasons.iter().map(|r| r.message(&time_zone)).collect() }
        }
        UnlockOutcome::NoController => {
            PresentResult { granted: false, door, seconds: 0, reasons: vec!["The door has no assigned controller.".into()] }
        }
        UnlockOutcome::ControllerOffline => {
            PresentResult { granted: false, door, seconds: 0, reasons: vec!["The door's controller is offline.".into()] }
        }
        UnlockOutcome::LockUnpowered => {
            PresentResult { granted: false, door, seconds: 0, reasons: vec![UnlockOutcome::LOCK_UNPOWERED.into()] }
        }
    })
}

#[cfg(feature = "ssr")]
async fn require_admin() -> Result<(), AppError> {
    let user = crate::server_context::require_user().await?;
    if user.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("The simulator is for admins.".into()).with_status())
    }
}
