//! API keys: belong to a user and act with that user's rights; shown once,
//! stored hashed, revocable.

use super::audit::{Actor, Audit};
use super::users::{self, require_manager};
use super::data_version::{self, DataVersion};
use super::db::DbKind;
use super::{now_ms, tokens, Db, ServiceError, ServiceResult};
use crate::model::{ApiKey, NewApiKey, SessionUser};
use crate::types::{Name, Role};

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
    issue_kind(db, &Actor::System, user_id, name, KeyKind::Key).await
}

/// What a key is: made on the API keys page or the CLI, or a login made by
/// signing in through the API (`POST /logins`, Kisi's word) or by staff on
/// a person's behalf. Both act as their person and stop with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Key,
    Login,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Key => "key",
            KeyKind::Login => "login",
        }
    }
}

/// A person signs in through the API with email and password (throttled
/// and logged like the dashboard's sign-in): a new login, its secret shown once.
pub async fn sign_in(db: &Db, email: &str, password: &str, ip: &str, name: &Name) -> ServiceResult<NewApiKey> {
    // An API client has no device cookie: it counts against the address and the account.
    let client = super::login_throttle::Client { ip, device: None };
    let user = users::authenticate(db, email, password, client).await?;
    issue_kind(db, &Actor::User(user.clone()), user.id, name, KeyKind::Login).await
}

/// Staff create a login on a person's behalf (Kisi's "create a login on
/// the user's behalf"), within the role boundaries: managers for members only.
pub async fn create_login_for(db: &Db, actor: &SessionUser, user_id: i64, name: &Name) -> ServiceResult<NewApiKey> {
    let target = users::get(db, user_id).await?;
    if target.id != actor.id {
        users::require_may_manage(actor, target.role)?;
        users::get_in(db, crate::services::scope::Scope::of(actor), user_id).await?;
    }
    if !target.app_access {
        return Err(ServiceError::Conflict("App access is off for this person: turn it on before giving them a login.".into()));
    }
    issue_kind(db, &Actor::User(actor.clone()), user_id, name, KeyKind::Login).await
}

/// The logins of `user_id`, newest first (no secrets): their own, or any
/// member's for staff.
pub async fn logins(db: &Db, actor: &SessionUser, user_id: i64) -> ServiceResult<Vec<ApiKey>> {
    if user_id != actor.id {
        users::require_may_manage(actor, users::get(db, user_id).await?.role)?;
        users::get_in(db, crate::services::scope::Scope::of(actor), user_id).await?;
    }
    let rows: Vec<KeyRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE k.user_id = $1 AND k.kind = 'login' AND k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id DESC"
    ))
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(to_key).collect())
}

async fn issue_kind(db: &Db, actor: &Actor, user_id: i64, name: &Name, kind: KeyKind) -> ServiceResult<NewApiKey> {
    let user = users::get(db, user_id).await?;
    let secret = format!("{KEY_PREFIX}{}", tokens::random_token());
    let prefix: String = secret.chars().take(KEY_PREFIX.len() + 6).collect();
    let mut write = db.write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_keys (user_id, name, prefix, key_hash, created_at, kind) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(name.as_str())
    .bind(&prefix)
    .bind(tokens::hash_token(&secret))
    .bind(now_ms())
    .bind(kind.as_str())
    .fetch_one(&mut *write)
    .await?;
    let action = if kind == KeyKind::Login { "login.created" } else { "api_key.created" };
    write.commit(Audit::new(actor, action, format!("{} for {}", name.as_str(), user.email))).await?;
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

/// Revokes a key: one's own, or (as with cards and passwords) a member's
/// by a manager and anyone's by an admin.
pub async fn revoke(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    end(db, actor, id, |key| Audit::by(actor, "api_key.revoked", format!("{} ({})", key.name, key.prefix))).await
}

/// Ends a login (from the person's page): one's own, or a member's by a
/// manager and anyone's by an admin, as with keys. Only logins: a key of
/// the API keys page is not found here.
pub async fn revoke_login(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    let kind: Option<(String,)> = sqlx::query_as("SELECT kind FROM api_keys WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    if kind.is_none_or(|(kind,)| kind != KeyKind::Login.as_str()) {
        return Err(ServiceError::NotFound("login"));
    }
    end(db, actor, id, |key| Audit::by(actor, "login.revoked", format!("{} ({}) of {}", key.name, key.prefix, key.user_email))).await
}

/// Revokes the key `id` within the role boundaries and the actor's scope,
/// with the audit line `audit` makes of it.
async fn end(db: &Db, actor: &SessionUser, id: i64, audit: impl FnOnce(&ApiKey) -> Audit) -> ServiceResult<()> {
    let key = get(db, id).await?;
    if key.user_id != actor.id {
        users::require_may_manage(actor, users::get(db, key.user_id).await?.role)?;
        users::get_in(db, crate::services::scope::Scope::of(actor), key.user_id).await?;
    }
    let mut write = db.write().await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *write)
        .await?;
    write.commit(audit(&key)).await?;
    Ok(())
}

