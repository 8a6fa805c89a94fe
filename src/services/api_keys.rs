//! API keys: belong to a user and act with that user's rights; shown once,
//! stored hashed, revocable.

use super::audit::{self, Actor};
use super::users::{self, require_manager};
use super::{now_ms, tokens, Db, ServiceError, ServiceResult};
use crate::model::{ApiKey, NewApiKey, SessionUser};
use crate::types::Name;

/// Every key starts with this, so leaked keys are easy to recognise.
pub const KEY_PREFIX: &str = "pst_";

type KeyRow = (i64, i64, String, String, String, i64, Option<i64>, Option<i64>);

const SELECT: &str = "SELECT k.id, k.user_id, u.email, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at
    FROM api_keys k JOIN users u ON u.id = k.user_id";

fn to_key(row: KeyRow) -> ApiKey {
    let (id, user_id, user_email, name, prefix, created_at, last_used_at, revoked_at) = row;
    ApiKey { id, user_id, user_email, name, prefix, created_at, last_used_at, revoked_at }
}

/// Creates a key for `user_id`; the secret is in the result and nowhere else.
pub async fn issue(db: &Db, user_id: i64, name: &Name) -> ServiceResult<NewApiKey> {
    let user = users::get(db, user_id).await?;
    let secret = format!("{KEY_PREFIX}{}", tokens::random_token());
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 6).collect();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name.as_str())
    .bind(&prefix)
    .bind(tokens::hash_token(&secret))
    .bind(now_ms())
    .fetch_one(db.pool())
    .await?;
    audit::record(db, &Actor::System, "api_key.created", &format!("{} for {}", name.as_str(), user.email)).await?;
    let key = get(db, id).await?;
    Ok(NewApiKey { key, secret })
}

/// A signed-in person creates a key that acts as themselves.
pub async fn create(db: &Db, actor: &SessionUser, name: &Name) -> ServiceResult<NewApiKey> {
    require_manager(actor)?;
    issue(db, actor.id, name).await
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<ApiKey> {
    let row: Option<KeyRow> = sqlx::query_as(&format!("{SELECT} WHERE k.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(to_key).ok_or(ServiceError::NotFound("API key"))
}

/// Admins see every key; others their own.
pub async fn list(db: &Db, actor: &SessionUser) -> ServiceResult<Vec<ApiKey>> {
    require_manager(actor)?;
    let rows: Vec<KeyRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE ($1 = 1 OR k.user_id = $2) ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC"
    ))
    .bind(i64::from(actor.role.is_admin()))
    .bind(actor.id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(to_key).collect())
}

pub async fn revoke(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    let key = get(db, id).await?;
    if key.user_id != actor.id && !actor.role.is_admin() {
        return Err(ServiceError::Forbidden("You can only revoke your own keys.".into()));
    }
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(db.pool())
        .await?;
    audit::record(db, &Actor::User(actor.clone()), "api_key.revoked", &format!("{} ({})", key.name, key.prefix)).await
}

/// The user a presented key acts as; `None` for unknown or revoked keys.
pub async fn authenticate(db: &Db, secret: &str) -> ServiceResult<Option<SessionUser>> {
    if !secret.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let hash = tokens::hash_token(secret);
    let row: Option<(i64, i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, user_id, key_hash, revoked_at FROM api_keys WHERE key_hash = $1")
            .bind(&hash)
            .fetch_optional(db.pool())
            .await?;
    let Some((id, user_id, stored, revoked_at)) = row else { return Ok(None) };
    if revoked_at.is_some() || !tokens::matches(secret, &stored) {
        return Ok(None);
    }
    // "Last used" to the minute: one write a minute per key, not one per request.
    let now = now_ms();
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
        .bind(now)
        .bind(id)
        .bind(now - 60_000)
        .execute(db.pool())
        .await?;
    let user = users::get(db, user_id).await?;
    Ok(Some(SessionUser { id: user.id, name: user.name, email: user.email, role: user.role }))
}
