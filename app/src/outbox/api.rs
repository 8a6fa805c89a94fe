use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One message as the outbox page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: u64,
    pub at_ms: i64,
    /// "Email" or "Text message".
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    /// "Held", "Sent" or "Failed".
    pub status: String,
    pub error: String,
}

#[server(prefix = "/rpc", endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<Vec<OutboxItem>, AppError> {
    use postern::services::messaging::{Channel, OutboxStatus};
    let user = crate::server_context::require_user().await?;
    if !user.role.is_admin() {
        return Err(AppError::Forbidden("The outbox is for admins.".into()).with_status());
    }
    let context = crate::server_context::use_app_context()?;
    Ok(context
        .messenger
        .outbox
        .list()
        .into_iter()
        .map(|m| OutboxItem {
            id: m.id,
            at_ms: m.at_ms,
            channel: match m.channel {
                Channel::Email => "Email".into(),
                Channel::Sms => "Text message".into(),
            },
            recipient: m.recipient,
            subject: m.subject,
            body_text: m.body_text,
            status: match m.status {
                OutboxStatus::Held => "Held".into(),
                OutboxStatus::Sent => "Sent".into(),
                OutboxStatus::Failed => "Failed".into(),
            },
            error: m.error,
        })
        .collect())
}
