//! Shelly Gen2 JSON-RPC over HTTP: the frames, one call (with digest
//! authentication when a password is set), and the retry schedule.

use super::digest::{self, Challenge};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Who we are in request frames (`src`).
const SOURCE: &str = "postern";

/// A request frame, POSTed whole to `/rpc`.
#[derive(Debug, Serialize)]
pub struct RequestFrame<'a, P: Serialize> {
    pub id: u64,
    pub src: &'a str,
    pub method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<P>,
}

/// A response frame: `result` or `error`.
#[derive(Debug, Deserialize)]
pub struct ResponseFrame {
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<RpcError>,
}

/// `{"code": -105, "message": "Argument 'id', value 7 not found!"}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

/// `Switch.Set` parameters. `id` is the device's switch number (relay − 1);
/// `toggle_after` makes the device flip the switch back by itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SwitchSet {
    pub id: u8,
    pub on: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toggle_after: Option<u32>,
}

/// `{"id": n}`, for `Switch.GetStatus` and `Input.GetStatus`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentId {
    pub id: u8,
}

/// What `Shelly.GetDeviceInfo` answers (the fields Postern reads).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DeviceInfo {
    pub id: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub app: Option<String>,
}

/// What `Switch.GetStatus` answers (the fields Postern reads).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SwitchStatus {
    pub output: bool,
}

/// Why one call did not give a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// Worth another try: no connection, no answer in time, an HTTP error
    /// without an RPC error, a body that is not a response frame.
    Transient(String),
    /// The device answered with an RPC error object.
    Rpc(RpcError),
    /// Authentication cannot succeed with this configuration.
    Auth(String),
}

/// Exponential backoff between attempts: `first`, then ×2 each time, at most `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The pause after failed attempt number `attempt` (from 0).
    pub fn delay(&self, attempt: u32) -> Duration {
        self.first.saturating_mul(2u32.saturating_pow(attempt.min(16))).min(self.max)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first: Duration::from_millis(100), max: Duration::from_secs(2) }
    }
}

/// The digest challenge in use and how many requests used its nonce.
struct AuthState {
    challenge: Challenge,
    nc: u32,
}

/// Calls methods on one device.
pub struct RpcClient {
    http: reqwest::Client,
    url: String,
    password: String,
    next_id: AtomicU64,
    auth: Mutex<Option<AuthState>>,
}

