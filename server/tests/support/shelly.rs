//! A Shelly Gen2 device emulator for the HTTP bridge's tests: an axum server
//! on 127.0.0.1 (port 0) answering `POST /rpc` request frames like a Pro 4PM
//! (`Shelly.GetDeviceInfo`, `Shelly.GetStatus`, `Switch.Set` with
//! `toggle_after` timers, `Switch.GetStatus`, `Input.GetStatus`), with
//! optional SHA-256 digest authentication. Tests can make it stall (never
//! answer), fail the next K requests with HTTP 500, or go down and come back
//! on the same port; it counts the requests per method.

#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use postern::services::tokens::hash_token as sha256_hex;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::task::JoinHandle;

pub const DEVICE_ID: &str = "shellypro4pm-emulator";
const NONCE: &str = "5a1f0c77";

/// What a switch is doing.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchState {
    pub output: bool,
    /// The `toggle_after` of the last `Switch.Set`, while its timer runs.
    pub toggle_after: Option<f64>,
}

#[derive(Default)]
struct Device {
    switches: Vec<SwitchState>,
    timers: Vec<Option<JoinHandle<()>>>,
    inputs: Vec<bool>,
    requests: Vec<String>,
    fail_next: u32,
    stalled: bool,
    password: Option<String>,
}

type Shared = Arc<Mutex<Device>>;

pub struct ShellyEmulator {
    device: Shared,
    address: SocketAddr,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl ShellyEmulator {
    /// A Pro 4PM: four switches, four inputs, no password.
    pub async fn start() -> ShellyEmulator {
        ShellyEmulator::start_with(4, 4, None).await
    }

    pub async fn start_with(switches: usize, inputs: usize, password: Option<&str>) -> ShellyEmulator {
        let device = Arc::new(Mutex::new(Device {
            switches: vec![SwitchState { output: false, toggle_after: None }; switches],
            timers: (0..switches).map(|_| None).collect(),
            inputs: vec![false; inputs],
            password: password.map(str::to_owned),
            ..Device::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the emulator");
        let address = listener.local_addr().unwrap();
        let emulator = ShellyEmulator { device, address, server: Mutex::new(None) };
        emulator.serve(listener);
        emulator
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let app = Router::new().route("/rpc", post(rpc)).with_state(Arc::clone(&self.device));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        self.server.lock().unwrap().replace(server);
    }

    /// `http://127.0.0.1:<port>`.
    pub fn address(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn switch(&self, id: usize) -> SwitchState {
        self.device().switches[id].clone()
    }

    pub fn set_input(&self, id: usize, on: bool) {
        self.device().inputs[id] = on;
    }

    /// Requests received for `method` (those failed with 500 or stalled too).
    pub fn requests(&self, method: &str) -> usize {
        self.device().requests.iter().filter(|m| *m == method).count()
    }

    /// Never answer (true) or answer again (false).
    pub fn stall(&self, stalled: bool) {
        self.device().stalled = stalled;
    }

    /// Answer the next `k` requests with HTTP 500.
    pub fn fail_next(&self, k: u32) {
        self.device().fail_next = k;
    }

    /// Stop listening: connections are refused.
    pub fn down(&self) {
        if let Some(server) = self.server.lock().unwrap().take() {
            server.abort();
        }
    }

    /// Listen again on the same port.
    pub async fn up(&self) {
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.address).await {
                Ok(listener) => break listener,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("rebind {}: {e}", self.address),
            }
        };
        self.serve(listener);
    }

    fn device(&self) -> MutexGuard<'_, Device> {
        self.device.lock().unwrap()
    }
}

impl Drop for ShellyEmulator {
    fn drop(&mut self) {
        self.down();
    }
}

async fn rpc(State(device): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(frame) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let id = frame.get("id").cloned().unwrap_or(Value::Null);
    let method = frame.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
    let params = frame.get("params").cloned().unwrap_or(json!({}));
    let stalled = {
        let mut d = device.lock().unwrap();
        d.requests.push(method.clone());
        if d.fail_next > 0 {
            d.fail_next -= 1;
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        d.stalled
    };
    if stalled {
        std::future::pending::<()>().await;
    }
    let password = device.lock().unwrap().password.clone();
    if let Some(password) = &password {
        if method != "Shelly.GetDeviceInfo" && !authorized(&headers, &password) {
            let challenge = format!("Digest qop=\"auth\", realm=\"{DEVICE_ID}\", nonce=\"{NONCE}\", algorithm=SHA-256");
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)], "401 Unauthorized").into_response();
        }
    }
    let answer = match method.as_str() {
        "Shelly.GetDeviceInfo" => Ok(json!({
            "name": null, "id": DEVICE_ID, "mac": "A8032ABE54DC", "model": "SPSW-104PE16EU", "gen": 2,
            "fw_id": "20240101-000000/1.1.0-emulator", "ver": "1.1.0", "app": "Pro4PM",
            "auth_en": password.is_some(), "auth_domain": password.as_ref().map(|_| DEVICE_ID)
        })),
        "Shelly.GetStatus" => {
            let d = device.lock().unwrap();
            let mut status = serde_json::Map::new();
            status.insert("sys".into(), json!({"mac": "A8032ABE54DC", "uptime": 100}));
            for (n, switch) in d.switches.iter().enumerate() {
                status.insert(format!("switch:{n}"), switch_status(n, switch));
            }
            for (n, state) in d.inputs.iter().enumerate() {
                status.insert(format!("input:{n}"), json!({"id": n, "state": state}));
            }
            Ok(Value::Object(status))
        }
        "Switch.GetStatus" => {
            let d = device.lock().unwrap();
            component(&params, d.switches.len()).map(|n| switch_status(n, &d.switches[n]))
        }
        "Input.GetStatus" => {
            let d = device.lock().unwrap();
            component(&params, d.inputs.len()).map(|n| json!({"id": n, "state": d.inputs[n]}))
        }
        "Switch.Set" => switch_set(&device, &params),
        other => Err((-114, format!("Method {other} failed: not found!"))),
    };
    let frame = match answer {
        Ok(result) => json!({"id": id, "src": DEVICE_ID, "result": result}),
        Err((code, message)) => json!({"id": id, "src": DEVICE_ID, "error": {"code": code, "message": message}}),
    };
    ([(header::CONNECTION, "close")], axum::Json(frame)).into_response()
}

