//! Postern's domain: validated types, door status precedence and (later) the
//! access decision. Pure code that compiles to wasm, so the UI can use it too.
//!
//! Behind the `server` feature: [`services`], everything that needs I/O
//! (database repositories, password hashing, sessions) so that the Leptos
//! server functions, the CLI and the REST API call one implementation.

pub mod access;
pub mod door_status;
pub mod field_error;
pub mod model;
pub mod schedule;
pub mod types;

#[cfg(feature = "server")]
pub mod services;
