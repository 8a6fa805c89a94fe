use leptos::prelude::*;

/// What holds the door's scheduled unlock back right now, if anything.
#[component]
pub fn HeldBackNote(sentence: Option<String>) -> impl IntoView {
    sentence.map(|s| view! { <p class="banner warning held-back" role="status">{s}</p> })
}
