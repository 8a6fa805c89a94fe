//! `GET /organizations` and `GET /organizations/{id}`: a Postern server is
//! one organization, with id 1.

use super::auth::Caller;
use super::docs::ById;
use super::error::ErrorBody;
use super::listing::collection_range;
use super::path_id::PathId;
use super::ApiError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::services::owner;
use serde::Serialize;
use utoipa::ToSchema;

/// The organization's id: there is only one.
pub const ORGANIZATION_ID: i64 = 1;

/// The organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    /// Always 1.
    pub id: i64,
    pub name: String,
}

async fn current(caller: &Caller) -> Result<OrganizationView, ApiError> {
    let name = owner::organization_name(caller.db()).await?;
    Ok(OrganizationView { id: ORGANIZATION_ID, name })
}

/// The organizations this key sees: the one.
#[utoipa::path(get, path = "/organizations", tag = "organizations",
    responses((status = 200, body = [OrganizationView],
        headers(("X-Collection-Range" = String, description = "`0-0/1`"))),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list(caller: Caller) -> Result<Response, ApiError> {
    let view = current(&caller).await?;
    Ok(([collection_range(0, 1, 1)], Json(vec![view])).into_response())
}

/// The organization, by id (1).
#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations", params(ById),
    responses((status = 200, body = OrganizationView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<OrganizationView>, ApiError> {
    if id != ORGANIZATION_ID {
        return Err(ApiError::NotFound("Organization not found.".into()));
    }
    Ok(Json(current(&caller).await?))
}
