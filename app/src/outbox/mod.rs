//! The outbox: the email and text messages Postern sent, held (no provider
//! configured) or failed, newest first. Admins only. It lives in the
//! server's memory, so it empties on restart and the database never holds
//! a usable link.

pub mod api;
mod outbox_page;

pub use outbox_page::OutboxPage;
