//! Request bodies: JSON read by the handler itself, so every malformed
//! document, wrong type, unknown field or missing field is a 422 naming the
//! field's path (e.g. `context.location.latitude`), never a 5xx. The
//! `Content-Type` is not required (curl's `--data` sends a form type).

use super::ApiError;
use axum::body::Bytes;
use serde::de::DeserializeOwned;

/// Reads `bytes` as a `T`. An empty body (or `null`) reads as `{}` when `empty_ok`.
pub fn parse<T: DeserializeOwned>(bytes: &Bytes, empty_ok: bool) -> Result<T, ApiError> {
    let blank = bytes.iter().all(u8::is_ascii_whitespace) || (empty_ok && bytes.trim_ascii() == b"null");
    let text: &[u8] = if blank && empty_ok { b"{}" } else { bytes };
    if blank && !empty_ok {
        return Err(ApiError::field("body", "Send a JSON object as the request body."));
    }
    // serde would also read an object from an array of its fields in order;
    // no request of this API takes an array, so any array is refused.
    if let Ok(document) = serde_json::from_slice::<serde_json::Value>(text) {
        if let Some(path) = first_array(&document, "") {
            return Err(ApiError::field(&field_path(&path), "Send a JSON object here, not an array."));
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = field_path(&error.path().to_string());
        ApiError::field(&path, plain(&error.into_inner()))
    })?;
    deserializer
        .end()
        .map_err(|error| ApiError::field("body", format!("The body has text after the JSON document ({error}).")))?;
    Ok(value)
}

/// The path of the first array in `value`, if any.
fn first_array(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::Array(_) => Some(path.to_owned()),
        serde_json::Value::Object(map) => {
            map.iter().find_map(|(key, inner)| first_array(inner, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") }))
        }
        _ => None,
    }
}

/// The path as `lock.name`: serde_path_to_error's unknown segments (`?`)
/// dropped, the whole body called `body`.
fn field_path(path: &str) -> String {
    let known: Vec<&str> = path.split('.').filter(|s| !s.is_empty() && *s != "?").collect();
    if known.is_empty() {
        "body".to_owned()
    } else {
        known.join(".")
    }
}

/// serde_json's message, with a hint for the commonest mistake.
fn plain(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof => format!("The body is not valid JSON ({error})."),
        Category::Data | Category::Io => format!("{error}."),
    }
}

/// A field that may be absent (`None`) but not `null`:
/// `#[serde(default, deserialize_with = "body::not_null")]` on an `Option<T>`.
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A field that may be absent (keep the current value), `null` (clear it) or
/// set: `#[serde(default, deserialize_with = "body::nullable")]` on an
/// `Option<Option<T>>`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default)]
        lock: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[allow(dead_code)]
        latitude: f64,
        #[serde(default, deserialize_with = "nullable")]
        note: Option<Option<String>>,
    }

    fn error_paths(text: &str) -> Vec<String> {
        match parse::<Outer>(&Bytes::from(text.to_owned()), true) {
            Err(ApiError::Invalid(map)) => map.into_keys().collect(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn every_mistake_names_its_place() {
        assert_eq!(error_paths("{"), ["body"]);
        assert_eq!(error_paths("[]"), ["body"]);
        assert_eq!(error_paths(r#"{"lock": [1, null]}"#), ["lock"]);
        assert_eq!(error_paths(r#"{"lock": {"latitude": "north"}}"#), ["lock.latitude"]);
        assert_eq!(error_paths(r#"{"lock": {"latitude": 1, "colour": 2}}"#), ["lock.colour"]);
        assert_eq!(error_paths(r#"{"lock": {}}"#), ["lock"]);
        assert_eq!(error_paths(r#"{} {}"#), ["body"]);
    }

    #[test]
    fn empty_bodies_and_nulls() {
        assert!(parse::<Outer>(&Bytes::new(), true).unwrap().lock.is_none());
        assert!(parse::<Outer>(&Bytes::new(), false).is_err());
        let absent = parse::<Outer>(&Bytes::from(r#"{"lock": {"latitude": 1}}"#), false).unwrap();
        assert_eq!(absent.lock.unwrap().note, None);
        let null = parse::<Outer>(&Bytes::from(r#"{"lock": {"latitude": 1, "note": null}}"#), false).unwrap();
        assert_eq!(null.lock.unwrap().note, Some(None));
    }
}
