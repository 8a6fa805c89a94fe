//! Validation errors tied to form or API fields.

use serde::{Deserialize, Serialize};

/// A validation failure tied to one form/API field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name, as used in the form or API.
    pub field: String,
    /// A plain-English message for the user.
    pub message: String,
}

impl FieldError {
    /// Creates an error for `field` with a user-facing `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects errors of several fields so a form can show all of them at once.
#[derive(Default, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Runs a parse result; on Err pushes it (its field is set to `field`) and returns None.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.push(field, message);
                None
            }
        }
    }

    /// Adds an error for `field`.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// True when no error was collected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message of the first error for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_error_displays_field_and_message() {
        let e = FieldError::new("email", "Enter an email address.");
        assert_eq!(e.to_string(), "email: Enter an email address.");
    }

    #[test]
    fn check_passes_ok_values_through() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check("n", Ok::<_, String>(5)), Some(5));
        assert!(errors.is_empty());
        assert_eq!(errors.into_result(), Ok(()));
    }

    #[test]
    fn check_collects_errors_under_the_given_field() {
        let mut errors = FieldErrors::new();
        let r: Option<u8> = errors.check("name", Err("Enter a name.".to_string()));
        assert_eq!(r, None);
        errors.push("email", "Enter an email address.");
        errors.push("name", "Second message.");
        assert!(!errors.is_empty());
        assert_eq!(errors.get("name"), Some("Enter a name."));
        assert_eq!(errors.get("email"), Some("Enter an email address."));
        assert_eq!(errors.get("other"), None);
        let err = errors.clone().into_result().unwrap_err();
        assert_eq!(err, errors);
        assert_eq!(err.0.len(), 3);
    }
}
