//! Postern's web UI (Leptos, server-rendered and hydrated) and its server
//! functions. One folder per feature, each with its pages, components and a
//! thin `api.rs` of server functions that call `postern::services`.

// Leptos view types nest deeply (the door rows with live status and the
// unlock form); the compiler's default query depth is not enough for them.
#![recursion_limit = "256"]

pub mod api_keys;
pub mod app;
pub mod auth;
pub mod components;
pub mod controllers;
pub mod credentials;
pub mod doors;
pub mod error;
pub mod events;
pub mod explain;
pub mod format;
pub mod groups;
pub mod layout;
pub mod links;
pub mod live;
pub mod member;
pub mod outbox;
pub mod overview;
pub mod places;
pub mod schedules;
#[cfg(feature = "ssr")]
pub mod server_context;
pub mod settings;
pub mod simulator;
pub mod unlock;
pub mod users;
pub mod welcome;
pub mod webhooks;

pub use app::{shell, App};

/// Entry point of the Wasm bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets end-to-end tests (and curious people) know the page is interactive.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__POSTERN_HYDRATED".into(), &true.into());
    }
}
