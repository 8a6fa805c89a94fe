use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Door, SessionUser};

/// The signed-in person and the doors their groups reach.
#[server(prefix = "/rpc", endpoint = "my_doors")]
pub async fn my_doors() -> Result<Option<(SessionUser, Vec<Door>)>, AppError> {
    let Some(user) = crate::server_context::current_user().await? else { return Ok(None) };
    let db = crate::server_context::use_db()?;
    let doors = postern::services::doors::for_user(&db, &user).await?;
    Ok(Some((user, doors)))
}
