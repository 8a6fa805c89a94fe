use crate::error::AppError;
use leptos::prelude::*;

/// A labelled `<select>` with its validation message right below it.
#[component]
pub fn SelectField(
    label: &'static str,
    field: &'static str,
    #[prop(into)] name: String,
    /// (value, label) pairs.
    options: Vec<(String, String)>,
    #[prop(into, optional)] selected: String,
    /// Text of an empty first option ("" value), if the field may stay blank.
    #[prop(optional)]
    blank: Option<&'static str>,
    error: Signal<Option<AppError>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{field}");
    let message_id = format!("{id}-message");
    let message = move || error.get().and_then(|e| e.field(field));
    let blank_selected = selected.is_empty();
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=message_id.clone()>
                {blank.map(|text| view! { <option value="" selected=blank_selected>{text}</option> })}
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" id=message_id role="alert">{message}</p>
        </div>
    }
}
