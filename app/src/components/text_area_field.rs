use crate::error::AppError;
use leptos::prelude::*;

/// A labelled multi-line input with its validation message right below it.
#[component]
pub fn TextAreaField(
    label: &'static str,
    field: &'static str,
    #[prop(into)] name: String,
    #[prop(into, optional)] value: String,
    error: Signal<Option<AppError>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] placeholder: Option<String>,
) -> impl IntoView {
    let id = format!("field-{field}");
    let message_id = format!("{id}-message");
    let message = move || error.get().and_then(|e| e.field(field));
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea id=id name=name rows="4" placeholder=placeholder aria-describedby=message_id.clone()>{value}</textarea>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" id=message_id role="alert">{message}</p>
        </div>
    }
}
