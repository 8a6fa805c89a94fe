//! People: members, managers, admins and the owner, with their cards.

use super::audit::{self, Actor, Audit};
use super::error::{map_constraint, ConstraintRule};
use super::scope::Scope;
use super::{db::flag, login_throttle, now_ms, passwords, Db, ServiceError, ServiceResult};
use crate::model::{Card, Listing, SessionUser, User, ValidUser};
use crate::types::{CardNumber, Email, Page, Role, SearchQuery};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: String,
    pub confirmed: i64,
    pub app_access: i64,
    pub primary_device_required: i64,
    pub primary_device_id: Option<String>,
    pub has_password: i64,
    pub group_count: i64,
    pub card_count: i64,
}

impl UserRow {
    pub const SELECT: &'static str = "SELECT u.id, u.name, u.email, u.phone, u.role, u.confirmed, u.app_access,
        u.primary_device_required, u.primary_device_id,
        CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password,
        (SELECT COUNT(*) FROM group_members gm WHERE gm.user_id = u.id) AS group_count,
        (SELECT COUNT(*) FROM cards c WHERE c.user_id = u.id) AS card_count
        FROM users u";

    fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Member)
    }

    pub fn into_session_user(self) -> SessionUser {
        SessionUser { id: self.id, role: self.role(), name: self.name, email: self.email }
    }

    pub fn into_user(self) -> User {
        User {
            id: self.id,
            role: self.role(),
            name: self.name,
            email: self.email,
            phone: self.phone,
            confirmed: flag(self.confirmed),
            app_access: flag(self.app_access),
            primary_device_required: flag(self.primary_device_required),
            primary_device_id: self.primary_device_id,
            has_password: flag(self.has_password),
            group_count: self.group_count,
            card_count: self.card_count,
        }
    }
}

const EMAIL_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "users_email_key",
    sqlite_columns: "users.email",
    field: "email",
    message: "Someone already uses this email address.",
}];

/// Refuses unless the actor may manage people at all.
pub fn require_manager(actor: &SessionUser) -> ServiceResult<()> {
    if actor.role.can_manage() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only managers and admins can do this.".into()))
    }
}

/// Refuses unless the actor is an owner or admin.
pub fn require_admin(actor: &SessionUser) -> ServiceResult<()> {
    if actor.role.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only admins can do this.".into()))
    }
}

/// Refuses unless the actor may change the credentials, password and
/// memberships of a person with `target` role: owners and admins anyone's
/// (the owner's password: see [`set_password_by`]), managers members' only,
/// never staff's (SPEC §8).
pub fn require_may_manage(actor: &SessionUser, target: Role) -> ServiceResult<()> {
    require_manager(actor)?;
    if target != Role::Member && !actor.role.is_admin() {
        return Err(ServiceError::Forbidden("Managers can change members only, not staff.".into()));
    }
    Ok(())
}

/// Who may give or change which role.
fn check_role_change(actor: &SessionUser, current: Option<Role>, wanted: Role) -> ServiceResult<()> {
    require_manager(actor)?;
    if current == Some(Role::Owner) && wanted != Role::Owner {
        return Err(ServiceError::field("role", "The owner stays the owner."));
    }
    if wanted == Role::Owner && current != Some(Role::Owner) {
        return Err(ServiceError::field("role", "There is only one owner."));
    }
    let touches_staff = matches!(current, Some(Role::Admin | Role::Owner | Role::Manager))
        || matches!(wanted, Role::Admin | Role::Manager);
    if touches_staff && !actor.role.is_admin() {
        return Err(ServiceError::field("role", "Only admins can give or change staff roles."));
    }
    Ok(())
}

