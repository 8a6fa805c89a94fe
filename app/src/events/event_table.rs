use crate::format::{instant_in, instant_utc};
use leptos::prelude::*;
use leptos_router::components::A;
use postern::model::EventEntry;

fn describe(event: &EventEntry) -> String {
    match event.action.as_str() {
        "unlock" => "Unlock".to_owned(),
        other => other.replace(['.', '_'], " "),
    }
}

/// The events, newest first.
#[component]
pub fn EventTable(events: Vec<EventEntry>) -> impl IntoView {
    view! {
        <div class="table-scroll">
        <table class="list events">
            <thead><tr><th>"Local time"</th><th>"UTC"</th><th>"Actor"</th><th>"Action"</th><th>"Door / subject"</th><th>"Method"</th><th>"Result"</th><th>"Reasons"</th></tr></thead>
            <tbody>
                {events.into_iter().map(|e| {
                    let action = describe(&e);
                    let result_class = format!("badge result-{}", e.result);
                    let explain = match (e.result.as_str(), e.link_id, e.actor_user_id, e.door_id) {
                        ("denied", Some(link), _, Some(door)) => Some(format!("/explain?link={link}&door={door}&at_ms={}", e.at)),
                        ("denied", None, Some(user), Some(door)) => Some(format!("/explain?user={user}&door={door}&at_ms={}", e.at)),
                        _ => None,
                    };
                    let subject = match e.door_id {
                        Some(id) => view! { <A href=format!("/doors/{id}")>{e.subject.clone()}</A> }.into_any(),
                        None => view! { <span>{e.subject.clone()}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td class="nowrap">{e.time_zone.as_deref().map(|z| instant_in(Some(e.at), z)).unwrap_or_else(|| "—".into())}</td>
                            <td class="nowrap muted">{instant_utc(Some(e.at))}</td>
                            <td>{e.actor_name}</td>
                            <td>{action}</td>
                            <td>{subject}</td>
                            <td>{e.method.unwrap_or_default()}</td>
                            <td><span class=result_class>{e.result}</span></td>
                            <td class="reasons">
                                {e.reasons.join(", ")}
                                {explain.map(|href| view! { " " <A href=href>"Why?"</A> })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
