//! `GET/POST /cards`, `PATCH/DELETE /cards/{id}`: cards and fobs (managers,
//! admins and owners). A card belongs to one person; `PATCH` turns it on
//! or off.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, ListErrors, ListOf, OneErrors, Paging};
use super::error::ErrorBody;
use super::forms::FieldNames;
use super::list_params::ListParams;
use super::listing;
use super::path_id::PathId;
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::CardEntry;
use postern::services::scope::Scope;
use postern::services::{users, users::require_manager};
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
    /// `facility:card` (facility 0-255, card 0-65535) or 1 to 20 digits;
    /// or Kisi's `card_number` (with `facility_code`) instead.
    #[serde(default)]
    #[schema(pattern = r"^\s*([0-9]{1,3}[:-][0-9]{1,5}|[0-9]{1,20})\s*$")]
    pub number: Option<String>,
    /// Kisi: the card's number (digits), instead of `number`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,20}$")]
    pub card_number: Option<Digits>,
    /// Kisi: the facility code (0-255) with `card_number`.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,3}$")]
    pub facility_code: Option<Digits>,
    /// A note, e.g. "blue fob" (at most 100 characters are kept).
    #[serde(default)]
    pub label: Option<String>,
}

/// Digits sent as a JSON number or string (Kisi's clients send either).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Digits {
    Number(u64),
    Text(String),
}

impl Digits {
    fn text(&self) -> String {
        match self {
            Digits::Number(n) => n.to_string(),
            Digits::Text(t) => t.trim().to_owned(),
        }
    }
}

impl NewCard {
    /// The card's number as Postern writes it, from `number` or Kisi's fields, and its path.
    fn number_text(&self) -> Result<(String, &'static str), ApiError> {
        match (&self.number, &self.card_number, &self.facility_code) {
            (Some(number), None, None) => Ok((number.clone(), "card.number")),
            (None, Some(card), None) => Ok((card.text(), "card.card_number")),
            (None, Some(card), Some(facility)) => Ok((format!("{}:{}", facility.text(), card.text()), "card.card_number")),
            (None, None, _) => Err(ApiError::field("card.number", "Give the card's number (or Kisi's card_number).")),
            (Some(_), _, _) => {
                Err(ApiError::field("card.number", "Give number, or card_number (with facility_code), not both."))
            }
        }
    }
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

/// The body's names of the card fields the services check.
const FIELDS: FieldNames = FieldNames::new("card", &[]);

/// Lists cards by holder, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/cards", tag = "cards",
    params(Paging, ("query" = Option<String>, Query, description = "Only cards whose number, label, holder's name or email contains this text.")),
    responses(ListOf::<CardView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &[])?;
    let (items, total) = listing::from_pages(&params, |page| users::list_all_cards(caller.db(), Scope::of(&caller.user), &params.query, page)).await?;
    Ok(listing::answer::<_, CardView>(&params, items, total))
}

/// Gives a person a card.
#[utoipa::path(post, path = "/cards", tag = "cards", request_body = NewCardEnvelope,
    responses((status = 200, description = "The card's id", body = CardCreated), CreateErrors,
        (status = 404, description = "No such person", body = ErrorBody)))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<CardCreated>, ApiError> {
    require_manager(&caller.user)?;
    let bytes = kisi_fields::screened("cards", &bytes)?;
    let card = body::parse::<NewCardEnvelope>(&bytes, false)?.card;
    let (text, path) = card.number_text()?;
    let number = CardNumber::parse(&text).map_err(|message| ApiError::field(path, message))?;
    let label = card.label.unwrap_or_default();
    let id = users::add_card(caller.db(), &caller.user, card.user_id, &number, &label).await.map_err(|e| FIELDS.service_error(e))?;
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
#[utoipa::path(patch, path = "/cards/{id}", tag = "cards", request_body = CardChangeEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_manager(&caller.user)?;
    let bytes = kisi_fields::screened("cards", &bytes)?;
    let change = body::parse::<CardChangeEnvelope>(&bytes, false)?.card;
    no_content(users::set_card_active(caller.db(), &caller.user, id, change.active).await)
}

/// Removes a card (removing one that is already gone changes nothing).
#[utoipa::path(delete, path = "/cards/{id}", tag = "cards", params(ById),
    responses((status = 204, description = "Removed"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(users::delete_card(caller.db(), &caller.user, id).await)
}