impl RpcClient {
    /// A client for `address` (`http://host[:port]`). No connection pool:
    /// Shelly devices close the connection after each answer anyway.
    pub fn new(address: &str, password: &str) -> Result<RpcClient, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("Could not set up the HTTP client: {e}"))?;
        Ok(RpcClient {
            http,
            url: format!("{address}/rpc"),
            password: password.to_owned(),
            next_id: AtomicU64::new(1),
            auth: Mutex::new(None),
        })
    }

    /// One call, answered within `within` or a [`CallError::Transient`].
    pub async fn call<P: Serialize, T: DeserializeOwned>(&self, method: &str, params: Option<P>, within: Duration) -> Result<T, CallError> {
        let frame = RequestFrame { id: self.next_id.fetch_add(1, Ordering::Relaxed), src: SOURCE, method, params };
        let body = serde_json::to_vec(&frame).map_err(|e| CallError::Transient(e.to_string()))?;
        let result = match tokio::time::timeout(within, self.post(body)).await {
            Ok(result) => result?,
            Err(_) => return Err(CallError::Transient(format!("no answer within {} ms", within.as_millis()))),
        };
        serde_json::from_value(result).map_err(|e| CallError::Transient(format!("unexpected answer to {method}: {e}")))
    }

    async fn post(&self, body: Vec<u8>) -> Result<Value, CallError> {
        let mut response = self.send(body.clone(), self.authorization()).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            if self.password.is_empty() {
                return Err(CallError::Auth(
                    "The device asks for a password: enter its admin password in the controller's connection settings.".into(),
                ));
            }
            let challenge = response
                .headers()
                .get_all(reqwest::header::WWW_AUTHENTICATE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(digest::parse_challenge)
                .find(digest::supported)
                .ok_or_else(|| {
                    CallError::Auth("The device asks for a kind of authentication Postern does not speak (expected SHA-256 digest).".into())
                })?;
            *self.lock_auth() = Some(AuthState { challenge, nc: 0 });
            response = self.send(body, self.authorization()).await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED {
                self.lock_auth().take();
                return Err(CallError::Auth("The device did not accept the password.".into()));
            }
        }
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| CallError::Transient(describe(&e)))?;
        match serde_json::from_slice::<ResponseFrame>(&bytes) {
            Ok(ResponseFrame { error: Some(error), .. }) => Err(CallError::Rpc(error)),
            Ok(ResponseFrame { result, error: None }) if status.is_success() => Ok(result.unwrap_or(Value::Null)),
            _ => Err(CallError::Transient(format!("HTTP {status}"))),
        }
    }

    async fn send(&self, body: Vec<u8>, authorization: Option<String>) -> Result<reqwest::Response, CallError> {
        let mut request = self.http.post(&self.url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        if let Some(authorization) = authorization {
            request = request.header(reqwest::header::AUTHORIZATION, authorization);
        }
        request.send().await.map_err(|e| CallError::Transient(describe(&e)))
    }

    /// The `Authorization` header for the next request, once challenged.
    fn authorization(&self) -> Option<String> {
        if self.password.is_empty() {
            return None;
        }
        let mut auth = self.lock_auth();
        let state = auth.as_mut()?;
        state.nc += 1;
        Some(digest::authorization(&state.challenge, digest::USER, &self.password, "POST", "/rpc", state.nc, &digest::cnonce()))
    }

    fn lock_auth(&self) -> std::sync::MutexGuard<'_, Option<AuthState>> {
        self.auth.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A transport error in words, without reqwest's "error sending request for url (…)".
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".into()
    } else if error.is_connect() {
        "connection refused or host unreachable".into()
    } else {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text = cause.to_string();
            source = cause.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_frames() {
        let pulse =
            RequestFrame { id: 7, src: SOURCE, method: "Switch.Set", params: Some(SwitchSet { id: 1, on: true, toggle_after: Some(5) }) };
        assert_eq!(
            serde_json::to_value(&pulse).unwrap(),
            json!({"id": 7, "src": "postern", "method": "Switch.Set", "params": {"id": 1, "on": true, "toggle_after": 5}})
        );
        let hold = SwitchSet { id: 0, on: true, toggle_after: None };
        assert_eq!(serde_json::to_value(hold).unwrap(), json!({"id": 0, "on": true}), "a hold has no toggle_after");
        let info = RequestFrame::<()> { id: 1, src: SOURCE, method: "Shelly.GetDeviceInfo", params: None };
        assert_eq!(serde_json::to_value(&info).unwrap(), json!({"id": 1, "src": "postern", "method": "Shelly.GetDeviceInfo"}));
    }

    #[test]
    fn response_frames() {
        let ok: ResponseFrame = serde_json::from_str(r#"{"id":7,"src":"shellypro4pm-aa","result":{"was_on":false}}"#).unwrap();
        assert_eq!(ok.result, Some(json!({"was_on": false})));
        assert_eq!(ok.error, None);
        let refused: ResponseFrame =
            serde_json::from_str(r#"{"id":7,"src":"shellypro4pm-aa","error":{"code":-105,"message":"Argument 'id', value 7 not found!"}}"#)
                .unwrap();
        assert_eq!(refused.error, Some(RpcError { code: -105, message: "Argument 'id', value 7 not found!".into() }));
        let info: DeviceInfo = serde_json::from_value(json!({
            "name": null, "id": "shellypro4pm-f008d1d8b8b8", "mac": "F008D1D8B8B8", "model": "SPSW-104PE16EU",
            "gen": 2, "fw_id": "20230913-112003/v1.0.3", "ver": "1.0.3", "app": "Pro4PM", "auth_en": false, "auth_domain": null
        }))
        .unwrap();
        assert_eq!((info.id.as_str(), info.app.as_deref()), ("shellypro4pm-f008d1d8b8b8", Some("Pro4PM")));
        let status: SwitchStatus =
            serde_json::from_value(json!({"id": 0, "source": "timer", "output": false, "timer_started_at": 1.0, "apower": 0.0})).unwrap();
        assert_eq!(status, SwitchStatus { output: false });
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        let schedule: Vec<u128> = (0..7).map(|n| backoff.delay(n).as_millis()).collect();
        assert_eq!(schedule, [100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(backoff.delay(u32::MAX), Duration::from_secs(2), "no overflow");
    }
}
