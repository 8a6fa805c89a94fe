//! `GET/POST /group_locks`, `DELETE /group_locks/{id}`: which locks a
//! group's members may open (managers, admins and owners), one link at a
//! time, as Kisi's group locks. `POST` takes `{"group_lock": {"group_id",
//! "lock_id"}}`; the same links are the dashboard's group doors.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, ListErrors, ListOf, OneErrors, Paging};
use super::forms::FieldNames;
use super::list_params::{id_filter, ListParams};
use super::listing::{self, from_pages};
use super::path_id::PathId;
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::services::groups::{self, DoorLink, LinkFilter};
use postern::services::scope::Scope;
use postern::services::users::require_manager;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A lock linked to a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupLockView {
    pub id: i64,
    pub group_id: i64,
    pub lock_id: i64,
    /// Postern: the group's name.
    pub group_name: String,
    /// Postern: the lock's name.
    pub lock_name: String,
    /// Postern: the name of the lock's place.
    pub place_name: String,
}

impl From<DoorLink> for GroupLockView {
    fn from(l: DoorLink) -> GroupLockView {
        GroupLockView {
            id: l.id,
            group_id: l.group_id,
            lock_id: l.door_id,
            group_name: l.group_name,
            lock_name: l.door_name,
            place_name: l.place_name,
        }
    }
}

/// `{"group_lock": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLockEnvelope {
    pub group_lock: NewGroupLock,
}

/// A new link between a group and a lock.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroupLock {
    #[schema(minimum = 1)]
    pub group_id: i64,
    /// Not linked to the group yet.
    #[schema(minimum = 1)]
    pub lock_id: i64,
}

/// The body's names of the fields the service checks.
const FIELDS: FieldNames = FieldNames::new("group_lock", &[("door_id", "lock_id")]);

/// Lists group locks, oldest first, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/group_locks", tag = "group_locks",
    params(Paging,
        ("group_id" = Option<i64>, Query, minimum = 1, description = "Only this group's locks."),
        ("lock_id" = Option<i64>, Query, minimum = 1, description = "Only the groups of this lock.")),
    responses(ListOf::<GroupLockView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &[])?;
    let filter = LinkFilter { group_id: id_filter(raw.as_deref(), "group_id")?, other_id: id_filter(raw.as_deref(), "lock_id")? };
    let (items, total) = from_pages(&params, |page| groups::door_links(caller.db(), Scope::of(&caller.user), filter, page)).await?;
    Ok(listing::answer::<_, GroupLockView>(&params, items, total))
}

/// Links a lock to a group.
#[utoipa::path(post, path = "/group_locks", tag = "group_locks", request_body = GroupLockEnvelope,
    responses((status = 200, description = "The new link", body = GroupLockView), CreateErrors))]
pub async fn create(caller: Caller, bytes: Bytes) -> Result<Json<GroupLockView>, ApiError> {
    require_manager(&caller.user)?;
    let new = body::parse::<GroupLockEnvelope>(&bytes, false)?.group_lock;
    let id = groups::add_door_link(caller.db(), &caller.user, new.group_id, new.lock_id).await.map_err(|e| FIELDS.service_error(e))?;
    Ok(Json(groups::door_link(caller.db(), Scope::of(&caller.user), id).await?.into()))
}

/// Unlinks a lock from a group.
#[utoipa::path(delete, path = "/group_locks/{id}", tag = "group_locks", params(ById),
    responses((status = 204, description = "Unlinked"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(groups::remove_door_link(caller.db(), &caller.user, id).await)
}
