use crate::error::AppError;
use leptos::prelude::*;
use postern::model::{Group, GroupDoor, GroupForm, GroupMember, Listing};
use serde::{Deserialize, Serialize};

/// Everything the group page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDetails {
    pub group: Option<Group>,
    pub members: Vec<GroupMember>,
    pub doors: Vec<GroupDoor>,
    pub user_options: Vec<(i64, String)>,
    pub door_options: Vec<(i64, String)>,
    /// The places the group may belong to (a manager: theirs).
    pub place_options: Vec<(i64, String)>,
    /// Whether the viewer may leave the group to the whole organization
    /// (admins; a manager's groups belong to one of their places).
    pub may_be_organization_wide: bool,
}

#[server(prefix = "/rpc", endpoint = "list_groups")]
pub async fn list_groups(query: String, page: Option<String>) -> Result<Listing<Group>, AppError> {
    use postern::types::{Page, SearchQuery};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    Ok(postern::services::groups::list(&db, postern::services::scope::Scope::of(&actor), &SearchQuery::new(&query), Page::parse(page.as_deref())).await?)
}

#[server(prefix = "/rpc", endpoint = "get_group")]
pub async fn get_group(id: Option<i64>) -> Result<GroupDetails, AppError> {
    use postern::services::{doors, groups};
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let scope = postern::services::scope::Scope::of(&actor);
    let (group, members, group_doors) = match id {
        Some(id) => (Some(groups::get_in(&db, scope, id).await?), groups::members(&db, id).await?, groups::doors(&db, id).await?),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(GroupDetails {
        group,
        members,
        doors: group_doors,
        user_options: groups::user_options(&db, scope).await?,
        door_options: doors::options(&db, scope).await?,
        place_options: postern::services::places::options(&db, scope).await?,
        may_be_organization_wide: scope.is_everything(),
    })
}

#[server(prefix = "/rpc", endpoint = "save_group")]
pub async fn save_group(id: Option<i64>, form: GroupForm) -> Result<i64, AppError> {
    use postern::services::groups;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let group = form.validate()?;
    let id = match id {
        Some(id) => groups::update(&db, &actor, id, group).await.map(|_| id)?,
        None => groups::create(&db, &actor, group).await?,
    };
    leptos_axum::redirect(&format!("/groups/{id}"));
    Ok(id)
}

#[server(prefix = "/rpc", endpoint = "delete_group")]
pub async fn delete_group(id: i64) -> Result<(), AppError> {
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    postern::services::groups::delete(&db, &actor, id).await?;
    leptos_axum::redirect("/groups");
    Ok(())
}

/// Adds (`add` = true) or removes a member.
#[server(prefix = "/rpc", endpoint = "change_group_member")]
pub async fn change_group_member(group_id: i64, user_id: String, add: bool) -> Result<(), AppError> {
    use postern::services::groups;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let user_id = postern::model::controller::parse_id(&user_id, "Pick a person from the list.")
        .map_err(|m| AppError::invalid("user_id", m))?;
    if add {
        groups::add_member(&db, &actor, group_id, user_id).await?;
        notify_member(group_id, user_id).await;
    } else {
        groups::remove_member(&db, &actor, group_id, user_id).await?;
    }
    Ok(())
}

/// Links (`add` = true) or unlinks a door.
#[server(prefix = "/rpc", endpoint = "change_group_door")]
pub async fn change_group_door(group_id: i64, door_id: String, add: bool) -> Result<(), AppError> {
    use postern::services::groups;
    let actor = crate::auth::api::require_staff().await?;
    let db = crate::server_context::use_db()?;
    let door_id = postern::model::controller::parse_id(&door_id, "Pick a door from the list.")
        .map_err(|m| AppError::invalid("door_id", m))?;
    if add {
        groups::add_door(&db, &actor, group_id, door_id).await?;
    } else {
        groups::remove_door(&db, &actor, group_id, door_id).await?;
    }
    Ok(())
}

/// The access email to a member just added (when the organization has it
/// on). A failure is logged and shown in the outbox; the membership stands.
#[cfg(feature = "ssr")]
async fn notify_member(group_id: i64, user_id: i64) {
    let Ok(context) = crate::server_context::use_app_context() else { return };
    let base = match &context.public_url {
        Some(url) => url.clone(),
        None => crate::server_context::request_origin().await.unwrap_or_default(),
    };
    let sign_in = format!("{base}/me");
    if let Err(error) =
        postern::services::organization::notify_added_to_group(&context.db, &context.messenger, group_id, user_id, &sign_in).await
    {
        tracing::warn!(%error, group_id, user_id, "the access email could not be sent");
    }
}
