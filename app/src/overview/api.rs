use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub organization: String,
    pub places: i64,
    pub controllers: i64,
    pub doors: i64,
    pub groups: i64,
    pub users: i64,
}

#[server(prefix = "/rpc", endpoint = "overview_counts")]
pub async fn overview_counts() -> Result<Counts, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let scope = postern::services::scope::Scope::of(&actor);
    let db = crate::server_context::use_db()?;
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let (n,): (i64,) = sqlx_count(&db, scope, table).await?;
            Ok::<i64, AppError>(n)
        }
    };
    Ok(Counts {
        organization: postern::services::owner::organization_name(&db).await?,
        places: count("places").await?,
        controllers: count("controllers").await?,
        doors: count("doors").await?,
        groups: count("access_groups").await?,
        users: count("users").await?,
    })
}

#[cfg(feature = "ssr")]
async fn sqlx_count(db: &postern::services::Db, scope: postern::services::scope::Scope, table: &'static str) -> Result<(i64,), AppError> {
    Ok(postern::services::stats::count(db, scope, table).await?)
}
