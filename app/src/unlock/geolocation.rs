//! The browser's position, for doors with a geofence (web-sys Geolocation).

use leptos::prelude::*;

/// What the browser said about its position.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Position {
    Unknown,
    Known { latitude: f64, longitude: f64, accuracy: f64 },
    Refused(String),
}

/// Asks the browser for its position once (in the browser only) and keeps it fresh.
pub fn watch_position(position: RwSignal<Position>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(geolocation) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            position.set(Position::Refused("This browser cannot share its location.".into()));
            return;
        };
        let found = Closure::<dyn Fn(web_sys::Position)>::new(move |p: web_sys::Position| {
            let c = p.coords();
            position.set(Position::Known { latitude: c.latitude(), longitude: c.longitude(), accuracy: c.accuracy() });
        });
        let failed = Closure::<dyn Fn(web_sys::PositionError)>::new(move |e: web_sys::PositionError| {
            let message = if e.code() == web_sys::PositionError::PERMISSION_DENIED {
                "Your browser refused to share your location. This door only opens nearby: allow location for this site and try again."
            } else {
                "Your location could not be found. Move to a spot with better reception and try again."
            };
            position.set(Position::Refused(message.into()));
        });
        let options = web_sys::PositionOptions::new();
        options.set_enable_high_accuracy(true);
        let _ = geolocation.watch_position_with_error_callback_and_options(
            found.as_ref().unchecked_ref(),
            Some(failed.as_ref().unchecked_ref()),
            &options,
        );
        found.forget();
        failed.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = position;
}
