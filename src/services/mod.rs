//! Services that need I/O, shared by the Leptos server functions, the CLI and
//! the REST API. Compiled only with the `server` feature.

pub mod access_links;
pub mod api_keys;
pub mod audit;
pub mod bridge;
pub mod controllers;
pub mod data_version;
pub mod db;
pub mod demo;
pub mod doors;
pub mod error;
pub mod event_log;
pub mod event_writer;
pub mod floors;
pub mod groups;
pub mod live;
pub mod lockdown;
pub mod login_throttle;
pub mod messaging;
pub mod organization;
pub mod owner;
pub mod passwords;
pub mod places;
pub mod schedules;
pub mod scope;
pub mod sessions;
pub mod stats;
pub mod tokens;
pub mod unlock;
pub mod users;
pub mod welcome;
pub mod webhooks;

pub use db::Db;
pub use error::{ServiceError, ServiceResult};

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
