//! Logins, as Kisi's clients use them: `POST /logins` signs a person in
//! with email and password and answers the login's `secret` once (then sent
//! as `Authorization: KISI-LOGIN <secret>`); staff may create one on a
//! person's behalf (`login.user_id`); `GET /logins` lists them without
//! secrets; `DELETE /login` ends the one the request came with,
//! `DELETE /logins/{id}` another. `GET /user` is the caller.
//!
//! A login is an API key of its own kind (`services::api_keys::KeyKind`):
//! hashed, shown once, revocable, rate-limited, and refused once its person
//! is switched off. A wrong password is a 401 and counts toward the same
//! sign-in throttle as the dashboard's.

use super::auth::{Caller, MaybeCaller};
use super::docs::{ById, CreateErrors, OneErrors};
use super::error::ErrorBody;
use super::listing::collection_range;
use super::path_id::PathId;
use super::times::rfc3339;
use super::users::UserView;
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use app::server_context::ClientIp;
use axum::extract::{ConnectInfo, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::ApiKey;
use postern::services::{api_keys, users, ServiceError};
use postern::types::Name;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// `{"login": {...}, "user": {...}}`, as Kisi's clients send it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginEnvelope {
    #[serde(default)]
    pub login: LoginFields,
    /// The person signing in (absent when staff create a login on someone's behalf).
    pub user: Option<Credentials>,
    /// Kisi's organization domain; Postern serves one organization, so any
    /// value is accepted and none is needed.
    #[allow(dead_code)]
    pub domain: Option<String>,
}

/// The login asked for.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginFields {
    /// `device` (a phone or app) or `api` (an integration); default `device`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A name to tell logins apart; default "<type> login".
    pub name: Option<String>,
    /// Staff only: the person the login is for (then no password is sent).
    pub user_id: Option<i64>,
    /// Kisi: staff only, the person the login is for, by email (instead of `user_id`).
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Kisi: the device's brand, model and system name the login when `name` is not given.
    pub device_brand: Option<String>,
    pub device_model: Option<String>,
    pub os_name: Option<String>,
}

impl LoginFields {
    /// The name given, else one made of the device's description, else "<type> login".
    fn name_or_default(&self, kind: &str) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let device: Vec<&str> = [&self.device_brand, &self.device_model].into_iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        let os = self.os_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
        match (device.is_empty(), os) {
            (true, None) => format!("{kind} login"),
            (true, Some(os)) => os.to_owned(),
            (false, None) => device.join(" "),
            (false, Some(os)) => format!("{} ({os})", device.join(" ")),
        }
        .chars()
        .take(100)
        .collect()
    }
}

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// Kisi's organization domain; Postern serves one organization, so any
    /// value is accepted and none is needed.
    #[allow(dead_code)]
    pub domain: Option<String>,
}

/// A login; `secret` only in the answer that created it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginView {
    pub id: i64,
    /// `device` or `api`, from the name given.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub user_id: i64,
    /// The first characters of the secret, to tell logins apart.
    pub prefix: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `null` until used.
    pub last_used_at: Option<String>,
    /// The secret to send as `Authorization: KISI-LOGIN <secret>`; shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn view(key: ApiKey, secret: Option<String>) -> LoginView {
    let kind = if key.name.starts_with("api") { "api" } else { "device" };
    LoginView {
        id: key.id,
        kind: kind.into(),
        name: key.name,
        user_id: key.user_id,
        prefix: key.prefix,
        created_at: rfc3339(key.created_at),
        last_used_at: key.last_used_at.map(rfc3339),
        secret,
    }
}

/// Signs in (email and password, no key) or, with a staff key and
/// `login.user_id`, creates a login on that person's behalf.
#[utoipa::path(post, path = "/logins", tag = "logins", request_body = LoginEnvelope, security(()),
    responses((status = 200, description = "The new login, with its secret (shown once)", body = LoginView), CreateErrors,
        (status = 404, description = "No person with that `login.user_id`", body = ErrorBody),
        (status = 409, description = "The person's app access is off", body = ErrorBody)))]
