//! Groups: who (members) may open what (doors), when (validity), and how
//! (group restrictions).

mod links;

pub use links::{
    add_door_link, add_membership, door_link, door_links, membership, memberships, remove_door_link, remove_membership,
    set_membership_validity, DoorLink, LinkFilter, Membership, Validity,
};

use super::audit::{Actor, Audit};
use super::users::require_may_manage;
use super::error::{map_constraint, ConstraintRule};
use super::scope::Scope;
use super::users::require_manager;
use super::{db::flag, now_ms, Db, ServiceError, ServiceResult};
use crate::model::{Group, GroupDoor, GroupMember, Listing, SessionUser, ValidGroup};
use crate::types::{Page, SearchQuery};

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
    description: String,
    valid_from: Option<i64>,
    valid_until: Option<i64>,
    geofence_enabled: i64,
    reader_restriction: i64,
    time_restriction: i64,
    time_windows: String,
    primary_device_required: i64,
    member_count: i64,
    door_count: i64,
    place_id: Option<i64>,
}

impl From<GroupRow> for Group {
    fn from(r: GroupRow) -> Group {
        Group {
            id: r.id,
            name: r.name,
            description: r.description,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            geofence_enabled: flag(r.geofence_enabled),
            reader_restriction: flag(r.reader_restriction),
            time_restriction: flag(r.time_restriction),
            time_windows: serde_json::from_str::<crate::access::WeeklySchedule>(&r.time_windows)
                .map(|s| s.to_text())
                .unwrap_or_default(),
            primary_device_required: flag(r.primary_device_required),
            member_count: r.member_count,
            door_count: r.door_count,
            place_id: r.place_id,
        }
    }
}

const SELECT: &str = "SELECT g.id, g.name, g.description, g.valid_from, g.valid_until, g.geofence_enabled,
    g.reader_restriction, g.time_restriction, g.time_windows, g.primary_device_required,
    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS member_count,
    (SELECT COUNT(*) FROM group_doors d WHERE d.group_id = g.id) AS door_count, g.place_id
    FROM access_groups g";

const NAME_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "access_groups_name_key",
    sqlite_columns: "access_groups.name",
    field: "name",
    message: "Another group already has this name.",
}];

