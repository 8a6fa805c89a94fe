use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Door, DoorForm, DoorOptions, Listing};

#[server(prefix = "/rpc", endpoint = "list_doors")]
pub async fn list_doors(query: String, page: Option<String>) -> Result<Listing<Door>, AppError> {
    use postern::types::{Page, SearchQuery};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::doors::list(&db, postern::services::scope::Scope::of(&actor), &SearchQuery::new(&query), Page::parse(page.as_deref())).await?)
}

/// The door (when `id` is given) and what its pickers offer.
#[server(prefix = "/rpc", endpoint = "get_door")]
pub async fn get_door(id: Option<i64>) -> Result<(Option<Door>, DoorOptions), AppError> {
    use postern::services::doors;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let scope = postern::services::scope::Scope::of(&actor);
    let door = match id {
        Some(id) => Some(doors::get_in(&db, scope, id).await?),
        None => None,
    };
    Ok((door, doors::form_options(&db, scope).await?))
}

#[server(prefix = "/rpc", endpoint = "save_door")]
pub async fn save_door(id: Option<i64>, form: DoorForm) -> Result<i64, AppError> {
    use postern::services::doors;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let door = form.validate()?;
    let id = match id {
        Some(id) => doors::update(&db, &actor, id, door).await.map(|_| id)?,
        None => doors::create(&db, &actor, door).await?,
    };
    leptos_axum::redirect("/doors");
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "delete_door")]
pub async fn delete_door(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::doors::delete(&db, &actor, id).await?;
    leptos_axum::redirect("/doors");
    Ok(())
}
