//! Access links as Kisi's `group_links` (managers, admins and owners):
//! `POST /group_links` with `{"group_link": {"name", "group_id", "email",
//! "valid_from", "valid_until"}}` creates one through the same service as
//! the dashboard (email when an email is given, else a manual link whose
//! `secret` and `url` are in this one response and never again); the list
//! carries no secrets; `DELETE` revokes.

use super::auth::Caller;
use super::docs::{ById, CreateErrors, ListErrors, ListOf, OneErrors, Paging};
use super::error::ErrorBody;
use super::forms::FieldNames;
use super::list_params::ListParams;
use super::listing::{self, from_pages};
use super::path_id::PathId;
use super::times::{rfc3339, utc_wall_time};
use super::{body, no_content, ApiError};
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use postern::model::{AccessLink, LinkChannel, LinkForm, SessionUser};
use postern::services::{access_links, users::require_manager};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"group_link": {...}}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLinkEnvelope {
    pub group_link: GroupLinkInput,
}

/// A new access link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupLinkInput {
    /// Who it is for (shown on the link's page and in the event log).
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// The group whose doors it opens.
    #[schema(minimum = 1)]
    pub group_id: i64,
    /// Send the link to this address; without one the link is returned once.
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Postern: send it by text message to this +1 number instead.
    pub phone: Option<String>,
    /// RFC 3339; `null` = valid now.
    #[schema(format = DateTime)]
    pub valid_from: Option<String>,
    /// RFC 3339, after `valid_from`; `null` = never expires.
    #[schema(format = DateTime)]
    pub valid_until: Option<String>,
}

/// Who created a link.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedBy {
    /// Known on the create response.
    pub id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
}

/// An access link.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupLinkView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    /// Postern: the number a text-message link went to.
    pub phone: Option<String>,
    pub group_id: i64,
    pub group_name: String,
    /// RFC 3339.
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub issued_by: IssuedBy,
    /// The link's token: only in the response that created a manual link.
    pub secret: Option<String>,
    /// The link itself (`<base>/l/<secret>`): only with `secret`.
    pub url: Option<String>,
    /// Postern: `email`, `sms` or `manual`.
    pub channel: String,
    /// Postern: `scheduled`, `active`, `expired`, `revoked` or `used_up`.
    pub status: String,
    /// Postern: unlocks made with it.
    pub uses: i64,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A listed link: who issued it is known by name only.
impl From<AccessLink> for GroupLinkView {
    fn from(link: AccessLink) -> GroupLinkView {
        let issued_by = IssuedBy { id: None, name: link.created_by.clone(), email: None };
        view(link, issued_by)
    }
}

fn view(link: AccessLink, issued_by: IssuedBy) -> GroupLinkView {
    let (email, phone) = match link.channel {
        LinkChannel::Email => (Some(link.sent_to), None),
        LinkChannel::Sms => (None, Some(link.sent_to)),
        LinkChannel::Manual => (None, None),
    };
    let status = serde_json::to_value(link.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    GroupLinkView {
        id: link.id,
        name: link.recipient_name,
        email,
        phone,
        group_id: link.group_id,
        group_name: link.group_name,
        valid_from: link.valid_from.map(rfc3339),
        valid_until: link.valid_until.map(rfc3339),
        issued_by,
        secret: None,
        url: None,
        channel: link.channel.as_str().to_owned(),
        status,
        uses: link.uses,
        created_at: rfc3339(link.created_at),
        revoked_at: link.revoked_at.map(rfc3339),
    }
}

/// The body's names of the `LinkForm` fields.
const FIELDS: FieldNames = FieldNames::new("group_link", &[("recipient_name", "name")]);

/// Lists access links, newest first, without secrets.
#[utoipa::path(get, path = "/group_links", tag = "group_links",
    params(Paging,
        ("query" = Option<String>, Query, description = "Only links whose name, address, number or group contains this text."),
        ("sort" = Option<String>, Query, pattern = "^-created_at$", description = "`-created_at` (the only order: newest first)."),
    ),
    responses(ListOf::<GroupLinkView>, ListErrors))]
pub async fn list(caller: Caller, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    require_manager(&caller.user)?;
    let params = ListParams::parse(raw.as_deref(), &["-created_at"])?;
    let (links, total) = from_pages(&params, |page| access_links::list(caller.db(), &caller.user, &params.query, page)).await?;
    Ok(listing::answer::<_, GroupLinkView>(&params, links, total))
}