pub async fn list(db: &Db, scope: Scope, query: &SearchQuery, page: Page) -> ServiceResult<Listing<Group>> {
    let filter = format!(
        "WHERE ($1 = '' OR LOWER(g.name) LIKE $2 ESCAPE '\\' OR LOWER(g.description) LIKE $2 ESCAPE '\\') AND {}",
        scope.group("g.id")
    );
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM access_groups g {filter}"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<GroupRow> = sqlx::query_as(&format!("{SELECT} {filter} ORDER BY LOWER(g.name), g.id LIMIT $3 OFFSET $4"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    Ok(Listing { items: rows.into_iter().map(Group::from).collect(), total, page: page.number, page_size: page.size })
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<Group> {
    let row: Option<GroupRow> = sqlx::query_as(&format!("{SELECT} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(Group::from).ok_or(ServiceError::NotFound("group"))
}

/// The group `id` if it is in `scope` ("not found" otherwise).
pub async fn get_in(db: &Db, scope: Scope, id: i64) -> ServiceResult<Group> {
    let row: Option<GroupRow> = sqlx::query_as(&format!("{SELECT} WHERE g.id = $1 AND {}", scope.group("g.id")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(Group::from).ok_or(ServiceError::NotFound("group"))
}

/// Checks, in the change's transaction, that `scope` may put the group
/// `id` (None: a new one) in its place: a manager's group belongs to one of
/// their places, and a group with a place keeps its doors in that place.
async fn check_place(write: &mut super::db::Write, scope: Scope, id: Option<i64>, group: &ValidGroup) -> ServiceResult<()> {
    if let Some(id) = id {
        scope.require_group(write, id).await?;
    }
    match group.place_id {
        None if !scope.is_everything() => {
            return Err(ServiceError::field("place_id", "Pick one of your places: managers' groups belong to a place."));
        }
        None => {}
        Some(place_id) => {
            not_found_as_field(scope.require_place(write, place_id).await, "place_id", "Pick a place from the list.")?;
            let (elsewhere,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM group_doors gd JOIN doors d ON d.id = gd.door_id WHERE gd.group_id = $1 AND d.place_id <> $2",
            )
            .bind(id.unwrap_or(0))
            .bind(place_id)
            .fetch_one(&mut **write)
            .await?;
            if elsewhere > 0 {
                return Err(ServiceError::field(
                    "place_id",
                    "This group already opens locks of another place: unlink them first, or leave the group to the whole organization.",
                ));
            }
        }
    }
    Ok(())
}

/// A "not found" from a scope check as a field's message (the picker's
/// choice is not one the actor may make); other errors unchanged.
fn not_found_as_field<T>(result: ServiceResult<T>, field: &str, message: &str) -> ServiceResult<T> {
    match result {
        Err(ServiceError::NotFound(_)) => Err(ServiceError::field(field, message)),
        other => other,
    }
}

/// Writes a group (insert when `id` is None), committed with its audit line.
async fn save(db: &Db, actor: &Actor, scope: Scope, id: Option<i64>, group: &ValidGroup, link: &[i64]) -> ServiceResult<i64> {
    let mut write = db.write().await?;
    check_place(&mut write, scope, id, group).await?;
    let sql = match id {
        None => "INSERT INTO access_groups (name, description, valid_from, valid_until, geofence_enabled, reader_restriction,
                 time_restriction, primary_device_required, created_at, time_windows, place_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        Some(_) => "UPDATE access_groups SET name = $1, description = $2, valid_from = $3, valid_until = $4, geofence_enabled = $5,
                 reader_restriction = $6, time_restriction = $7, primary_device_required = $8, time_windows = $10, place_id = $11 WHERE id = $9 RETURNING id",
    };
    let row: Option<(i64,)> = sqlx::query_as(sql)
        .bind(group.name.as_str())
        .bind(group.description.as_str())
        .bind(group.valid_from.map(|t| t.millis()))
        .bind(group.valid_until.map(|t| t.millis()))
        .bind(i64::from(group.geofence_enabled))
        .bind(i64::from(group.reader_restriction))
        .bind(i64::from(group.time_restriction))
        .bind(i64::from(group.primary_device_required))
        // $9 is created_at for an insert, the group id for an update.
        .bind(id.unwrap_or_else(now_ms))
        .bind(serde_json::to_string(&group.time_windows).unwrap_or_default())
        .bind(group.place_id)
        .fetch_optional(&mut *write)
        .await
        .map_err(|e| map_constraint(e, NAME_TAKEN))?;
    let (saved,) = row.ok_or(ServiceError::NotFound("group"))?;
    // Doors to link with it (the API's `locks_to_assign`), in the same commit.
    for door_id in link {
        check_door(&mut write, scope, saved, *door_id).await?;
        if insert_door(&mut write, saved, *door_id).await?.is_some() {
            write.audit(&Audit::new(actor, "group.door_added", format!("door #{door_id} to {}", group.name.as_str())).door(*door_id)).await?;
        }
    }
    let action = if id.is_some() { "group.updated" } else { "group.created" };
    write.commit(Audit::new(actor, action, group.name.as_str())).await?;
    Ok(saved)
}

/// Inserts without permission checks, as Postern itself (demo data, fixtures).
pub async fn insert(db: &Db, group: &ValidGroup) -> ServiceResult<i64> {
    save(db, &Actor::System, Scope::Everything, None, group, &[]).await
}

pub async fn create(db: &Db, actor: &SessionUser, group: ValidGroup) -> ServiceResult<i64> {
    create_linked(db, actor, group, &[]).await
}

/// Creates a group and links these doors to it, in one commit (each door
/// in the actor's scope and at the group's place, refused beside `door_id`).
pub async fn create_linked(db: &Db, actor: &SessionUser, group: ValidGroup, doors: &[i64]) -> ServiceResult<i64> {
    require_manager(actor)?;
    save(db, &Actor::User(actor.clone()), Scope::of(actor), None, &group, doors).await
}

pub async fn update(db: &Db, actor: &SessionUser, id: i64, group: ValidGroup) -> ServiceResult<()> {
    update_linked(db, actor, id, group, &[]).await
}

/// Changes a group and links these doors to it (those not linked yet), in
/// one commit.
pub async fn update_linked(db: &Db, actor: &SessionUser, id: i64, group: ValidGroup, doors: &[i64]) -> ServiceResult<()> {
    require_manager(actor)?;
    save(db, &Actor::User(actor.clone()), Scope::of(actor), Some(id), &group, doors).await?;
    Ok(())
}

pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let group = get_in(db, Scope::of(actor), id).await?;
    let mut write = db.write().await?;
    Scope::of(actor).require_group(&mut write, id).await?;
    sqlx::query("DELETE FROM access_groups WHERE id = $1").bind(id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "group.deleted", &group.name)).await?;
    Ok(())
}

pub async fn members(db: &Db, group_id: i64) -> ServiceResult<Vec<GroupMember>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.name, u.email FROM group_members m JOIN users u ON u.id = m.user_id
         WHERE m.group_id = $1 ORDER BY LOWER(u.name)",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(user_id, name, email)| GroupMember { user_id, name, email }).collect())
}

pub async fn doors(db: &Db, group_id: i64) -> ServiceResult<Vec<GroupDoor>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT d.id, d.name, p.name FROM group_doors gd JOIN doors d ON d.id = gd.door_id
         JOIN places p ON p.id = d.place_id WHERE gd.group_id = $1 ORDER BY LOWER(p.name), LOWER(d.name)",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(door_id, name, place_name)| GroupDoor { door_id, name, place_name }).collect())
}

/// Adds a member; adding someone already in the group changes nothing.
pub async fn add_member(db: &Db, actor: &SessionUser, group_id: i64, user_id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let scope = Scope::of(actor);
    let group = get_in(db, scope, group_id).await?;
    let user = super::users::get(db, user_id).await.map_err(|_| ServiceError::field("user_id", "Pick a person from the list."))?;
    require_may_manage(actor, user.role)?;
    let mut write = db.write().await?;
    scope.require_group(&mut write, group_id).await?;
    not_found_as_field(scope.require_person(&mut write, user_id).await, "user_id", "Pick a person from the list.")?;
    insert_member(&mut write, group_id, user_id, Validity::default()).await?;
    write.commit(Audit::by(actor, "group.member_added", format!("{} to {}", user.email, group.name))).await?;
    Ok(())
}

pub async fn remove_member(db: &Db, actor: &SessionUser, group_id: i64, user_id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let scope = Scope::of(actor);
    let group = get_in(db, scope, group_id).await?;
    if let Ok(user) = super::users::get(db, user_id).await {
        require_may_manage(actor, user.role)?;
    }
    let mut write = db.write().await?;
    scope.require_group(&mut write, group_id).await?;
    sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *write)
        .await?;
    write.commit(Audit::by(actor, "group.member_removed", format!("user #{user_id} from {}", group.name))).await?;
    Ok(())
}

