//! The audit record of admin actions: one line in the event log per change,
//! written in the change's own transaction ([`Db::write`] and
//! [`Write::commit`]), so a change is never on disk without its line nor its
//! line without the change. (Unlock attempts get their own writer with the
//! access decision: `event_writer`.)

use super::db::Write;
use super::{now_ms, Db, ServiceResult};
use crate::model::SessionUser;
use sqlx::AnyConnection;

/// Who did something.
#[derive(Clone, Debug)]
pub enum Actor {
    User(SessionUser),
    System,
}

impl Actor {
    fn parts(&self) -> (&'static str, Option<i64>, String) {
        match self {
            Actor::User(u) => ("user", Some(u.id), format!("{} <{}>", u.name, u.email)),
            Actor::System => ("system", None, "Postern".to_owned()),
        }
    }
}

/// One audit line, such as "door.created" on "Front door" by an admin.
#[derive(Clone, Debug)]
pub struct Audit {
    actor_kind: &'static str,
    actor_user_id: Option<i64>,
    actor_name: String,
    pub action: String,
    subject: String,
    door_id: Option<i64>,
    place_id: Option<i64>,
    result: &'static str,
    details: String,
}

impl Audit {
    /// `actor` did `action` to `subject`, successfully.
    pub fn new(actor: &Actor, action: &str, subject: impl Into<String>) -> Audit {
        let (actor_kind, actor_user_id, actor_name) = actor.parts();
        Audit {
            actor_kind,
            actor_user_id,
            actor_name,
            action: action.to_owned(),
            subject: subject.into(),
            door_id: None,
            place_id: None,
            result: "ok",
            details: String::new(),
        }
    }

    /// A signed-in person did `action` to `subject`.
    pub fn by(user: &SessionUser, action: &str, subject: impl Into<String>) -> Audit {
        Audit::new(&Actor::User(user.clone()), action, subject)
    }

    /// About this door.
    pub fn door(mut self, door_id: i64) -> Audit {
        self.door_id = Some(door_id);
        self
    }

    /// About this place.
    pub fn place(mut self, place_id: i64) -> Audit {
        self.place_id = Some(place_id);
        self
    }

    /// With another result than "ok" (e.g. "denied").
    pub fn result(mut self, result: &'static str) -> Audit {
        self.result = result;
        self
    }

    /// With details (an address, a sentence).
    pub fn details(mut self, details: impl Into<String>) -> Audit {
        self.details = details.into();
        self
    }

    /// Inserts the line on `conn` (inside the change's transaction); returns its id.
    pub(crate) async fn insert(&self, conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, place_id, result, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(now_ms())
        .bind(self.actor_kind)
        .bind(self.actor_user_id)
        .bind(&self.actor_name)
        .bind(&self.action)
        .bind(&self.subject)
        .bind(self.door_id)
        .bind(self.place_id)
        .bind(self.result)
        .bind(&self.details)
        .fetch_one(conn)
        .await?;
        Ok(id)
    }

    /// The server log's line, once the audit line is committed.
    pub(crate) fn log(&self) {
        tracing::info!(
            actor_kind = self.actor_kind,
            actor_user_id = self.actor_user_id,
            action = %self.action,
            subject = %self.subject,
            result = self.result,
            "audit"
        );
    }
}

/// Records an audit line that goes with no other change (a sign-in, a
/// refused sign-in), in a transaction of its own.
pub async fn record(db: &Db, audit: Audit) -> ServiceResult<()> {
    let write: Write = db.write().await?;
    write.commit(audit).await?;
    Ok(())
}
