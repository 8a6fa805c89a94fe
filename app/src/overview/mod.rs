//! The dashboard's front page: counts and where to start.

pub mod api;
mod overview_page;

pub use overview_page::Overview;
