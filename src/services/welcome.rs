//! Welcome emails and their set-password links (SPEC §10).
//!
//! A person added without a password can be sent a welcome email carrying a
//! link to `/set-password/<token>`: 256 random bits ([`tokens`]), of which
//! the database keeps only the SHA-256, working once, for
//! [`LINK_LIFETIME_MS`]. Sending a new one ends every older link of the
//! person in the same commit. Using the link sets the password, marks the
//! person confirmed and ends their sessions, in one [`Db::write`] that first
//! spends the link by one conditional UPDATE: of any number of submissions
//! of the same link at once, exactly one gets past it.
//!
//! A GET of the link reads it and changes nothing. A token that matches no
//! link is counted against the client's address with the access links'
//! misses ([`access_links::count_token_miss`]); used, expired or replaced
//! links are not misses.

use super::audit::{Actor, Audit};
use super::messaging::{texts, Delivery, Messenger};
use super::{access_links, db::flag, now_ms, owner, passwords, tokens, users, Db, ServiceError, ServiceResult};
use crate::model::{SessionUser, WelcomeStatus};
use crate::types::{Password, Role, TimeZoneName, Timestamp};

/// How long a set-password link works.
pub const LINK_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The path of a set-password link, before its token.
pub const LINK_PATH: &str = "/set-password/";

/// What a welcome email did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub delivery: Delivery,
    /// The set-password link, when the email carried one (for the CLI to
    /// print when no SMTP server is configured; never stored).
    pub link: Option<String>,
}

/// Sends the welcome email to `user_id`: with a set-password link when
/// `password_flow` is on and the person has no password yet, else with
/// where to sign in. Ends the person's older links. `actor` is staff (whose
/// role boundaries are checked: managers for members only) or Postern itself.
///
/// If the email cannot be sent, its link is deleted (nobody holds it) and
/// the error says so.
pub async fn send(
    db: &Db,
    messenger: &Messenger,
    actor: &Actor,
    user_id: i64,
    base_url: &str,
    password_flow: bool,
) -> ServiceResult<Sent> {
    let person = users::get(db, user_id).await?;
    if let Actor::User(staff) = actor {
        users::require_may_manage(staff, person.role)?;
        if person.role == Role::Owner && staff.id != person.id {
            return Err(ServiceError::Forbidden("Only the owner can send the owner's welcome email.".into()));
        }
        // A manager: members of their places only ("not found" otherwise).
        users::get_in(db, crate::services::scope::Scope::of(staff), user_id).await?;
    }
    let base = base_url.trim_end_matches('/');
    let now = now_ms();
    let token = (password_flow && !person.has_password).then(tokens::random_token);
    let expires_at = token.as_ref().map(|_| now + LINK_LIFETIME_MS);
    let sent_by = match actor {
        Actor::User(staff) => Some(staff.id),
        Actor::System => None,
    };

    let mut write = db.write().await?;
    // An older link stops working when a new email goes out, link or not.
    sqlx::query("UPDATE welcome_emails SET replaced_at = $1 WHERE user_id = $2 AND used_at IS NULL AND replaced_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut *write)
        .await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO welcome_emails (user_id, token_hash, sent_at, expires_at, sent_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(token.as_deref().map(tokens::hash_token))
    .bind(now)
    .bind(expires_at)
    .bind(sent_by)
    .fetch_one(&mut *write)
    .await?;
    let what = if token.is_some() { "with a set-password link" } else { "without a link" };
    write.commit(Audit::new(actor, "user.welcome_sent", person.email.as_str()).details(what)).await?;

    let link = token.map(|token| format!("{base}{LINK_PATH}{token}"));
    let until = expires_at.map(|at| Timestamp::from_millis(at).format_in(&utc()));
    let organization = owner::organization_name(db).await?;
    let set_password = link.as_deref().zip(until.as_deref());
    let message = texts::welcome_email(&organization, &person.name, set_password, &format!("{base}/me")).to(person.email.as_str());
    match messenger.mailer.send(message).await {
        Ok(delivery) => Ok(Sent { delivery, link }),
        Err(error) => {
            tracing::warn!(%error, user_id, "the welcome email could not be sent; deleting its link");
            let mut write = db.write().await?;
            sqlx::query("DELETE FROM welcome_emails WHERE id = $1").bind(id).execute(&mut *write).await?;
            let audit = Audit::new(actor, "user.welcome_deleted", person.email.as_str()).result("error").details(format!("Not sent: {error}"));
            write.commit(audit).await?;
            Err(ServiceError::Unavailable("The welcome email could not be sent. Try again later.".into()))
        }
    }
}

fn utc() -> TimeZoneName {
    TimeZoneName::parse("UTC").expect("UTC exists")
}

/// The last welcome email sent to `user_id`, if any.
pub async fn status(db: &Db, user_id: i64) -> ServiceResult<Option<WelcomeStatus>> {
    let row: Option<(i64, Option<String>, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT w.sent_at, u.name, CASE WHEN w.token_hash IS NULL THEN 0 ELSE 1 END, w.expires_at, w.used_at
         FROM welcome_emails w LEFT JOIN users u ON u.id = w.sent_by
         WHERE w.user_id = $1 ORDER BY w.sent_at DESC, w.id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(sent_at, sent_by, with_link, expires_at, used_at)| WelcomeStatus {
        sent_at,
        sent_by,
        with_link: flag(with_link),
        expires_at,
        used_at,
    }))
}

/// What a presented set-password token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkLookup {
    /// Works now: the person it is for.
    Open { welcome_id: i64, user_id: i64, name: String, email: String },
    /// Already used to set a password.
    Used,
    /// Not used within its lifetime.
    Expired,
    /// A newer welcome email replaced it.
    Replaced,
    /// No such link (counted as a miss against the address).
    Unknown,
}

