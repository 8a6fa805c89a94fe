use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{ApiKey, NewApiKey};

#[server(prefix = "/rpc", endpoint = "list_api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKey>, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::api_keys::list(&db, &actor).await?)
}

/// Creates a key acting as the signed-in person; the secret is returned once.
#[server(prefix = "/rpc", endpoint = "create_api_key")]
pub async fn create_api_key(name: String) -> Result<NewApiKey, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let name = postern::types::Name::parse(&name).map_err(|m| {
        AppError::invalid("name", m)
    })?;
    Ok(postern::services::api_keys::create(&db, &actor, &name).await?)
}

#[server(prefix = "/rpc", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::api_keys::revoke(&db, &actor, id).await?)
}
