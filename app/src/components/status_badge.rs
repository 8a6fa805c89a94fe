use leptos::prelude::*;
use postern::door_status::DoorStatus;

/// A door's status (SPEC precedence: Offline, Locked down, Unlocked, Locked).
#[component]
pub fn StatusBadge(status: DoorStatus) -> impl IntoView {
    view! { <span class=format!("badge {}", status.css_class())>{status.label()}</span> }
}
