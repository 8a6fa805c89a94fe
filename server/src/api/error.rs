//! The API's errors, as JSON in the shape Kisi's clients read: a `code` and
//! a `message` (Kisi: "some endpoints return an error code and a message"),
//! `error` with the same sentence, and for refused payloads `errors`, a map
//! from each field to its messages (Kisi answers 422 for "a missing or
//! invalid attribute"). Denied unlocks add every blocking `reasons` entry.
//! Internal causes go to the log only.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::field_error::FieldErrors;
use postern::services::ServiceError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Why an API request failed.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no key, a malformed header, or an unknown or revoked key.
    Unauthenticated(&'static str),
    /// 403: the key's user may not do this.
    Forbidden(String),
    /// 403: the access decision refused the unlock; every reason.
    Denied(Vec<Reason>),
    /// 404: no such thing (or not visible to this key).
    NotFound(String),
    /// 409: e.g. the door has no assigned controller.
    Conflict { code: &'static str, message: String },
    /// 422: fields refused, by path (`lock.name`), each with its messages.
    Invalid(BTreeMap<String, Vec<String>>),
    /// 429: slow down; retry after this many seconds.
    TooManyRequests { retry_after_secs: u64 },
    /// 503: a service Postern relies on did not answer.
    Unavailable { code: &'static str, message: String },
    /// 500: logged; the client sees a generic sentence.
    Internal,
}

/// One reason an unlock was denied.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reason {
    /// Stable identifier, e.g. `not_in_group`, `outside_geofence`.
    pub code: String,
    /// The reason in plain words.
    pub message: String,
}

/// Every error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable identifier of the error, e.g. `not_found`, `access_denied`.
    pub code: String,
    /// What went wrong, in a sentence.
    pub message: String,
    /// The same sentence (Kisi's clients read `error`, else `errors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// 422 only: each refused field (its JSON path) and its messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// Denied unlocks only: every reason that blocks it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<Reason>>,
}

impl ApiError {
    /// One refused field.
    pub fn field(path: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(BTreeMap::from([(path.to_owned(), vec![message.into()])]))
    }

    /// Field errors of a form, each field renamed by `path` (e.g. to `lock.name`).
    pub fn fields(errors: FieldErrors, path: impl Fn(&str) -> String) -> ApiError {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in errors.0 {
            map.entry(path(&e.field)).or_default().push(e.message);
        }
        if map.is_empty() {
            map.insert("body".into(), vec!["The request was refused.".into()]);
        }
        ApiError::Invalid(map)
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Denied(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ErrorBody {
        let plain = |code: &str, message: String| ErrorBody {
            code: code.to_owned(),
            error: Some(message.clone()),
            message,
            errors: None,
            reasons: None,
        };
        match self {
            ApiError::Unauthenticated(message) => plain("unauthenticated", message.to_owned()),
            ApiError::Forbidden(message) => plain("forbidden", message),
            ApiError::Denied(reasons) => ErrorBody {
                reasons: Some(reasons),
                ..plain("access_denied", "Access denied.".into())
            },
            ApiError::NotFound(message) => plain("not_found", message),
            ApiError::Conflict { code, message } => plain(code, message),
            ApiError::Invalid(errors) => ErrorBody {
                code: "invalid".into(),
                message: summary(&errors),
                error: None,
                errors: Some(errors),
                reasons: None,
            },
            ApiError::TooManyRequests { retry_after_secs } => plain(
                "rate_limited",
                format!("Too many requests. Retry after {retry_after_secs} second{}.", if retry_after_secs == 1 { "" } else { "s" }),
            ),
            ApiError::Unavailable { code, message } => plain(code, message),
            ApiError::Internal => plain("internal", "Something went wrong on our side. It has been logged; please try again.".into()),
        }
    }
}

/// "name: Enter a name." for one field; a count for several.
fn summary(errors: &BTreeMap<String, Vec<String>>) -> String {
    match errors.iter().next() {
        Some((field, messages)) if errors.len() == 1 => {
            format!("{field}: {}", messages.first().map(String::as_str).unwrap_or("is invalid."))
        }
        _ => format!("{} fields were refused; see errors.", errors.len()),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let unauthenticated = matches!(self, ApiError::Unauthenticated(_));
        let mut response = (status, Json(self.body())).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("KISI-LOGIN, Bearer"));
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(errors) => ApiError::fields(errors, str::to_owned),
            ServiceError::NotFound(what) => ApiError::NotFound(not_found_sentence(what)),
            ServiceError::Forbidden(message) => ApiError::Forbidden(message),
            ServiceError::Unauthenticated => ApiError::Unauthenticated("The API key is not valid."),
            ServiceError::TooManyRequests { retry_after_secs, .. } => ApiError::TooManyRequests { retry_after_secs },
            ServiceError::Conflict(message) => ApiError::Conflict { code: "conflict", message },
            ServiceError::Unavailable(message) => ApiError::Unavailable { code: "unavailable", message },
            ServiceError::Internal(cause) => {
                tracing::error!(cause = %cause.chain(), "internal error in the JSON API");
                ApiError::Internal
            }
        }
    }
}

/// "Lock not found." from the services' "door".
pub fn not_found_sentence(what: &str) -> String {
    let what = if what == "door" { "lock" } else { what };
    let mut sentence = format!("{what} not found.");
    if let Some(first) = sentence.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    sentence
}

/// The answer for a path the API does not serve.
pub async fn no_such_endpoint() -> ApiError {
    ApiError::NotFound("No such endpoint. See /api/openapi.json for the ones Postern serves.".into())
}

/// The answer for a known path with a method it does not take.
pub async fn method_not_allowed() -> Response {
    let body = ErrorBody {
        code: "method_not_allowed".into(),
        message: "This endpoint does not take this method. See /api/openapi.json.".into(),
        error: Some("This endpoint does not take this method. See /api/openapi.json.".into()),
        errors: None,
        reasons: None,
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_every_message_under_its_path() {
        let mut errors = FieldErrors::new();
        errors.push("name", "Enter a name.");
        errors.push("relay", "Pick a relay.");
        let ApiError::Invalid(map) = ApiError::fields(errors, |f| format!("lock.{f}")) else { panic!() };
        assert_eq!(map["lock.name"], ["Enter a name."]);
        assert_eq!(map["lock.relay"], ["Pick a relay."]);
    }

    #[test]
    fn not_found_speaks_of_locks() {
        assert_eq!(not_found_sentence("door"), "Lock not found.");
        assert_eq!(not_found_sentence("access link"), "Access link not found.");
    }
}
