//! `GET /set-password/<token>` shows the form; `POST /set-password/<token>`
//! sets the password: a refused password re-renders the form with the
//! reason in words (the link still works); a good one spends the link,
//! signs the person in and redirects to their home.

use super::view::{policy, render, Screen};
use crate::links::handlers::private;
use crate::server_context::{session_cookie, AppContext, ClientIp};
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use postern::services::welcome::{self, LinkLookup, UseOutcome};
use postern::services::{owner, sessions, ServiceError};
use postern::types::Password;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    password: String,
    password_again: String,
}

pub async fn show(
    State(context): State<AppContext>,
    Path(token): Path<String>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    client: Option<Extension<ClientIp>>,
) -> Response {
    let organization = organization(&context).await;
    match welcome::resolve(&context.db, &token, &client_ip(address, client)).await {
        Ok(LinkLookup::Open { name, email, .. }) => {
            page(StatusCode::OK, Screen::Form { organization, name, email, token, error: None })
        }
        Ok(other) => refused(organization, &other),
        Err(error) => failure(error),
    }
}

pub async fn submit(
    State(context): State<AppContext>,
    Path(token): Path<String>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let organization = organization(&context).await;
    let ip = client_ip(address, client);
    // The form's own mistakes are told before anything is spent or hashed.
    let problem = match Password::parse(&form.password) {
        Err(message) => Some(message),
        Ok(_) if form.password != form.password_again => Some("The two passwords are not the same. Type the same password twice.".to_owned()),
        Ok(password) => {
            return match welcome::use_link(&context.db, &token, &password, &ip).await {
                Ok(UseOutcome::PasswordSet { user, app_access: true }) => {
                    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
                    match sessions::create(&context.db, user.id, &ip, agent).await {
                        Ok(session) => signed_in(crate::auth::home_for(user.role), &session_cookie(&session, &context)),
                        Err(error) => failure(error),
                    }
                }
                Ok(UseOutcome::PasswordSet { app_access: false, .. }) => page(StatusCode::OK, Screen::SetButNoAccess { organization }),
                Ok(UseOutcome::Refused(lookup)) => refused(organization, &lookup),
                Err(error) => failure(error),
            };
        }
    };
    // Shown again with the reason; the link is only read (a miss is counted
    // for a token that matches nothing).
    match welcome::resolve(&context.db, &token, &ip).await {
        Ok(LinkLookup::Open { name, email, .. }) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, Screen::Form { organization, name, email, token, error: problem })
        }
        Ok(other) => refused(organization, &other),
        Err(error) => failure(error),
    }
}

fn client_ip(peer: SocketAddr, client: Option<Extension<ClientIp>>) -> String {
    client.map_or(peer.ip(), |Extension(ClientIp(ip))| ip).to_string()
}

async fn organization(context: &AppContext) -> String {
    owner::organization_name(&context.db).await.unwrap_or_else(|_| "Postern".into())
}

/// A link that does not work, with a page saying why in words.
fn refused(organization: String, lookup: &LinkLookup) -> Response {
    let (status, screen) = match lookup {
        LinkLookup::Used => (StatusCode::GONE, Screen::Used { organization }),
        LinkLookup::Expired => (StatusCode::GONE, Screen::Expired { organization }),
        LinkLookup::Replaced | LinkLookup::Unknown | LinkLookup::Open { .. } => (StatusCode::NOT_FOUND, Screen::NotValid { organization }),
    };
    page(status, screen)
}

fn failure(error: ServiceError) -> Response {
    match error {
        ServiceError::TooManyRequests { message, retry_after_secs } => {
            let mut response = page(StatusCode::TOO_MANY_REQUESTS, Screen::Busy { message });
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        error => {
            tracing::error!(%error, "set-password page failed");
            let message = "Something went wrong on our side. It has been logged; please try again in a moment.".to_owned();
            page(StatusCode::INTERNAL_SERVER_ERROR, Screen::Busy { message })
        }
    }
}

/// 303 to the person's home, with their new session.
fn signed_in(home: &str, cookie: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(home) {
        headers.insert(header::LOCATION, value);
    }
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    private(response)
}

fn page(status: StatusCode, screen: Screen) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], render(screen)).into_response();
    if let Ok(value) = HeaderValue::from_str(policy()) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    private(response)
}
