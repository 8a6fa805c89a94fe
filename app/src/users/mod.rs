//! Users: list, invite/create, edit (role, flags), cards and fobs, delete.

pub mod api;
mod card_list;
mod manager_places;
mod sign_in_panel;
mod user_editor;
mod user_list;

pub use user_editor::UserEditor;
pub use user_list::UserList;
