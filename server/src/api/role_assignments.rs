//! `GET/POST /role_assignments`, `PATCH/DELETE /role_assignments/{id}`:
//! group memberships (managers, admins and owners), as Kisi's role
//! assignments of the role `group_basic` (a member who may open the
//! group's locks), with `valid_from`/`valid_until`, which the access
//! decision applies. A new member gets the organization's access email, as
//! when added in the dashboard.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, ListErrors, ListOf, OneErrors, Paging};
use super::forms::FieldNames;
use super::group_links::base_url;
use super::list_params::{id_filter, ListParams};
use super::listing::{self, from_pages};
use super::path_id::PathId;
use super::times::{millis, rfc3339};
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use postern::services::groups::{self, LinkFilter, Membership, Validity};
use postern::services::scope::Scope;
use postern::services::{organization, users::require_manager};
use postern::types::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person's membership of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleAssignmentView {
    pub id: i64,
    /// Always `group_basic`: a member who may open the group's locks.
    pub role_id: String,
    /// Always `group`: the assignment is to a group.
    #[serde(rename = "type")]
    pub scope: String,
    pub user_id: i64,
    pub group_id: i64,
    /// RFC 3339; `null` = valid since it was made.
    pub valid_from: Option<String>,
    /// RFC 3339; `null` = never ends.
    pub valid_until: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Postern: the person's name and email, and the group's name.
    pub user_name: String,
    pub user_email: String,
    pub group_name: String,
}

impl From<Membership> for RoleAssignmentView {
    fn from(m: Membership) -> RoleAssignmentView {
        RoleAssignmentView {
            id: m.id,
            role_id: GROUP_BASIC.into(),
            scope: "group".into(),
            user_id: m.user_id,
            group_id: m.group_id,
            valid_from: m.valid_from.map(rfc3339),
            valid_until: m.valid_until.map(rfc3339),
            created_at: rfc3339(m.added_at),
            user_name: m.user_name,
            user_email: m.user_email,
            group_name: m.group_name,
        }
    }
}

/// The one role Postern gives in a group.
const GROUP_BASIC: &str = "group_basic";

/// Roles in a group.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleId {
    /// A member who may open the group's locks (Postern has no other role in a group).
    #[default]
    GroupBasic,
}

/// `{"role_assignment": {...}}` to make one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoleAssignmentEnvelope {
    pub role_assignment: NewRoleAssignment,
}

/// A new membership.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoleAssignment {
    /// The person, not yet a member of the group.
    #[schema(minimum = 1)]
    pub user_id: i64,
    #[schema(minimum = 1)]
    pub group_id: i64,
    /// `group_basic` (the default); Kisi's `group_manager` is refused.
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = RoleId)]
    pub role_id: Option<String>,
    /// RFC 3339; absent or `null` = valid now.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub valid_from: Option<String>,
    /// RFC 3339, after `valid_from`; absent or `null` = never ends.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub valid_until: Option<String>,
}

/// `{"role_assignment": {...}}` to change one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignmentChangeEnvelope {
    pub role_assignment: RoleAssignmentChange,
}

/// New dates: absent keeps the current one, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignmentChange {
    /// RFC 3339; `null` = valid now.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_from: Option<Option<String>>,
    /// RFC 3339, after `valid_from`; `null` = never ends.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_until: Option<Option<String>>,
}

/// Kisi's group roles: `group_basic` is Postern's membership; a group
/// manager is a role Postern does not have.
fn role_id(text: Option<&str>) -> Result<RoleId, ApiError> {
    match text.map(str::trim) {
        None | Some(GROUP_BASIC) => Ok(RoleId::GroupBasic),
        Some("group_manager") => Err(ApiError::field(
            "role_assignment.role_id",
            "group_manager is not supported by Postern: it has no group managers; give managers the manager role instead.",
        )),
        Some(_) => Err(ApiError::field("role_assignment.role_id", "Give role_id as group_basic.")),
    }
}

