//! Server-side plumbing for server functions (compiled with `ssr` only):
//! the shared services, the signed-in user, cookies and the client's IP.

use crate::error::AppError;
use axum::extract::ConnectInfo;
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::{HeaderMap, HeaderValue};
use leptos::prelude::*;
use postern::model::SessionUser;
use postern::services::sessions::{self, SessionPolicy};
use postern::services::access_links::LinkSettings;
use postern::services::messaging::Messenger;
use postern::services::unlock::UnlockService;
use postern::services::Db;
use std::net::SocketAddr;

/// The session cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "postern_session";
/// A long-lived random id of this browser, for the primary device restriction
/// and as its sign-in device cookie (`login_throttle`); its name over plain HTTP.
pub const DEVICE_COOKIE: &str = "postern_device";
/// The session cookie's name when `cookie_secure` is on: the `__Host-` prefix
/// makes the browser refuse it unless it is `Secure`, for the whole host
/// (`Path=/`) and set by this host itself (no `Domain`), so a neighbouring
/// subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-postern_session";
/// The device cookie's name when `cookie_secure` is on.
pub const SECURE_DEVICE_COOKIE: &str = "__Host-postern_device";

/// The session cookie's name under this configuration.
pub fn session_cookie_name(context: &AppContext) -> &'static str {
    if context.cookie_secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE }
}

/// The device cookie's name under this configuration.
pub fn device_cookie_name(context: &AppContext) -> &'static str {
    if context.cookie_secure { SECURE_DEVICE_COOKIE } else { DEVICE_COOKIE }
}

/// The client's address, worked out once per request by the server's
/// middleware (the TCP peer, or behind a trusted proxy the address it
/// forwarded) and kept in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// What every request's server functions can reach.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub db: Db,
    pub session_policy: SessionPolicy,
    /// Adds `Secure` to cookies (on when Postern is served over HTTPS).
    pub cookie_secure: bool,
    /// Every unlock goes through this one service.
    pub unlock: UnlockService,
    /// Live door status for browsers (server-sent events).
    pub live: postern::services::live::Live,
    /// Email and text messages (and the outbox of what was not sent).
    pub messenger: Messenger,
    /// The access-link quotas.
    pub link_settings: LinkSettings,
    /// The address people reach Postern at (for links in messages), e.g.
    /// "https://doors.example.com"; `None` = taken from the request.
    pub public_url: Option<String>,
    /// Whether webhooks may reach private addresses.
    pub webhooks: postern::services::webhooks::WebhookSettings,
}

pub fn provide_app_context(context: AppContext) {
    provide_context(context);
}

/// The services; a missing context is logged and shown as an internal error.
pub fn use_app_context() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| {
        tracing::error!("AppContext missing from the Leptos context");
        AppError::Internal.with_status()
    })
}

pub fn use_db() -> Result<Db, AppError> {
    Ok(use_app_context()?.db)
}

async fn headers() -> Result<HeaderMap, AppError> {
    leptos_axum::extract::<HeaderMap>().await.map_err(|e| {
        tracing::error!(error = %e, "could not read request headers");
        AppError::Internal.with_status()
    })
}

/// A cookie's value from the request, if present and not empty.
pub fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// The session token from the request's cookie, if any (only the
/// `__Host-` cookie when `cookie_secure` is on).
pub fn session_token(headers: &HeaderMap, context: &AppContext) -> Option<String> {
    cookie(headers, session_cookie_name(context))
}

/// This browser's device id, creating (and sending) one when it has none.
pub async fn device_id(context: &AppContext) -> Result<String, AppError> {
    if let Some(id) = cookie(&headers().await?, device_cookie_name(context)).filter(|id| id.len() <= 64) {
        return Ok(id);
    }
    let id = postern::services::tokens::random_token();
    let secure = if context.cookie_secure { "; Secure" } else { "" };
    let name = device_cookie_name(context);
    set_cookie(format!("{name}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=315360000{secure}"));
    Ok(id)
}

/// This browser's device id, if it has one.
pub async fn existing_device_id() -> Result<Option<String>, AppError> {
    let context = use_app_context()?;
    Ok(cookie(&headers().await?, device_cookie_name(&context)))
}

/// The signed-in user, or `None`.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let context = use_app_context()?;
    let Some(token) = session_token(&headers().await?, &context) else { return Ok(None) };
    Ok(sessions::lookup(&context.db, &token, context.session_policy).await?)
}

/// The signed-in user with when they last entered their password.
pub async fn current_session() -> Result<Option<(SessionUser, i64)>, AppError> {
    let context = use_app_context()?;
    let Some(token) = session_token(&headers().await?, &context) else { return Ok(None) };
    let Some(user) = sessions::lookup(&context.db, &token, context.session_policy).await? else { return Ok(None) };
    let verified_at = sessions::verified_at(&context.db, &token).await?.unwrap_or(0);
    Ok(Some((user, verified_at)))
}

/// The signed-in user, or "Please sign in."
pub async fn require_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or_else(|| AppError::Unauthenticated.with_status())
}

/// "http://host:port" as the browser reached this server (used in links
/// when `public_url` is not configured). `X-Forwarded-Proto` says https
/// behind a proxy; the cookie_secure setting implies it too.
pub async fn request_origin() -> Result<String, AppError> {
    let context = use_app_context()?;
    let headers = headers().await?;
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| AppError::invalid("channel", "The request has no Host header; set public_url in the configuration."))?;
    let forwarded_https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let scheme = if forwarded_https || context.cookie_secure { "https" } else { "http" };
    Ok(format!("{scheme}://{host}"))
}

/// The client's address: the one the server's middleware worked out
/// ([`ClientIp`], which follows `trusted_proxies`), else the TCP peer's.
pub async fn client_ip() -> String {
    if let Ok(axum::Extension(ClientIp(ip))) = leptos_axum::extract::<axum::Extension<ClientIp>>().await {
        return ip.to_string();
    }
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}

pub async fn user_agent() -> String {
    headers()
        .await
        .ok()
        .and_then(|h| h.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_default()
}

fn set_cookie(value: String) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(header) = HeaderValue::from_str(&value) {
            response.append_header(SET_COOKIE, header);
        }
    }
}

/// Sends the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS.
pub fn set_session_cookie(token: &str, context: &AppContext) {
    set_cookie(session_cookie(token, context));
}

/// The `Set-Cookie` value of a session cookie (for handlers outside server
/// functions, such as the set-password page).
pub fn session_cookie(token: &str, context: &AppContext) -> String {
    let secure = if context.cookie_secure { "; Secure" } else { "" };
    let max_age = context.session_policy.absolute.as_secs();
    let name = session_cookie_name(context);
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Tells the browser to forget the session cookie.
pub fn clear_session_cookie(context: &AppContext) {
    let secure = if context.cookie_secure { "; Secure" } else { "" };
    let name = session_cookie_name(context);
    set_cookie(format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"));
}
