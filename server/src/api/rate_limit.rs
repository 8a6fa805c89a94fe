//! Rate limits of the JSON API: a token bucket per client IP (every API
//! request) and one per API key (authenticated requests). Each bucket holds
//! up to its **burst** of requests and refills continuously at its
//! sustained **rate** per second. Kisi documents 5 requests per second per
//! user; Postern's defaults are 5 per second with a burst of 60 per key
//! (an integration may send a page of 40 calls in a row without meeting
//! the limit) and 20 per second with a burst of 200 per IP (several
//! integrations behind one address). They are settings like any other
//! (`[api]` in the configuration file, `POSTERN_API_RATE_PER_KEY`,
//! `POSTERN_API_BURST_PER_KEY`, `POSTERN_API_RATE_PER_IP`,
//! `POSTERN_API_BURST_PER_IP`, or the `serve` flags of the same names); a
//! rate may be `unlimited`.
//!
//! Every answer carries `RateLimit-Limit` (the burst), `RateLimit-Remaining`
//! (requests left right now) and `RateLimit-Reset` (seconds until the bucket
//! is full again), for whichever of the two buckets is closer to empty; a
//! 429 also carries `Retry-After` (seconds until the next request passes).
//!
//! We keep this small bucket rather than the `governor` crate: the
//! headers need the bucket's level, which is one subtraction here, and it
//! adds no dependency to build.
//!
//! The buckets live in this process's memory: with several replicas each
//! one counts on its own, so the limit a client sees is N per replica.
//! The IP is the client's address as the server worked it out
//! (`client_address`): the TCP peer's, or behind a proxy listed in
//! `trusted_proxies` the address it forwarded.

use super::{ApiError, ApiState};
use app::server_context::ClientIp;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use postern::services::tokens;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable with the per-key rate.
pub const PER_KEY_VAR: &str = "POSTERN_API_RATE_PER_KEY";
/// The environment variable with the per-key burst.
pub const BURST_PER_KEY_VAR: &str = "POSTERN_API_BURST_PER_KEY";
/// The environment variable with the per-IP rate.
pub const PER_IP_VAR: &str = "POSTERN_API_RATE_PER_IP";
/// The environment variable with the per-IP burst.
pub const BURST_PER_IP_VAR: &str = "POSTERN_API_BURST_PER_IP";

/// One bucket's size: a sustained rate and the burst it may spend at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Requests per second, refilled continuously.
    pub per_second: NonZeroU32,
    /// Requests that may be made at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl Rate {
    /// `per_second` with a burst of `burst` (both at least 1).
    pub fn new(per_second: u32, burst: u32) -> Rate {
        Rate { per_second: NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN), burst: NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN) }
    }
}

/// The API's limits; `None` = unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Per API key.
    pub per_key: Option<Rate>,
    /// Per client IP.
    pub per_ip: Option<Rate>,
}

impl Default for RateLimits {
    /// 5 per second with a burst of 60 per key; 20 per second with a burst
    /// of 200 per IP.
    fn default() -> Self {
        RateLimits { per_key: Some(Rate::new(5, 60)), per_ip: Some(Rate::new(20, 200)) }
    }
}

