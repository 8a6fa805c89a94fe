//! API keys: create (secret shown once), list, revoke.

pub mod api;
mod api_key_page;

pub use api_key_page::ApiKeyPage;
