//! First run: the organization and its owner.

use super::audit::{Actor, Audit};
use super::{now_ms, passwords, users, Db, ServiceError, ServiceResult};
use crate::field_error::FieldErrors;
use crate::model::{SessionUser, ValidUser};
use crate::types::{Email, Name, Password, Role};

/// True once an owner exists (the first-run page is then closed).
pub async fn exists(db: &Db) -> ServiceResult<bool> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'owner'")
        .fetch_one(db.pool())
        .await?;
    Ok(count > 0)
}

/// Checks the first-run form; every field's message at once.
pub fn validate(name: &str, email: &str, password: &str) -> Result<(Name, Email, Password), FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", Name::parse(name));
    let email = errors.check("email", Email::parse(email));
    let password = errors.check("password", Password::parse(password));
    errors.into_result()?;
    match (name, email, password) {
        (Some(n), Some(e), Some(p)) => Ok((n, e, p)),
        _ => Err(FieldErrors::new()),
    }
}

/// Creates the owner (and the organization, named by `organization`).
/// Refused once an owner exists.
pub async fn create(db: &Db, name: Name, email: Email, password: &Password, organization: &str) -> ServiceResult<SessionUser> {
    if exists(db).await? {
        return Err(already());
    }
    let hash = passwords::hash(password.expose().to_owned()).await?;
    let user = ValidUser {
        name,
        email,
        phone: None,
        role: Role::Owner,
        confirmed: true,
        app_access: true,
        primary_device_required: false,
    };
    // One transaction: two first-run forms sent at once make one owner (the
    // database's `users_one_owner` index refuses the second).
    let mut write = db.write().await?;
    sqlx::query("INSERT INTO organization (id, name, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(organization)
        .bind(now_ms())
        .execute(&mut *write)
        .await?;
    let id = users::insert_on(&mut write, &user, Some(hash)).await.map_err(|error| match error {
        ServiceError::Internal(cause) if cause.chain().contains("users_one_owner") || cause.chain().contains("users.role") => already(),
        other => other,
    })?;
    let owner = SessionUser { id, name: user.name.as_str().to_owned(), email: user.email.as_str().to_owned(), role: Role::Owner };
    write.commit(Audit::new(&Actor::User(owner.clone()), "owner.created", &owner.email)).await?;
    Ok(owner)
}

fn already() -> ServiceError {
    ServiceError::Conflict("Postern already has an owner. Sign in instead.".into())
}

/// The organization's name ("Postern" until one is set).
pub async fn organization_name(db: &Db) -> ServiceResult<String> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM organization WHERE id = 1")
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.0).unwrap_or_else(|| "Postern".to_owned()))
}
