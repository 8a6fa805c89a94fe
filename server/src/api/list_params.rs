//! The query parameters of Kisi's list endpoints — `limit`, `offset`,
//! `query`, `place_id`, `ids`, `sort` — and the `X-Collection-Range` header
//! (`0-9/42`: first and last index shown, of how many) that Kisi's client
//! reads to paginate. A value that cannot be used is a 422 naming the
//! parameter; parameters the API does not know are ignored.

use super::ApiError;
use axum::http::{HeaderName, HeaderValue};
use postern::model::Listing;
use postern::services::ServiceResult;
use postern::types::{Page, SearchQuery};
use std::future::Future;

/// Rows per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 10;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 100;
/// The largest `offset`.
pub const MAX_OFFSET: u32 = 1_000_000;
/// The most `ids` in one request.
pub const MAX_IDS: usize = 100;

/// Kisi's pagination header.
pub static COLLECTION_RANGE: HeaderName = HeaderName::from_static("x-collection-range");

/// What a list request asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    pub limit: u32,
    pub offset: u32,
    pub query: SearchQuery,
    pub place_id: Option<i64>,
    /// Only these ids (empty = no filter).
    pub ids: Vec<i64>,
}

impl ListParams {
    /// Reads a raw query string (`limit=5&ids[]=1&ids[]=2`). `sorts` lists
    /// the `sort` values this endpoint takes (the first is its order).
    pub fn parse(raw: Option<&str>, sorts: &[&str]) -> Result<ListParams, ApiError> {
        let mut params = ListParams { limit: DEFAULT_LIMIT, ..Default::default() };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "limit" => params.limit = number("limit", &value, 1, MAX_LIMIT)?,
                "offset" => params.offset = number("offset", &value, 0, MAX_OFFSET)?,
                "query" => params.query = SearchQuery::new(&value),
                "place_id" => params.place_id = Some(id("place_id", &value)?),
                "ids" | "ids[]" => {
                    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        params.ids.push(id("ids", part)?);
                    }
                }
                "sort" if sorts.is_empty() => {
                    return Err(ApiError::field("sort", "This list has one order; leave sort out."));
                }
                "sort" if !sorts.contains(&value.trim()) => {
                    return Err(ApiError::field("sort", format!("Sort by one of: {}.", sorts.join(", "))));
                }
                _ => {}
            }
        }
        if params.ids.len() > MAX_IDS {
            return Err(ApiError::field("ids", format!("Ask for at most {MAX_IDS} ids at a time.")));
        }
        params.ids.sort_unstable();
        params.ids.dedup();
        Ok(params)
    }

    /// This window of an in-memory list, with the list's length.
    pub fn window<T>(&self, items: Vec<T>) -> (Vec<T>, i64) {
        let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let start = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let take = usize::try_from(self.limit).unwrap_or(usize::MAX);
        (items.into_iter().skip(start).take(take).collect(), total)
    }
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
            Err(postern::services::ServiceError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(found)
}

fn number(name: &str, text: &str, min: u32, max: u32) -> Result<u32, ApiError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::field(name, format!("Give {name} as a whole number from {min} to {max}."))),
    }
}

fn id(name: &str, text: &str) -> Result<i64, ApiError> {
    match text.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ApiError::field(name, format!("Give {name} as positive whole numbers (ids)."))),
    }
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

    fn invalid_field(raw: &str) -> String {
        match ListParams::parse(Some(raw), &["name"]) {
            Err(ApiError::Invalid(map)) => map.into_keys().next().unwrap(),
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn defaults_and_every_parameter() {
        assert_eq!(ListParams::parse(None, &["name"]).unwrap().limit, DEFAULT_LIMIT);
        let p = ListParams::parse(Some("limit=5&offset=3&query=%20Front%20&place_id=2&ids=3,1&ids[]=2&ids=1&sort=name&x=y"), &["name"]).unwrap();
        assert_eq!((p.limit, p.offset, p.query.as_str(), p.place_id), (5, 3, "Front", Some(2)));
        assert_eq!(p.ids, [1, 2, 3]);
    }

    #[test]
    fn unusable_values_name_their_parameter() {
        for (raw, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("offset=-1", "offset"),
            ("offset=99999999999", "offset"),
            ("place_id=0", "place_id"),
            ("ids=1,x", "ids"),
            ("sort=-name", "sort"),
        ] {
            assert_eq!(invalid_field(raw), field, "{raw}");
        }
        let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
        assert_eq!(invalid_field(&format!("ids={}", many.join(","))), "ids");
    }

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

    #[test]
    fn windows_and_ranges() {
        let p = ListParams { limit: 2, offset: 1, ..Default::default() };
        assert_eq!(p.window(vec![1, 2, 3, 4]), (vec![2, 3], 4));
        assert_eq!(collection_range(1, 2, 4).1, "1-2/4");
        assert_eq!(collection_range(10, 0, 4).1, "*/4");
    }
}
