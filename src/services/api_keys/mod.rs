//! API keys: belong to a user and act with that user's rights; shown once,
//! stored hashed, revocable.

use super::audit::{self, Actor};
use super::users::{self, require_manager};
use super::data_version::{self, DataVersion};
use super::db::DbKind;
use super::{now_ms, tokens, Db, ServiceError, ServiceResult};
use crate::model::{ApiKey, NewApiKey, SessionUser};
use crate::types::{Name, Role};

/// Every key starts with this, so leaked keys are easy to recognise.
pub const KEY_PREFIX: &str = "pst_";

mod kept;

pub use kept::{KeptKeys, Remembered};

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

/// How stale "last used" may get: one write a minute per key, not one per request.
const LAST_USED_STEP_MS: i64 = 60_000;

/// The user a presented key acts as; `None` for unknown or revoked keys.
///
/// One read per request (the key and its user, by the key's SHA-256, on a
/// direct connection: `Db::direct`): no cache, so a key revoked anywhere
/// (another replica, the CLI) is refused on its next request. "Last used" is read with it and written only when it is
/// a minute old, so a request does not take SQLite's write lock (which would
/// queue every API call behind the event writer's commits).
pub async fn authenticate(db: &Db, secret: &str) -> ServiceResult<Option<SessionUser>> {
    Ok(authenticate_seen(db, secret).await?.map(|(user, _)| user))
}

/// [`authenticate`], also returning the database's [`DataVersion`] read in
/// the same statement (before anything the request reads next), so a
/// request can tell whether an answer it kept is still true without a
/// second round trip.
pub async fn authenticate_seen(db: &Db, secret: &str) -> ServiceResult<Option<(SessionUser, DataVersion)>> {
    Ok(read_key(db, secret, &tokens::hash_token(secret)).await?.map(|proved| (proved.user, proved.seen)))
}

/// A key that checked out, as read from the database.
pub(crate) struct Proved {
    pub user: SessionUser,
    pub seen: DataVersion,
    /// "Last used" once this request is counted (written when a minute old).
    pub last_used_at: i64,
}

/// The key's row and user by `hash`, the secret's SHA-256 (hex), compared
/// in constant time; writes "last used" when it is [`LAST_USED_STEP_MS`] old.
async fn read_key(db: &Db, secret: &str, hash: &str) -> ServiceResult<Option<Proved>> {
    if !secret.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [sqlite, postgres] = SQL.get_or_init(|| {
        [DbKind::Sqlite, DbKind::Postgres].map(|kind| {
            format!(
                "SELECT k.id, k.key_hash, k.revoked_at, k.last_used_at, u.id, u.name, u.email, u.role, {} AS version
                 FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1",
                data_version::expression(kind)
            )
        })
    });
    let sql = if db.kind() == DbKind::Sqlite { sqlite } else { postgres };
    let row: Option<(i64, String, Option<i64>, Option<i64>, i64, String, String, String, String)> = {
        let mut conn = db.direct().await?;
        let result = sqlx::query_as(sql).bind(hash).fetch_optional(&mut *conn).await;
        conn.check(result)?
    };
    let Some((id, stored, revoked_at, last_used_at, user_id, name, email, role, version)) = row else { return Ok(None) };
    if revoked_at.is_some() || !tokens::matches(secret, &stored) {
        return Ok(None);
    }
    let now = now_ms();
    let mut last_used_at = last_used_at.unwrap_or(i64::MIN);
    if last_used_at < now - LAST_USED_STEP_MS {
        // Bookkeeping: what was read about the key stays vouched for.
        let _bookkeeping = db.bookkeeping();
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now)
            .bind(id)
            .bind(now - LAST_USED_STEP_MS)
            .execute(db.pool())
            .await?;
        last_used_at = now;
    }
    let role = Role::parse(&role).unwrap_or(Role::Member);
    Ok(Some(Proved { user: SessionUser { id: user_id, name, email, role }, seen: DataVersion::from(version), last_used_at }))
}
