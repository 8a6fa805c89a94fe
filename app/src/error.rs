//! `AppError`: the one error type of every server function. The person sees
//! a clear sentence; internal causes go to the log, never to the browser.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use postern::field_error::FieldErrors;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Fields were refused; each message is shown beside its field.
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error("{0} was not found. It may have been deleted.")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0}")]
    Conflict(String),
    /// A service this needs is down (e.g. the door's controller is offline).
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on our side. It has been logged; please try again.")]
    Internal,
    /// The request itself failed (network, bad arguments).
    #[error("The request failed: {0}")]
    Request(String),
}

impl AppError {
    /// The message for a field, if this error refused it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors.get(field).map(str::to_owned),
            _ => None,
        }
    }

    /// The message shown above a form (field errors are shown beside fields).
    pub fn banner(&self) -> Option<String> {
        match self {
            AppError::Invalid(errors) if errors.is_empty() => Some(self.to_string()),
            AppError::Invalid(_) => Some("Some fields need attention. See the messages below them.".into()),
            other => Some(other.to_string()),
        }
    }
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Invalid(_) | AppError::Request(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// One refused field, with its status set.
    #[cfg(feature = "ssr")]
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::from(FieldErrors(vec![postern::field_error::FieldError::new(field, message)]))
    }

    /// Sets this error's status on the current response (server side).
    /// Every error a server function returns passes through here.
    #[cfg(feature = "ssr")]
    pub fn with_status(self) -> Self {
        use leptos::prelude::use_context;
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
        }
        self
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = AppError::Request(value.to_string());
        // Bad arguments are the caller's mistake: 422, not 500.
        #[cfg(feature = "ssr")]
        let error = error.with_status();
        error
    }

}

#[cfg(feature = "ssr")]
impl From<postern::services::ServiceError> for AppError {
    fn from(error: postern::services::ServiceError) -> Self {
        use postern::services::ServiceError as S;
        let error = match error {
            S::Invalid(errors) => AppError::Invalid(errors),
            S::NotFound(what) => {
                let mut what = what.to_owned();
                if let Some(first) = what.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                AppError::NotFound(what)
            }
            S::Forbidden(message) => AppError::Forbidden(message),
            S::Unauthenticated => AppError::Unauthenticated,
            S::TooManyRequests { message, .. } => AppError::TooManyRequests(message),
            S::Conflict(message) => AppError::Conflict(message),
            S::Unavailable(message) => AppError::Unavailable(message),
            S::Internal(cause) => {
                tracing::error!(cause = %cause.chain(), "internal error in a server function");
                AppError::Internal
            }
        };
        error.with_status()
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        let error = AppError::Invalid(errors);
        #[cfg(feature = "ssr")]
        let error = error.with_status();
        error
    }
}
