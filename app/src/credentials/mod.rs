//! Credentials: digital ones (access links: send by email, text message or
//! copy once; list; revoke) and cards & fobs.

pub mod api;
mod access_links_page;
mod cards_page;
mod copy;
mod credential_tabs;
mod group_picker;
mod link_secret_dialog;
mod link_table;
mod send_link_form;

pub use access_links_page::AccessLinksPage;
pub use cards_page::CardsPage;
