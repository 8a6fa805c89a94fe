//! The `{id}` of a path: a positive whole number, else 404 (there is no
//! such thing), never axum's plain-text 400.

use super::{ApiError, ApiState};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

/// A resource id taken from the path.
#[derive(Clone, Copy, Debug)]
pub struct PathId(pub i64);

impl FromRequestParts<ApiState> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("No such id.".into()))?;
        match text.trim().parse::<i64>() {
            Ok(id) if id > 0 => Ok(PathId(id)),
            _ => Err(ApiError::NotFound(format!("“{}” is not an id here; ids are positive whole numbers.", text.chars().take(40).collect::<String>()))),
        }
    }
}
