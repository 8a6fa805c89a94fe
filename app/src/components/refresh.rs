use leptos::prelude::*;

/// Bumps `tick` every `seconds` while the page is open (browser only), so a
/// resource keyed on it reloads.
pub fn refresh_every(tick: RwSignal<u32>, seconds: u32) {
    #[cfg(feature = "hydrate")]
    {
        let every = std::time::Duration::from_secs(u64::from(seconds));
        if let Ok(handle) = set_interval_with_handle(move || { tick.try_update(|t| *t += 1); }, every) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (tick, seconds);
}
