//! Who is calling: `Authorization: KISI-LOGIN <key>` (Kisi's scheme) or
//! `Bearer <key>`, where the key is a Postern API key (`pst_…`). The key is
//! looked up by its SHA-256 and compared in constant time
//! (`services::api_keys`, one read that also gives the database's version for
//! kept answers). On SQLite a key that checked out is answered again from
//! memory while nothing at all has been committed since
//! (`api_keys::KeptKeys`): a revocation is a commit, so a revoked key is
//! still refused at once. The per-key rate limit
//! is taken here, after the key proved valid, so unknown keys cannot fill
//! the limiter.

use super::{ApiError, ApiState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use postern::model::SessionUser;
use postern::services::data_version::DataVersion;
use postern::services::api_keys::Remembered;
use postern::services::db::Stamp;
use postern::services::{tokens, Db};

/// What a key that is unknown or revoked hears.
const NOT_VALID: &str = "The API key is not valid (unknown or revoked).";

/// The user an API key acts as, with that user's role, and the database's
/// version when the key was checked.
#[derive(Clone, Debug)]
pub struct ApiUser(pub SessionUser, pub DataVersion);

impl FromRequestParts<ApiState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        let secret = presented_key(&parts.headers)?;
        let (user, seen) = state
            .keys
            .authenticate(&state.context.db, secret)
            .await?
            .ok_or(ApiError::Unauthenticated(NOT_VALID))?;
        state.limiter.take_key(secret, parts.extensions.get::<super::rate_limit::KeyQuota>())?;
        Ok(ApiUser(user, seen))
    }
}

/// Who calls a handler and what it may use: the key's user and the API's state.
#[derive(Clone)]
pub struct Caller {
    /// The key's user, with that user's role.
    pub user: SessionUser,
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
        let ApiUser(user, seen) = ApiUser::from_request_parts(parts, state).await?;
        Ok(Caller { user, state: state.clone(), seen })
    }
}

/// The caller of an unlock: like [`Caller`], with one read fewer. A key
/// remembered from before commits that may have revoked it is taken on
/// trust for now and checked again inside the unlock's own query (the
/// unlock is refused with 401 if it no longer checks out); on every other
/// way out of the request the handler checks it first ([`checked`](Self::checked)),
/// so a revoked key hears 401 before anything else. A key that checked out
/// in the unlock's query is remembered as valid again
/// ([`confirmed`](Self::confirmed)), so the unlocks after it read nothing
/// to check it while only bookkeeping is committed.
pub struct KeyHolder {
    /// The key's user, as remembered.
    pub user: SessionUser,
    /// The services shared with the dashboard.
    pub state: ApiState,
    /// The key's SHA-256 (hex) while it is still to be checked.
    pub unchecked_key: Option<String>,
    secret: String,
}

impl FromRequestParts<ApiState> for KeyHolder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Self::Rejection> {
        let secret = presented_key(&parts.headers)?.to_owned();
        let hash = tokens::hash_token(&secret);
        let (user, unchecked_key) = match state.keys.remembered(&state.context.db, &hash) {
            Some(Remembered::Now(user, _) | Remembered::Valid(user)) => (user, None),
            Some(Remembered::Earlier(user)) => (user, Some(hash)),
            // Reads the key and takes its rate limit.
            None => return Ok(KeyHolder::proved(ApiUser::from_request_parts(parts, state).await?.0, state, secret)),
        };
        // A key that checked out before; its rate limit as in `ApiUser`,
        // once it is known to be valid still.
        let holder = KeyHolder { user, state: state.clone(), unchecked_key, secret };
        if let Err(limited) = state.limiter.take_key(&holder.secret, parts.extensions.get::<super::rate_limit::KeyQuota>()) {
            holder.checked().await?;
            return Err(limited);
        }
        Ok(holder)
    }
}

impl KeyHolder {
    fn proved(user: SessionUser, state: &ApiState, secret: String) -> KeyHolder {
        KeyHolder { user, state: state.clone(), unchecked_key: None, secret }
    }

    /// For a key taken on trust: a stamp to take before the unlock's facts
    /// query checks the key, for [`confirmed`](Self::confirmed).
    pub fn stamp(&self) -> Option<Stamp> {
        self.unchecked_key.as_ref().and_then(|_| self.state.context.db.stamp())
    }

    /// The unlock's facts query, begun after `stamp`, found the key taken on
    /// trust valid: later unlocks take it from memory again.
    pub fn confirmed(&self, stamp: Option<Stamp>) {
        if let (Some(hash), Some(stamp)) = (&self.unchecked_key, stamp) {
            self.state.keys.confirm(hash, stamp);
        }
    }

    /// Checks a key taken on trust against the database now.
    pub async fn checked(&self) -> Result<(), ApiError> {
        if self.unchecked_key.is_some() {
            self.state
                .keys
                .authenticate(&self.state.context.db, &self.secret)
                .await?
                .ok_or(ApiError::Unauthenticated(NOT_VALID))?;
        }
        Ok(())
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
