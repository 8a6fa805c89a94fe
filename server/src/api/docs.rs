//! What the handlers' `#[utoipa::path]` attributes share: the sets of error
//! answers each kind of endpoint documents, a list's 200 answer with its
//! `X-Collection-Range` header, and the list query parameters. Every
//! operation but `/openapi.json` needs a key; [`super::openapi`] says so once
//! for the whole document.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ArrayBuilder, Ref, Type};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, RefOr};
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// Responses for these statuses, each with an [`ErrorBody`](super::error::ErrorBody).
pub fn errors(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses.iter().map(|&status| (status.to_string(), error(status).into())).collect()
}

fn error(status: u16) -> Response {
    let description = match status {
        401 => "No API key, or one that is unknown or revoked",
        403 => "The key's user may not do this",
        404 => "No such thing (or not visible to this key)",
        409 => "It conflicts with the current state",
        422 => "A field or parameter was refused; `errors` names each",
        429 => "Too many requests; retry after `Retry-After` seconds",
        503 => "A service Postern relies on did not answer",
        _ => "An error",
    };
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let mut response = ResponseBuilder::new().description(description).content("application/json", content);
    if status == 429 {
        let seconds = HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::Integer)).description(Some("Seconds to wait"));
        response = response.header("Retry-After", seconds.build());
    }
    response.build()
}

/// A unit type documenting the error answers of one kind of endpoint.
macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident: $($status:literal),+) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                errors(&[$($status),+])
            }
        }
    };
}

error_set!(
    /// A list for managers: 401, 403, 422 (a parameter), 429.
    ListErrors: 401, 403, 422, 429
);
error_set!(
    /// Reading what members may read too (locks): 401, 404, 422 (a parameter), 429.
    ReadErrors: 401, 404, 422, 429
);
error_set!(
    /// Reading or deleting one thing: 401, 403, 404, 429.
    OneErrors: 401, 403, 404, 429
);
error_set!(
    /// Creating from a body: 401, 403, 422, 429.
    CreateErrors: 401, 403, 422, 429
);
error_set!(
    /// Changing one thing from a body: 401, 403, 404, 422, 429.
    EditErrors: 401, 403, 404, 422, 429
);

/// The 200 answer of a list: a JSON array of `V` with `X-Collection-Range`.
/// (Its item schema is registered in the document's components.)
pub struct ListOf<V>(PhantomData<V>);

impl<V: ToSchema> IntoResponses for ListOf<V> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let array = ArrayBuilder::new().items(Ref::from_schema_name(V::name()));
        let range = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("`first-last/total` (indexes from 0), or `*/total` when the page is empty"));
        let response = ResponseBuilder::new()
            .description("One page of the list")
            .content("application/json", ContentBuilder::new().schema(Some(array)).build())
            .header("X-Collection-Range", range.build())
            .build();
        BTreeMap::from([("200".to_owned(), response.into())])
    }
}

/// `limit` and `offset`, as Kisi's lists take them (documentation only:
/// [`ListParams`](super::list_params::ListParams) reads the query).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Paging {
    /// Items per page, 1 to 100 (default 10).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 1000000)]
    offset: Option<u32>,
}

/// `ids` and `sort=name`, for the lists of named things (documentation only).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct IdsByName {
    /// Only these (at most 100): `ids=1,2`, or `ids[]=1&ids[]=2`.
    #[param(pattern = r"^([1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99})?$")]
    ids: Option<String>,
    /// `name` (the only order).
    #[param(pattern = "^name$")]
    sort: Option<String>,
}

/// The `{id}` of a path (documentation only: [`PathId`](super::path_id::PathId) reads it).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ById {
    /// The id of the thing.
    #[param(minimum = 1)]
    id: i64,
}
