use leptos::prelude::*;

/// A delete button that asks first. Built on `<details>`, so it also works
/// before the page's Wasm has loaded. The confirming form goes in `children`.
#[component]
pub fn ConfirmDelete(
    /// What is being deleted, e.g. "the place “HQ”".
    #[prop(into)]
    what: String,
    /// What else happens, e.g. "Its doors lose their controller."
    #[prop(optional, into)]
    consequence: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <details class="confirm-delete">
            <summary class="button danger-outline">"Delete…"</summary>
            <div class="confirm-panel" role="group" aria-label="Confirm deletion">
                <p>{format!("Delete {what}? This cannot be undone.")}</p>
                {consequence.map(|c| view! { <p class="hint">{c}</p> })}
                {children()}
            </div>
        </details>
    }
}
