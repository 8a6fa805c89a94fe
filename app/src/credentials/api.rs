use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{AccessLink, CardEntry, LinkForm, LinkQuotas, Listing, NewAccessLink};

/// What the "Send access link" form offers: the groups, and the zone its
/// dates are read in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkFormOptions {
    pub groups: Vec<(String, String)>,
    pub time_zone: String,
    pub quotas: LinkQuotas,
}

#[server(prefix = "/rpc", endpoint = "list_access_links")]
pub async fn list_access_links(query: String, page: Option<String>) -> Result<Listing<AccessLink>, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let query = postern::types::SearchQuery::new(&query);
    let page = postern::types::Page::parse(page.as_deref());
    Ok(postern::services::access_links::list(&db, &actor, &query, page).await?)
}

#[server(prefix = "/rpc", endpoint = "access_link_form_options")]
pub async fn access_link_form_options() -> Result<LinkFormOptions, AppError> {
    use postern::services::{access_links, groups, now_ms, places};
    let actor = crate::auth::api::require_staff().await?;
    let context = crate::server_context::use_app_context()?;
    let groups = groups::options(&context.db, postern::services::scope::Scope::of(&actor)).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    let time_zone = places::first_time_zone(&context.db).await?.unwrap_or_else(|| "UTC".into());
    let quotas = access_links::quotas(&context.db, &context.link_settings, now_ms()).await?;
    Ok(LinkFormOptions { groups, time_zone, quotas })
}

/// Creates a link and sends it; a manual link's URL comes back once.
#[server(prefix = "/rpc", endpoint = "send_access_link")]
pub async fn send_access_link(form: LinkForm) -> Result<NewAccessLink, AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let context = crate::server_context::use_app_context()?;
    let link = form.validate()?;
    let base = match &context.public_url {
        Some(url) => url.clone(),
        None => crate::server_context::request_origin().await?,
    };
    Ok(postern::services::access_links::create(&context.db, &context.messenger, &context.link_settings, &actor, link, &base)
        .await?)
}

#[server(prefix = "/rpc", endpoint = "revoke_access_link")]
pub async fn revoke_access_link(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::access_links::revoke(&db, &actor, id).await?)
}

#[server(prefix = "/rpc", endpoint = "list_all_cards")]
pub async fn list_all_cards(query: String, page: Option<String>) -> Result<(Listing<CardEntry>, Vec<(String, String)>), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let query = postern::types::SearchQuery::new(&query);
    let page = postern::types::Page::parse(page.as_deref());
    let scope = postern::services::scope::Scope::of(&actor);
    let cards = postern::services::users::list_all_cards(&db, scope, &query, page).await?;
    let people = postern::services::groups::user_options(&db, scope).await?.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    Ok((cards, people))
}