pub async fn list(db: &Db, scope: Scope, query: &SearchQuery, page: Page) -> ServiceResult<Listing<User>> {
    let filter = format!(
        "WHERE ($1 = '' OR LOWER(u.name) LIKE $2 ESCAPE '\\' OR LOWER(u.email) LIKE $2 ESCAPE '\\') AND {}",
        scope.person("u.id")
    );
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM users u {filter}"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "{} {filter} ORDER BY LOWER(u.name), u.id LIMIT $3 OFFSET $4",
        UserRow::SELECT
    ))
    .bind(query.as_str())
    .bind(query.like_pattern())
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db.pool())
    .await?;
    Ok(Listing { items: rows.into_iter().map(UserRow::into_user).collect(), total, page: page.number, page_size: page.size })
}

pub async fn get(db: &Db, id: i64) -> ServiceResult<User> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{} WHERE u.id = $1", UserRow::SELECT))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(UserRow::into_user).ok_or(ServiceError::NotFound("user"))
}

/// The person `id` if they are in `scope` ("not found" otherwise).
pub async fn get_in(db: &Db, scope: Scope, id: i64) -> ServiceResult<User> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{} WHERE u.id = $1 AND {}", UserRow::SELECT, scope.person("u.id")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(UserRow::into_user).ok_or(ServiceError::NotFound("user"))
}

pub async fn find_by_email(db: &Db, email: &Email) -> ServiceResult<Option<User>> {
    let row: Option<UserRow> = sqlx::query_as(&format!("{} WHERE u.email = $1", UserRow::SELECT))
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(UserRow::into_user))
}

/// Inserts a user without permission checks, as Postern itself (CLI, demo,
/// fixtures), with its audit line.
pub async fn insert(db: &Db, user: &ValidUser, password_hash: Option<String>) -> ServiceResult<i64> {
    let mut write = db.write().await?;
    let id = insert_on(&mut write, user, password_hash).await?;
    write.commit(Audit::new(&Actor::System, "user.created", describe(user))).await?;
    Ok(id)
}

/// Inserts a user inside the caller's change.
pub(crate) async fn insert_on(conn: &mut AnyConnection, user: &ValidUser, password_hash: Option<String>) -> ServiceResult<i64> {
    let now = now_ms();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (name, email, phone, role, confirmed, app_access, primary_device_required, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(user.name.as_str())
    .bind(user.email.as_str())
    .bind(user.phone.as_ref().map(|p| p.as_str().to_owned()))
    .bind(user.role.as_str())
    .bind(i64::from(user.confirmed))
    .bind(i64::from(user.app_access))
    .bind(i64::from(user.primary_device_required))
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(|e| map_constraint(e, EMAIL_TAKEN))?;
    Ok(id)
}

pub async fn create(db: &Db, actor: &SessionUser, user: ValidUser) -> ServiceResult<i64> {
    create_with_details(db, actor, user, &KisiDetails::default(), true).await
}

/// [`create`], also recording whether Postern may email the person on its
/// own (Kisi's `send_emails`; `false` = no welcome and no access emails,
/// `services::welcome::emails_allowed`).

pub async fn update(db: &Db, actor: &SessionUser, id: i64, user: ValidUser) -> ServiceResult<()> {
    update_with_details(db, actor, id, user, None).await
}

/// [`update`], and the person's `metadata` and `notes` when given, in the same commit.
pub async fn update_with_details(db: &Db, actor: &SessionUser, id: i64, user: ValidUser, details: Option<&KisiDetails>) -> ServiceResult<()> {
    let current = get(db, id).await?;
    // Managers change members only; nobody but the owner changes the
    // owner's account (SPEC §8): refused, whatever the form says.
    require_may_manage(actor, current.role)?;
    if current.role == Role::Owner && actor.id != id {
        return Err(ServiceError::Forbidden("Only the owner can change the owner's account.".into()));
    }
    check_role_change(actor, Some(current.role), user.role)?;
    if actor.id == id && user.role != current.role {
        return Err(ServiceError::field("role", "You cannot change your own role."));
    }
    if actor.id == id && !user.app_access {
        return Err(ServiceError::field("app_access", "You cannot turn off your own app access."));
    }
    let device_cleared = !user.primary_device_required;
    let mut write = db.write().await?;
    Scope::of(actor).require_person(&mut write, id).await?;
    sqlx::query(
        "UPDATE users SET name = $1, email = $2, phone = $3, role = $4, confirmed = $5, app_access = $6,
         primary_device_required = $7,
         primary_device_id = CASE WHEN $8 = 1 THEN NULL ELSE primary_device_id END,
         updated_at = $9 WHERE id = $10",
    )
    .bind(user.name.as_str())
    .bind(user.email.as_str())
    .bind(user.phone.as_ref().map(|p| p.as_str().to_owned()))
    .bind(user.role.as_str())
    .bind(i64::from(user.confirmed))
    .bind(i64::from(user.app_access))
    .bind(i64::from(user.primary_device_required))
    .bind(i64::from(device_cleared))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *write)
    .await
    .map_err(|e| map_constraint(e, EMAIL_TAKEN))?;
    // Switched off or given less power: signed out everywhere and every key
    // of theirs stops, in the same commit (SPEC §8).
    let switched_off = current.app_access && !user.app_access;
    if switched_off || user.role.rank() < current.role.rank() {
        switch_off(&mut write, id).await?;
    }
    if current.role == Role::Manager && user.role != Role::Manager {
        sqlx::query("DELETE FROM manager_places WHERE user_id = $1").bind(id).execute(&mut *write).await?;
    }
    if let Some(details) = details {
        write_details(&mut write, id, details).await?;
    }
    write.commit(Audit::by(actor, "user.updated", describe(&user))).await?;
    Ok(())
}