/// Creates an access link: emailed when `email` is given, else returned once.
#[utoipa::path(post, path = "/group_links", tag = "group_links", request_body = GroupLinkEnvelope,
    responses((status = 200, description = "The new link (with `secret` and `url` when not sent)", body = GroupLinkView),
        CreateErrors, (status = 503, description = "The message could not be sent", body = ErrorBody)))]
pub async fn create(caller: Caller, headers: HeaderMap, bytes: Bytes) -> Result<Json<GroupLinkView>, ApiError> {
    require_manager(&caller.user)?;
    let input = body::parse::<GroupLinkEnvelope>(&bytes, false)?.group_link;
    let valid = link_form(input)?.validate().map_err(|errors| FIELDS.refused(errors))?;
    let context = &caller.state.context;
    let base = base_url(context.public_url.as_deref(), context.cookie_secure, &headers)?;
    let created = access_links::create(&context.db, &context.messenger, &context.link_settings, &caller.user, valid, &base)
        .await
        .map_err(|e| FIELDS.service_error(e))?;
    Ok(Json(with_secret(created.link, created.url, &caller.user)))
}

/// The view of a link just created, with its secret if it was not sent.
fn with_secret(link: AccessLink, url: Option<String>, user: &SessionUser) -> GroupLinkView {
    let issued_by = IssuedBy { id: Some(user.id), name: user.name.clone(), email: Some(user.email.clone()) };
    let secret = url.as_deref().and_then(|u| u.rsplit('/').next()).map(str::to_owned);
    GroupLinkView { secret, url, ..view(link, issued_by) }
}

/// Revokes an access link at once.
#[utoipa::path(delete, path = "/group_links/{id}", tag = "group_links", params(ById),
    responses((status = 204, description = "Revoked"), OneErrors))]
pub async fn destroy(caller: Caller, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    no_content(access_links::revoke(caller.db(), &caller.user, id).await)
}

/// The dashboard's form, filled from the body; times become UTC wall time.
fn link_form(input: GroupLinkInput) -> Result<LinkForm, ApiError> {
    let channel = match (&input.email, &input.phone) {
        (Some(_), Some(_)) => return Err(ApiError::field("group_link.phone", "Give an email or a phone number, not both.")),
        (Some(_), None) => "email",
        (None, Some(_)) => "sms",
        (None, None) => "manual",
    };
    Ok(LinkForm {
        recipient_name: input.name,
        channel: channel.into(),
        email: input.email.unwrap_or_default(),
        phone: input.phone.unwrap_or_default(),
        group_id: input.group_id.to_string(),
        valid_from: utc_wall_time("group_link.valid_from", input.valid_from.as_deref())?,
        valid_until: utc_wall_time("group_link.valid_until", input.valid_until.as_deref())?,
        time_zone: "UTC".into(),
        ..Default::default()
    })
}

/// Where links point: the configured public URL, else this request's host.
pub fn base_url(public_url: Option<&str>, https: bool, headers: &HeaderMap) -> Result<String, ApiError> {
    if let Some(url) = public_url {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::field("Host", "The request has no Host header; set public_url in the configuration."))?;
    let forwarded_https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let scheme = if https || forwarded_https { "https" } else { "http" };
    Ok(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> GroupLinkInput {
        GroupLinkInput { name: "Vera".into(), group_id: 3, email: None, phone: None, valid_from: None, valid_until: None }
    }

    #[test]
    fn the_channel_follows_what_is_given() {
        assert_eq!(link_form(input()).unwrap().channel, "manual");
        assert_eq!(link_form(GroupLinkInput { email: Some("v@example.com".into()), ..input() }).unwrap().channel, "email");
        assert!(link_form(GroupLinkInput { email: Some("v@x.io".into()), phone: Some("+1".into()), ..input() }).is_err());
    }

    #[test]
    fn base_url_prefers_the_configuration() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "doors.local:3000".parse().unwrap());
        assert_eq!(base_url(Some("https://doors.example.com/"), false, &headers).unwrap(), "https://doors.example.com");
        assert_eq!(base_url(None, false, &headers).unwrap(), "http://doors.local:3000");
        assert!(base_url(None, false, &HeaderMap::new()).is_err());
    }
}
