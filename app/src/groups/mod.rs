//! Groups: list, create, edit (members, doors, restrictions, validity), delete.

pub mod api;
mod group_editor;
mod group_list;
mod group_links;

pub use group_editor::GroupEditor;
pub use group_list::GroupList;
