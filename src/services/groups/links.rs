//! Memberships and door links one at a time, by their own ids, as the JSON
//! API names them (Kisi's `role_assignments` and `group_locks`): listed with
//! filters, a membership with its validity dates (which the access decision
//! reads), each added, changed or removed by id. The dashboard adds and
//! removes by (group, person) and (group, door) in the parent module.

use super::{get, insert_door, insert_member};
use crate::model::{Listing, SessionUser};
use crate::services::audit::Audit;
use crate::services::users::{require_manager, require_may_manage};
use crate::services::{Db, ServiceError, ServiceResult};
use crate::types::{Page, Timestamp};

/// A person's membership of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    /// Unix milliseconds; `None` = valid since it was added.
    pub valid_from: Option<i64>,
    /// Unix milliseconds; `None` = never ends.
    pub valid_until: Option<i64>,
    /// Unix milliseconds.
    pub added_at: i64,
}

/// A door linked to a group: the group's members may open it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoorLink {
    pub id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub door_id: i64,
    pub door_name: String,
    pub place_name: String,
}

/// When a membership is valid; `until` must come after `from`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl Validity {
    fn check(self) -> ServiceResult<Validity> {
        match (self.from, self.until) {
            (Some(from), Some(until)) if until.millis() <= from.millis() => {
                Err(ServiceError::field("valid_until", "End the membership after it starts."))
            }
            _ => Ok(self),
        }
    }
}

/// Which rows a list shows: those of one group, one person (or door), both or all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkFilter {
    pub group_id: Option<i64>,
    /// The person (memberships) or the door (door links).
    pub other_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct MembershipRow {
    id: i64,
    group_id: i64,
    group_name: String,
    user_id: i64,
    user_name: String,
    user_email: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    added_at: i64,
}

