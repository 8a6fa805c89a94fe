//! `GET /l/<token>` shows the link's page; `POST /l/<token>` (a door's
//! Unlock button) unlocks through the one unlock service and redirects back
//! to the page, which reads the result from the press's event.

use super::view::{policy, render, Screen};
use crate::server_context::{AppContext, ClientIp};
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::Extension;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use postern::access::{ProximityProof, Reason};
use postern::model::LinkStatus;
use postern::services::access_links::{self, LinkLookup};
use postern::services::unlock::{UnlockActor, UnlockInput, UnlockMethod, UnlockOutcome};
use postern::services::{owner, ServiceError};
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// The event of the press just made (after the redirect).
    event: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PressForm {
    door_id: String,
}

pub async fn show(
    State(context): State<AppContext>,
    Path(token): Path<String>,
    Query(query): Query<ShowQuery>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    client: Option<Extension<ClientIp>>,
) -> Response {
    let link = match lookup(&context, &token, client_ip(address, client)).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    let LinkLookup::Found { link_id, .. } = link else {
        return gone(&context).await;
    };
    let view = match access_links::page(&context.db, link_id).await {
        Ok(view) => view,
        Err(error) => return failure(error),
    };
    let outcome = match query.event.trim().parse::<i64>() {
        Ok(event_id) => access_links::press_outcome(&context.db, link_id, event_id).await.ok().flatten(),
        Err(_) => None,
    };
    match view.status {
        LinkStatus::Active => page(StatusCode::OK, Screen::Doors { view, token, outcome }),
        LinkStatus::Scheduled => page(StatusCode::OK, Screen::NotYet { view }),
        LinkStatus::Expired | LinkStatus::UsedUp => {
            let status = if outcome.is_some() { StatusCode::OK } else { StatusCode::GONE };
            page(status, Screen::Ended { view, outcome })
        }
        LinkStatus::Revoked => gone(&context).await,
    }
}

pub async fn press(
    State(context): State<AppContext>,
    Path(token): Path<String>,
    ConnectInfo(address): ConnectInfo<SocketAddr>,
    client: Option<Extension<ClientIp>>,
    Form(form): Form<PressForm>,
) -> Response {
    let link = match lookup(&context, &token, client_ip(address, client)).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    let LinkLookup::Found { link_id, recipient } = link else {
        return gone(&context).await;
    };
    let back = format!("/l/{token}");
    let Ok(door_id) = form.door_id.trim().parse::<i64>() else {
        return see_other(&back);
    };
    let input = UnlockInput {
        door_id,
        actor: UnlockActor::Link { link_id, recipient },
        method: UnlockMethod::Link,
        location: None,
        proximity: ProximityProof::Missing,
    };
    match context.unlock.unlock_logged(input).await {
        // Logged as denied, answered exactly like an unknown link.
        Ok((UnlockOutcome::Denied { reasons, .. }, _)) if reasons.contains(&Reason::CredentialRevoked) => gone(&context).await,
        Ok((_, event_id)) => see_other(&format!("{back}?event={event_id}")),
        Err(ServiceError::NotFound(_)) => see_other(&back),
        Err(error) => failure(error),
    }
}

/// The client's address as the server worked it out (following
/// `trusted_proxies`), else the TCP peer's.
fn client_ip(peer: SocketAddr, client: Option<Extension<ClientIp>>) -> String {
    client.map_or(peer.ip(), |Extension(ClientIp(ip))| ip).to_string()
}

/// Resolves the token (a link that exists is always found); too many wrong
/// tokens from this address → 429 page.
async fn lookup(context: &AppContext, token: &str, ip: String) -> Result<LinkLookup, Response> {
    match access_links::resolve(&context.db, token, &ip).await {
        Ok(link) => Ok(link),
        Err(ServiceError::TooManyRequests { message, retry_after_secs }) => {
            let mut response = page(StatusCode::TOO_MANY_REQUESTS, Screen::Busy { message });
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Err(response)
        }
        Err(error) => Err(failure(error)),
    }
}

/// Revoked and unknown links get this same page, so it reveals nothing.
async fn gone(context: &AppContext) -> Response {
    let organization = owner::organization_name(&context.db).await.unwrap_or_else(|_| "Postern".into());
    page(StatusCode::GONE, Screen::Gone { organization })
}

fn failure(error: ServiceError) -> Response {
    tracing::error!(%error, "access link page failed");
    let message = "Something went wrong on our side. It has been logged; please try again in a moment.".to_owned();
    page(StatusCode::INTERNAL_SERVER_ERROR, Screen::Busy { message })
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
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

/// Never cached, never sent on as a referrer (the URL holds a token),
/// never indexed: the access-link and set-password pages.
pub(crate) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    response
}
