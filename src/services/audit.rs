//! The event log's writer for admin actions. (Unlock attempts get their own
//! writer with the access decision.)

use super::{now_ms, Db, ServiceResult};
use crate::model::SessionUser;

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

/// Records an admin action such as "door.created" on "Front door".
pub async fn record(db: &Db, actor: &Actor, action: &str, subject: &str) -> ServiceResult<()> {
    record_with(db, actor, action, subject, None, "ok", "").await
}

pub async fn record_with(
    db: &Db,
    actor: &Actor,
    action: &str,
    subject: &str,
    door_id: Option<i64>,
    result: &str,
    details: &str,
) -> ServiceResult<()> {
    let (kind, user_id, name) = actor.parts();
    sqlx::query(
        "INSERT INTO events (at, actor_kind, actor_user_id, actor_name, action, subject, door_id, result, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now_ms())
    .bind(kind)
    .bind(user_id)
    .bind(name)
    .bind(action)
    .bind(subject)
    .bind(door_id)
    .bind(result)
    .bind(details)
    .execute(db.pool())
    .await?;
    tracing::info!(actor_kind = kind, actor_user_id = user_id, action, subject, result, "audit");
    Ok(())
}
