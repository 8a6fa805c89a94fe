//! `GET /events`: the event log, newest first (managers, admins and
//! owners), with filters. The log is read in keyset pages; `offset` walks
//! them, so it is capped lower than other lists'. There is no total count,
//! so no `X-Collection-Range`.

use super::auth::Caller;
use super::docs::ListErrors;
use super::list_params::{id, number};
use super::times::{millis, rfc3339};
use super::ApiError;
use axum::extract::RawQuery;
use axum::Json;
use postern::model::EventEntry;
use postern::services::event_log::{self, EventFilter};
use postern::services::scope::Scope;
use postern::services::users::require_manager;
use serde::Serialize;
use utoipa::ToSchema;

/// Events per page when `limit` is not given.
const DEFAULT_LIMIT: u32 = 10;
/// The largest `limit`.
const MAX_LIMIT: u32 = 100;
/// The largest `offset`.
const MAX_OFFSET: u32 = 10_000;
/// Rows read per keyset page while skipping `offset`.
const STEP: u32 = 500;

/// One event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
    /// `user`, `api_key`, `link`, `schedule` or `system`.
    pub actor_type: String,
    /// The person, for users and API keys.
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// e.g. `unlock`, `door.created`, `access_link.revoked`.
    pub action: String,
    /// What it was done to, in words (a lock's name, …).
    pub subject: String,
    pub lock_id: Option<i64>,
    /// The access link used, for link unlocks.
    pub group_link_id: Option<i64>,
    /// For unlocks: `web`, `app`, `link`, `reader` or `api`.
    pub method: Option<String>,
    /// `granted`, `denied`, `error` or `ok`.
    pub result: String,
    /// Codes of every reason that blocked a denied unlock.
    pub reasons: Vec<String>,
}

impl From<EventEntry> for EventView {
    fn from(e: EventEntry) -> EventView {
        EventView {
            id: e.id,
            created_at: rfc3339(e.at),
            actor_type: e.actor_kind,
            actor_id: e.actor_user_id,
            actor_name: e.actor_name,
            action: e.action,
            subject: e.subject,
            lock_id: e.door_id,
            group_link_id: e.link_id,
            method: e.method,
            result: e.result,
            reasons: e.reasons,
        }
    }
}

/// What `GET /events` asks for.
#[derive(Debug, PartialEq)]
struct EventQuery {
    limit: u32,
    offset: u32,
    filter: EventFilter,
}

fn parse(raw: Option<&str>) -> Result<EventQuery, ApiError> {
    let mut query = EventQuery { limit: DEFAULT_LIMIT, offset: 0, filter: EventFilter::default() };
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let f = &mut query.filter;
        match key.as_ref() {
            "limit" => query.limit = number("limit", &value, 1, MAX_LIMIT)?,
            "offset" => query.offset = number("offset", &value, 0, MAX_OFFSET)?,
            "lock_id" => f.door_id = Some(id("lock_id", &value)?),
            "actor_id" => f.user_id = Some(id("actor_id", &value)?),
            "group_id" => f.group_id = Some(id("group_id", &value)?),
            "result" => f.result = Some(one_of("result", &value, &["granted", "denied", "error", "ok"])?),
            "method" => f.method = Some(one_of("method", &value, &["web", "app", "link", "reader", "api"])?),
            "since" => f.from = Some(millis("since", &value)?),
            "until" => f.until = Some(millis("until", &value)?),
            _ => {}
        }
    }
    Ok(query)
}

fn one_of(name: &str, text: &str, allowed: &[&str]) -> Result<String, ApiError> {
    let text = text.trim();
    if allowed.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(ApiError::field(name, format!("Give {name} as one of: {}.", allowed.join(", "))))
    }
}

/// The event log, newest first.
#[utoipa::path(get, path = "/events", tag = "events",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Events per page, 1 to 100 (default 10)."),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 10000, description = "Events to skip, at most 10000 (default 0); go further back with `until`."),
        ("lock_id" = Option<i64>, Query, minimum = 1, description = "Only this lock's events."),
        ("actor_id" = Option<i64>, Query, minimum = 1, description = "Only what this person (or their API keys) did."),
        ("group_id" = Option<i64>, Query, minimum = 1, description = "Only what the members of this group did."),
        ("result" = Option<String>, Query, pattern = "^(granted|denied|error|ok)$", description = "`granted`, `denied`, `error` or `ok`."),
        ("method" = Option<String>, Query, pattern = "^(web|app|link|reader|api)$", description = "How unlocks were asked for."),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339; events at or after it."),
        ("until" = Option<String>, Query, format = DateTime, description = "RFC 3339; events before it."),
    ),
    responses((status = 200, body = [EventView]), ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Json<Vec<EventView>>, ApiError> {
    require_manager(&caller.user)?;
    let query = parse(raw.as_deref())?;
    let db = caller.db();
    let mut cursor = None;
    let mut skip = query.offset;
    while skip > 0 {
        let step = skip.min(STEP);
        let (skipped, next) = event_log::page(db, Scope::of(&caller.user), &query.filter, cursor, step).await?;
        skip -= step;
        // No cursor: nothing is left after the rows just skipped.
        let Some(next) = next else { return Ok(Json(Vec::new())) };
        debug_assert!(skipped.len() as u32 == step);
        cursor = Some(next);
    }
    let (events, _) = event_log::page(db, Scope::of(&caller.user), &query.filter, cursor, query.limit).await?;
    Ok(Json(events.into_iter().map(EventView::from).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_their_refusals() {
        let q = parse(Some("limit=5&offset=20&lock_id=3&actor_id=4&group_id=5&result=denied&method=api&since=1970-01-01T00:00:01Z")).unwrap();
        assert_eq!((q.limit, q.offset), (5, 20));
        assert_eq!((q.filter.door_id, q.filter.user_id, q.filter.group_id), (Some(3), Some(4), Some(5)));
        assert_eq!((q.filter.result.as_deref(), q.filter.method.as_deref(), q.filter.from), (Some("denied"), Some("api"), Some(1000)));
        for bad in ["limit=0", "offset=10001", "lock_id=x", "result=maybe", "method=carrier-pigeon", "since=yesterday"] {
            assert!(matches!(parse(Some(bad)), Err(ApiError::Invalid(_))), "{bad}");
        }
    }
}
