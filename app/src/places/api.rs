use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Listing, Place, PlaceForm};

#[server(prefix = "/rpc", endpoint = "list_places")]
pub async fn list_places(query: String, page: Option<String>) -> Result<Listing<Place>, AppError> {
    use postern::types::{Page, SearchQuery};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let page = Page::parse(page.as_deref());
    Ok(postern::services::places::list(&db, postern::services::scope::Scope::of(&actor), &SearchQuery::new(&query), page).await?)
}

#[server(prefix = "/rpc", endpoint = "get_place")]
pub async fn get_place(id: i64) -> Result<Place, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::places::get_in(&db, postern::services::scope::Scope::of(&actor), id).await?)
}

/// The IANA time zones a place can be in.
#[server(prefix = "/rpc", endpoint = "time_zones")]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    Ok(postern::types::TimeZoneName::all())
}

/// Creates (no id) or updates a place, then returns to the list.
#[server(prefix = "/rpc", endpoint = "save_place")]
pub async fn save_place(id: Option<i64>, form: PlaceForm) -> Result<i64, AppError> {
    use postern::services::places;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let place = form.validate()?;
    let id = match id {
        Some(id) => places::update(&db, &actor, id, place).await.map(|_| id)?,
        None => places::create(&db, &actor, place).await?,
    };
    leptos_axum::redirect("/places");
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "delete_place")]
pub async fn delete_place(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::places::delete(&db, &actor, id).await?;
    leptos_axum::redirect("/places");
    Ok(())
}
