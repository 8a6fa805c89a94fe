//! The organization's settings: its name and the access email.

pub mod api;
mod settings_page;

pub use settings_page::SettingsPage;
