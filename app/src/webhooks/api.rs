use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Webhook, WebhookAttempt, WebhookForm};

/// The signed-in admin or owner (webhooks are theirs alone).
#[cfg(feature = "ssr")]
async fn require_admin() -> Result<postern::model::SessionUser, AppError> {
    let user = crate::server_context::require_user().await?;
    if user.role.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden("Webhooks are managed by admins.".into()).with_status())
    }
}

#[server(prefix = "/rpc", endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<Webhook>, AppError> {
    let actor = require_admin().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::webhooks::list(&db, &actor).await?)
}

/// Registers an endpoint, then returns to the list.
#[server(prefix = "/rpc", endpoint = "create_webhook")]
pub async fn create_webhook(form: WebhookForm) -> Result<i64, AppError> {
    let actor = require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let webhook = form.validate()?;
    let id = postern::services::webhooks::create(&context.db, &actor, context.webhooks, webhook).await?;
    leptos_axum::redirect("/webhooks");
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    let actor = require_admin().await?;
    let db = crate::server_context::use_db()?;
    postern::services::webhooks::set_enabled(&db, &actor, id, enabled).await?;
    leptos_axum::redirect("/webhooks");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "delete_webhook")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let actor = require_admin().await?;
    let db = crate::server_context::use_db()?;
    postern::services::webhooks::delete(&db, &actor, id).await?;
    leptos_axum::redirect("/webhooks");
    Ok(())
}

/// An endpoint and its latest 200 attempts, newest first.
#[server(prefix = "/rpc", endpoint = "webhook_log")]
pub async fn webhook_log(id: i64) -> Result<(Webhook, Vec<WebhookAttempt>), AppError> {
    let actor = require_admin().await?;
    let db = crate::server_context::use_db()?;
    let webhook = postern::services::webhooks::get(&db, &actor, id).await?;
    let attempts = postern::services::webhooks::attempts(&db, &actor, id, 200).await?;
    Ok((webhook, attempts))
}