fn switch_status(n: usize, switch: &SwitchState) -> Value {
    let mut status = json!({"id": n, "source": "HTTP_in", "output": switch.output, "apower": 0.0, "voltage": 230.1});
    if let Some(seconds) = switch.toggle_after {
        status["timer_duration"] = json!(seconds);
    }
    status
}

fn component(params: &Value, count: usize) -> Result<usize, (i64, String)> {
    let id = params.get("id").and_then(Value::as_u64).ok_or((-103, "Missing required argument 'id'!".to_owned()))?;
    if (id as usize) < count {
        Ok(id as usize)
    } else {
        Err((-105, format!("Argument 'id', value {id} not found!")))
    }
}

fn switch_set(device: &Shared, params: &Value) -> Result<Value, (i64, String)> {
    let mut d = device.lock().unwrap();
    let n = component(params, d.switches.len())?;
    let on = params.get("on").and_then(Value::as_bool).ok_or((-103, "Missing required argument 'on'!".to_owned()))?;
    let toggle_after = params.get("toggle_after").and_then(Value::as_f64);
    let was_on = d.switches[n].output;
    if let Some(timer) = d.timers[n].take() {
        timer.abort();
    }
    d.switches[n] = SwitchState { output: on, toggle_after };
    if let Some(seconds) = toggle_after {
        let device = Arc::clone(device);
        d.timers[n] = Some(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            let mut d = device.lock().unwrap();
            d.switches[n] = SwitchState { output: !on, toggle_after: None };
            d.timers[n] = None;
        }));
    }
    Ok(json!({"was_on": was_on}))
}

/// Checks an `Authorization: Digest …` header against the password (RFC 7616, SHA-256).
fn authorized(headers: &HeaderMap, password: &str) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(fields) = value.strip_prefix("Digest ") else { return false };
    let field = |name: &str| -> Option<String> {
        fields.split(',').map(str::trim).find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"').to_owned())
        })
    };
    let (Some(user), Some(realm), Some(nonce), Some(uri), Some(nc), Some(cnonce), Some(response)) =
        (field("username"), field("realm"), field("nonce"), field("uri"), field("nc"), field("cnonce"), field("response"))
    else {
        return false;
    };
    let ha1 = sha256_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = sha256_hex(&format!("POST:{uri}"));
    let expected = sha256_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    user == "admin" && realm == DEVICE_ID && nonce == NONCE && uri == "/rpc" && response == expected
}
