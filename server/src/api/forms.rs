//! Bodies that fill the dashboard's forms: `{"group": {...}}` is read,
//! written over a `GroupForm` (empty on create, the current values on
//! update) and validated by the form itself, so the API refuses exactly what
//! the dashboard refuses. Every message lands under the body's path of its
//! field (`group.time_restriction_enabled`), from the form and from the
//! service alike.

use super::{body, ApiError};
use axum::body::Bytes;
use postern::field_error::FieldErrors;
use postern::services::ServiceError;
use serde::de::DeserializeOwned;

/// Kisi's names of the restriction settings, in every body: the dashboard's
/// forms call them otherwise.
const KISI_NAMES: &[(&str, &str)] = &[
    ("geofence_enabled", "geofence_restriction_enabled"),
    ("geofence_radius_m", "geofence_restriction_radius"),
    ("reader_restriction", "reader_restriction_enabled"),
    ("time_restriction", "time_restriction_enabled"),
    ("primary_device_required", "primary_device_restriction_enabled"),
];

/// How a form's field names read as paths in an API body.
#[derive(Clone, Copy, Debug)]
pub struct FieldNames {
    /// The body's wrapper, e.g. `group`.
    object: &'static str,
    /// (form field, API field) where the names differ beyond [`KISI_NAMES`].
    renames: &'static [(&'static str, &'static str)],
}

impl FieldNames {
    /// Fields under `object`, renamed where listed and to Kisi's names.
    pub const fn new(object: &'static str, renames: &'static [(&'static str, &'static str)]) -> FieldNames {
        FieldNames { object, renames }
    }

    /// The body's path of a form field, e.g. `lock.geofence_restriction_radius`.
    pub fn path(&self, field: &str) -> String {
        let renamed = self.renames.iter().chain(KISI_NAMES).find(|(form, _)| *form == field);
        let name = renamed.map_or(field, |(_, api)| api);
        format!("{}.{name}", self.object)
    }

    /// A form's refusals under the body's paths.
    pub fn refused(&self, errors: FieldErrors) -> ApiError {
        ApiError::fields(errors, |field| self.path(field))
    }

    /// A service's error, its field refusals under the body's paths.
    pub fn service_error(&self, error: ServiceError) -> ApiError {
        match error {
            ServiceError::Invalid(errors) => self.refused(errors),
            other => other.into(),
        }
    }
}

/// A body (the envelope, e.g. `{"group": {...}}`) that fills a dashboard form.
pub trait FormBody: DeserializeOwned {
    /// The dashboard's form.
    type Form;
    /// What the form validates into.
    type Valid;
    /// The body's names of the form's fields.
    const FIELDS: FieldNames;

    /// The form's own validation.
    const VALIDATE: Validate<Self::Form, Self::Valid>;

    /// Writes the fields the body gives over `form`.
    fn apply(self, form: &mut Self::Form) -> Result<(), ApiError>;
}

/// A form's validation: the form's own `validate` method.
pub type Validate<Form, Valid> = fn(&Form) -> Result<Valid, FieldErrors>;

/// Reads a `B` from `bytes`, writes it over `form` and validates the result.
pub fn filled<B: FormBody>(bytes: &Bytes, mut form: B::Form) -> Result<B::Valid, ApiError> {
    body::parse::<B>(bytes, false)?.apply(&mut form)?;
    (B::VALIDATE)(&form).map_err(|errors| B::FIELDS.refused(errors))
}

/// Writes `value` over `target` when it is given.
pub fn set(target: &mut String, value: Option<String>) {
    if let Some(value) = value {
        *target = value;
    }
}

/// A nullable value as form text: `null` is blank.
pub fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes each given flag over its checkbox (`"on"` or unticked).
pub fn set_flags<const N: usize>(flags: [(&mut Option<String>, Option<bool>); N]) {
    for (target, value) in flags {
        if let Some(on) = value {
            *target = on.then(|| "on".to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: FieldNames = FieldNames::new("lock", &[("relay", "relay_number")]);

    #[test]
    fn renamed_and_plain_fields() {
        assert_eq!(NAMES.path("geofence_radius_m"), "lock.geofence_restriction_radius");
        assert_eq!(NAMES.path("relay"), "lock.relay_number");
        assert_eq!(NAMES.path("name"), "lock.name");
        let mut errors = FieldErrors::new();
        errors.push("geofence_radius_m", "Too small.");
        let ApiError::Invalid(map) = NAMES.service_error(ServiceError::Invalid(errors)) else { panic!() };
        assert_eq!(map["lock.geofence_restriction_radius"], ["Too small."]);
        assert!(matches!(NAMES.service_error(ServiceError::NotFound("door")), ApiError::NotFound(_)));
    }

    #[test]
    fn only_given_values_and_flags_change() {
        let (mut name, mut flag, mut other) = ("Front".to_owned(), None, Some("on".to_owned()));
        set(&mut name, None);
        set_flags([(&mut flag, Some(true)), (&mut other, None)]);
        assert_eq!((name.as_str(), flag.as_deref(), other.as_deref()), ("Front", Some("on"), Some("on")));
        set_flags([(&mut flag, Some(false))]);
        assert_eq!((flag, text(None::<u8>), text(Some(2))), (None, String::new(), "2".to_owned()));
    }
}
