use crate::error::AppError;
use leptos::prelude::*;
use postern::model::OrganizationSettings;

#[server(prefix = "/rpc", endpoint = "get_settings")]
pub async fn get_settings() -> Result<OrganizationSettings, AppError> {
    crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::organization::settings(&db).await?)
}

#[server(prefix = "/rpc", endpoint = "save_settings")]
pub async fn save_settings(name: String, #[server(default)] access_email_enabled: Option<String>) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let name = postern::types::Name::parse(&name).map_err(|m| AppError::invalid("name", m))?;
    let enabled = postern::model::checked(&access_email_enabled);
    Ok(postern::services::organization::update(&db, &actor, &name, enabled).await?)
}
