//! `GET /live/doors`: live door status as server-sent events, for the
//! dashboard pages and the member page (app::live opens one `EventSource`
//! per page).
//!
//! - Signed-in people only (the session cookie, as server functions read
//!   it); anyone else gets 401, which makes `EventSource` stop retrying.
//! - Managers and admins hear every door (the dashboard lists them all);
//!   members hear only the doors their groups reach, as listed when the
//!   stream opens. Either way an event carries status data only
//!   (`DoorLive`: id, status, sensor, alarm, note), never names.
//! - First a `clock` event (`{"now": <server ms>}`), so the page can count
//!   an unlock down against the server's clock. Then one `door` event per
//!   change (`data:` the `DoorLive` JSON, `id:` the server time). When the
//!   browser reconnects (it sends `Last-Event-ID`), asks for it
//!   (`?snapshot`, as pages do when they open the stream) or falls behind,
//!   the current state of every door it may see is sent first, since
//!   changes may have been missed.
//! - A comment every 15 s keeps proxies from closing the connection; the
//!   session is checked again every minute and the stream ends when it is
//!   gone. Compression skips `text/event-stream` (tower-http's default
//!   predicate), so every event is flushed as it is written.

use app::server_context::{session_token, AppContext};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use postern::door_status::DoorLive;
use postern::model::SessionUser;
use postern::services::{doors, now_ms, sessions};
use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How often a comment line keeps the connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often the session is checked again.
const SESSION_CHECK: Duration = Duration::from_secs(60);

/// The `/live/doors` route, to merge into the application's router.
pub fn router<S>(context: AppContext) -> Router<S> {
    Router::new().route("/live/doors", get(doors_stream)).with_state(context)
}

/// `?snapshot`: send every visible door's current state after the clock.
#[derive(serde::Deserialize)]
struct StreamQuery {
    snapshot: Option<String>,
}

async fn doors_stream(State(context): State<AppContext>, Query(query): Query<StreamQuery>, headers: HeaderMap) -> Response {
    let Some(token) = session_token(&headers, &context) else { return unauthorized() };
    let user = match sessions::lookup(&context.db, &token, context.session_policy).await {
        Ok(Some(user)) => user,
        Ok(None) => return unauthorized(),
        Err(error) => {
            tracing::error!(?error, "live status: could not read the session");
            return (StatusCode::SERVICE_UNAVAILABLE, "Live status is unavailable; please reload.").into_response();
        }
    };
    // Subscribe before reading anything, so no change falls in between.
    let changes = context.live.subscribe();
    let visible = match Visible::for_user(&context, &user).await {
        Ok(visible) => visible,
        Err(error) => {
            tracing::error!(?error, "live status: could not list the user's doors");
            return (StatusCode::SERVICE_UNAVAILABLE, "Live status is unavailable; please reload.").into_response();
        }
    };
    let mut first = VecDeque::from([clock_event()]);
    // Pages ask for the snapshot (`?snapshot`): a change between rendering
    // the page and opening the stream would otherwise wait for the next one.
    if headers.contains_key("last-event-id") || query.snapshot.is_some() {
        first.extend(snapshot(&context, &visible).await);
    }
    let state = StreamState { context, token, visible, changes, queued: first, session_check: None };
    let mut response = Sse::new(events(state)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Tells nginx-style proxies not to buffer the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "Please sign in.").into_response()
}

/// The doors a stream may carry.
enum Visible {
    Every,
    Only(HashSet<i64>),
}

impl Visible {
    async fn for_user(context: &AppContext, user: &SessionUser) -> postern::services::ServiceResult<Visible> {
        if user.role.is_admin() {
            return Ok(Visible::Every);
        }
        // A manager: their places' doors (read when the stream opens) and
        // the doors their own groups open; a member: the latter.
        let mut ids: HashSet<i64> = doors::for_user(&context.db, user).await?.into_iter().map(|d| d.id).collect();
        if user.role.can_manage() {
            let scope = postern::services::scope::Scope::of(user);
            ids.extend(doors::options(&context.db, scope).await?.into_iter().map(|(id, _)| id));
        }
        Ok(Visible::Only(ids))
    }

    fn contains(&self, door_id: i64) -> bool {
        match self {
            Visible::Every => true,
            Visible::Only(ids) => ids.contains(&door_id),
        }
    }
}

struct StreamState {
    context: AppContext,
    token: String,
    visible: Visible,
    changes: broadcast::Receiver<DoorLive>,
    /// Events to send before waiting for more.
    queued: VecDeque<Event>,
    session_check: Option<tokio::time::Interval>,
}

fn events(state: StreamState) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(state, |mut state| async move {
        loop {
            if let Some(event) = state.queued.pop_front() {
                return Some((Ok(event), state));
            }
            let check = state.session_check.get_or_insert_with(|| {
                let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + SESSION_CHECK, SESSION_CHECK);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                interval
            });
            tokio::select! {
                change = state.changes.recv() => match change {
                    Ok(door) if state.visible.contains(door.door_id) => return Some((Ok(door_event(&door)), state)),
                    Ok(_) => {}
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "live status: a stream fell behind; sending every door again");
                        let doors = snapshot(&state.context, &state.visible).await;
                        state.queued.extend(doors);
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = check.tick() => {
                    let still = sessions::lookup(&state.context.db, &state.token, state.context.session_policy).await;
                    if !matches!(still, Ok(Some(_))) {
                        return None;
                    }
                }
            }
        }
    })
}

/// Every visible door's current state, as `door` events.
async fn snapshot(context: &AppContext, visible: &Visible) -> Vec<Event> {
    let ids = match visible {
        Visible::Every => doors::options(&context.db, postern::services::scope::Scope::Everything).await.map(|all| all.into_iter().map(|(id, _)| id).collect()),
        Visible::Only(ids) => Ok(ids.iter().copied().collect::<Vec<i64>>()),
    };
    let states = match ids {
        Ok(ids) => doors::live_states(&context.db, &ids).await,
        Err(error) => Err(error),
    };
    match states {
        Ok(states) => states.iter().map(door_event).collect(),
        Err(error) => {
            tracing::error!(?error, "live status: could not read the doors for a snapshot");
            Vec::new()
        }
    }
}

fn door_event(door: &DoorLive) -> Event {
    let data = serde_json::to_string(door).unwrap_or_else(|_| "{}".into());
    Event::default().event("door").id(now_ms().to_string()).data(data)
}

fn clock_event() -> Event {
    Event::default().event("clock").data(format!("{{\"now\":{}}}", now_ms()))
}
