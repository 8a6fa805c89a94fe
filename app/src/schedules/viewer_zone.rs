//! The viewer's own time zone, as the browser knows it.

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`);
/// `None` on the server and where the browser does not say.
pub fn viewer_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        let options = format.resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|zone| zone.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    None
}
