use super::api::{explain_access, ExplainQuery};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use postern::access::Explanation;

#[component]
pub fn ExplainPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        ExplainQuery {
            user: get("user"),
            link: get("link"),
            door: get("door"),
            at: get("at"),
            at_ms: get("at_ms"),
            latitude: get("latitude"),
            longitude: get("longitude"),
            accuracy: get("accuracy"),
        }
    };
    let data = Resource::new_blocking(query, explain_access);
    view! {
        <PageHeader title="Why can't they unlock?"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query();
                match data.await {
                    Err(e) => view! { <div class="banner error" role="alert">{e.banner()}" "{e.field("at").or(e.field("latitude")).or(e.field("longitude"))}</div> }.into_any(),
                    Ok(page) => view! {
                        <Form method="GET" action="">
                            <div class="filters">
                                <label>"Person"<select name="user">
                                    <option value="">"Pick a person"</option>
                                    {page.users.into_iter().map(|(id, name)| { let v = id.to_string(); let s = v == q.user; view! { <option value=v selected=s>{name}</option> } }).collect_view()}
                                </select></label>
                                <label>"or an access link"<select name="link">
                                    <option value="">"No link"</option>
                                    {page.links.into_iter().map(|(id, name)| { let v = id.to_string(); let s = v == q.link; view! { <option value=v selected=s>{name}</option> } }).collect_view()}
                                </select></label>
                                <label>"Door"<select name="door">
                                    <option value="">"Pick a door"</option>
                                    {page.doors.into_iter().map(|(id, name)| { let v = id.to_string(); let s = v == q.door; view! { <option value=v selected=s>{name}</option> } }).collect_view()}
                                </select></label>
                                <label>"At (door's local time)"<input type="datetime-local" name="at" value=q.at.clone()/></label>
                                <label>"Latitude"<input name="latitude" value=q.latitude.clone() placeholder="optional"/></label>
                                <label>"Longitude"<input name="longitude" value=q.longitude.clone() placeholder="optional"/></label>
                                <button type="submit" class="primary">"Explain"</button>
                            </div>
                        </Form>
                        {match page.explanation {
                            Some(explanation) => view! { <ExplanationView explanation/> }.into_any(),
                            None => view! { <p class="empty">"Pick a person (or an access link) and a door. Leave the time blank for now."</p> }.into_any(),
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ExplanationView(explanation: Explanation) -> impl IntoView {
    let verdict = if explanation.granted { "Would be granted" } else { "Would be denied" };
    view! {
        <section class="panel explanation" aria-label="Explanation">
            <h2 class=if explanation.granted { "verdict granted" } else { "verdict denied" }>
                {format!("{verdict}: “{}” at {}", explanation.door_name, explanation.at_local)}
            </h2>
            <p class="hint">"Requests from this page carry no reader code and no fresh password entry: a door with a reader restriction or two-factor verification shows what the person must do at the door."</p>
            <table class="list checks">
                <thead><tr><th>"Rule"</th><th>"Result"</th><th>"What we found"</th><th>"How to fix it"</th></tr></thead>
                <tbody>
                    {explanation.checks.into_iter().map(|check| view! {
                        <tr class=if check.passed { "pass" } else { "fail" }>
                            <td>{check.rule}</td>
                            <td>{if check.passed { view! { <span class="badge result-granted">"✓ Pass"</span> } } else { view! { <span class="badge result-denied">"✗ Blocks"</span> } }}</td>
                            <td><ul class="plain">{check.details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul></td>
                            <td><ul class="plain">{check.fixes.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