/// Ends every session of the person, inside the caller's change.
async fn end_sessions(conn: &mut AnyConnection, user_id: i64) -> ServiceResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

/// Ends the person's sessions and revokes their API keys and logins.
async fn switch_off(conn: &mut AnyConnection, user_id: i64) -> ServiceResult<()> {
    end_sessions(conn, user_id).await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    // The role first (staff: 403), then the scope (another place's member: "not found").
    let current = get(db, id).await?;
    if current.role != Role::Member && !actor.role.is_admin() {
        return Err(ServiceError::Forbidden("Only admins can delete staff.".into()));
    }
    if current.role == Role::Owner {
        return Err(ServiceError::Conflict("The owner cannot be deleted.".into()));
    }
    if current.id == actor.id {
        return Err(ServiceError::Conflict("You cannot delete yourself.".into()));
    }
    let mut write = db.write().await?;
    Scope::of(actor).require_person(&mut write, id).await?;
    sqlx::query("DELETE FROM users WHERE id = $1").bind(id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "user.deleted", format!("{} <{}>", current.name, current.email))).await?;
    Ok(())
}

/// The places the manager `id` manages, by id (admins: any person).
pub async fn manager_places(db: &Db, actor: &SessionUser, id: i64) -> ServiceResult<Vec<i64>> {
    if actor.id != id {
        require_admin(actor)?;
    }
    let mut conn = db.pool().acquire().await?;
    super::scope::manager_places(&mut conn, id).await
}

/// Assigns the place to the manager `id`, or takes it away (admins and the
/// owner only), with its audit line; the role is read in the same
/// transaction.
pub async fn set_manager_place(db: &Db, actor: &SessionUser, id: i64, place_id: i64, assigned: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut write = db.write().await?;
    let person: Option<(String, String)> =
        sqlx::query_as("SELECT email, role FROM users WHERE id = $1").bind(id).fetch_optional(&mut *write).await?;
    let (email, role) = person.ok_or(ServiceError::NotFound("user"))?;
    if role != Role::Manager.as_str() {
        return Err(ServiceError::field("place_id", "Only managers are assigned places; owners and admins reach every place."));
    }
    let place: Option<(String,)> = sqlx::query_as("SELECT name FROM places WHERE id = $1").bind(place_id).fetch_optional(&mut *write).await?;
    let (name,) = place.ok_or_else(|| ServiceError::field("place_id", "That place no longer exists."))?;
    let (sql, action) = if assigned {
        ("INSERT INTO manager_places (user_id, place_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", "user.place_assigned")
    } else {
        ("DELETE FROM manager_places WHERE user_id = $1 AND place_id = $2", "user.place_unassigned")
    };
    sqlx::query(sql).bind(id).bind(place_id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, action, format!("{name} for {email}"))).await?;
    Ok(())
}

