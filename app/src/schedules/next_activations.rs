use super::viewer_zone::viewer_time_zone;
use postern::schedule::{format_span, Span};
use postern::types::TimeZoneName;
use leptos::prelude::*;

/// The next activations, in the place's local time and in the viewer's own
/// zone (known after the page has hydrated).
#[component]
pub fn NextActivations(spans: Vec<Span>, #[prop(into)] time_zone: String, #[prop(into)] title: String) -> impl IntoView {
    let place = TimeZoneName::parse(&time_zone).unwrap_or_else(|_| TimeZoneName::parse("UTC").expect("UTC is a zone"));
    let viewer = RwSignal::new(None::<String>);
    Effect::new(move |_| viewer.set(viewer_time_zone()));
    let viewer_heading = move || match viewer.get() {
        Some(zone) => format!("Your time ({zone})"),
        None => "Your time".to_owned(),
    };
    let place_zone = place.time_zone();
    let rows = spans
        .into_iter()
        .map(|span| {
            let here = format_span(span, &place_zone);
            let yours = move || {
                viewer
                    .get()
                    .and_then(|z| TimeZoneName::parse(&z).ok())
                    .map(|z| format_span(span, &z.time_zone()))
                    .unwrap_or_else(|| "…".to_owned())
            };
            view! { <tr><td data-label="Place time">{here}</td><td class="viewer-time" data-label="Your time">{yours}</td></tr> }
        })
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    let label = title.clone();
    view! {
        <section class="panel next-activations" aria-label=label>
            <h2>{title}</h2>
            {if empty {
                view! { <p class="empty">"None ahead: nothing will unlock this door on its own."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="list">
                            <thead><tr><th>{format!("Place time ({})", place.as_str())}</th><th>{viewer_heading}</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
