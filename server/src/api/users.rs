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
use super::{body, kisi_fields, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use postern::model::{User, UserForm, ValidUser};
use postern::services::scope::Scope;
use postern::services::users::{self, require_manager, KisiDetails};
use postern::services::Db;
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
    /// Kisi's name of `app_access`.
    pub access_enabled: bool,
    /// Kisi's `metadata`: a JSON object, as given.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// Kisi's `notes`, as given.
    pub notes: Option<String>,
}

/// The view of a person, with their Kisi `metadata` and `notes`.
pub async fn user_view(db: &Db, user: User) -> Result<UserView, ApiError> {
    let details = users::kisi_details(db, user.id).await?;
    let mut view = UserView::from(user);
    view.metadata = details.metadata.as_deref().and_then(|text| serde_json::from_str(text).ok());
    view.notes = details.notes;
    Ok(view)
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
            access_enabled: u.app_access,
            metadata: None,
            notes: None,
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
    /// Kisi's name of `app_access` (give one of the two).
    #[serde(default, deserialize_with = "body::not_null")]
    #[schema(value_type = bool)]
    pub access_enabled: Option<bool>,
    /// Kisi: a JSON object kept and shown back; `null` clears it.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<Object>)]
    #[allow(dead_code)]
    pub metadata: Option<Option<serde_json::Value>>,
    /// Kisi: text kept and shown back (at most 10000 characters); `null` clears it.
    #[serde(default, deserialize_with = "body::nullable")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub notes: Option<Option<String>>,
    // -- Kisi's welcome-flow fields: accepted here; what they do belongs
    // to the welcome flow (another change), not to this file. --
    /// Kisi: whether the welcome email goes out.
    #[serde(default)]
    #[allow(dead_code)]
    pub send_emails: Option<bool>,
    /// Kisi: the person is confirmed (the same as `confirmed`).
    #[serde(default)]
    pub confirm: Option<bool>,
    /// Kisi: the set-password link.
    #[serde(default)]
    #[allow(dead_code)]
    pub password_flow_enabled: Option<bool>,
    // -- end of the welcome-flow fields --
}

/// The most text `notes` keeps.
const NOTES_MAX_CHARS: usize = 10_000;

impl UserInput {
    /// The `metadata` and `notes` given, written over `current`; `None` when neither is given.
    /// (`metadata` is taken out of the body before it is read, since it may hold arrays.)
    fn details(&self, metadata: Option<serde_json::Value>, current: &KisiDetails) -> Result<Option<KisiDetails>, ApiError> {
        let metadata = metadata.map(|value| Some(value).filter(|v| !v.is_null()));
        if metadata.is_none() && self.notes.is_none() {
            return Ok(None);
        }
        let mut details = current.clone();
        if let Some(metadata) = &metadata {
            details.metadata = match metadata {
                None => None,
                Some(value @ serde_json::Value::Object(_)) => Some(value.to_string()),
                Some(_) => return Err(ApiError::field("user.metadata", "Give metadata as a JSON object (or null).")),
            };
        }
        if let Some(notes) = &self.notes {
            if notes.as_ref().is_some_and(|n| n.chars().count() > NOTES_MAX_CHARS) {
                return Err(ApiError::field("user.notes", "Use at most 10000 characters."));
            }
            details.notes = notes.clone();
        }
        Ok(Some(details))
    }
}

impl FormBody for UserEnvelope {
    type Form = UserForm;
    type Valid = ValidUser;
    const FIELDS: FieldNames = FieldNames::new("user", &[]);
    const VALIDATE: Validate<UserForm, ValidUser> = UserForm::validate;

    fn apply(self, form: &mut UserForm) -> Result<(), ApiError> {
        let input = self.user;
        let app_access = match (input.app_access, input.access_enabled) {
            (Some(a), Some(b)) if a != b => {
                return Err(ApiError::field("user.access_enabled", "access_enabled and app_access are the same setting; give one."));
            }
            (a, b) => a.or(b),
        };
        forms::set(&mut form.name, input.name);
        forms::set(&mut form.email, input.email);
        forms::set(&mut form.phone, input.phone.map(Option::unwrap_or_default));
        forms::set(&mut form.role, input.role.map(|role| format!("{role:?}").to_lowercase()));
        // Kisi's `confirm` (on create it was already turned into `confirmed`).
        let confirmed = match (input.confirmed, input.confirm) {
            (Some(a), Some(b)) if a != b => return Err(ApiError::field("user.confirm", "confirm and confirmed are the same setting; give one.")),
            (a, b) => a.or(b),
        };
        forms::set_flags([
            (&mut form.confirmed, confirmed),
            (&mut form.app_access, app_access),
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
    let scope = Scope::of(&caller.user);
    let (items, total) = listing::by_name(&params, key, |page| users::list(db, scope, &params.query, page), |id| users::get_in(db, scope, id)).await?;
    let mut views = Vec::with_capacity(items.len());
    for user in items {
        views.push(user_view(db, user).await?);
    }
    Ok(listing::answer::<_, UserView>(&params, views, total))
}

/// One person (anyone may read their own record).
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(ById),
    responses((status = 200, body = UserView), OneErrors))]
pub async fn show(caller: Caller, PathId(id): PathId) -> Result<Json<UserView>, ApiError> {
    if caller.user.id != id {
        require_manager(&caller.user)?;
        return Ok(Json(user_view(caller.db(), users::get_in(caller.db(), Scope::of(&caller.user), id).await?).await?));
    }
    Ok(Json(user_view(caller.db(), users::get(caller.db(), id).await?).await?))
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
    let mut screened = kisi_fields::screen("users", &bytes)?;
    let metadata = screened.take("user", "metadata");
    let bytes = screened.bytes(&bytes);
    let details = body::parse::<UserEnvelope>(&bytes, false)?.user.details(metadata, &KisiDetails::default())?.unwrap_or_default();
    let valid = filled::<UserEnvelope>(&bytes, UserForm::default())?;
    let send_welcome = switches.send_emails.unwrap_or(!valid.confirmed);
    let db = caller.db();
    let id = users::create_with_details(db, &caller.user, valid, &details, switches.send_emails != Some(false))
        .await
        .map_err(|e| UserEnvelope::FIELDS.service_error(e))?;
    if send_welcome {
        welcome_switches::send(&caller, &headers, id, switches.password_flow_enabled.unwrap_or(true)).await;
    }
    Ok(Json(user_view(db, users::get(db, id).await?).await?))
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
    let db = caller.db();
    let current = users::get(db, id).await?;
    let mut screened = kisi_fields::screen("users", &bytes)?;
    let metadata = screened.take("user", "metadata");
    let bytes = screened.bytes(&bytes);
    let details = body::parse::<UserEnvelope>(&bytes, false)?.user.details(metadata, &users::kisi_details(db, id).await?)?;
    let valid = filled::<UserEnvelope>(&bytes, UserForm::from(&current))?;
    users::update_with_details(db, &caller.user, id, valid, details.as_ref()).await.map_err(|e| UserEnvelope::FIELDS.service_error(e))?;
    Ok(StatusCode::NO_CONTENT)
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
