//! Server-side sessions in the database, so several replicas share them.
//! The cookie holds a random token; the table holds only its hash.

use super::tokens::{hash_token, random_token};
use super::users::UserRow;
use super::{now_ms, Db, ServiceResult};
use crate::model::SessionUser;
use std::time::Duration;

/// How long a session lives.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle: Duration::from_secs(12 * 3600), absolute: Duration::from_secs(7 * 24 * 3600) }
    }
}

/// Starts a new session (always a new id: no fixation) and returns its token.
pub async fn create(db: &Db, user_id: i64, ip: &str, user_agent: &str) -> ServiceResult<String> {
    let token = random_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, verified_at, ip, user_agent)
         VALUES ($1, $2, $3, $3, $3, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(now)
    .bind(ip)
    .bind(user_agent.chars().take(300).collect::<String>())
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// The user of a live session, refreshing its idle timer; `None` when the
/// token is unknown, idle too long, past its absolute lifetime, or the user
/// lost app access. Expired sessions are deleted.
pub async fn lookup(db: &Db, token: &str, policy: SessionPolicy) -> ServiceResult<Option<SessionUser>> {
    let id_hash = hash_token(token);
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(&id_hash)
            .fetch_optional(db.pool())
            .await?;
    let Some((user_id, created_at, last_seen_at)) = row else { return Ok(None) };
    let now = now_ms();
    let idle_ms = i64::try_from(policy.idle.as_millis()).unwrap_or(i64::MAX);
    let absolute_ms = i64::try_from(policy.absolute.as_millis()).unwrap_or(i64::MAX);
    if now - last_seen_at > idle_ms || now - created_at > absolute_ms {
        end(db, token).await?;
        return Ok(None);
    }
    let user: Option<UserRow> = sqlx::query_as(&format!("{} WHERE u.id = $1", UserRow::SELECT))
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    let Some(user) = user else { return Ok(None) };
    if !super::db::flag(user.app_access) {
        // Switched off by another process (the CLI): the session ends here too.
        end(db, token).await?;
        return Ok(None);
    }
    if now - last_seen_at > 60_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(user.into_session_user()))
}

/// When the session's user last entered their password (sign-in time).
pub async fn verified_at(db: &Db, token: &str) -> ServiceResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT verified_at FROM sessions WHERE id_hash = $1")
        .bind(hash_token(token))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.0))
}

/// Records a fresh password entry on this session (two-factor doors).
pub async fn mark_verified(db: &Db, token: &str) -> ServiceResult<()> {
    sqlx::query("UPDATE sessions SET verified_at = $1 WHERE id_hash = $2")
        .bind(now_ms())
        .bind(hash_token(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends one session on the server.
pub async fn end(db: &Db, token: &str) -> ServiceResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash_token(token))
        .execute(db.pool())
        .await?;
    Ok(())
}
