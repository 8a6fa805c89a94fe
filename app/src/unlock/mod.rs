//! Press to unlock: the server function every button posts to, and the
//! button with its green countdown or red reasons.

pub mod api;
mod geolocation;
mod unlock_button;

pub use unlock_button::UnlockButton;