fn describe(user: &ValidUser) -> String {
    format!("{} <{}> as {}", user.name.as_str(), user.email.as_str(), user.role.as_str())
}

/// Binds `device` as the person's primary device when the restriction is on
/// and no device is bound yet.
pub async fn bind_device_if_unbound(db: &Db, user_id: i64, device: &str) -> ServiceResult<()> {
    sqlx::query(
        "UPDATE users SET primary_device_id = $1 WHERE id = $2 AND primary_device_required = 1 AND primary_device_id IS NULL",
    )
    .bind(device)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Staff set someone's password (until invitations by email exist). Managers
/// may do it for members only; nobody but the owner sets the owner's.
pub async fn set_password_by(db: &Db, actor: &SessionUser, id: i64, password: &crate::types::Password) -> ServiceResult<()> {
    require_manager(actor)?;
    let target = get(db, id).await?;
    if target.role == Role::Owner && actor.id != id {
        return Err(ServiceError::Forbidden("Only the owner can set the owner's password.".into()));
    }
    if target.role != Role::Member && !actor.role.is_admin() {
        return Err(ServiceError::Forbidden("Only admins can set the password of staff.".into()));
    }
    if actor.id != id {
        get_in(db, Scope::of(actor), id).await?;
    }
    write_password(db, &Actor::User(actor.clone()), id, &target.email, password).await
}

/// Sets (or replaces) a password and ends the user's other sessions, as
/// Postern itself (the CLI, fixtures).
pub async fn set_password(db: &Db, id: i64, password: &crate::types::Password) -> ServiceResult<()> {
    let target = get(db, id).await?;
    write_password(db, &Actor::System, id, &target.email, password).await
}

async fn write_password(db: &Db, actor: &Actor, id: i64, email: &str, password: &crate::types::Password) -> ServiceResult<()> {
    let hash = passwords::hash(password.expose().to_owned()).await?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *write)
        .await?;
    end_sessions(&mut write, id).await?;
    write.commit(Audit::new(actor, "user.password_set", email)).await?;
    Ok(())
}

/// Checks the signed-in person's password again (two-factor doors); counted
/// before the check (per person, `login_throttle::MAX_CONFIRMATIONS`) and logged.
pub async fn confirm_password(db: &Db, user: &SessionUser, password: &str, ip: &str) -> ServiceResult<()> {
    login_throttle::check_password_length(password)?;
    let attempt = login_throttle::begin_confirmation(db, user.id).await?;
    let (hash,): (Option<String>,) = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(db.pool())
        .await?;
    let ok = match hash {
        Some(hash) => passwords::verify(password.to_owned(), hash).await,
        None => false,
    };
    if ok {
        login_throttle::succeeded(db, attempt).await?;
        Ok(())
    } else {
        tracing::warn!(email = %user.email, ip, "password confirmation failed");
        login_throttle::failed(&attempt).await;
        Err(ServiceError::field("password", "That password is not right."))
    }
}

