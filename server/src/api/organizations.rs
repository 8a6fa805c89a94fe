//! `GET /organizations` and `GET /organizations/{id}`: a Postern server is
//! one organization, with id 1.

use super::auth::ApiUser;
use super::error::ErrorBody;
use super::list_params::collection_range;
use super::path_id::PathId;
use super::{ApiError, ApiState};
use axum::extract::State;
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

async fn current(state: &ApiState) -> Result<OrganizationView, ApiError> {
    let name = owner::organization_name(&state.context.db).await?;
    Ok(OrganizationView { id: ORGANIZATION_ID, name })
}

/// The organizations this key sees: the one.
#[utoipa::path(get, path = "/organizations", tag = "organizations",
    responses((status = 200, body = [OrganizationView],
        headers(("X-Collection-Range" = String, description = "`0-0/1`"))),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn list(State(state): State<ApiState>, _user: ApiUser) -> Result<Response, ApiError> {
    let view = current(&state).await?;
    Ok(([collection_range(0, 1, 1)], Json(vec![view])).into_response())
}

/// The organization, by id (1).
#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations",
    params(("id" = i64, Path, minimum = 1, description = "1")),
    responses((status = 200, body = OrganizationView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("kisi_login" = []), ("bearer" = [])))]
pub async fn show(State(state): State<ApiState>, _user: ApiUser, PathId(id): PathId) -> Result<Json<OrganizationView>, ApiError> {
    if id != ORGANIZATION_ID {
        return Err(ApiError::NotFound("Organization not found.".into()));
    }
    Ok(Json(current(&state).await?))
}
