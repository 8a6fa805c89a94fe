//! Rate limits of the JSON API: a token bucket per client IP (every API
//! request) and one per API key (authenticated requests), refilled
//! continuously at N requests per second with a burst of N. Kisi documents
//! 5 requests per second per user; Postern's defaults are 5 per key and 20
//! per IP, set with `POSTERN_API_RATE_PER_KEY` and `POSTERN_API_RATE_PER_IP`
//! (a whole number of requests per second, or `unlimited`).
//!
//! The buckets live in this process's memory: with several replicas each
//! one counts on its own, so the limit a client sees is N per replica.
//! The IP is the TCP peer's; behind a reverse proxy every client shares the
//! proxy's address, so raise the per-IP limit there (forwarded headers are
//! not trusted, since clients could forge them).

use super::{ApiError, ApiState};
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use postern::services::tokens;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The environment variable with the per-key limit.
pub const PER_KEY_VAR: &str = "POSTERN_API_RATE_PER_KEY";
/// The environment variable with the per-IP limit.
pub const PER_IP_VAR: &str = "POSTERN_API_RATE_PER_IP";

/// Requests per second allowed; `None` = unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Per API key.
    pub per_key: Option<NonZeroU32>,
    /// Per client IP.
    pub per_ip: Option<NonZeroU32>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { per_key: NonZeroU32::new(5), per_ip: NonZeroU32::new(20) }
    }
}

impl RateLimits {
    /// The limits from the environment, the defaults where a variable is unset.
    pub fn from_env() -> Result<RateLimits, String> {
        let read = |name: &str, default: Option<NonZeroU32>| match std::env::var(name) {
            Ok(text) => parse_limit(name, &text),
            Err(std::env::VarError::NotPresent) => Ok(default),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not readable text.")),
        };
        let defaults = RateLimits::default();
        Ok(RateLimits { per_key: read(PER_KEY_VAR, defaults.per_key)?, per_ip: read(PER_IP_VAR, defaults.per_ip)? })
    }
}

/// A whole number of requests per second (1 or more), or `unlimited`.
pub fn parse_limit(name: &str, text: &str) -> Result<Option<NonZeroU32>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    text.parse::<NonZeroU32>().map(Some).map_err(|_| {
        format!("{name} must be a whole number of requests per second (1 or more) or \"unlimited\", not \"{text}\".")
    })
}

/// Beyond this many tracked clients, idle (full) buckets are dropped.
const MAX_TRACKED: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by client.
struct Buckets<K> {
    rate: Option<NonZeroU32>,
    map: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash> Buckets<K> {
    fn new(rate: Option<NonZeroU32>) -> Self {
        Buckets { rate, map: Mutex::new(HashMap::new()) }
    }

    /// Takes one token, or says how long until one is there.
    fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let Some(rate) = self.rate else { return Ok(()) };
        let rate = f64::from(rate.get());
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MAX_TRACKED && !map.contains_key(&key) {
            map.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < rate);
        }
        let bucket = map.entry(key).or_insert(Bucket { tokens: rate, at: now });
        let refilled = bucket.tokens + now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = refilled.min(rate);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

/// The API's limiter: one set of buckets per IP, one per key.
pub struct RateLimiter {
    per_ip: Buckets<IpAddr>,
    per_key: Buckets<String>,
}

impl RateLimiter {
    /// A limiter with empty buckets.
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter { per_ip: Buckets::new(limits.per_ip), per_key: Buckets::new(limits.per_key) }
    }

    /// Counts a request of the key `secret` (its bucket is keyed by the
    /// key's SHA-256, so no usable secret stays in memory).
    pub fn take_key(&self, secret: &str) -> Result<(), ApiError> {
        if self.per_key.rate.is_none() {
            return Ok(());
        }
        self.per_key.take(tokens::hash_token(secret), Instant::now()).map_err(too_many)
    }

    fn take_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.per_ip.take(ip, Instant::now()).map_err(too_many)
    }
}

/// 429, with `Retry-After` in whole seconds (at least 1).
fn too_many(wait: Duration) -> ApiError {
    ApiError::TooManyRequests { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }
}

/// Middleware: every API request counts against its IP.
pub async fn per_ip(State(state): State<ApiState>, request: Request<Body>, next: Next) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip());
    match state.limiter.take_ip(ip) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_n_then_one_per_nth_of_a_second() {
        let buckets = Buckets::new(NonZeroU32::new(5));
        let start = Instant::now();
        for _ in 0..5 {
            assert!(buckets.take("k", start).is_ok());
        }
        let wait = buckets.take("k", start).unwrap_err();
        assert!(wait > Duration::from_millis(150) && wait <= Duration::from_millis(200), "{wait:?}");
        assert!(buckets.take("k", start + Duration::from_millis(200)).is_ok());
        assert!(buckets.take("other", start).is_ok(), "each key has its own bucket");
    }

    #[test]
    fn unlimited_never_refuses() {
        let buckets = Buckets::new(None);
        let now = Instant::now();
        assert!((0..10_000).all(|_| buckets.take(1, now).is_ok()));
    }

    #[test]
    fn idle_buckets_are_dropped_when_many_clients_are_tracked() {
        let buckets = Buckets::new(NonZeroU32::new(1));
        let start = Instant::now();
        for client in 0..MAX_TRACKED {
            assert!(buckets.take(client, start).is_ok());
        }
        assert!(buckets.take(MAX_TRACKED, start + Duration::from_secs(2)).is_ok());
        assert_eq!(buckets.map.lock().unwrap().len(), 1);
    }

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        let ApiError::TooManyRequests { retry_after_secs } = too_many(Duration::from_millis(10)) else { panic!() };
        assert_eq!(retry_after_secs, 1);
        let ApiError::TooManyRequests { retry_after_secs } = too_many(Duration::from_millis(1500)) else { panic!() };
        assert_eq!(retry_after_secs, 2);
    }

    #[test]
    fn limits_are_whole_numbers_or_unlimited() {
        assert_eq!(parse_limit("X", " 50 "), Ok(NonZeroU32::new(50)));
        assert_eq!(parse_limit("X", "unlimited"), Ok(None));
        for bad in ["0", "-1", "2.5", "fast", ""] {
            let message = parse_limit("POSTERN_API_RATE_PER_KEY", bad).unwrap_err();
            assert!(message.contains("POSTERN_API_RATE_PER_KEY"), "{message}");
        }
    }
}
