use crate::error::AppError;
use leptos::prelude::*;
use postern::model::EventEntry;
use serde::{Deserialize, Serialize};

/// The filters as the URL carries them (all text; blank = no filter).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventQuery {
    pub door: String,
    pub user: String,
    pub group: String,
    pub result: String,
    pub method: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub from: String,
    /// `YYYY-MM-DD` (UTC), inclusive.
    pub until: String,
    /// "at.id" of the last event of the previous page.
    pub after: String,
}

/// One page of the log, the cursor of the next, and the filter pickers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventEntry>,
    pub next: Option<String>,
    pub doors: Vec<(i64, String)>,
    pub users: Vec<(i64, String)>,
    pub groups: Vec<(i64, String)>,
}

#[server(prefix = "/rpc", endpoint = "list_events")]
pub async fn list_events(query: EventQuery) -> Result<EventPage, AppError> {
    use postern::services::{doors, event_log, groups};
    let actor = crate::auth::api::require_staff().await?;
    let scope = postern::services::scope::Scope::of(&actor);
    let db = crate::server_context::use_db()?;
    let filter = parse_filter(&query).map_err(|(field, message)| AppError::invalid(field, message))?;
    let after = query.after.split_once('.').and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)));
    let (events, next) = event_log::page(&db, scope, &filter, after, 50).await?;
    let group_options: Vec<(i64, String)> = groups::options(&db, scope).await?;
    Ok(EventPage {
        events,
        next: next.map(|(at, id)| format!("{at}.{id}")),
        doors: doors::options(&db, scope).await?,
        users: groups::user_options(&db, scope).await?,
        groups: group_options,
    })
}

/// Turns the URL's filters into the service's; names the field that is wrong.
#[cfg(feature = "ssr")]
pub fn parse_filter(query: &EventQuery) -> Result<postern::services::event_log::EventFilter, (&'static str, String)> {
    let id = |field: &'static str, text: &str| -> Result<Option<i64>, (&'static str, String)> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        text.trim().parse::<i64>().map(Some).map_err(|_| (field, "Pick one from the list.".to_owned()))
    };
    let day = |field: &'static str, text: &str, end: bool| -> Result<Option<i64>, (&'static str, String)> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        postern::services::event_log::day_start_utc(text, end).map(Some).map_err(|m| (field, m))
    };
    let choice = |field: &'static str, text: &str, allowed: &[&str]| -> Result<Option<String>, (&'static str, String)> {
        match text.trim() {
            "" => Ok(None),
            t if allowed.contains(&t) => Ok(Some(t.to_owned())),
            _ => Err((field, format!("Pick one of: {}.", allowed.join(", ")))),
        }
    };
    let filter = postern::services::event_log::EventFilter {
        door_id: id("door", &query.door)?,
        user_id: id("user", &query.user)?,
        group_id: id("group", &query.group)?,
        result: choice("result", &query.result, &["granted", "denied", "error", "ok"])?,
        method: choice("method", &query.method, &["web", "app", "link", "reader", "schedule", "api", "request_to_exit"])?,
        from: day("from", &query.from, false)?,
        until: day("until", &query.until, true)?,
    };
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if until <= from {
            return Err(("until", "“Until” must not be before “from”.".to_owned()));
        }
    }
    Ok(filter)
}
