//! The set-password page of a welcome email, `/set-password/<token>`:
//! served without Wasm (a server-rendered page with a plain `POST` form and
//! its CSS inline), so it works with JavaScript off. A GET only shows the
//! form; it never spends the link (mail scanners open links).

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
mod view;
