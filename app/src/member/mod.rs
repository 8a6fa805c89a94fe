//! The member's own page: the doors they can open (press to unlock comes
//! with the access decision).

pub mod api;
mod my_doors_page;

pub use my_doors_page::MyDoorsPage;