/// The body's names of the fields the service checks.
const FIELDS: FieldNames = FieldNames::new("role_assignment", &[]);

/// An RFC 3339 instant of the body, if given.
fn instant(field: &str, text: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    text.map(|t| millis(&FIELDS.path(field), t).map(Timestamp::from_millis)).transpose()
}

/// Lists memberships, oldest first, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/role_assignments", tag = "role_assignments",
    params(Paging,
        ("user_id" = Option<i64>, Query, minimum = 1, description = "Only this person's memberships."),
        ("group_id" = Option<i64>, Query, minimum = 1, description = "Only this group's members.")),
    responses(ListOf::<RoleAssignmentView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &[])?;
    let filter = LinkFilter { group_id: id_filter(raw.as_deref(), "group_id")?, other_id: id_filter(raw.as_deref(), "user_id")? };
    let (items, total) = from_pages(&params, |page| groups::memberships(caller.db(), Scope::of(&caller.user), filter, page)).await?;
    Ok(listing::answer::<_, RoleAssignmentView>(&params, items, total))
}

/// Makes a person a member of a group.
#[utoipa::path(post, path = "/role_assignments", tag = "role_assignments", request_body = NewRoleAssignmentEnvelope,
    responses((status = 200, description = "The new membership", body = RoleAssignmentView), CreateErrors))]
pub async fn create(caller: Caller, headers: HeaderMap, bytes: Bytes) -> Result<Json<RoleAssignmentView>, ApiError> {
    require_manager(&caller.user)?;
    let bytes = kisi_fields::screened("role_assignments", &bytes)?;
    let new = body::parse::<NewRoleAssignmentEnvelope>(&bytes, false)?.role_assignment;
    let RoleId::GroupBasic = role_id(new.role_id.as_deref())?;
    let validity = Validity { from: instant("valid_from", new.valid_from.as_deref())?, until: instant("valid_until", new.valid_until.as_deref())? };
    let db = caller.db();
    let id = groups::add_membership(db, &caller.user, new.group_id, new.user_id, validity).await.map_err(|e| FIELDS.service_error(e))?;
    notify(&caller, &headers, new.group_id, new.user_id).await;
    Ok(Json(groups::membership(db, Scope::of(&caller.user), id).await?.into()))
}

/// The access email to a member just added (when the organization has it
/// on); a failure is logged and the membership stands.
async fn notify(caller: &Caller, headers: &HeaderMap, group_id: i64, user_id: i64) {
    let context = &caller.state.context;
    let base = base_url(context.public_url.as_deref(), context.cookie_secure, headers).unwrap_or_default();
    let sign_in = format!("{base}/me");
    if let Err(error) = organization::notify_added_to_group(&context.db, &context.messenger, group_id, user_id, &sign_in).await {
        tracing::warn!(%error, group_id, user_id, "the access email could not be sent");
    }
}

/// Changes when a membership is valid: only the dates given.
#[utoipa::path(patch, path = "/role_assignments/{id}", tag = "role_assignments", request_body = RoleAssignmentChangeEnvelope,
    params(ById), responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_manager(&caller.user)?;
    let current = groups::membership(caller.db(), Scope::of(&caller.user), id).await?;
    let change = body::parse::<RoleAssignmentChangeEnvelope>(&bytes, false)?.role_assignment;
    let mut validity = Validity { from: current.valid_from.map(Timestamp::from_millis), until: current.valid_until.map(Timestamp::from_millis) };
    if let Some(from) = change.valid_from {
        validity.from = instant("valid_from", from.as_deref())?;
    }
    if let Some(until) = change.valid_until {
        validity.until = instant("valid_until", until.as_deref())?;
    }
    no_content(groups::set_membership_validity(caller.db(), &caller.user, id, validity).await.map_err(|e| FIELDS.service_error(e)))
}

/// Ends a membership.
#[utoipa::path(delete, path = "/role_assignments/{id}", tag = "role_assignments", params(ById),
    responses((status = 204, description = "Removed"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(groups::remove_membership(caller.db(), &caller.user, id).await)
}
