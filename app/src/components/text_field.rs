use crate::error::AppError;
use leptos::prelude::*;

/// A labelled input with its validation message right below it.
#[component]
pub fn TextField(
    #[prop(into)]
    label: String,
    /// The field's key in validation errors, e.g. "name".
    field: &'static str,
    /// The input's `name` attribute.
    #[prop(into)]
    name: String,
    #[prop(into, optional)] value: String,
    error: Signal<Option<AppError>>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] list: Option<String>,
) -> impl IntoView {
    let id = format!("field-{field}");
    let message_id = format!("{id}-message");
    let message = move || error.get().and_then(|e| e.field(field));
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind.unwrap_or("text")
                name=name
                value=value
                required=required
                placeholder=placeholder
                autocomplete=autocomplete
                list=list
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=message_id.clone()
            />
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" id=message_id role="alert">{message}</p>
        </div>
    }
}
