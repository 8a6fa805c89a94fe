//! Answering a list request: the window `offset..offset + limit` read from
//! the services' pages (or, with `ids`, just those things), sent as a JSON
//! array with Kisi's `X-Collection-Range` header (`0-9/42`: first and last
//! index shown, of how many), which Kisi's client reads to paginate.

use super::list_params::ListParams;
use super::ApiError;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postern::model::Listing;
use postern::services::{ServiceError, ServiceResult};
use postern::types::Page;
use serde::Serialize;
use std::future::Future;

/// Kisi's pagination header.
pub static COLLECTION_RANGE: HeaderName = HeaderName::from_static("x-collection-range");

/// The answer to a list request: `items` as `V`s, with the range header.
pub fn answer<T, V: Serialize + From<T>>(params: &ListParams, items: Vec<T>, total: i64) -> Response {
    let range = collection_range(params.offset, items.len(), total);
    ([range], Json(items.into_iter().map(V::from).collect::<Vec<V>>())).into_response()
}

/// The window `offset..offset + limit` of a list the services read a page
/// at a time, and the list's length. `offset` need not be a multiple of
/// `limit`, so the window may span two pages.
pub async fn from_pages<T, F, Fut>(params: &ListParams, fetch: F) -> Result<(Vec<T>, i64), ApiError>
where
    F: Fn(Page) -> Fut,
    Fut: Future<Output = ServiceResult<Listing<T>>>,
{
    let size = params.limit.max(1);
    let number = params.offset / size + 1;
    let skip = usize::try_from(params.offset % size).unwrap_or(0);
    let take = usize::try_from(size).unwrap_or(usize::MAX);
    let first = fetch(Page { number, size }).await?;
    let total = first.total;
    let mut items = first.items;
    if skip > 0 && items.len() == take {
        items.extend(fetch(Page { number: number + 1, size }).await?.items);
    }
    Ok((items.into_iter().skip(skip).take(take).collect(), total))
}

/// The things with these ids that exist (unknown ids are skipped).
pub async fn by_ids<T, F, Fut>(ids: &[i64], get: F) -> Result<Vec<T>, ApiError>
where
    F: Fn(i64) -> Fut,
    Fut: Future<Output = ServiceResult<T>>,
{
    let mut found = Vec::with_capacity(ids.len());
    for &id in ids {
        match get(id).await {
            Ok(item) => found.push(item),
            Err(ServiceError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(found)
}

/// What a named thing is listed and found by: its name (the order), one
/// other text `query` looks in too (a description, an email), and its id
/// (the tie-breaker).
pub type NameKey<T> = fn(&T) -> (&str, &str, i64);

/// A list of named things in name order: a window of the services' pages,
/// or with `ids`, those that exist and match `query`.
pub async fn by_name<T, P, PFut, G, GFut>(params: &ListParams, key: NameKey<T>, page: P, get: G) -> Result<(Vec<T>, i64), ApiError>
where
    P: Fn(Page) -> PFut,
    PFut: Future<Output = ServiceResult<Listing<T>>>,
    G: Fn(i64) -> GFut,
    GFut: Future<Output = ServiceResult<T>>,
{
    if params.ids.is_empty() {
        return from_pages(params, page).await;
    }
    let text = params.query.as_str().to_lowercase();
    let mut found = by_ids(&params.ids, get).await?;
    found.retain(|t| {
        let (name, other, _) = key(t);
        text.is_empty() || name.to_lowercase().contains(&text) || other.to_lowercase().contains(&text)
    });
    found.sort_by_cached_key(|t| {
        let (name, _, id) = key(t);
        (name.to_lowercase(), id)
    });
    Ok(params.window(found))
}

/// `X-Collection-Range: first-last/total`, or `*/total` for an empty page.
pub fn collection_range(offset: u32, shown: usize, total: i64) -> (HeaderName, HeaderValue) {
    let text = if shown == 0 {
        format!("*/{total}")
    } else {
        format!("{offset}-{}/{total}", u64::from(offset) + shown as u64 - 1)
    };
    let value = HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("*/0"));
    (COLLECTION_RANGE.clone(), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn windows_span_pages() {
        let all: Vec<u32> = (0..25).collect();
        let fetch = |page: Page| {
            let items = all.iter().copied().skip(page.offset() as usize).take(page.size as usize).collect();
            async move { Ok(Listing { items, total: 25, page: page.number, page_size: page.size }) }
        };
        for (offset, limit, expected) in [(0, 10, 0..10), (10, 10, 10..20), (7, 10, 7..17), (21, 10, 21..25), (30, 10, 0..0)] {
            let params = ListParams { offset, limit, ..Default::default() };
            let (items, total) = from_pages(&params, fetch).await.unwrap();
            assert_eq!((items, total), (expected.collect::<Vec<u32>>(), 25), "offset {offset}");
        }
    }

    struct Thing(i64, &'static str, &'static str);

    #[tokio::test]
    async fn ids_are_matched_and_ordered_by_name() {
        let params = ListParams::parse(Some("ids=1,2,3,9&query=OFF"), &["name"]).unwrap();
        let unused = |_: Page| async { Err::<Listing<Thing>, _>(ServiceError::internal("not paged")) };
        let get = |id: i64| async move {
            match id {
                1 => Ok(Thing(1, "Staff", "Office")),
                2 => Ok(Thing(2, "Night", "Off hours")),
                3 => Ok(Thing(3, "Guests", "")),
                _ => Err(ServiceError::NotFound("group")),
            }
        };
        let (found, total) = by_name(&params, |t: &Thing| (t.1, t.2, t.0), unused, get).await.unwrap();
        assert_eq!((found.iter().map(|t| t.0).collect::<Vec<_>>(), total), (vec![2, 1], 2));
    }

    #[test]
    fn ranges() {
        assert_eq!(collection_range(1, 2, 4).1, "1-2/4");
        assert_eq!(collection_range(10, 0, 4).1, "*/4");
    }
}
