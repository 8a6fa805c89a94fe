use leptos::prelude::*;

/// What holds the door's scheduled unlock back right now, if anything.
#[component]
pub fn HeldBackNote(sentence: Option<String>) -> impl IntoView {
    sentence.map(|s| view! { <p class="banner warning held-back" role="status">{s}</p> })
}

/// The door page's note of what holds its scheduled unlock back ("Waiting
/// for the first person in…"), with a link to its schedules; nothing when
/// nothing does.
#[component]
pub fn DoorHeldBack(door_id: i64, sentence: Option<String>) -> impl IntoView {
    sentence.map(|s| view! {
        <p class="banner warning held-back" role="status">
            {s}" "<a href=format!("/doors/{door_id}/schedules")>"Scheduled unlocks"</a>
        </p>
    })
}