pub async fn create(
    MaybeCaller(caller): MaybeCaller,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    client: Option<axum::Extension<ClientIp>>,
    axum::extract::State(state): axum::extract::State<super::ApiState>,
    bytes: Bytes,
) -> Result<Json<LoginView>, ApiError> {
    let bytes = super::kisi_fields::screened("logins", &bytes)?;
    let mut envelope = body::parse::<LoginEnvelope>(&bytes, false)?;
    let kind = match envelope.login.kind.as_deref().unwrap_or("device") {
        kind @ ("device" | "api") => kind,
        _ => return Err(ApiError::field("login.type", "Give the login's type: device or api.")),
    };
    let name = envelope.login.name_or_default(kind);
    let name = Name::parse(&name).map_err(|message| ApiError::field("login.name", message))?;
    let db = &state.context.db;
    if let Some(email) = envelope.login.email.take() {
        if envelope.login.user_id.is_some() {
            return Err(ApiError::field("login.email", "Give the person's login.user_id or login.email, not both."));
        }
        // Only staff look people up by email (nobody else learns who has an account).
        let Some(staff) = caller.as_ref() else {
            return Err(ApiError::Unauthenticated("Send a staff API key to create a login on someone's behalf."));
        };
        users::require_manager(&staff.user)?;
        let email = postern::types::Email::parse(&email).map_err(|message| ApiError::field("login.email", message))?;
        let person = users::find_by_email(db, &email).await?.ok_or_else(|| ApiError::field("login.email", "There is no person with this email."))?;
        envelope.login.user_id = Some(person.id);
    }
    let created = match (envelope.user, envelope.login.user_id, caller) {
        (Some(credentials), None, _) => {
            // The client's address as `trusted_proxies` says, else the TCP peer's.
            let ip = client.map_or(peer.ip(), |axum::Extension(ClientIp(ip))| ip).to_string();
            match api_keys::sign_in(db, &credentials.email, &credentials.password, &ip, &name).await {
                Ok(created) => created,
                Err(ServiceError::Invalid(_)) => {
                    return Err(ApiError::Unauthenticated("That email and password do not match an account."));
                }
                Err(other) => return Err(other.into()),
            }
        }
        (None, Some(user_id), Some(caller)) => api_keys::create_login_for(db, &caller.user, user_id, &name).await?,
        (None, Some(_), None) => {
            return Err(ApiError::Unauthenticated("Send a staff API key to create a login on someone's behalf."));
        }
        (Some(_), Some(_), _) => {
            return Err(ApiError::field("login.user_id", "Send either the person's email and password, or login.user_id, not both."));
        }
        (None, None, _) => return Err(ApiError::field("user", "Send the person's email and password: {\"user\": {\"email\", \"password\"}}.")),
    };
    Ok(Json(view(created.key, Some(created.secret))))
}

/// The caller's logins, or with `user_id` a person's (staff), newest first, without secrets.
#[utoipa::path(get, path = "/logins", tag = "logins",
    params(("user_id" = Option<i64>, Query, description = "Staff: this person's logins instead of your own.")),
    responses((status = 200, body = [LoginView], headers(("X-Collection-Range" = String, description = "first-last/total"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "No person with that `user_id`", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let mut user_id = caller.user.id;
    for (name, value) in form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        if name == "user_id" {
            user_id = value.parse().map_err(|_| ApiError::field("user_id", "Give a person's id, a whole number."))?;
        }
    }
    let logins = api_keys::logins(caller.db(), &caller.user, user_id).await?;
    let total = logins.len();
    let views: Vec<LoginView> = logins.into_iter().map(|key| view(key, None)).collect();
    Ok(([collection_range(0, total, total as i64)], Json(views)).into_response())
}

/// Ends the login (or key) this request came with: it answers 401 from now on.
#[utoipa::path(delete, path = "/login", tag = "logins",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_out(caller: Caller) -> Result<StatusCode, ApiError> {
    no_content(api_keys::revoke(caller.db(), &caller.user, caller.key_id).await)
}

/// Ends a login: your own, or (staff) a member's.
#[utoipa::path(delete, path = "/logins/{id}", tag = "logins", params(ById),
    responses((status = 204, description = "Ended"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(api_keys::revoke(caller.db(), &caller.user, id).await)
}

/// The person the request's key or login acts as.
#[utoipa::path(get, path = "/user", tag = "users",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Result<Json<UserView>, ApiError> {
    Ok(Json(super::users::user_view(caller.db(), users::get(caller.db(), caller.user.id).await?).await?))
}
