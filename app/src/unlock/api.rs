use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the button shows after a press.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnlockResult {
    pub granted: bool,
    /// Seconds the door stays unlocked (granted only).
    pub seconds: u32,
    /// The reasons in plain words (denied only), headline first.
    pub reasons: Vec<String>,
    /// Denied only for want of a fresh password entry: offer to confirm it.
    pub needs_verification: bool,
}

/// Unlocks a door for the signed-in person (a POST; GETs never unlock).
/// Coordinates are sent when the door has a geofence and the browser gave them.
#[server(prefix = "/rpc", endpoint = "unlock_door")]
pub async fn unlock_door(
    door_id: i64,
    #[server(default)] latitude: Option<String>,
    #[server(default)] longitude: Option<String>,
    #[server(default)] accuracy: Option<String>,
) -> Result<UnlockResult, AppError> {
    use postern::access::ProximityProof;
    use postern::services::unlock::{UnlockActor, UnlockInput, UnlockMethod, UnlockOutcome};
    let context = crate::server_context::use_app_context()?;
    let (user, verified_at) =
        crate::server_context::current_session().await?.ok_or_else(|| AppError::Unauthenticated.with_status())?;
    let number = |v: &Option<String>| v.as_deref().and_then(|t| t.trim().parse::<f64>().ok()).filter(|n| n.is_finite());
    let location = match (number(&latitude), number(&longitude)) {
        (Some(lat), Some(lon)) => Some((lat, lon, number(&accuracy).unwrap_or(0.0))),
        _ => None,
    };
    let method = if user.role.can_manage() { UnlockMethod::Web } else { UnlockMethod::App };
    let outcome = context
        .unlock
        .unlock(UnlockInput {
            door_id,
            actor: UnlockActor::Session { user, verified_at: Some(verified_at), device_id: crate::server_context::existing_device_id().await? },
            method,
            location,
            proximity: ProximityProof::Missing,
        })
        .await?;
    match outcome {
        UnlockOutcome::Granted { pulse_seconds, .. } => {
            Ok(UnlockResult { granted: true, seconds: pulse_seconds, reasons: vec![], needs_verification: false })
        }
        UnlockOutcome::Denied { reasons, time_zone } => Ok(UnlockResult {
            granted: false,
            seconds: 0,
            needs_verification: reasons.iter().any(|r| matches!(r, postern::access::Reason::VerificationRequired)),
            reasons: reasons.iter().map(|r| r.message(&time_zone)).collect(),
        }),
        UnlockOutcome::NoController => Err(AppError::Conflict("The door has no assigned controller.".into()).with_status()),
        UnlockOutcome::ControllerOffline => {
            Err(AppError::Unavailable("The door's controller is offline. Try again when it is back.".into()).with_status())
        }
        UnlockOutcome::LockUnpowered => Err(AppError::Unavailable(UnlockOutcome::LOCK_UNPOWERED.into()).with_status()),
    }
}

/// Re-enter the password: two-factor doors then open for 5 minutes.
#[server(prefix = "/rpc", endpoint = "confirm_password")]
pub async fn confirm_password(password: String) -> Result<(), AppError> {
    use crate::server_context::*;
    let context = use_app_context()?;
    let user = require_user().await?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal.with_status())?;
    let token = session_token(&headers, &context).ok_or_else(|| AppError::Unauthenticated.with_status())?;
    postern::services::users::confirm_password(&context.db, &user, &password, &client_ip().await).await?;
    postern::services::sessions::mark_verified(&context.db, &token).await?;
    Ok(())
}

/// Locks a door down, or cancels its lockdown (admins).
#[server(prefix = "/rpc", endpoint = "set_door_lockdown")]
pub async fn set_door_lockdown(door_id: i64, on: bool) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let context = crate::server_context::use_app_context()?;
    postern::services::lockdown::set_door(&context.db, &context.live, context.unlock.bridges(), &actor, door_id, on).await?;
    Ok(())
}

/// Locks every door of a place down, or cancels it (admins).
#[server(prefix = "/rpc", endpoint = "set_place_lockdown")]
pub async fn set_place_lockdown(place_id: i64, on: bool) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let context = crate::server_context::use_app_context()?;
    postern::services::lockdown::set_place(&context.db, &context.live, context.unlock.bridges(), &actor, place_id, on).await?;
    Ok(())
}
