//! `GET/POST /cards`, `PATCH/DELETE /cards/{id}`: cards and fobs (managers,
//! admins and owners). A card belongs to one person; `PATCH` turns it on
//! or off.

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::list_params::{collection_range, from_pages, ListParams};
use super::path_id::PathId;
use super::{body, ApiError, ApiState};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::CardEntry;
use postern::services::{users, users::require_manager, ServiceError};
use postern::types::CardNumber;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A card or fob.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardView {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    /// `facility:card` (e.g. `12:34567`) or up to 20 digits.
    pub number: String,
    pub label: String,
    pub active: bool,
}

impl From<CardEntry> for CardView {
    fn from(e: CardEntry) -> CardView {
        CardView {
            id: e.card.id,
            user_id: e.card.user_id,
            user_name: e.user_name,
            user_email: e.user_email,
            number: e.card.number,
            label: e.card.label,
            active: e.card.active,
        }
    }
}

/// `{"card": {...}}` to create a card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCardEnvelope {
    pub card: NewCard,
}

/// A new card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCard {
    /// Whose card it is.
    #[schema(minimum = 1)]
    pub user_id: i64,
    /// `facility:card` (facility 0-255, card 0-65535) or 1 to 20 digits.
    #[schema(pattern = r"^\s*([0-9]{1,3}[:-][0-9]{1,5}|[0-9]{1,20})\s*$")]
    pub number: String,
    /// A note, e.g. "blue fob" (at most 100 characters are kept).
    #[serde(default)]
    pub label: Option<String>,
}

/// `{"card": {"active": …}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardChangeEnvelope {
    pub card: CardChange,
}

/// Turns a card on or off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardChange {
    pub active: bool,
}

/// Lists cards by holder, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/cards", tag = "cards",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Cards per page, 1 to 100 (default 10)."),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 1000000, description = "Cards to skip (default 0)."),
        ("query" = Option<String>, Query, description = "Only cards whose number, label, holder's name or email contains this text."),
    ),
    responses((status = 200, body = [CardView],
            headers(("X-Collection-Range" = String, description = "`first-last/total`, or `*/total` when empty"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn list(State(state): State<ApiState>, ApiUser(user): ApiUser, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&user)?;
    let params = ListParams::parse(raw.as_deref(), &[])?;
    let db = &state.context.db;
    let (items, total) = from_pages(&params, |page| users::list_all_cards(db, &params.query, page)).await?;
    let range = collection_range(params.offset, items.len(), total);
    Ok(([range], Json(items.into_iter().map(CardView::from).collect::<Vec<_>>())).into_response())
}

/// Gives a person a card.
#[utoipa::path(post, path = "/cards", tag = "cards", request_body = NewCardEnvelope,
    responses((status = 200, description = "The card's id", body = CardCreated), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "No such person", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn create(State(state): State<ApiState>, ApiUser(user): ApiUser, bytes: Bytes) -> Result<Json<CardCreated>, ApiError> {
    require_manager(&user)?;
    let card = body::parse::<NewCardEnvelope>(&bytes, false)?.card;
    let number = CardNumber::parse(&card.number).map_err(|message| ApiError::field("card.number", message))?;
    let label = card.label.unwrap_or_default();
    let id = users::add_card(&state.context.db, &user, card.user_id, &number, &label).await.map_err(|error| match error {
        ServiceError::Invalid(errors) => ApiError::fields(errors, |f| format!("card.{f}")),
        other => other.into(),
    })?;
    Ok(Json(CardCreated { id, number: number.as_str().to_owned() }))
}

/// A card just added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardCreated {
    pub id: i64,
    /// The number as stored (normalised).
    pub number: String,
}

/// Turns a card on or off.
#[utoipa::path(patch, path = "/cards/{id}", tag = "cards", request_body = CardChangeEnvelope,
    params(("id" = i64, Path, minimum = 1, description = "The card's id")),
    responses((status = 204, description = "Saved"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn update(
    State(state): State<ApiState>,
    ApiUser(user): ApiUser,
    PathId(id): PathId,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    require_manager(&user)?;
    let change = body::parse::<CardChangeEnvelope>(&bytes, false)?.card;
    users::set_card_active(&state.context.db, &user, id, change.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a card (removing one that is already gone changes nothing).
#[utoipa::path(delete, path = "/cards/{id}", tag = "cards",
    params(("id" = i64, Path, minimum = 1, description = "The card's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "Not an id", body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn destroy(State(state): State<ApiState>, ApiUser(user): ApiUser, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    users::delete_card(&state.context.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
