//! The `postern` binary's library: configuration, telemetry, the HTTP
//! application and the command-line subcommands, so integration tests can
//! start the real server on port 0.

pub mod api;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod csrf;
pub mod events_csv;
pub mod live;
pub mod security_headers;
pub mod startup;
pub mod telemetry;
