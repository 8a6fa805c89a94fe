//! The Kisi-compatible JSON API, mounted under `/api`: an integration
//! written for `https://api.kisi.io/locks` works against
//! `http://<host>/api/locks` with a Postern API key.
//!
//! Every handler authenticates with [`auth::Caller`] (the key acts with its
//! user's role) and calls `postern::services`, the same code the dashboard
//! uses; bodies that fill a dashboard form go through [`forms`], lists
//! through [`list_params`] and [`listing`], query parameters the route does
//! not document are refused by [`query_names`], and the OpenAPI attributes share
//! [`docs`]. Kisi's request fields, and what Postern does with each, are one
//! table ([`kisi_fields`]) that screens bodies and is rendered into the docs. Errors are JSON in Kisi's shape ([`error::ApiError`]); bad input is
//! always a 4xx. Requests are rate-limited per IP and per key
//! ([`rate_limit`]). [`routes`] is the one list the router is built from and
//! the OpenAPI document ([`openapi`]) is checked against.

mod auth;
mod body;
mod cards;
mod docs;
mod error;
mod events;
mod floors;
mod forms;
mod group_links;
mod group_locks;
mod groups;
mod kisi_fields;
mod list_params;
mod listing;
mod lock_actions;
mod lock_form;
mod lock_list_cache;
mod lock_view;
mod logins;
mod locks;
pub mod openapi;
mod organizations;
mod path_id;
mod places;
mod query_names;
pub mod rate_limit;
mod role_assignments;
mod times;
mod users;

use app::server_context::AppContext;
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;
use http::Method;
use rate_limit::{RateLimiter, RateLimits};
use std::sync::Arc;

pub use error::ApiError;

/// `204 No Content` once `result` is `Ok`: the answer of changes and deletions.
fn no_content<E: Into<ApiError>>(result: Result<(), E>) -> Result<http::StatusCode, ApiError> {
    result.map(|()| http::StatusCode::NO_CONTENT).map_err(Into::into)
}

/// What every API handler can reach.
#[derive(Clone)]
pub struct ApiState {
    /// The services shared with the dashboard.
    pub context: AppContext,
    limiter: Arc<RateLimiter>,
    /// Managers' lock list pages, answered again while unchanged.
    lock_lists: Arc<lock_list_cache::LockListCache>,
}

/// One route the API serves: method, path (relative to `/api`, written as
/// in the OpenAPI document) and handler.
pub struct Route {
    /// The HTTP method.
    pub method: Method,
    /// The path below `/api`, e.g. `/locks/{id}`.
    pub path: &'static str,
    handler: MethodRouter<ApiState>,
}

fn route(method: Method, path: &'static str, handler: MethodRouter<ApiState>) -> Route {
    Route { method, path, handler }
}

/// Every route of the API, in one list: the router is built from it and the
/// tests check the OpenAPI document against it.
pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/openapi.json", get(openapi::serve)),
        route(Method::GET, "/organizations", get(organizations::list)),
        route(Method::GET, "/organizations/{id}", get(organizations::show)),
        route(Method::GET, "/locks", get(locks::list)),
        route(Method::POST, "/locks", post(lock_form::create)),
        route(Method::GET, "/locks/{id}", get(locks::show)),
        route(Method::PATCH, "/locks/{id}", patch(lock_form::update)),
        route(Method::DELETE, "/locks/{id}", delete(lock_form::destroy)),
        route(Method::POST, "/locks/{id}/unlock", post(lock_actions::unlock)),
        route(Method::POST, "/locks/{id}/lock_down", post(lock_actions::lock_down)),
        route(Method::POST, "/locks/{id}/cancel_lockdown", post(lock_actions::cancel_lockdown)),
        route(Method::GET, "/group_links", get(group_links::list)),
        route(Method::POST, "/group_links", post(group_links::create)),
        route(Method::DELETE, "/group_links/{id}", delete(group_links::destroy)),
        route(Method::GET, "/group_locks", get(group_locks::list)),
        route(Method::POST, "/group_locks", post(group_locks::create)),
        route(Method::DELETE, "/group_locks/{id}", delete(group_locks::destroy)),
        route(Method::GET, "/groups", get(groups::list)),
        route(Method::POST, "/groups", post(groups::create)),
        route(Method::GET, "/groups/{id}", get(groups::show)),
        route(Method::PATCH, "/groups/{id}", patch(groups::update)),
        route(Method::DELETE, "/groups/{id}", delete(groups::destroy)),
        route(Method::GET, "/users", get(users::list)),
        route(Method::POST, "/users", post(users::create)),
        route(Method::GET, "/users/{id}", get(users::show)),
        route(Method::PATCH, "/users/{id}", patch(users::update)),
        route(Method::DELETE, "/users/{id}", delete(users::destroy)),
        route(Method::GET, "/role_assignments", get(role_assignments::list)),
        route(Method::POST, "/role_assignments", post(role_assignments::create)),
        route(Method::PATCH, "/role_assignments/{id}", patch(role_assignments::update)),
        route(Method::DELETE, "/role_assignments/{id}", delete(role_assignments::destroy)),
        route(Method::GET, "/cards", get(cards::list)),
        route(Method::POST, "/cards", post(cards::create)),
        route(Method::PATCH, "/cards/{id}", patch(cards::update)),
        route(Method::DELETE, "/cards/{id}", delete(cards::destroy)),
        route(Method::GET, "/events", get(events::list)),
        route(Method::POST, "/logins", post(logins::create)),
        route(Method::GET, "/logins", get(logins::list)),
        route(Method::DELETE, "/logins/{id}", delete(logins::destroy)),
        route(Method::DELETE, "/login", delete(logins::sign_out)),
        route(Method::GET, "/user", get(logins::me)),
        route(Method::GET, "/places", get(places::list)),
        route(Method::POST, "/places", post(places::create)),
        route(Method::GET, "/places/{id}", get(places::show)),
        route(Method::PATCH, "/places/{id}", patch(places::update)),
        route(Method::DELETE, "/places/{id}", delete(places::destroy)),
        route(Method::GET, "/floors", get(floors::list)),
        route(Method::POST, "/floors", post(floors::create)),
        route(Method::GET, "/floors/{id}", get(floors::show)),
        route(Method::PATCH, "/floors/{id}", patch(floors::update)),
        route(Method::DELETE, "/floors/{id}", delete(floors::destroy)),
    ]
}

/// The API's router, to be nested under `/api`, with the configured rate
/// limits (`Config::api_limits`).
pub fn router<S: Clone + Send + Sync + 'static>(context: AppContext, limits: RateLimits) -> Result<Router<S>, String> {
    let state = ApiState { context, limiter: Arc::new(RateLimiter::new(limits)), lock_lists: Arc::default() };
    let documented = query_names::from_document();
    let mut router = Router::new();
    for Route { method, path, handler } in routes() {
        let names = Arc::new(documented(&method, path));
        router = router.route(path, handler.route_layer(axum::middleware::from_fn_with_state(names, query_names::refuse_unknown)));
    }
    Ok(router
        .fallback(error::no_such_endpoint)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), rate_limit::per_ip))
        .with_state(state))
}
