//! `POST /locks/{id}/unlock`, `/lock_down` and `/cancel_lockdown`. The
//! unlock goes through the one unlock service, as the key's user, with the
//! event durably written before the answer.

use super::auth::Caller;
use super::docs::{ById, OneErrors};
use super::error::{ErrorBody, Reason};
use super::path_id::PathId;
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use axum::http::StatusCode;
use axum::Json;
use postern::access::ProximityProof;
use postern::services::lockdown;
use postern::services::unlock::{UnlockActor, UnlockInput, UnlockMethod, UnlockOutcome};
use postern::types::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The unlock request; every part is optional (an empty body is fine).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockRequest {
    #[serde(default)]
    pub context: Option<UnlockContext>,
    #[serde(default)]
    pub lock: Option<UnlockLock>,
}

/// Where the request comes from.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockContext {
    /// Needed for locks with a geofence restriction.
    #[serde(default)]
    pub location: Option<Location>,
}

/// WGS 84 coordinates of the person unlocking.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Degrees, -90 to 90.
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: f64,
    /// Degrees, -180 to 180.
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: f64,
    /// Postern: the fix's accuracy in metres, 0 to 100000 (default 0).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub accuracy: Option<f64>,
}

/// Lock-specific proof.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlockLock {
    /// A reader's proximity proof. Postern cannot check reader proofs
    /// through the API yet, so locks with a reader restriction refuse API
    /// unlocks (`proximity_proof_missing`, or `proximity_proof_invalid` when
    /// one is given); other locks ignore it.
    #[serde(default)]
    pub proximity_proof: Option<String>,
}

/// A granted unlock.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unlocked {
    /// Always `Unlocked!`.
    pub message: String,
    /// Postern: RFC 3339, when the lock closes again.
    pub unlocked_until: String,
}

/// Unlocks a lock as the key's user.
#[utoipa::path(post, path = "/locks/{id}/unlock", tag = "locks", params(ById),
    request_body(content = Option<UnlockRequest>, content_type = "application/json"),
    responses(
        (status = 200, body = Unlocked),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Access denied, with every reason", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The door has no assigned controller.", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 503, description = "The door's controller is offline.", body = ErrorBody),
    ))]
pub async fn unlock(caller: Caller, path: Result<PathId, ApiError>, bytes: Result<Bytes, BytesRejection>) -> Result<Json<Unlocked>, Response> {
    let bytes = bytes.map_err(IntoResponse::into_response)?;
    unlock_read(caller, path, bytes).await.map_err(IntoResponse::into_response)
}

async fn unlock_read(caller: Caller, path: Result<PathId, ApiError>, bytes: Bytes) -> Result<Json<Unlocked>, ApiError> {
    let PathId(door_id) = path?;
    let (location, proximity) = unlock_request(&bytes)?;
    let input = UnlockInput { door_id, actor: UnlockActor::ApiKey { user: caller.user.clone() }, method: UnlockMethod::Api, location, proximity };
    let outcome = caller.state.context.unlock.unlock(input).await?;
    match outcome {
        UnlockOutcome::Granted { until_ms, .. } => {
            Ok(Json(Unlocked { message: "Unlocked!".into(), unlocked_until: Timestamp::from_millis(until_ms).to_rfc3339() }))
        }
        UnlockOutcome::Denied { reasons, time_zone } => Err(ApiError::Denied(
            reasons.iter().map(|r| Reason { code: r.code().to_owned(), message: r.message(&time_zone) }).collect(),
        )),
        UnlockOutcome::NoController => {
            Err(ApiError::Conflict { code: "no_controller", message: "The door has no assigned controller.".into() })
        }
        UnlockOutcome::ControllerOffline => {
            Err(ApiError::Unavailable { code: "controller_offline", message: "The door's controller is offline.".into() })
        }
        UnlockOutcome::LockUnpowered => {
            Err(ApiError::Unavailable { code: "lock_unpowered", message: UnlockOutcome::LOCK_UNPOWERED.into() })
        }
    }
}

/// The body's location and whether a reader proof was given.
fn unlock_request(bytes: &Bytes) -> Result<(Option<(f64, f64, f64)>, ProximityProof), ApiError> {
    let request: UnlockRequest = body::parse(bytes, true)?;
    let location = request.context.and_then(|c| c.location).map(checked_location).transpose()?;
    // Reader proofs cannot be checked through the API yet: one that is given
    // counts as not checking out (the denial says so), none as missing.
    let given = request.lock.and_then(|l| l.proximity_proof).is_some_and(|p| !p.trim().is_empty());
    Ok((location, if given { ProximityProof::Invalid } else { ProximityProof::Missing }))
}

/// (latitude, longitude, accuracy), each within its range.
fn checked_location(location: Location) -> Result<(f64, f64, f64), ApiError> {
    let path = |field: &str| format!("context.location.{field}");
    if !(location.latitude.is_finite() && (-90.0..=90.0).contains(&location.latitude)) {
        return Err(ApiError::field(&path("latitude"), "Give the latitude in degrees, from -90 to 90."));
    }
    if !(location.longitude.is_finite() && (-180.0..=180.0).contains(&location.longitude)) {
        return Err(ApiError::field(&path("longitude"), "Give the longitude in degrees, from -180 to 180."));
    }
    let accuracy = location.accuracy.unwrap_or(0.0);
    if !(accuracy.is_finite() && (0.0..=100_000.0).contains(&accuracy)) {
        return Err(ApiError::field(&path("accuracy"), "Give the accuracy in metres, from 0 to 100000."));
    }
    Ok((location.latitude, location.longitude, accuracy))
}

/// Locks a lock down: only owners and admins may unlock it until cancelled.
#[utoipa::path(post, path = "/locks/{id}/lock_down", tag = "locks", params(ById),
    responses((status = 204, description = "Locked down"), OneErrors))]
pub async fn lock_down(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(lockdown::set_door(caller.db(), &caller.state.context.live, caller.state.context.unlock.bridges(), &caller.user, id, true).await)
}

/// Ends a lock's lockdown.
#[utoipa::path(post, path = "/locks/{id}/cancel_lockdown", tag = "locks", params(ById),
    responses((status = 204, description = "Lockdown cancelled"), OneErrors))]
pub async fn cancel_lockdown(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(lockdown::set_door(caller.db(), &caller.state.context.live, caller.state.context.unlock.bridges(), &caller.user, id, false).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_out_of_range_name_their_field() {
        let at = |latitude, longitude, accuracy| checked_location(Location { latitude, longitude, accuracy });
        assert!(at(40.7, -74.0, None).is_ok());
        for (bad, field) in [
            (at(91.0, 0.0, None), "context.location.latitude"),
            (at(f64::NAN, 0.0, None), "context.location.latitude"),
            (at(0.0, -181.0, None), "context.location.longitude"),
            (at(0.0, 0.0, Some(-1.0)), "context.location.accuracy"),
        ] {
            let Err(ApiError::Invalid(map)) = bad else { panic!("{field}") };
            assert!(map.contains_key(field), "{map:?}");
        }
    }
}
