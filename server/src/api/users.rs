//! `GET/POST /users`, `GET/PATCH/DELETE /users/{id}` (managers, admins
//! and owners; staff roles only by admins, as in the dashboard). The body is
//! `{"user": {...}}`; it fills the dashboard's `UserForm`.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, EditErrors, IdsByName, ListErrors, ListOf, OneErrors, Paging};
use super::error::ErrorBody;
use super::forms::{self, filled, FieldNames, FormBody, Validate};
use super::list_params::ListParams;
use super::listing::{self, NameKey};
use super::path_id::PathId;
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::{User, UserForm, ValidUser};
use postern::services::scope::Scope;
use postern::services::{users, users::require_manager};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// E.164, e.g. `+12025550123`.
    pub phone: Option<String>,
    /// `owner`, `admin`, `manager` or `member`.
    pub role: String,
    pub confirmed: bool,
    /// May unlock from the app and the API.
    pub app_access: bool,
    pub primary_device_restriction_enabled: bool,
    pub groups_count: i64,
    pub cards_count: i64,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            id: u.id,
            name: u.name,
            email: u.email,
            phone: u.phone,
            role: u.role.as_str().to_owned(),
            confirmed: u.confirmed,
            app_access: u.app_access,
            primary_device_restriction_enabled: u.primary_device_required,
            groups_count: u.group_count,
            cards_count: u.card_count,
        }
    }
}

/// `{"user": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserEnvelope {
    pub user: UserInput,
}

/// Roles.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Owner,
    Admin,
    Manager,
    Member,
}

/// A person's details; on update, absent fields keep their value. `name`
/// and `email` are required on create; the role defaults to `member`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = String, format = Email)]
    pub email: Option<String>,
    /// E.164; `null` = none.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = RoleName)]
    pub role: Option<RoleName>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub confirmed: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub app_access: Option<bool>,
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub primary_device_restriction_enabled: Option<bool>,
}

impl FormBody for UserEnvelope {
    type Form = UserForm;
    type Valid = ValidUser;
    const FIELDS: FieldNames = FieldNames::new("user", &[]);
    const VALIDATE: Validate<UserForm, ValidUser> = UserForm::validate;

    fn apply(self, form: &mut UserForm) -> Result<(), ApiError> {
        let input = self.user;
        forms::set(&mut form.name, input.name);
        forms::set(&mut form.email, input.email);
        forms::set(&mut form.phone, input.phone.map(Option::unwrap_or_default));
        forms::set(&mut form.role, input.role.map(|role| format!("{role:?}").to_lowercase()));
        forms::set_flags([
            (&mut form.confirmed, input.confirmed),
            (&mut form.app_access, input.app_access),
            (&mut form.primary_device_required, input.primary_device_restriction_enabled),
        ]);
        Ok(())
    }
}

/// Lists people by name, `limit`/`offset` paginated.
#[utoipa::path(get, path = "/users", tag = "users",
    params(Paging, ("query" = Option<String>, Query, description = "Only people whose name or email contains this text."), IdsByName),
    responses(ListOf::<UserView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &["name"])?;
    let db = caller.db();
    let key: NameKey<User> = |u| (&u.name, &u.email, u.id);
    let (items, total) = listing::by_name(&params, key, |page| users::list(db, Scope::of(&caller.user), &params.query, page), |id| users::get_in(db, Scope::of(&caller.user), id)).await?;
    Ok(listing::answer::<_, UserView>(&params, items, total))
}

/// One person (anyone may read their own record).
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(ById),
    responses((status = 200, body = UserView), OneErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<UserView>, ApiError> {
    if caller.user.id != id {
        require_manager(&caller.user)?;
        return Ok(Json(users::get_in(caller.db(), Scope::of(&caller.user), id).await?.into()));
    }
    Ok(Json(users::get(caller.db(), id).await?.into()))
}

/// Adds a person, without a password. Besides the person's fields, `user`
/// takes Kisi's creation switches: `send_emails` (the welcome email now, and
/// the access email on joining groups later; default: only for a person
/// created unconfirmed), `confirm` (create confirmed, as `confirmed`) and
/// `password_flow_enabled` (default true: the welcome email of a person
/// without a password carries a link to set one, valid 7 days).
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserEnvelope,
    responses((status = 200, description = "The new person", body = UserView), CreateErrors))]
pub async fn create(caller: Caller, headers: axum::http::HeaderMap, bytes: Bytes) -> Result<Json<UserView>, ApiError> {
    require_manager(&caller.user)?;
    let (bytes, switches) = welcome_switches::take(&bytes)?;
    let valid = filled::<UserEnvelope>(&bytes, UserForm::default())?;
    let send_welcome = switches.send_emails.unwrap_or(!valid.confirmed);
    let db = caller.db();
    let id = users::create_with_emails(db, &caller.user, valid, switches.send_emails != Some(false))
        .await
        .map_err(|e| UserEnvelope::FIELDS.service_error(e))?;
    if send_welcome {
        welcome_switches::send(&caller, &headers, id, switches.password_flow_enabled.unwrap_or(true)).await;
    }
    Ok(Json(users::get(db, id).await?.into()))
}