impl RateLimits {
    /// No limits at all (benches and load tests).
    pub fn unlimited() -> RateLimits {
        RateLimits { per_key: None, per_ip: None }
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

/// A whole number of requests (1 or more).
pub fn parse_burst(name: &str, text: &str) -> Result<NonZeroU32, String> {
    let text = text.trim();
    text.parse::<NonZeroU32>().map_err(|_| format!("{name} must be a whole number of requests (1 or more), not \"{text}\"."))
}

/// Beyond this many tracked clients, idle (full) buckets are dropped.
const MAX_TRACKED: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A bucket's state after a request, for the `RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    /// The burst: the most requests the bucket holds.
    pub limit: u32,
    /// Requests left right now.
    pub remaining: u32,
    /// Whole seconds until the bucket is full again.
    pub reset_secs: u64,
}

/// Token buckets keyed by client.
struct Buckets<K> {
    rate: Option<Rate>,
    map: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash> Buckets<K> {
    fn new(rate: Option<Rate>) -> Self {
        Buckets { rate, map: Mutex::new(HashMap::new()) }
    }

    /// Takes one token and says what is left, or says how long until one is
    /// there. `None` when unlimited.
    fn take(&self, key: K, now: Instant) -> Option<Result<Quota, (Quota, Duration)>> {
        let limit = self.rate?;
        let rate = f64::from(limit.per_second.get());
        let burst = f64::from(limit.burst.get());
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MAX_TRACKED && !map.contains_key(&key) {
            map.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let bucket = map.entry(key).or_insert(Bucket { tokens: burst, at: now });
        let refilled = bucket.tokens + now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = refilled.min(burst);
        bucket.at = now;
        let passed = bucket.tokens >= 1.0;
        if passed {
            bucket.tokens -= 1.0;
        }
        let quota = Quota {
            limit: limit.burst.get(),
            remaining: bucket.tokens.floor() as u32,
            reset_secs: ((burst - bucket.tokens) / rate).ceil() as u64,
        };
        Some(if passed { Ok(quota) } else { Err((quota, Duration::from_secs_f64((1.0 - bucket.tokens) / rate))) })
    }
}

/// The API's limiter: one set of buckets per IP, one per key.
pub struct RateLimiter {
    per_ip: Buckets<IpAddr>,
    per_key: Buckets<String>,
}

/// Where the key's bucket leaves its state for the response's headers: the
/// IP middleware puts one in the request, the key's extractor fills it.
#[derive(Clone, Default)]
pub struct KeyQuota(Arc<Mutex<Option<Quota>>>);

impl KeyQuota {
    fn set(&self, quota: Quota) {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(quota);
    }

    fn get(&self) -> Option<Quota> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl RateLimiter {
    /// A limiter with full buckets.
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter { per_ip: Buckets::new(limits.per_ip), per_key: Buckets::new(limits.per_key) }
    }

    /// Counts a request of the key `secret` (its bucket is keyed by the
    /// key's SHA-256, so no usable secret stays in memory) and leaves the
    /// bucket's state in `quota` for the headers.
    pub fn take_key(&self, secret: &str, quota: Option<&KeyQuota>) -> Result<(), ApiError> {
        if self.per_key.rate.is_none() {
            return Ok(());
        }
        match self.per_key.take(tokens::hash_token(secret), Instant::now()) {
            None => Ok(()),
            Some(Ok(left)) => {
                quota.inspect(|q| q.set(left));
                Ok(())
            }
            Some(Err((left, wait))) => {
                quota.inspect(|q| q.set(left));
                Err(too_many(wait))
            }
        }
    }
}

/// 429, with `Retry-After` in whole seconds (at least 1).
fn too_many(wait: Duration) -> ApiError {
    ApiError::TooManyRequests { retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64 }
}

/// Writes `RateLimit-Limit`, `-Remaining` and `-Reset` for the bucket with
/// fewer requests left.
fn add_headers(headers: &mut HeaderMap, ip: Option<Quota>, key: Option<Quota>) {
    let quota = match (ip, key) {
        (Some(ip), Some(key)) => Some(if key.remaining <= ip.remaining { key } else { ip }),
        (ip, key) => ip.or(key),
    };
    if let Some(quota) = quota {
        headers.insert("ratelimit-limit", HeaderValue::from(quota.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(quota.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(quota.reset_secs));
    }
}

/// Middleware: every API request counts against its IP; every answer
/// carries the `RateLimit-*` headers.
pub async fn per_ip(State(state): State<ApiState>, mut request: Request<Body>, next: Next) -> Response {
    let ip = match request.extensions().get::<ClientIp>() {
        Some(ClientIp(ip)) => *ip,
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip()),
    };
    let key_quota = KeyQuota::default();
    request.extensions_mut().insert(key_quota.clone());
    let (mut response, ip_quota) = match state.limiter.per_ip.take(ip, Instant::now()) {
        None => (next.run(request).await, None),
        Some(Ok(quota)) => (next.run(request).await, Some(quota)),
        Some(Err((quota, wait))) => (too_many(wait).into_response(), Some(quota)),
    };
    add_headers(response.headers_mut(), ip_quota, key_quota.get());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let buckets = Buckets::new(Some(Rate::new(5, 60)));
        let start = Instant::now();
        for i in 0..60 {
            let quota = buckets.take("k", start).unwrap().unwrap();
            assert_eq!(quota.remaining, 59 - i, "{quota:?}");
            assert_eq!(quota.limit, 60);
        }
        let (quota, wait) = buckets.take("k", start).unwrap().unwrap_err();
        assert_eq!(quota.remaining, 0);
        assert_eq!(quota.reset_secs, 12, "60 requests at 5 per second");
        assert!(wait > Duration::from_millis(150) && wait <= Duration::from_millis(200), "{wait:?}");
        assert!(buckets.take("k", start + Duration::from_millis(200)).unwrap().is_ok());
        assert!(buckets.take("other", start).unwrap().is_ok(), "each key has its own bucket");
    }

    #[test]
    fn unlimited_never_refuses() {
        let buckets = Buckets::new(None);
        let now = Instant::now();
        assert!((0..10_000).all(|_| buckets.take(1, now).is_none()));
    }

    #[test]
    fn idle_buckets_are_dropped_when_many_clients_are_tracked() {
        let buckets = Buckets::new(Some(Rate::new(1, 1)));
        let start = Instant::now();
        for client in 0..MAX_TRACKED {
            assert!(buckets.take(client, start).unwrap().is_ok());
        }
        assert!(buckets.take(MAX_TRACKED, start + Duration::from_secs(2)).unwrap().is_ok());
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
            assert!(parse_burst("POSTERN_API_BURST_PER_KEY", bad).unwrap_err().contains("BURST"));
        }
        assert_eq!(parse_burst("X", "60"), Ok(NonZeroU32::new(60).unwrap()));
    }

    #[test]
    fn headers_follow_the_emptier_bucket() {
        let mut headers = HeaderMap::new();
        let ip = Quota { limit: 200, remaining: 150, reset_secs: 3 };
        let key = Quota { limit: 60, remaining: 10, reset_secs: 10 };
        add_headers(&mut headers, Some(ip), Some(key));
        assert_eq!(headers["ratelimit-limit"], "60");
        assert_eq!(headers["ratelimit-remaining"], "10");
        assert_eq!(headers["ratelimit-reset"], "10");
        let mut headers = HeaderMap::new();
        add_headers(&mut headers, None, None);
        assert!(headers.is_empty());
    }
}
