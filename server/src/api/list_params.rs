//! The query parameters of Kisi's list endpoints — `limit`, `offset`,
//! `query`, `place_id`, `ids`, `sort` — read from the raw query string
//! (answering is [`super::listing`]'s). A value that cannot be used is a
//! 422 naming the parameter. Parameters a route does not document never get
//! here: [`super::query_names`] refuses them.

use super::ApiError;
use postern::types::SearchQuery;

/// Rows per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 10;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 100;
/// The largest `offset`.
pub const MAX_OFFSET: u32 = 1_000_000;
/// The most `ids` in one request.
pub const MAX_IDS: usize = 100;

/// What a list request asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
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
                        let plural = |_| ApiError::field("ids", "Give ids as positive whole numbers (ids).");
                        params.ids.push(id("ids", part).map_err(plural)?);
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

/// A whole number from `min` to `max`, else a 422 naming `name`.
pub fn number(name: &str, text: &str, min: u32, max: u32) -> Result<u32, ApiError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::field(name, format!("Give {name} as a whole number from {min} to {max}."))),
    }
}

/// An id (a positive whole number), else a 422 naming `name`.
pub fn id(name: &str, text: &str) -> Result<i64, ApiError> {
    match text.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ApiError::field(name, format!("Give {name} as a positive whole number (an id)."))),
    }
}

/// The id filter `name` of a raw query string (`group_id=3`), if given.
pub fn id_filter(raw: Option<&str>, name: &str) -> Result<Option<i64>, ApiError> {
    let mut found = None;
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if key == name {
            found = Some(id(name, &value)?);
        }
    }
    Ok(found)
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

    #[test]
    fn id_filters() {
        assert_eq!(id_filter(Some("limit=5&group_id=3"), "group_id").unwrap(), Some(3));
        assert_eq!(id_filter(Some("limit=5"), "group_id").unwrap(), None);
        assert!(id_filter(Some("group_id=x"), "group_id").is_err());
    }

    #[test]
    fn windows() {
        let p = ListParams { limit: 2, offset: 1, ..Default::default() };
        assert_eq!(p.window(vec![1, 2, 3, 4]), (vec![2, 3], 4));
    }
}
