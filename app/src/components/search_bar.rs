use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// A GET search box that keeps the query in the URL (`?q=`).
#[component]
pub fn SearchBar(label: &'static str) -> impl IntoView {
    let query = use_query_map();
    let current = move || query.read().get("q").unwrap_or_default();
    view! {
        <Form method="GET" action="">
            <div class="search">
                <label class="visually-hidden" for="search-q">{label}</label>
                <input id="search-q" type="search" name="q" placeholder=label value=current/>
                <button type="submit" class="secondary">"Search"</button>
            </div>
        </Form>
    }
}
