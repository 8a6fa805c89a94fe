//! Places: list, create, edit, delete.

pub mod api;
mod place_editor;
mod place_list;

pub use place_editor::PlaceEditor;
pub use place_list::PlaceList;
