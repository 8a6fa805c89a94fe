//! What part of the organization a staff member manages (SPEC §8).
//!
//! Owners and admins manage everything. A manager manages the places an
//! admin assigned to them (`manager_places`) and, through them:
//!
//! - **doors** of those places;
//! - **groups** of those places (`access_groups.place_id`), and groups
//!   without a place whose doors (at least one) are all in those places;
//! - **people**: members (never staff) who belong to one of those groups,
//!   or to no group at all (someone just added, who opens nothing yet);
//! - **events** at those places' doors;
//! - **access links** and **memberships** of those groups.
//!
//! The scope is written as SQL conditions ([`Scope::doors`],
//! [`Scope::groups`], …) that the services put into the very statement that
//! reads or checks a record, so a place taken away from a manager counts on
//! their next request; nothing is cached. A record outside the scope is
//! "not found" ([`ServiceError::NotFound`]), as if it did not exist.
//!
//! The checks before a change ([`Scope::require_group`], …) run inside the
//! change's transaction, so a place taken away and a change by the manager
//! are ordered: on SQLite by the write lock, on PostgreSQL by `FOR SHARE`
//! on the manager's places.
//!
//! The conditions embed only the manager's numeric id, never text from a
//! request.

use crate::model::SessionUser;
use crate::services::{ServiceError, ServiceResult};
use sqlx::AnyConnection;

/// What an actor manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Owners and admins: everything.
    Everything,
    /// A manager (by id): their places and what is in them.
    PlacesOf(i64),
}

impl Scope {
    /// The scope of `actor` (members get a manager's scope: they manage
    /// nothing, and the role checks refuse them before any scope is used).
    pub fn of(actor: &SessionUser) -> Scope {
        if actor.role.is_admin() {
            Scope::Everything
        } else {
            Scope::PlacesOf(actor.id)
        }
    }

    /// Whether this is everything (no condition needed).
    pub fn is_everything(&self) -> bool {
        matches!(self, Scope::Everything)
    }

    /// The ids of the places in scope, as a sub-query.
    fn places(&self) -> Option<String> {
        match self {
            Scope::Everything => None,
            Scope::PlacesOf(id) => Some(format!("SELECT mp.place_id FROM manager_places mp WHERE mp.user_id = {id}")),
        }
    }

    /// SQL: the place id `column` is in scope.
    pub fn place(&self, column: &str) -> String {
        match self.places() {
            None => "1 = 1".into(),
            Some(places) => format!("{column} IN ({places})"),
        }
    }

    /// SQL: the door id `column` is in scope.
    pub fn door(&self, column: &str) -> String {
        match self.places() {
            None => "1 = 1".into(),
            Some(places) => format!("{column} IN (SELECT sd.id FROM doors sd WHERE sd.place_id IN ({places}))"),
        }
    }

    /// SQL: the group id `column` is in scope.
    pub fn group(&self, column: &str) -> String {
        match self.places() {
            None => "1 = 1".into(),
            Some(places) => format!("{column} IN ({})", Self::groups_of(&places)),
        }
    }

    fn groups_of(places: &str) -> String {
        format!(
            "SELECT sg.id FROM access_groups sg WHERE sg.place_id IN ({places}) \
             OR (sg.place_id IS NULL \
                 AND EXISTS (SELECT 1 FROM group_doors sgd WHERE sgd.group_id = sg.id) \
                 AND NOT EXISTS (SELECT 1 FROM group_doors sgd JOIN doors sgdd ON sgdd.id = sgd.door_id \
                                 WHERE sgd.group_id = sg.id AND sgdd.place_id NOT IN ({places})))"
        )
    }

    /// SQL: the person id `column` is in scope.
    pub fn person(&self, column: &str) -> String {
        match self.places() {
            None => "1 = 1".into(),
            Some(places) => format!(
                "{column} IN (SELECT su.id FROM users su WHERE su.role = 'member' AND (\
                 EXISTS (SELECT 1 FROM group_members sm WHERE sm.user_id = su.id AND sm.group_id IN ({groups})) \
                 OR NOT EXISTS (SELECT 1 FROM group_members sm WHERE sm.user_id = su.id)))",
                groups = Self::groups_of(&places)
            ),
        }
    }

    /// Refuses ("not found") unless the place `id` exists and is in scope.
    pub async fn require_place(&self, conn: &mut AnyConnection, id: i64) -> ServiceResult<()> {
        self.require(conn, "places", id, &self.place("id"), "place").await
    }

    /// Refuses ("not found") unless the door `id` exists and is in scope.
    pub async fn require_door(&self, conn: &mut AnyConnection, id: i64) -> ServiceResult<()> {
        self.require(conn, "doors", id, &self.door("id"), "door").await
    }

    /// Refuses ("not found") unless the group `id` exists and is in scope.
    pub async fn require_group(&self, conn: &mut AnyConnection, id: i64) -> ServiceResult<()> {
        self.require(conn, "access_groups", id, &self.group("id"), "group").await
    }

    /// Refuses ("not found") unless the person `id` exists and is in scope.
    pub async fn require_person(&self, conn: &mut AnyConnection, id: i64) -> ServiceResult<()> {
        self.require(conn, "users", id, &self.person("id"), "user").await
    }

    async fn require(&self, conn: &mut AnyConnection, table: &str, id: i64, condition: &str, what: &'static str) -> ServiceResult<()> {
        self.hold(conn).await?;
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1 AND {condition}");
        let (found,): (i64,) = sqlx::query_as(&sql).bind(id).fetch_one(&mut *conn).await?;
        if found == 0 {
            return Err(ServiceError::NotFound(what));
        }
        Ok(())
    }
}

impl Scope {
    /// Inside a change on PostgreSQL, keeps the manager's places as they are
    /// until the change commits (`FOR SHARE`): an admin taking a place away
    /// waits for it, so no change of the manager's commits after the place
    /// was taken. (On SQLite the change already holds the write lock.)
    async fn hold(&self, conn: &mut AnyConnection) -> ServiceResult<()> {
        if let Scope::PlacesOf(id) = self {
            if conn.backend_name() == "PostgreSQL" {
                sqlx::query(&format!("SELECT 1 FROM manager_places WHERE user_id = {id} FOR SHARE")).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}

/// The places assigned to the manager `user_id`, by id.
pub async fn manager_places(conn: &mut AnyConnection, user_id: i64) -> ServiceResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT place_id FROM manager_places WHERE user_id = $1 ORDER BY place_id")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
