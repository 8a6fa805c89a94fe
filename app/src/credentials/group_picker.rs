use crate::components::form_name;
use crate::error::AppError;
use leptos::prelude::*;

/// The group of a new link: a `<select>` with a filter box above it (type a
/// few letters, the list narrows; one match is picked). Without Wasm it is
/// a plain select.
#[component]
pub fn GroupPicker(groups: Vec<(String, String)>, error: Signal<Option<AppError>>) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let message = move || error.get().and_then(|e| e.field("group_id"));
    let matching = move || {
        let wanted = filter.get().trim().to_lowercase();
        groups.iter().filter(|(_, name)| name.to_lowercase().contains(&wanted)).cloned().collect::<Vec<_>>()
    };
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for="field-group_id">"Group"</label>
            <input type="search" class="group-filter" placeholder="Type to filter the groups" aria-label="Filter the groups"
                on:input=move |ev| filter.set(event_target_value(&ev))/>
            <select id="field-group_id" name=form_name("group_id") aria-describedby="field-group_id-message">
                {move || {
                    let list = matching();
                    let only = list.len() == 1;
                    view! {
                        <option value="" selected=!only>{if list.is_empty() { "No group matches" } else { "Choose a group…" }}</option>
                        {list.into_iter().map(|(value, name)| view! { <option value=value selected=only>{name}</option> }).collect_view()}
                    }
                }}
            </select>
            <p class="hint">"The link opens this group's doors."</p>
            <p class="field-error" id="field-group_id-message" role="alert">{message}</p>
        </div>
    }
}
