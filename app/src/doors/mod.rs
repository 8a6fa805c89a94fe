//! Doors: list with live-status badges, create, edit, delete.

pub mod api;
mod door_controls;
mod door_editor;
mod door_list;

pub use door_editor::DoorEditor;
pub use door_list::DoorList;
