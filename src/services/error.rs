//! The services' error: what went wrong in words a person can act on, with
//! internal causes kept for the log only.

use crate::field_error::{FieldError, FieldErrors};

pub type ServiceResult<T> = Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// One or more fields were refused; each carries its message.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Signed in, but this role may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Not signed in, or the session ended.
    #[error("not signed in")]
    Unauthenticated,
    /// Slow down: too many attempts.
    #[error("too many requests: {message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    /// A conflict a person can understand (e.g. the owner already exists).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A service Postern relies on (mail, text messages, a controller) did
    /// not answer; the sentence says what to do.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else: logged with its cause, shown as a generic sentence.
    #[error("internal error: {0}")]
    Internal(#[source] InternalError),
}

/// An internal failure: what went wrong, and the error that caused it, kept
/// as the source so the log prints the whole chain ([`InternalError::chain`]).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct InternalError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl InternalError {
    /// The message and each cause after it: "a: b: c".
    pub fn chain(&self) -> String {
        let mut text = self.message.clone();
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            text.push_str(": ");
            text.push_str(&error.to_string());
            cause = error.source();
        }
        text
    }
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid(FieldErrors(vec![FieldError::new(field, message)]))
    }

    /// An internal failure described by `message` alone.
    pub fn internal(message: impl Into<String>) -> ServiceError {
        ServiceError::Internal(InternalError { message: message.into(), source: None })
    }

    /// An internal failure while doing `what`, caused by `source`.
    pub fn internal_from(what: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
        ServiceError::Internal(InternalError { message: what.into(), source: Some(Box::new(source)) })
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        ServiceError::Invalid(errors)
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => ServiceError::NotFound("record"),
            other => ServiceError::internal_from("a database query failed", other),
        }
    }
}

/// Maps a constraint violation to a message beside a field.
///
/// `rules` pairs a constraint name (as named in the migrations) and the
/// `table.column` text SQLite reports, with the field and message to show.
pub struct ConstraintRule {
    pub constraint: &'static str,
    pub sqlite_columns: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// Turns unique/foreign-key violations into field errors; anything else stays internal.
pub fn map_constraint(error: sqlx::Error, rules: &[ConstraintRule]) -> ServiceError {
    if let sqlx::Error::Database(db_error) = &error {
        let constraint = db_error.constraint().unwrap_or_default();
        let message = db_error.message();
        for rule in rules {
            let sqlite_hit = !rule.sqlite_columns.is_empty()
                && message.contains("UNIQUE constraint failed")
                && message.contains(rule.sqlite_columns);
            if constraint == rule.constraint || sqlite_hit {
                return ServiceError::field(rule.field, rule.message);
            }
        }
        // SQLite reports ON DELETE RESTRICT as a trigger constraint (code 1811).
        if db_error.is_foreign_key_violation() || message.contains("FOREIGN KEY constraint failed") {
            return ServiceError::Conflict(
                "This is still in use elsewhere. Remove what depends on it first.".into(),
            );
        }
    }
    ServiceError::from(error)
}