/// Resolves a token without changing anything but the miss count; too many
/// unknown tokens from `ip` → TooManyRequests.
pub async fn resolve(db: &Db, token: &str, ip: &str) -> ServiceResult<LinkLookup> {
    let plausible = token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    type Row = (i64, String, Option<i64>, Option<i64>, Option<i64>, i64, String, String);
    let found: Option<Row> = if plausible {
        sqlx::query_as(
            "SELECT w.id, w.token_hash, w.expires_at, w.used_at, w.replaced_at, u.id, u.name, u.email
             FROM welcome_emails w JOIN users u ON u.id = w.user_id WHERE w.token_hash = $1",
        )
        .bind(tokens::hash_token(token))
        .fetch_optional(db.pool())
        .await?
    } else {
        None
    };
    match found {
        Some((welcome_id, stored, expires_at, used_at, replaced_at, user_id, name, email)) if tokens::matches(token, &stored) => {
            Ok(if used_at.is_some() {
                LinkLookup::Used
            } else if replaced_at.is_some() {
                LinkLookup::Replaced
            } else if expires_at.is_none_or(|at| at <= now_ms()) {
                LinkLookup::Expired
            } else {
                LinkLookup::Open { welcome_id, user_id, name, email }
            })
        }
        _ => {
            access_links::count_token_miss(db, ip).await?;
            Ok(LinkLookup::Unknown)
        }
    }
}

/// What using a link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UseOutcome {
    /// The password is set, the person confirmed; `app_access` says whether
    /// they may be signed in.
    PasswordSet { user: SessionUser, app_access: bool },
    /// The link did not work (any state but open, or spent by a
    /// submission that came first).
    Refused(LinkLookup),
}

/// Sets the person's password through their link: spends the link, sets
/// the password, marks them confirmed and ends their other sessions, with
/// one audit line, in one commit. Only one submission of a link succeeds.
pub async fn use_link(db: &Db, token: &str, password: &Password, ip: &str) -> ServiceResult<UseOutcome> {
    let LinkLookup::Open { welcome_id, user_id, .. } = resolve(db, token, ip).await? else {
        return Ok(UseOutcome::Refused(resolve_quietly(db, token).await?));
    };
    let hash = passwords::hash(password.expose().to_owned()).await?;
    // Read before the write begins: the write holds SQLite's one write lock
    // and its connection, and must not wait for a second one.
    let user = users::get(db, user_id).await?;
    let session_user = SessionUser { id: user.id, name: user.name.clone(), email: user.email.clone(), role: user.role };
    let now = now_ms();
    let mut write = db.write().await?;
    let spent = sqlx::query(
        "UPDATE welcome_emails SET used_at = $1
         WHERE id = $2 AND used_at IS NULL AND replaced_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(welcome_id)
    .execute(&mut *write)
    .await?;
    if spent.rows_affected() != 1 {
        drop(write);
        return Ok(UseOutcome::Refused(resolve_quietly(db, token).await?));
    }
    sqlx::query("UPDATE users SET password_hash = $1, confirmed = 1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *write)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *write).await?;
    write.commit(Audit::by(&session_user, "user.password_set_by_link", user.email.as_str()).details(ip)).await?;
    Ok(UseOutcome::PasswordSet { user: session_user, app_access: user.app_access })
}

/// The state of a link already known to exist (no miss counted twice).
async fn resolve_quietly(db: &Db, token: &str) -> ServiceResult<LinkLookup> {
    let row: Option<(Option<i64>, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT expires_at, used_at, replaced_at FROM welcome_emails WHERE token_hash = $1")
            .bind(tokens::hash_token(token))
            .fetch_optional(db.pool())
            .await?;
    Ok(match row {
        None => LinkLookup::Unknown,
        Some((_, Some(_), _)) => LinkLookup::Used,
        Some((_, None, Some(_))) => LinkLookup::Replaced,
        Some(_) => LinkLookup::Expired,
    })
}

/// Whether Postern may email this person on its own (Kisi's `send_emails`):
/// the access email on joining a group follows it.
pub async fn emails_allowed(db: &Db, user_id: i64) -> ServiceResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT send_emails FROM users WHERE id = $1").bind(user_id).fetch_optional(db.pool()).await?;
    Ok(row.is_some_and(|(on,)| flag(on)))
}

/// Records whether Postern may email this person on its own, inside the
/// change that creates them.
pub(crate) async fn set_emails_allowed_on(conn: &mut sqlx::AnyConnection, user_id: i64, allowed: bool) -> ServiceResult<()> {
    sqlx::query("UPDATE users SET send_emails = $1 WHERE id = $2").bind(i64::from(allowed)).bind(user_id).execute(conn).await?;
    Ok(())
}
