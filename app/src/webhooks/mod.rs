//! Event webhooks (admins): register an endpoint (URL, secret, event
//! types), switch it off or on, delete it, and read its delivery log. Plain
//! forms, so every page works before (or without) the Wasm.

pub mod api;
mod webhook_list;
mod webhook_log;

pub use webhook_list::WebhookList;
pub use webhook_log::WebhookLog;
