//! Refuses query parameters an endpoint does not take. Each route accepts
//! exactly the query parameters its OpenAPI operation documents (`ids[]` is
//! read as `ids`), so a misspelt filter (`plce_id=2`) is a 422 naming it
//! instead of a silently unfiltered list, and the document cannot drift
//! from what the API reads.

use super::openapi::ApiDoc;
use super::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::Method;
use std::collections::BTreeSet;
use std::sync::Arc;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::OpenApi;

/// The query parameters one operation takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryNames(BTreeSet<String>);

impl QueryNames {
    /// What the document lists for `method path` (a path below `/api`).
    pub fn documented(doc: &utoipa::openapi::OpenApi, method: &Method, path: &str) -> QueryNames {
        let Some(item) = doc.paths.paths.get(path) else { return QueryNames::default() };
        let operation: Option<&Operation> = match *method {
            Method::GET => item.get.as_ref(),
            Method::POST => item.post.as_ref(),
            Method::PATCH => item.patch.as_ref(),
            Method::PUT => item.put.as_ref(),
            Method::DELETE => item.delete.as_ref(),
            _ => None,
        };
        let shared = item.parameters.iter().flatten();
        let own = operation.and_then(|op| op.parameters.as_ref()).into_iter().flatten();
        let names = shared.chain(own).filter(|p| p.parameter_in == ParameterIn::Query).map(|p| p.name.clone()).collect();
        QueryNames(names)
    }

    /// `Ok` when every parameter of `raw` is one of these; else a 422 that
    /// names the first stranger and lists what the endpoint takes.
    pub fn check(&self, raw: Option<&str>) -> Result<(), ApiError> {
        for (key, _) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let name = key.strip_suffix("[]").unwrap_or(&key);
            if self.0.contains(name) {
                continue;
            }
            let takes = if self.0.is_empty() {
                "This endpoint takes no query parameters.".to_owned()
            } else {
                format!("This endpoint takes: {}.", self.0.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
            };
            return Err(if name.is_empty() {
                ApiError::field("query", format!("A query parameter has no name. {takes}"))
            } else {
                ApiError::field(name, format!("Unknown query parameter \u{201c}{name}\u{201d}. {takes}"))
            });
        }
        Ok(())
    }
}

/// The documented query parameters of every operation, read once.
pub fn from_document() -> impl Fn(&Method, &str) -> QueryNames {
    let doc = ApiDoc::openapi();
    move |method, path| QueryNames::documented(&doc, method, path)
}

/// Middleware: answers 422 before the handler runs when the request's query
/// has a parameter its route does not take.
pub async fn refuse_unknown(State(names): State<Arc<QueryNames>>, request: Request, next: Next) -> Response {
    match names.check(request.uri().query()) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_of(method: Method, path: &str) -> QueryNames {
        from_document()(&method, path)
    }

    fn refused_field(names: &QueryNames, raw: &str) -> String {
        match names.check(Some(raw)) {
            Err(ApiError::Invalid(map)) => map.into_keys().next().unwrap(),
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn lists_take_what_they_document() {
        let locks = names_of(Method::GET, "/locks");
        for known in ["limit", "offset", "query", "place_id", "ids", "sort"] {
            assert!(locks.0.contains(known), "{known} in {locks:?}");
        }
        assert!(locks.check(Some("limit=5&ids[]=1&ids[]=2&place_id=1")).is_ok());
        assert!(locks.check(None).is_ok());
        assert_eq!(refused_field(&locks, "limit=5&plce_id=2"), "plce_id");
        assert_eq!(refused_field(&locks, "ids=9&=0"), "query");
    }

    #[test]
    fn endpoints_without_query_parameters_refuse_any() {
        let show = names_of(Method::GET, "/locks/{id}");
        assert!(show.0.is_empty(), "{show:?}");
        assert!(show.check(Some("")).is_ok());
        assert_eq!(refused_field(&show, "x=1"), "x");
        let Err(ApiError::Invalid(map)) = show.check(Some("x=1")) else { panic!() };
        assert_eq!(map["x"], ["Unknown query parameter \u{201c}x\u{201d}. This endpoint takes no query parameters."]);
    }

    #[test]
    fn the_event_log_takes_its_filters() {
        let events = names_of(Method::GET, "/events");
        assert!(events.check(Some("lock_id=1&result=granted&since=2026-01-01T00:00:00Z")).is_ok());
        assert_eq!(refused_field(&events, "door_id=1"), "door_id");
    }
}