pub async fn add_door(db: &Db, actor: &SessionUser, group_id: i64, door_id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let scope = Scope::of(actor);
    let group = get_in(db, scope, group_id).await?;
    let door = super::doors::get(db, door_id).await.map_err(|_| ServiceError::field("door_id", "Pick a door from the list."))?;
    let mut write = db.write().await?;
    check_door(&mut write, scope, group_id, door_id).await?;
    insert_door(&mut write, group_id, door_id).await?;
    write.commit(Audit::by(actor, "group.door_added", format!("{} to {}", door.name, group.name)).door(door_id)).await?;
    Ok(())
}

pub async fn remove_door(db: &Db, actor: &SessionUser, group_id: i64, door_id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let scope = Scope::of(actor);
    let group = get_in(db, scope, group_id).await?;
    let mut write = db.write().await?;
    scope.require_group(&mut write, group_id).await?;
    sqlx::query("DELETE FROM group_doors WHERE group_id = $1 AND door_id = $2")
        .bind(group_id)
        .bind(door_id)
        .execute(&mut *write)
        .await?;
    write.commit(Audit::by(actor, "group.door_removed", format!("door #{door_id} from {}", group.name)).door(door_id)).await?;
    Ok(())
}

/// Checks, in the change's transaction, that `scope` may link the door to
/// the group: both in scope, and the door at the group's place if it has one.
async fn check_door(write: &mut super::db::Write, scope: Scope, group_id: i64, door_id: i64) -> ServiceResult<()> {
    scope.require_group(write, group_id).await?;
    not_found_as_field(scope.require_door(write, door_id).await, "door_id", "Pick a door from the list.")?;
    let (elsewhere,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_groups g JOIN doors d ON d.id = $2 WHERE g.id = $1 AND g.place_id IS NOT NULL AND g.place_id <> d.place_id",
    )
    .bind(group_id)
    .bind(door_id)
    .fetch_one(&mut **write)
    .await?;
    if elsewhere > 0 {
        return Err(ServiceError::field("door_id", "This lock is at another place, not at the group's place."));
    }
    Ok(())
}

/// Makes the person a member with this validity; `None` when they already are one.
async fn insert_member(conn: &mut sqlx::AnyConnection, group_id: i64, user_id: i64, validity: Validity) -> ServiceResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO group_members (group_id, user_id, valid_from, valid_until, added_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (group_id, user_id) DO NOTHING RETURNING id",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(validity.from.map(|t| t.millis()))
    .bind(validity.until.map(|t| t.millis()))
    .bind(now_ms())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Links the door to the group; `None` when it already is.
async fn insert_door(conn: &mut sqlx::AnyConnection, group_id: i64, door_id: i64) -> ServiceResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("INSERT INTO group_doors (group_id, door_id) VALUES ($1, $2) ON CONFLICT (group_id, door_id) DO NOTHING RETURNING id")
            .bind(group_id)
            .bind(door_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Every person in `scope` as (id, "name <email>"), for the member picker.
pub async fn user_options(db: &Db, scope: Scope) -> ServiceResult<Vec<(i64, String)>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as(&format!("SELECT id, name, email FROM users WHERE {} ORDER BY LOWER(name)", scope.person("id")))
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(id, name, email)| (id, format!("{name} <{email}>"))).collect())
}

/// Every group in `scope` as (id, name), for pickers.
pub async fn options(db: &Db, scope: Scope) -> ServiceResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(&format!("SELECT id, name FROM access_groups WHERE {} ORDER BY LOWER(name), id", scope.group("id")))
        .fetch_all(db.pool())
        .await?)
}
