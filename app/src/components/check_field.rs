use crate::error::AppError;
use leptos::prelude::*;

/// A labelled checkbox (sent as "on" when checked, absent otherwise).
#[component]
pub fn CheckField(
    label: &'static str,
    field: &'static str,
    #[prop(into)] name: String,
    #[prop(optional)] checked: bool,
    error: Signal<Option<AppError>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{field}");
    let label_for = id.clone();
    let message = move || error.get().and_then(|e| e.field(field));
    view! {
        <div class="field check" class:invalid=move || message().is_some()>
            <label for=label_for>
                <input id=id type="checkbox" name=name value="on" checked=checked/>
                {label}
            </label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" role="alert">{message}</p>
        </div>
    }
}
