use crate::error::AppError;
use leptos::prelude::*;
use postern::model::Reader;
use serde::{Deserialize, Serialize};

/// What the reader did with the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentResult {
    pub granted: bool,
    pub door: String,
    /// Seconds the door stays unlocked (granted only).
    pub seconds: u32,
    /// Why not, in plain words (denied only).
    pub reasons: Vec<String>,
}

#[server(prefix = "/rpc", endpoint = "simulator_readers")]
pub async fn simulator_readers() -> Result<Vec<Reader>, AppError> {
    require_admin().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::controllers::readers(&db, None).await?)
}

/// Presents a card number at a reader, as a person at the door would.
#[server(prefix = "/rpc", endpoint = "present_card")]
pub async fn present_card(reader_id: String, number: String) -> Result<PresentResult, AppError> {
    use postern::services::unlock::UnlockOutcome;
    require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let reader_id = reader_id.trim().parse::<i64>().map_err(|_| AppError::invalid("reader_id", "Pick a reader."))?;
    if number.trim().is_empty() {
        return Err(AppError::invalid("number", "Enter the number printed on the card or fob."));
    }
    let (outcome, event_id) = context.unlock.present_card(reader_id, &number).await?;
    let (door,): (String,) = postern::services::event_log::subject(&context.db, event_id).await?;
    Ok(match outcome {
        UnlockOutcome::Granted { pulse_seconds, .. } => PresentResult { granted: true, door, seconds: pulse_seconds, reasons: vec![] },
        UnlockOutcome::Denied { reasons, time_zone } => {
            PresentResult { granted: false, door, seconds: 0, reasons: reasons.iter().map(|r| r.message(&time_zone)).collect() }
        }
        UnlockOutcome::NoController => {
            PresentResult { granted: false, door, seconds: 0, reasons: vec!["The door has no assigned controller.".into()] }
        }
        UnlockOutcome::ControllerOffline => {
            PresentResult { granted: false, door, seconds: 0, reasons: vec!["The door's controller is offline.".into()] }
        }
    })
}

#[cfg(feature = "ssr")]
async fn require_admin() -> Result<(), AppError> {
    let user = crate::server_context::require_user().await?;
    if user.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden("The simulator is for admins.".into()).with_status())
    }
}
