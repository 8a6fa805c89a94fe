//! Who is calling: `Authorization: KISI-LOGIN <key>` (Kisi's scheme) or
//! `Bearer <key>`, where the key is a Postern API key (`pst_…`). The key is
//! looked up by its SHA-256 and compared in constant time on every request
//! (`services::api_keys::authenticate_seen`, one read that also gives the
//! database's version for the lock list's kept pages): a key revoked, or a
//! person switched off, anywhere is refused on the next request. The
//! per-key rate limit is taken here, after the key proved valid, so unknown
//! keys cannot fill the limiter.

use super::{ApiError, ApiState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use postern::model::SessionUser;
use postern::services::data_version::DataVersion;
use postern::services::{api_keys, Db};

/// What a key that is unknown or revoked hears.
const NOT_VALID: &str = "The API key is not valid (unknown or revoked).";

/// Who is calling: the key's user, with that user's role, the key's id and
/// the database's version when the key was checked.
#[derive(Clone)]
pub struct Caller {
    /// The key's user, with that user's role.
    pub user: SessionUser,
    /// The key (or login) the request came with.
    pub key_id: i64,
    /// The services shared with the dashboard.
    pub state: ApiState,
    /// The database's version, read with the key (before anything else the
    /// request reads): an answer kept at this version is still true.
    pub seen: DataVersion,
}

impl Caller {
    /// The database.
    pub fn db(&self) -> &Db {
        &self.state.context.db
    }
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        let secret = presented_key(&parts.headers)?;
        let key = api_keys::authenticate_seen(&state.context.db, secret)
            .await?
            .ok_or(ApiError::Unauthenticated(NOT_VALID))?;
        state.limiter.take_key(secret, parts.extensions.get::<super::rate_limit::KeyQuota>())?;
        Ok(Caller { user: key.user, key_id: key.key_id, state: state.clone(), seen: key.seen })
    }
}

/// A caller who may or may not send a key (`POST /logins` signs in with a
/// password instead): `None` without an `Authorization` header, refused
/// like [`Caller`] with a bad one.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<ApiState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(MaybeCaller(None));
        }
        Ok(MaybeCaller(Some(Caller::from_request_parts(parts, state).await?)))
    }
}

/// The key from the `Authorization` header.
fn presented_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated("Send your API key: Authorization: KISI-LOGIN <key> (or Bearer <key>)."))?
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("The Authorization header is not readable text."))?;
    let (scheme, key) = value
        .trim()
        .split_once(char::is_whitespace)
        .ok_or(ApiError::Unauthenticated("Write the Authorization header as KISI-LOGIN <key> or Bearer <key>."))?;
    if !scheme.eq_ignore_ascii_case("KISI-LOGIN") && !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(ApiError::Unauthenticated("Use the KISI-LOGIN or Bearer scheme in the Authorization header."));
    }
    let key = key.trim();
    if key.is_empty() {
        return Err(ApiError::Unauthenticated("The Authorization header carries no key."));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn both_schemes_any_case() {
        assert_eq!(presented_key(&with("KISI-LOGIN pst_abc")).unwrap(), "pst_abc");
        assert_eq!(presented_key(&with("kisi-login  pst_abc ")).unwrap(), "pst_abc");
        assert_eq!(presented_key(&with("Bearer pst_abc")).unwrap(), "pst_abc");
    }

    #[test]
    fn anything_else_is_unauthenticated() {
        for bad in ["pst_abc", "Basic dXNlcjpwYXNz", "Bearer ", "Token pst_abc"] {
            assert!(matches!(presented_key(&with(bad)), Err(ApiError::Unauthenticated(_))), "{bad}");
        }
        assert!(presented_key(&HeaderMap::new()).is_err());
    }
}
