//! `GET /events.csv`: the event log with the page's filters, as a download.

use app::events::api::{parse_filter, EventQuery};
use app::server_context::{session_token, AppContext};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use postern::services::{event_log, sessions};

/// Most rows one export carries.
const MAX_ROWS: u32 = 100_000;

pub async fn export(State(context): State<AppContext>, headers: HeaderMap, Query(query): Query<EventQuery>) -> Response {
    let user = match session_token(&headers, &context) {
        Some(token) => sessions::lookup(&context.db, &token, context.session_policy).await.ok().flatten(),
        None => None,
    };
    let Some(user) = user else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    if !user.role.can_manage() {
        return (StatusCode::FORBIDDEN, "The event log is for managers and admins.").into_response();
    }
    let filter = match parse_filter(&query) {
        Ok(filter) => filter,
        Err((field, message)) => return (StatusCode::UNPROCESSABLE_ENTITY, format!("{field}: {message}")).into_response(),
    };
    match event_log::csv(&context.db, postern::services::scope::Scope::of(&user), &filter, MAX_ROWS).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"postern-events.csv\""),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(?error, "CSV export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The export failed. It has been logged; please try again.").into_response()
        }
    }
}
