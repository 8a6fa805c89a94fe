//! "Why can't they unlock?": pick a person and a door (optionally a time and
//! a location) and see each rule with pass/fail and the fix.

pub mod api;
mod explain_page;

pub use explain_page::ExplainPage;
