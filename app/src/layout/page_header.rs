use leptos::prelude::*;
use leptos_meta::Title;

/// The title of a page, its browser tab title, and its main actions.
#[component]
pub fn PageHeader(#[prop(into)] title: String, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <Title text=title.clone()/>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="actions">{children.map(|c| c())}</div>
        </div>
    }
}
