use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Controller, ControllerForm, Listing};

#[server(prefix = "/rpc", endpoint = "list_controllers")]
pub async fn list_controllers(query: String, page: Option<String>) -> Result<Listing<Controller>, AppError> {
    use postern::types::{Page, SearchQuery};
    crate::auth::api::require_admin().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::controllers::list(&db, &SearchQuery::new(&query), Page::parse(page.as_deref())).await?)
}

/// The controller (when `id` is given) and the places it can be at.
#[server(prefix = "/rpc", endpoint = "get_controller")]
pub async fn get_controller(id: Option<i64>) -> Result<(Option<Controller>, Vec<(i64, String)>), AppError> {
    use postern::services::{controllers, places};
    crate::auth::api::require_admin().await?;
    let db = crate::server_context::use_db()?;
    let controller = match id {
        Some(id) => Some(controllers::get(&db, id).await?),
        None => None,
    };
    Ok((controller, places::options(&db, postern::services::scope::Scope::Everything).await?))
}

#[server(prefix = "/rpc", endpoint = "save_controller")]
pub async fn save_controller(id: Option<i64>, form: ControllerForm) -> Result<i64, AppError> {
    use postern::services::controllers;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let controller = form.validate()?;
    let id = match id {
        Some(id) => controllers::update(&db, &actor, id, controller).await.map(|_| id)?,
        None => controllers::create(&db, &actor, controller).await?,
    };
    // The bridge follows the saved settings at once.
    crate::server_context::use_app_context()?.unlock.bridges().reload(id).await?;
    leptos_axum::redirect(&format!("/controllers/{id}"));
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "delete_controller")]
pub async fn delete_controller(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::controllers::delete(&db, &actor, id).await?;
    crate::server_context::use_app_context()?.unlock.bridges().reload(id).await?;
    leptos_axum::redirect("/controllers");
    Ok(())
}

/// Reaches the controller with its saved settings and says what happened.
#[server(prefix = "/rpc", endpoint = "test_connection")]
pub async fn test_connection(id: i64) -> Result<String, AppError> {
    crate::auth::api::require_admin().await?;
    let context = crate::server_context::use_app_context()?;
    let config = postern::services::controllers::stored_bridge(&context.db, id).await?;
    context
        .unlock
        .bridges()
        .test_connection(Some(id), &config)
        .await
        .map_err(|e| AppError::Unavailable(format!("{} ({})", e, config.summary())).with_status())
}