// ---- Kisi's creation switches (issue 17): send_emails, confirm, password_flow_enabled ----
mod welcome_switches {
    use super::super::auth::Caller;
    use super::super::group_links::base_url;
    use super::super::ApiError;
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use postern::services::audit::Actor;
    use postern::services::welcome;
    use serde_json::Value;

    /// What `user` said about emails and confirmation on create.
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct Switches {
        pub send_emails: Option<bool>,
        pub password_flow_enabled: Option<bool>,
    }

    /// Takes the switches out of `user` (Kisi's `confirm` becomes
    /// `confirmed`), so the rest is read as any other person's fields. A
    /// body that is not a JSON object is passed on untouched, for the usual
    /// message.
    pub fn take(bytes: &Bytes) -> Result<(Bytes, Switches), ApiError> {
        let Ok(mut document) = serde_json::from_slice::<Value>(bytes) else { return Ok((bytes.clone(), Switches::default())) };
        let Some(user) = document.get_mut("user").and_then(Value::as_object_mut) else {
            return Ok((bytes.clone(), Switches::default()));
        };
        let mut flag = |name: &str| match user.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(on)) => Ok(Some(on)),
            Some(_) => Err(ApiError::field(&format!("user.{name}"), "Give true or false.")),
        };
        let send_emails = flag("send_emails")?;
        let password_flow_enabled = flag("password_flow_enabled")?;
        let confirm = flag("confirm")?;
        if let Some(confirm) = confirm {
            user.entry("confirmed").or_insert(Value::Bool(confirm));
        }
        let bytes = serde_json::to_vec(&document).map(Bytes::from).unwrap_or_else(|_| bytes.clone());
        Ok((bytes, Switches { send_emails, password_flow_enabled }))
    }

    /// The welcome email to the person just created; a failure is logged
    /// (and shown on their page: no welcome sent), the person stands.
    pub async fn send(caller: &Caller, headers: &HeaderMap, user_id: i64, password_flow: bool) {
        let context = &caller.state.context;
        let base = base_url(context.public_url.as_deref(), context.cookie_secure, headers).unwrap_or_default();
        let actor = Actor::User(caller.user.clone());
        if let Err(error) = welcome::send(&context.db, &context.messenger, &actor, user_id, &base, password_flow).await {
            tracing::warn!(%error, user_id, "the welcome email could not be sent");
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn takes_the_switches_out_of_user() {
            let body = Bytes::from(r#"{"user": {"name": "Ada", "send_emails": false, "confirm": true, "password_flow_enabled": null}}"#);
            let (rest, switches) = take(&body).unwrap();
            assert_eq!(switches, Switches { send_emails: Some(false), password_flow_enabled: None });
            let rest: Value = serde_json::from_slice(&rest).unwrap();
            assert_eq!(rest, serde_json::json!({"user": {"name": "Ada", "confirmed": true}}));
            assert!(take(&Bytes::from(r#"{"user": {"send_emails": "yes"}}"#)).is_err());
            assert_eq!(take(&Bytes::from("not json")).unwrap().0, Bytes::from("not json"));
        }
    }
}

/// Changes a person: only the fields given.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UserEnvelope, params(ById),
    responses((status = 204, description = "Saved"), EditErrors))]
pub async fn update(caller: Caller, PathId(id): PathId, bytes: Bytes) -> Result<StatusCode, ApiError> {
    require_manager(&caller.user)?;
    // The service checks the role (staff: 403), then the scope (404).
    let current = users::get(caller.db(), id).await?;
    let valid = filled::<UserEnvelope>(&bytes, UserForm::from(&current))?;
    no_content(users::update(caller.db(), &caller.user, id, valid).await.map_err(|e| UserEnvelope::FIELDS.service_error(e)))
}

/// Deletes a person (not the owner, not yourself).
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(ById),
    responses((status = 204, description = "Deleted"), OneErrors, (status = 409, description = "The owner, or yourself", body = ErrorBody)))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(users::delete(caller.db(), &caller.user, id).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_flags_fill_the_form() {
        let mut form = UserForm { name: "Mia".into(), email: "mia@example.com".into(), ..Default::default() };
        let user = UserInput { role: Some(RoleName::Manager), phone: Some(None), app_access: Some(true), ..Default::default() };
        UserEnvelope { user }.apply(&mut form).unwrap();
        assert_eq!((form.role.as_str(), form.phone.as_str(), form.app_access.as_deref()), ("manager", "", Some("on")));
        assert_eq!(form.name, "Mia");
    }
}
