//! Managers' `GET /locks` pages, kept as the bytes that were sent, and sent
//! again while nothing they were read from has changed: the database's
//! [`DataVersion`] is the same and no unlock shown on the page has run out
//! (a page with a door unlocked until 10:02 is fresh until 10:02). Pages
//! are kept per [`Scope`]: admins share one, each manager has their own (a
//! change of their places bumps the version, as every write does); members'
//! pages depend on their groups and are read every time.

use super::list_params::ListParams;
use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use postern::services::data_version::DataVersion;
use postern::services::scope::Scope;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most pages kept (different filters and windows); more empties the cache.
const MAX_PAGES: usize = 64;

/// One answered page.
#[derive(Debug)]
pub struct CachedPage {
    body: Bytes,
    range: HeaderValue,
    /// Milliseconds: the page may be answered again before this instant.
    fresh_until_ms: i64,
}

impl CachedPage {
    /// A page read at some version; `fresh_until_ms` is when its first unlock ends (or `i64::MAX`).
    pub fn new(body: Bytes, range: HeaderValue, fresh_until_ms: i64) -> CachedPage {
        CachedPage { body, range, fresh_until_ms }
    }

    /// The answer, as the list handler gives it.
    pub fn response(&self) -> Response {
        let headers = [(header::CONTENT_TYPE, HeaderValue::from_static("application/json")), (super::listing::COLLECTION_RANGE.clone(), self.range.clone())];
        (headers, self.body.clone()).into_response()
    }
}

#[derive(Debug, Default)]
struct Pages {
    version: Option<DataVersion>,
    pages: HashMap<(Scope, ListParams), Arc<CachedPage>>,
}

/// The kept pages, all of one database version.
#[derive(Debug, Default)]
pub struct LockListCache {
    pages: Mutex<Pages>,
}

impl LockListCache {
    /// The page for `params`, if one was kept at `version` and is fresh at `now_ms`.
    pub fn get(&self, version: &DataVersion, scope: Scope, params: &ListParams, now_ms: i64) -> Option<Arc<CachedPage>> {
        let pages = self.lock();
        if pages.version.as_ref() != Some(version) {
            return None;
        }
        pages.pages.get(&(scope, params.clone())).filter(|page| now_ms < page.fresh_until_ms).cloned()
    }

    /// Keeps `page`, read at `version`. Pages of another version are dropped:
    /// a newer version makes them stale, an older one is a slow reader's.
    pub fn put(&self, version: DataVersion, scope: Scope, params: ListParams, page: CachedPage) {
        let mut pages = self.lock();
        if pages.version.as_ref() != Some(&version) || pages.pages.len() >= MAX_PAGES {
            pages.pages.clear();
            pages.version = Some(version);
        }
        pages.pages.insert((scope, params), Arc::new(page));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pages> {
        self.pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Scope = Scope::Everything;

    fn version(n: u32) -> DataVersion {
        DataVersion::from(n.to_string())
    }

    fn page(text: &'static str, fresh_until_ms: i64) -> CachedPage {
        CachedPage::new(Bytes::from_static(text.as_bytes()), HeaderValue::from_static("0-0/1"), fresh_until_ms)
    }

    #[test]
    fn a_page_is_given_again_at_its_version_only() {
        let cache = LockListCache::default();
        let params = ListParams { limit: 50, ..Default::default() };
        assert!(cache.get(&version(1), ALL, &params, 0).is_none());
        cache.put(version(1), ALL, params.clone(), page("[1]", i64::MAX));
        assert_eq!(cache.get(&version(1), ALL, &params, 0).unwrap().body, "[1]");
        assert!(cache.get(&version(2), ALL, &params, 0).is_none(), "a newer version is a miss");
        let other = ListParams { limit: 10, ..Default::default() };
        assert!(cache.get(&version(1), ALL, &other, 0).is_none(), "other parameters are another page");
        cache.put(version(2), ALL, other.clone(), page("[2]", i64::MAX));
        assert!(cache.get(&version(1), ALL, &params, 0).is_none(), "pages of the old version are gone");
        assert_eq!(cache.get(&version(2), ALL, &other, 0).unwrap().body, "[2]");
    }

    #[test]
    fn a_managers_page_serves_that_scope_only() {
        let cache = LockListCache::default();
        let params = ListParams::default();
        cache.put(version(1), Scope::PlacesOf(7), params.clone(), page("[7]", i64::MAX));
        assert_eq!(cache.get(&version(1), Scope::PlacesOf(7), &params, 0).unwrap().body, "[7]");
        assert!(cache.get(&version(1), Scope::PlacesOf(8), &params, 0).is_none(), "another manager reads their own");
        assert!(cache.get(&version(1), ALL, &params, 0).is_none(), "admins read every lock");
    }

    #[test]
    fn a_page_with_an_unlock_runs_out_when_the_unlock_does() {
        let cache = LockListCache::default();
        let params = ListParams::default();
        cache.put(version(1), ALL, params.clone(), page("[]", 1_000));
        assert!(cache.get(&version(1), ALL, &params, 999).is_some());
        assert!(cache.get(&version(1), ALL, &params, 1_000).is_none());
    }

    #[test]
    fn the_cache_stays_small() {
        let cache = LockListCache::default();
        for offset in 0..=MAX_PAGES as u32 {
            cache.put(version(1), ALL, ListParams { offset, ..Default::default() }, page("[]", i64::MAX));
        }
        assert!(cache.lock().pages.len() <= MAX_PAGES);
        assert!(cache.get(&version(1), ALL, &ListParams { offset: MAX_PAGES as u32, ..Default::default() }, 0).is_some(), "the latest is kept");
    }
}
