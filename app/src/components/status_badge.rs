use crate::live::{use_live_doors, DoorState, Shown};
use leptos::prelude::*;
use postern::door_status::DoorLive;

/// A door's status (SPEC precedence: Offline, Locked down, Unlocked, Locked)
/// with its "until" time, door sensor, alarm and note. Rendered from `door`
/// on the server; in the browser it follows the page's live door states
/// (`crate::live`) and counts an unlock down.
#[component]
pub fn StatusBadge(
    door: DoorLive,
    /// The door's place's time zone, for "until 14:05".
    #[prop(into, optional)]
    time_zone: String,
) -> impl IntoView {
    let live = use_live_doors();
    let door_id = door.door_id;
    let shown = Memo::new(move |_| Shown::of(&live.state_of(&door), live.now.get(), &time_zone));
    view! { <DoorState door_id shown/> }
}
