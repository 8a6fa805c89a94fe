//! The organization's settings: its name and whether members get an email
//! when they are added to a group (the "access email").

use super::audit::Audit;
use super::messaging::{texts, Delivery, Messenger};
use super::users::require_admin;
use super::{db::flag, Db, ServiceResult};
use crate::model::{OrganizationSettings, SessionUser};
use crate::types::Name;

pub async fn settings(db: &Db) -> ServiceResult<OrganizationSettings> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT name, access_email_enabled FROM organization WHERE id = 1")
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map_or_else(
        || OrganizationSettings { name: "Postern".into(), access_email_enabled: false },
        |(name, enabled)| OrganizationSettings { name, access_email_enabled: flag(enabled) },
    ))
}

/// Admins rename the organization and turn the access email on or off.
pub async fn update(db: &Db, actor: &SessionUser, name: &Name, access_email_enabled: bool) -> ServiceResult<()> {
    require_admin(actor)?;
    let mut write = db.write().await?;
    sqlx::query("UPDATE organization SET name = $1, access_email_enabled = $2 WHERE id = 1")
        .bind(name.as_str())
        .bind(i64::from(access_email_enabled))
        .execute(&mut *write)
        .await?;
    let state = if access_email_enabled { "on" } else { "off" };
    write.commit(Audit::by(actor, "organization.updated", format!("{} (access email {state})", name.as_str()))).await?;
    Ok(())
}

/// After a member joins a group: the access email, when the setting is on
/// and the person may be emailed. `None` when not. A failed send is the caller's to log; the
/// membership stands either way.
pub async fn notify_added_to_group(
    db: &Db,
    messenger: &Messenger,
    group_id: i64,
    user_id: i64,
    sign_in_url: &str,
) -> ServiceResult<Option<Delivery>> {
    let org = settings(db).await?;
    // The organization's setting, and the person's own switch (Kisi's
    // `send_emails`, given when they were created).
    if !org.access_email_enabled || !super::welcome::emails_allowed(db, user_id).await? {
        return Ok(None);
    }
    let (member_name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM users WHERE id = $1").bind(user_id).fetch_one(db.pool()).await?;
    let (group_name,): (String,) =
        sqlx::query_as("SELECT name FROM access_groups WHERE id = $1").bind(group_id).fetch_one(db.pool()).await?;
    let doors: Vec<(String,)> = sqlx::query_as(
        "SELECT d.name FROM group_doors gd JOIN doors d ON d.id = gd.door_id WHERE gd.group_id = $1 ORDER BY LOWER(d.name)",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?;
    let doors: Vec<String> = doors.into_iter().map(|(name,)| name).collect();
    let message = texts::group_added_email(&org.name, &member_name, &group_name, &doors, sign_in_url).to(email);
    Ok(Some(messenger.mailer.send(message).await?))
}
