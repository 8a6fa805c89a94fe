use leptos::prelude::*;
use leptos_router::components::A;

/// The two tabs of the Credentials page (each its own URL, so they work
/// without Wasm and can be bookmarked).
#[component]
pub fn CredentialTabs(current: &'static str) -> impl IntoView {
    let tab = |href: &'static str, key: &'static str, label: &'static str| {
        let selected = current == key;
        view! {
            <A href=href attr:class=if selected { "tab selected" } else { "tab" } attr:aria-current=selected.then_some("page")>
                {label}
            </A>
        }
    };
    view! {
        <nav class="tabs" aria-label="Kinds of credential">
            {tab("/credentials", "links", "Digital credentials")}
            {tab("/credentials/cards", "cards", "Cards & fobs")}
        </nav>
    }
}