impl From<MembershipRow> for Membership {
    fn from(r: MembershipRow) -> Membership {
        Membership {
            id: r.id,
            group_id: r.group_id,
            group_name: r.group_name,
            user_id: r.user_id,
            user_name: r.user_name,
            user_email: r.user_email,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            added_at: r.added_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct DoorLinkRow {
    id: i64,
    group_id: i64,
    group_name: String,
    door_id: i64,
    door_name: String,
    place_name: String,
}

impl From<DoorLinkRow> for DoorLink {
    fn from(r: DoorLinkRow) -> DoorLink {
        DoorLink { id: r.id, group_id: r.group_id, group_name: r.group_name, door_id: r.door_id, door_name: r.door_name, place_name: r.place_name }
    }
}

const MEMBERSHIPS: &str = "SELECT m.id, m.group_id, g.name AS group_name, m.user_id, u.name AS user_name, u.email AS user_email,
    m.valid_from, m.valid_until, m.added_at
    FROM group_members m JOIN access_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id";
const MEMBERSHIP_FILTER: &str = "WHERE ($1 = 0 OR m.group_id = $1) AND ($2 = 0 OR m.user_id = $2)";

const DOOR_LINKS: &str = "SELECT gd.id, gd.group_id, g.name AS group_name, gd.door_id, d.name AS door_name, p.name AS place_name
    FROM group_doors gd JOIN access_groups g ON g.id = gd.group_id JOIN doors d ON d.id = gd.door_id
    JOIN places p ON p.id = d.place_id";
const DOOR_LINK_FILTER: &str = "WHERE ($1 = 0 OR gd.group_id = $1) AND ($2 = 0 OR gd.door_id = $2)";

/// Memberships, oldest first, a page at a time.
pub async fn memberships(db: &Db, filter: LinkFilter, page: Page) -> ServiceResult<Listing<Membership>> {
    let from = "FROM group_members m";
    listed::<MembershipRow, Membership>(db, filter, page, &format!("SELECT COUNT(*) {from} {MEMBERSHIP_FILTER}"), &format!("{MEMBERSHIPS} {MEMBERSHIP_FILTER} ORDER BY m.id")).await
}

/// Door links, oldest first, a page at a time.
pub async fn door_links(db: &Db, filter: LinkFilter, page: Page) -> ServiceResult<Listing<DoorLink>> {
    let from = "FROM group_doors gd";
    listed::<DoorLinkRow, DoorLink>(db, filter, page, &format!("SELECT COUNT(*) {from} {DOOR_LINK_FILTER}"), &format!("{DOOR_LINKS} {DOOR_LINK_FILTER} ORDER BY gd.id")).await
}

/// One page of rows matching `filter` ($1, $2), and how many match.
async fn listed<R, T>(db: &Db, filter: LinkFilter, page: Page, count_sql: &str, rows_sql: &str) -> ServiceResult<Listing<T>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    T: From<R>,
{
    let (group, other) = (filter.group_id.unwrap_or(0), filter.other_id.unwrap_or(0));
    let (total,): (i64,) = sqlx::query_as(count_sql).bind(group).bind(other).fetch_one(db.pool()).await?;
    let rows: Vec<R> = sqlx::query_as(&format!("{rows_sql} LIMIT $3 OFFSET $4"))
        .bind(group)
        .bind(other)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    Ok(Listing { items: rows.into_iter().map(T::from).collect(), total, page: page.number, page_size: page.size })
}

/// One membership.
pub async fn membership(db: &Db, id: i64) -> ServiceResult<Membership> {
    let row: Option<MembershipRow> = sqlx::query_as(&format!("{MEMBERSHIPS} WHERE m.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(Membership::from).ok_or(ServiceError::NotFound("membership"))
}

/// One door link.
pub async fn door_link(db: &Db, id: i64) -> ServiceResult<DoorLink> {
    let row: Option<DoorLinkRow> = sqlx::query_as(&format!("{DOOR_LINKS} WHERE gd.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(DoorLink::from).ok_or(ServiceError::NotFound("group lock"))
}

/// Makes a person a member of a group, valid as given. Unknown ids and a
/// person already in the group are refused beside their field.
pub async fn add_membership(db: &Db, actor: &SessionUser, group_id: i64, user_id: i64, validity: Validity) -> ServiceResult<i64> {
    require_manager(actor)?;
    let validity = validity.check()?;
    let group = get(db, group_id).await.map_err(|_| ServiceError::field("group_id", "There is no group with this id."))?;
    let user = crate::services::users::get(db, user_id).await.map_err(|_| ServiceError::field("user_id", "There is no person with this id."))?;
    require_may_manage(actor, user.role)?;
    let mut write = db.write().await?;
    let id = insert_member(&mut write, group_id, user_id, validity)
        .await?
        .ok_or_else(|| ServiceError::field("user_id", "This person is already a member of this group; change that membership instead."))?;
    write.commit(Audit::by(actor, "group.member_added", format!("{} to {}", user.email, group.name))).await?;
    Ok(id)
}

/// Changes when a membership is valid.
pub async fn set_membership_validity(db: &Db, actor: &SessionUser, id: i64, validity: Validity) -> ServiceResult<()> {
    require_manager(actor)?;
    let validity = validity.check()?;
    let current = membership(db, id).await?;
    require_may_manage(actor, crate::services::users::get(db, current.user_id).await?.role)?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE group_members SET valid_from = $1, valid_until = $2 WHERE id = $3")
        .bind(validity.from.map(|t| t.millis()))
        .bind(validity.until.map(|t| t.millis()))
        .bind(id)
        .execute(&mut *write)
        .await?;
    let subject = format!("{} in {}", current.user_email, current.group_name);
    write.commit(Audit::by(actor, "group.member_changed", subject)).await?;
    Ok(())
}

/// Ends a membership.
pub async fn remove_membership(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let current = membership(db, id).await?;
    require_may_manage(actor, crate::services::users::get(db, current.user_id).await?.role)?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM group_members WHERE id = $1").bind(id).execute(&mut *write).await?;
    let subject = format!("{} from {}", current.user_email, current.group_name);
    write.commit(Audit::by(actor, "group.member_removed", subject)).await?;
    Ok(())
}

/// Links a door to a group. Unknown ids and a door already linked are
/// refused beside their field.
pub async fn add_door_link(db: &Db, actor: &SessionUser, group_id: i64, door_id: i64) -> ServiceResult<i64> {
    require_manager(actor)?;
    let group = get(db, group_id).await.map_err(|_| ServiceError::field("group_id", "There is no group with this id."))?;
    let door = crate::services::doors::get(db, door_id).await.map_err(|_| ServiceError::field("door_id", "There is no door with this id."))?;
    // A place group (Kisi's `place_id`) opens only its place's doors.
    if super::place_id(db, group_id).await?.is_some_and(|place| place != door.place_id) {
        return Err(ServiceError::field("door_id", "This group is scoped to another place: only that place's doors can be linked."));
    }
    let mut write = db.write().await?;
    let id = insert_door(&mut write, group_id, door_id).await?.ok_or_else(|| ServiceError::field("door_id", "This door is already linked to this group."))?;
    let subject = format!("{} to {}", door.name, group.name);
    write.commit(Audit::by(actor, "group.door_added", subject).door(door_id)).await?;
    Ok(id)
}

/// Unlinks a door from a group.
pub async fn remove_door_link(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let link = door_link(db, id).await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM group_doors WHERE id = $1").bind(id).execute(&mut *write).await?;
    let subject = format!("{} from {}", link.door_name, link.group_name);
    write.commit(Audit::by(actor, "group.door_removed", subject).door(link.door_id)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_ends_after_it_starts() {
        let at = |ms| Some(Timestamp::from_millis(ms));
        assert!(Validity { from: at(1), until: at(2) }.check().is_ok());
        assert!(Validity { from: None, until: at(2) }.check().is_ok());
        assert!(Validity { from: at(2), until: None }.check().is_ok());
        for until in [1, 2] {
            let Err(ServiceError::Invalid(errors)) = (Validity { from: at(2), until: at(until) }).check() else { panic!("{until}") };
            assert_eq!(errors.0[0].field, "valid_until");
        }
    }
}
