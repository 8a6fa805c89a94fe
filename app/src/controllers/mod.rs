//! Controllers: list, create, edit (relays and readers shown), delete.

pub mod api;
mod connection;
mod controller_editor;
mod controller_list;

pub use controller_editor::ControllerEditor;
pub use controller_list::ControllerList;
