//! Server functions for signing in and out and the first run.

use crate::error::AppError;
use leptos::prelude::*;
use postern::model::SessionUser;

/// The signed-in user, if any.
#[server(prefix = "/rpc", endpoint = "session")]
pub async fn get_session() -> Result<Option<SessionUser>, AppError> {
    crate::server_context::current_user().await
}

/// True while no owner exists: the app then asks to create one.
#[server(prefix = "/rpc", endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    let db = crate::server_context::use_db()?;
    Ok(!postern::services::owner::exists(&db).await?)
}

/// First run: creates the organization's owner and signs them in.
#[server(prefix = "/rpc", endpoint = "setup_owner")]
pub async fn setup_owner(organization: String, name: String, email: String, password: String) -> Result<(), AppError> {
    use crate::server_context::*;
    use postern::services::{owner, sessions};
    let context = use_app_context()?;
    let (name, email, password) = owner::validate(&name, &email, &password)?;
    let organization = match organization.trim() {
        "" => "My organization".to_owned(),
        text => text.chars().take(100).collect(),
    };
    let user = owner::create(&context.db, name, email, &password, &organization).await?;
    let token = sessions::create(&context.db, user.id, &client_ip().await, &user_agent().await).await?;
    set_session_cookie(&token, &context);
    leptos_axum::redirect("/");
    Ok(())
}

/// Email + password sign-in. A new session id every time. An email longer
/// than an address can be is refused before anything is stored or hashed;
/// the attempt is counted before the password is checked, and a browser
/// that signed in to the account before keeps its own allowance (its device
/// cookie, `login_throttle`).
#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::server_context::*;
    use postern::services::{login_throttle, sessions, users};
    let context = use_app_context()?;
    let mut errors = postern::field_error::FieldErrors::new();
    if email.trim().is_empty() {
        errors.push("email", "Enter your email address.");
    }
    if password.is_empty() {
        errors.push("password", "Enter your password.");
    }
    errors.into_result()?;
    login_throttle::check_email_length(email.trim())?;
    let ip = client_ip().await;
    let known_device = existing_device_id().await?;
    let client = login_throttle::Client { ip: &ip, device: known_device.as_deref() };
    let user = users::authenticate(&context.db, &email, &password, client).await?;
    // The first device a restricted person signs in on becomes their primary
    // device; every browser that signs in becomes known to the account.
    let device = device_id(&context).await?;
    users::bind_device_if_unbound(&context.db, user.id, &device).await?;
    login_throttle::trust_device(&context.db, &user.email, &device).await?;
    let token = sessions::create(&context.db, user.id, &ip, &user_agent().await).await?;
    set_session_cookie(&token, &context);
    leptos_axum::redirect(super::home_for(user.role));
    Ok(())
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server_context::*;
    let context = use_app_context()?;
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal.with_status())?;
    if let Some(token) = session_token(&headers, &context) {
        postern::services::sessions::end(&context.db, &token).await?;
    }
    clear_session_cookie(&context);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The session's user, refusing anyone but admins and the owner (pages of
/// the whole organization: controllers, the simulator).
#[cfg(feature = "ssr")]
pub async fn require_admin() -> Result<SessionUser, AppError> {
    let user = crate::server_context::require_user().await?;
    if user.role.is_admin() {
        Ok(user)
    } else {
        Err(AppError::Forbidden("This page is for admins.".into()).with_status())
    }
}

/// The session's user, refusing anyone who is not staff.
#[cfg(feature = "ssr")]
pub async fn require_staff() -> Result<SessionUser, AppError> {
    let user = crate::server_context::require_user().await?;
    if user.role.can_manage() {
        Ok(user)
    } else {
        Err(AppError::Forbidden("This page is for managers and admins.".into()).with_status())
    }
}
