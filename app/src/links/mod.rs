//! The visitor's access-link page, `/l/<token>`: served without Wasm (a
//! server-rendered page with plain `POST` forms and a few lines of inline
//! script for countdowns), so it is small, fast on slow phone networks, and
//! works with JavaScript off. Link previews and mail scanners that GET the
//! URL unlock nothing.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
mod view;