/// How stale "last used" may get: one write a minute per key, not one per request.
const LAST_USED_STEP_MS: i64 = 60_000;

/// The user a presented key acts as; `None` for unknown or revoked keys,
/// and for keys of a person whose app access is off.
///
/// One read per request (the key and its user, by the key's SHA-256, on a
/// direct connection: `Db::direct`) and no cache: a key revoked anywhere
/// (another replica, the CLI, the `sqlite3` shell) is refused on its next
/// request. "Last used" is read with it and written only when it is a
/// minute old, so a request does not take SQLite's write lock (which would
/// queue every API call behind the event writer's commits).
pub async fn authenticate(db: &Db, secret: &str) -> ServiceResult<Option<SessionUser>> {
    Ok(authenticate_seen(db, secret).await?.map(|key| key.user))
}

/// A key that checked out: its id, its user, and the database's version
/// read with it.
#[derive(Clone, Debug)]
pub struct Presented {
    pub key_id: i64,
    pub user: SessionUser,
    pub seen: DataVersion,
}

/// [`authenticate`], also returning the database's [`DataVersion`] read in
/// the same statement (before anything the request reads next), for the
/// lock list's kept pages.
pub async fn authenticate_seen(db: &Db, secret: &str) -> ServiceResult<Option<Presented>> {
    if !secret.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let hash = tokens::hash_token(secret);
    static SQL: std::sync::OnceLock<[String; 2]> = std::sync::OnceLock::new();
    let [sqlite, postgres] = SQL.get_or_init(|| {
        [DbKind::Sqlite, DbKind::Postgres].map(|kind| {
            format!(
                "SELECT k.id, k.key_hash, k.revoked_at, k.last_used_at, u.id, u.name, u.email, u.role, u.app_access, {} AS version
                 FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1",
                data_version::expression(kind)
            )
        })
    });
    let sql = if db.kind() == DbKind::Sqlite { sqlite } else { postgres };
    type Row = (i64, String, Option<i64>, Option<i64>, i64, String, String, String, i64, String);
    let row: Option<Row> = {
        let mut conn = db.direct().await?;
        let result = sqlx::query_as(sql).bind(&hash).fetch_optional(&mut *conn).await;
        conn.check(result)?
    };
    let Some((id, stored, revoked_at, last_used_at, user_id, name, email, role, app_access, version)) = row else {
        return Ok(None);
    };
    if revoked_at.is_some() || app_access == 0 || !tokens::matches(secret, &stored) {
        return Ok(None);
    }
    let now = now_ms();
    if last_used_at.unwrap_or(i64::MIN) < now - LAST_USED_STEP_MS {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
            .bind(now)
            .bind(id)
            .bind(now - LAST_USED_STEP_MS)
            .execute(db.pool())
            .await?;
    }
    let role = Role::parse(&role).unwrap_or(Role::Member);
    Ok(Some(Presented { key_id: id, user: SessionUser { id: user_id, name, email, role }, seen: DataVersion::from(version) }))
}
