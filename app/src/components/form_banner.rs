use crate::error::AppError;
use leptos::prelude::*;

/// The error above a form: what went wrong that is not one field's fault.
#[component]
pub fn FormBanner(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.banner()).map(|message| {
            view! { <div class="banner error" role="alert">{message}</div> }
        })
    }
}