/// Checks email + password; throttled and logged. The error never says
/// whether the email exists. The email and password lengths are checked
/// before anything is stored or hashed, and the attempt is counted before
/// the password is (`login_throttle`); `client` carries the address and the
/// browser's device cookie.
pub async fn authenticate(
    db: &Db,
    email_text: &str,
    password: &str,
    client: login_throttle::Client<'_>,
) -> ServiceResult<SessionUser> {
    let refused = || ServiceError::field("password", "That email and password do not match an account.");
    login_throttle::check_email_length(email_text.trim())?;
    login_throttle::check_password_length(password)?;
    let key = email_text.trim().to_lowercase();
    let ip = client.ip;
    let attempt = login_throttle::begin(db, &key, client).await?;
    let row: Option<(i64, Option<String>, i64)> =
        sqlx::query_as("SELECT id, password_hash, app_access FROM users WHERE email = $1")
            .bind(&key)
            .fetch_optional(db.pool())
            .await?;
    let (id, hash, app_access) = row.unwrap_or((0, None, 0));
    let ok = passwords::verify_or_decoy(password.to_owned(), hash).await;
    if !ok {
        tracing::warn!(email = %key, ip, known_device = attempt.known_device, "sign-in failed");
        audit::record(db, Audit::new(&Actor::System, "sign_in.failed", key.as_str()).result("denied").details(ip)).await?;
        login_throttle::failed(&attempt).await;
        return Err(refused());
    }
    login_throttle::succeeded(db, attempt).await?;
    if !flag(app_access) {
        return Err(ServiceError::Forbidden(
            "App access is turned off for your account. Ask an admin to turn it on.".into(),
        ));
    }
    let user = get(db, id).await?;
    let session_user = SessionUser { id: user.id, name: user.name, email: user.email, role: user.role };
    audit::record(db, Audit::by(&session_user, "sign_in", session_user.email.as_str()).details(ip)).await?;
    Ok(session_user)
}

// ---- cards and fobs -------------------------------------------------------

const CARD_TAKEN: &[ConstraintRule] = &[ConstraintRule {
    constraint: "cards_number_key",
    sqlite_columns: "cards.number",
    field: "number",
    message: "This card number is already assigned to someone.",
}];

pub async fn list_cards(db: &Db, user_id: i64) -> ServiceResult<Vec<Card>> {
    let rows: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, user_id, number, label, active FROM cards WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, number, label, active)| Card { id, user_id, number, label, active: flag(active) })
        .collect())
}

pub async fn add_card(db: &Db, actor: &SessionUser, user_id: i64, number: &CardNumber, label: &str) -> ServiceResult<i64> {
    require_manager(actor)?;
    let user = get(db, user_id).await?;
    require_may_manage(actor, user.role)?;
    let label: String = label.trim().chars().take(100).collect();
    let mut write = db.write().await?;
    Scope::of(actor).require_person(&mut write, user_id).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO cards (user_id, number, label, active, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(number.as_str())
    .bind(&label)
    .bind(now_ms())
    .fetch_one(&mut *write)
    .await
    .map_err(|e| map_constraint(e, CARD_TAKEN))?;
    write.commit(Audit::by(actor, "card.added", format!("{} for {}", number.as_str(), user.email))).await?;
    Ok(id)
}

/// The card's holder, for the role check before a change; "not found"
/// when the holder is outside `scope`.
async fn card_holder(db: &Db, actor: &SessionUser, card_id: i64) -> ServiceResult<(String, String)> {
    let row: Option<(String, String, String, i64)> =
        sqlx::query_as("SELECT c.number, u.email, u.role, u.id FROM cards c JOIN users u ON u.id = c.user_id WHERE c.id = $1")
            .bind(card_id)
            .fetch_optional(db.pool())
            .await?;
    let (number, email, role, holder) = row.ok_or(ServiceError::NotFound("card"))?;
    // The role first (a staff member's card: 403), then the scope (another
    // place's member: "not found").
    require_may_manage(actor, Role::parse(&role).unwrap_or(Role::Member))?;
    get_in(db, Scope::of(actor), holder).await.map_err(|_| ServiceError::NotFound("card"))?;
    Ok((number, email))
}

pub async fn set_card_active(db: &Db, actor: &SessionUser, card_id: i64, active: bool) -> ServiceResult<()> {
    require_manager(actor)?;
    let (number, email) = card_holder(db, actor, card_id).await?;
    let mut write = db.write().await?;
    let done = sqlx::query("UPDATE cards SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(card_id)
        .execute(&mut *write)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::NotFound("card"));
    }
    let action = if active { "card.activated" } else { "card.deactivated" };
    write.commit(Audit::by(actor, action, format!("{number} of {email}"))).await?;
    Ok(())
}

