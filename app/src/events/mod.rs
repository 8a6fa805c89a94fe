//! The event log: every unlock attempt and admin action, filtered, paged by
//! keyset, exported as CSV, refreshed while you watch.

pub mod api;
mod event_filters;
mod event_log_page;
mod event_table;

pub use event_log_page::EventLogPage;
