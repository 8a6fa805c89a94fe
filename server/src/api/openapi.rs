//! The OpenAPI 3.1 document of the JSON API, served at `/api/openapi.json`.
//! Each handler carries its `#[utoipa::path]`; the tests check that the
//! document lists exactly the routes of [`super::routes`].

use super::error::{ErrorBody, Reason};
use super::{
    cards, events, floors, group_links, group_locks, groups, kisi_fields, lock_actions, lock_form, lock_view, locks, logins,
    organizations, places, role_assignments, users,
};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Postern API",
        description = "A Kisi-compatible JSON API. Authenticate with `Authorization: KISI-LOGIN <API key>` \
            (or `Bearer <API key>`); the key acts with its user's role. Lists take `limit` and `offset` and \
            answer a JSON array with an `X-Collection-Range: first-last/total` header. Errors are \
            `{\"code\", \"message\"}`; refused payloads (422) add `errors`, a map from each field's path to \
            its messages. Requests are limited per key and per IP (429 with `Retry-After`)."
    ),
    servers((url = "/api")),
    paths(
        serve,
        organizations::list,
        organizations::show,
        locks::list,
        lock_form::create,
        locks::show,
        lock_form::update,
        lock_form::destroy,
        lock_actions::unlock,
        lock_actions::lock_down,
        lock_actions::cancel_lockdown,
        group_links::list,
        group_links::create,
        group_links::destroy,
        group_locks::list,
        group_locks::create,
        group_locks::destroy,
        groups::list,
        groups::create,
        groups::show,
        groups::update,
        groups::destroy,
        users::list,
        users::create,
        users::show,
        users::update,
        users::destroy,
        role_assignments::list,
        role_assignments::create,
        role_assignments::update,
        role_assignments::destroy,
        cards::list,
        cards::create,
        cards::update,
        cards::destroy,
        events::list,
        logins::create,
        logins::list,
        logins::destroy,
        logins::sign_out,
        logins::me,
        places::list,
        places::create,
        places::show,
        places::update,
        places::destroy,
        floors::list,
        floors::create,
        floors::show,
        floors::update,
        floors::destroy,
    ),
    components(schemas(ErrorBody, Reason, lock_view::LockView, lock_view::PlaceView, groups::GroupView, users::UserView,
        cards::CardView, group_links::GroupLinkView, group_locks::GroupLockView, role_assignments::RoleAssignmentView,
        logins::LoginView, logins::LoginEnvelope, places::PlaceDetail, floors::FloorView)),
    modifiers(&Security, &OperationIds, &KisiVocabulary),
    tags(
        (name = "locks", description = "Doors"),
        (name = "group_links", description = "Access links"),
        (name = "groups", description = "Who may open which locks, when"),
        (name = "group_locks", description = "The locks each group opens"),
        (name = "role_assignments", description = "Group memberships, with their dates"),
        (name = "users", description = "People"),
        (name = "cards", description = "Cards and fobs"),
        (name = "events", description = "The event log"),
        (name = "organizations", description = "The organization"),
        (name = "logins", description = "Signing in through the API: logins are API keys made with a password"),
        (name = "places", description = "Sites"),
        (name = "floors", description = "The floors of a place"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Adds the two ways to present a key, and asks for one on every operation
/// (but this document's, which says `security: [{}]`).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let either = ["kisi_login", "bearer"].map(|scheme| SecurityRequirement::new(scheme, Vec::<String>::new()));
        openapi.security = Some(either.to_vec());
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "kisi_login",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`KISI-LOGIN <API key>`",
            ))),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// Adds Kisi's request fields and what Postern does with each
/// ([`kisi_fields::TABLE`]) to the document's description.
struct KisiVocabulary;

impl Modify for KisiVocabulary {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let intro = "\n\n## Kisi's fields\n\nEvery request field Kisi documents for these resources is accepted: \
            *mapped* onto Postern's meaning, *stored* as given, *ignored when empty* (a feature Postern lacks: \
            `null`, or the empty value of the field's kind, `false`, `0`, `\"\"` or `[]`, is accepted; any other value is a 422 saying it is \
            \"not supported by Postern\"), *ignored when true* (Postern always behaves as `true` asks) or \
            *refused*. Names in neither vocabulary are a 422 naming the field.\n\n";
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str(intro);
        description.push_str(&kisi_fields::markdown());
    }
}

/// Makes each operation id unique, as OpenAPI asks: the handler's name and
/// its tag (`list_groups`, `create_role_assignments`), since every resource's
/// file names its handlers alike.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let tag = operation.tags.as_ref().and_then(|tags| tags.first()).cloned().unwrap_or_default();
                if let Some(id) = operation.operation_id.as_mut() {
                    if !tag.is_empty() && !id.ends_with(&tag) {
                        *id = format!("{id}_{tag}");
                    }
                }
            }
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"),
        (status = 429, description = "Too many requests from this IP", body = ErrorBody)))]
pub async fn serve() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(error) => {
            tracing::error!(%error, "the OpenAPI document did not serialise");
            super::ApiError::Internal.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// (METHOD, path) of every operation in the document.
    pub fn documented() -> BTreeSet<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(&ApiDoc::openapi().to_json().unwrap()).unwrap();
        let mut out = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
        out
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc: serde_json::Value = serde_json::from_str(&ApiDoc::openapi().to_json().unwrap()).unwrap();
        let ids: Vec<&str> =
            doc["paths"].as_object().unwrap().values().flat_map(|item| item.as_object().unwrap().values()).map(|op| op["operationId"].as_str().unwrap()).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(unique.contains("list_groups") && unique.contains("create_role_assignments"), "{unique:?}");
    }

    #[test]
    fn the_document_lists_exactly_the_routes_served() {
        let served: BTreeSet<(String, String)> =
            super::super::routes().iter().map(|r| (r.method.to_string(), r.path.to_owned())).collect();
        assert_eq!(documented(), served);
    }
}