pub async fn delete_card(db: &Db, actor: &SessionUser, card_id: i64) -> ServiceResult<()> {
    require_manager(actor)?;
    let (number, email) = card_holder(db, actor, card_id).await?;
    let mut write = db.write().await?;
    sqlx::query("DELETE FROM cards WHERE id = $1").bind(card_id).execute(&mut *write).await?;
    write.commit(Audit::by(actor, "card.deleted", format!("{number} of {email}"))).await?;
    Ok(())
}

/// Every card and fob with its holder; the search matches number, label, name or email.
pub async fn list_all_cards(db: &Db, scope: Scope, query: &SearchQuery, page: Page) -> ServiceResult<Listing<crate::model::CardEntry>> {
    let filter = format!(
        "WHERE ($1 = '' OR LOWER(c.number) LIKE $2 ESCAPE '\\' OR LOWER(c.label) LIKE $2 ESCAPE '\\'
        OR LOWER(u.name) LIKE $2 ESCAPE '\\' OR LOWER(u.email) LIKE $2 ESCAPE '\\') AND {}",
        scope.person("u.id")
    );
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM cards c JOIN users u ON u.id = c.user_id {filter}"))
        .bind(query.as_str())
        .bind(query.like_pattern())
        .fetch_one(db.pool())
        .await?;
    let rows: Vec<(i64, i64, String, String, i64, String, String)> = sqlx::query_as(&format!(
        "SELECT c.id, c.user_id, c.number, c.label, c.active, u.name, u.email FROM cards c JOIN users u ON u.id = c.user_id
         {filter} ORDER BY LOWER(u.name), c.id LIMIT $3 OFFSET $4"
    ))
    .bind(query.as_str())
    .bind(query.like_pattern())
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .into_iter()
        .map(|(id, user_id, number, label, active, user_name, user_email)| crate::model::CardEntry {
            card: Card { id, user_id, number, label, active: flag(active) },
            user_name,
            user_email,
        })
        .collect();
    Ok(Listing { items, total, page: page.number, page_size: page.size })
}

// -- Kisi's `metadata` and `notes` (the API stores and shows them) --

/// A person's Kisi `metadata` (a JSON object, kept as its text) and `notes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct KisiDetails {
    pub metadata: Option<String>,
    pub notes: Option<String>,
}

/// The person's `metadata` and `notes`.
pub async fn kisi_details(db: &Db, id: i64) -> ServiceResult<KisiDetails> {
    sqlx::query_as("SELECT metadata, notes FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("user"))
}

/// Adds a person with their `metadata` and `notes`, in one change (as [`create`]).
/// `send_emails: false` (Kisi's) also keeps the access emails of their
/// future group joins from going out.
pub async fn create_with_details(db: &Db, actor: &SessionUser, user: ValidUser, details: &KisiDetails, send_emails: bool) -> ServiceResult<i64> {
    check_role_change(actor, None, user.role)?;
    let mut write = db.write().await?;
    let id = insert_on(&mut write, &user, None).await?;
    write_details(&mut write, id, details).await?;
    if !send_emails {
        super::welcome::set_emails_allowed_on(&mut write, id, false).await?;
    }
    write.commit(Audit::by(actor, "user.created", describe(&user))).await?;
    Ok(id)
}


async fn write_details(conn: &mut AnyConnection, id: i64, details: &KisiDetails) -> ServiceResult<()> {
    sqlx::query("UPDATE users SET metadata = $1, notes = $2, updated_at = $3 WHERE id = $4")
        .bind(details.metadata.as_deref())
        .bind(details.notes.as_deref())
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
