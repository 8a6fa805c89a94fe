//! Server functions of the scheduled-unlock pages: thin calls into
//! `postern::services::schedules` (which validate, check the admin role and
//! log), for managers and admins.

use crate::error::AppError;
use leptos::prelude::*;
use postern::schedule::{Holiday, HolidayForm, Schedule, ScheduleForm};
use postern::types::ZoneArming;
use serde::{Deserialize, Serialize};

/// A zone as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneView {
    pub id: i64,
    pub name: String,
    pub arming: ZoneArming,
    /// The local date it was last closed for the day ("2026-11-22").
    pub closed_date: Option<String>,
    /// The local date of its last first person in.
    pub first_in_date: Option<String>,
}

/// Everything the door's "Scheduled unlocks" page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorScheduleDetails {
    pub door_id: i64,
    pub door_name: String,
    pub place_id: i64,
    /// The place's IANA time zone.
    pub time_zone: String,
    pub schedules: Vec<Schedule>,
    pub holidays: Vec<Holiday>,
    /// The server's clock when the page was read (ms), so the preview of
    /// the next activations is the same on the server and after hydration.
    pub now: i64,
    /// What holds the door's schedule back right now, in a sentence.
    pub held_back: Option<String>,
    /// The door's zone, and its place's zones.
    pub zone_id: Option<i64>,
    pub zones: Vec<ZoneView>,
}

/// A place's holidays and zones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceScheduleDetails {
    pub holidays: Vec<Holiday>,
    pub zones: Vec<ZoneView>,
}

#[cfg(feature = "ssr")]
async fn zone_views(db: &postern::services::Db, place_id: i64) -> Result<Vec<ZoneView>, AppError> {
    Ok(postern::services::schedules::list_zones(db, place_id)
        .await?
        .into_iter()
        .map(|z| ZoneView {
            id: z.id,
            name: z.name,
            arming: z.arming,
            closed_date: z.closed_date.map(|d| d.to_string()),
            first_in_date: z.first_in_date.map(|d| d.to_string()),
        })
        .collect())
}

#[server(prefix = "/rpc", endpoint = "get_door_schedules")]
pub async fn get_door_schedules(door_id: i64) -> Result<DoorScheduleDetails, AppError> {
    use postern::services::schedules;
    use postern::types::Timestamp;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::doors::get_in(&db, postern::services::scope::Scope::of(&actor), door_id).await?;
    let now = postern::services::now_ms();
    let door = schedules::door_schedules(&db, door_id).await?;
    let held_back = schedules::held_back(&db, door_id, Timestamp::from_millis(now))
        .await?
        .map(|h| h.sentence());
    Ok(DoorScheduleDetails {
        door_id,
        door_name: door.door_name,
        place_id: door.place_id,
        time_zone: door.time_zone,
        schedules: door.schedules,
        holidays: door.holidays,
        now,
        held_back,
        zone_id: schedules::door_zone(&db, door_id).await?,
        zones: zone_views(&db, door.place_id).await?,
    })
}

/// What holds the door's scheduled unlock back right now, in a sentence
/// (for the door's page).
#[server(prefix = "/rpc", endpoint = "get_door_held_back")]
pub async fn get_door_held_back(door_id: i64) -> Result<Option<String>, AppError> {
    use postern::types::Timestamp;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::doors::get_in(&db, postern::services::scope::Scope::of(&actor), door_id).await?;
    let now = Timestamp::from_millis(postern::services::now_ms());
    Ok(postern::services::schedules::held_back(&db, door_id, now)
        .await?
        .map(|h| h.sentence()))
}

/// Creates (no `id`) or changes a door's scheduled unlock, then shows the
/// door's schedules.
#[server(prefix = "/rpc", endpoint = "save_schedule")]
pub async fn save_schedule(door_id: i64, id: Option<i64>, form: ScheduleForm) -> Result<i64, AppError> {
    use postern::services::schedules;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let id = match id {
        Some(id) => schedules::update(&db, &actor, id, &form).await.map(|_| id)?,
        None => schedules::create(&db, &actor, door_id, &form).await?,
    };
    leptos_axum::redirect(&format!("/doors/{door_id}/schedules"));
    Ok(id)
}

/// Turns a scheduled unlock on or off.
#[server(prefix = "/rpc", endpoint = "set_schedule_enabled")]
pub async fn set_schedule_enabled(door_id: i64, id: i64, enabled: bool) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::schedules::set_enabled(&db, &actor, id, enabled).await?;
    leptos_axum::redirect(&format!("/doors/{door_id}/schedules"));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "delete_schedule")]
pub async fn delete_schedule(door_id: i64, id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::schedules::delete(&db, &actor, id).await?;
    leptos_axum::redirect(&format!("/doors/{door_id}/schedules"));
    Ok(())
}

/// Puts the door in one of its place's zones ("" for none).
#[server(prefix = "/rpc", endpoint = "set_door_zone")]
pub async fn set_door_zone(door_id: i64, zone_id: String) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let zone_id = match zone_id.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| AppError::invalid("zone_id", "Pick a zone from the list."))?),
    };
    postern::services::schedules::set_door_zone(&db, &actor, door_id, zone_id).await?;
    leptos_axum::redirect(&format!("/doors/{door_id}/schedules"));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "get_place_schedules")]
pub async fn get_place_schedules(place_id: i64) -> Result<PlaceScheduleDetails, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::places::get_in(&db, postern::services::scope::Scope::of(&actor), place_id).await?;
    Ok(PlaceScheduleDetails {
        holidays: postern::services::schedules::list_holidays(&db, place_id).await?,
        zones: zone_views(&db, place_id).await?,
    })
}

#[server(prefix = "/rpc", endpoint = "add_holiday")]
pub async fn add_holiday(place_id: i64, form: HolidayForm) -> Result<i64, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let id = postern::services::schedules::create_holiday(&db, &actor, place_id, &form).await?;
    leptos_axum::redirect(&format!("/places/{place_id}"));
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "delete_holiday")]
pub async fn delete_holiday(place_id: i64, id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::schedules::delete_holiday(&db, &actor, id).await?;
    leptos_axum::redirect(&format!("/places/{place_id}"));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "add_zone")]
pub async fn add_zone(place_id: i64, name: String) -> Result<i64, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let id = postern::services::schedules::create_zone(&db, &actor, place_id, &name).await?;
    leptos_axum::redirect(&format!("/places/{place_id}"));
    Ok(id)
}

/// Disarms or arms (stay, away) a zone.
#[server(prefix = "/rpc", endpoint = "set_zone_arming")]
pub async fn set_zone_arming(place_id: i64, zone_id: i64, arming: String) -> Result<(), AppError> {
    use postern::services::audit::Actor;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let arming = ZoneArming::parse(&arming).map_err(|m| AppError::invalid("arming", m))?;
    postern::services::schedules::set_arming(&db, &Actor::User(actor), zone_id, arming).await?;
    leptos_axum::redirect(&format!("/places/{place_id}"));
    Ok(())
}

/// "Close the day": the zone's scheduled unlocks end now until tomorrow.
#[server(prefix = "/rpc", endpoint = "close_zone_day")]
pub async fn close_zone_day(place_id: i64, zone_id: i64) -> Result<(), AppError> {
    use postern::types::Timestamp;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let now = Timestamp::from_millis(postern::services::now_ms());
    postern::services::schedules::close_day(&db, &actor, zone_id, now).await?;
    leptos_axum::redirect(&format!("/places/{place_id}"));
    Ok(())
}
