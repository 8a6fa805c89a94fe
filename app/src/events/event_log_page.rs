use super::api::{list_events, EventQuery};
use super::event_filters::EventFilters;
use super::event_table::EventTable;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Seconds between refreshes of the newest page.
const REFRESH_SECONDS: u32 = 3;

#[component]
pub fn EventLogPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        EventQuery {
            door: get("door"),
            user: get("user"),
            group: get("group"),
            result: get("result"),
            method: get("method"),
            from: get("from"),
            until: get("until"),
            after: get("after"),
        }
    };
    // New events appear without reloading: the newest page refetches on a timer.
    let tick = RwSignal::new(0u32);
    crate::components::refresh_every(tick, REFRESH_SECONDS);
    let page = Resource::new_blocking(
        move || (query(), if query().after.is_empty() { tick.get() } else { 0 }),
        |(q, _)| list_events(q),
    );
    let export = move || {
        let q = query();
        format!(
            "/events.csv?door={}&user={}&group={}&result={}&method={}&from={}&until={}",
            q.door, q.user, q.group, q.result, q.method, q.from, q.until
        )
    };
    view! {
        <PageHeader title="Event log">
            <a href=export class="button secondary" download="postern-events.csv">"Export CSV"</a>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <div class="banner error" role="alert">{e.banner().unwrap_or_default()}{e.field("until").or(e.field("from")).or(e.field("result")).or(e.field("method"))}</div> }.into_any(),
                    Ok(page) => {
                        let q = query();
                        let next = page.next.clone().map(|after| {
                            let mut href = format!("?door={}&user={}&group={}&result={}&method={}&from={}&until={}&after={after}", q.door, q.user, q.group, q.result, q.method, q.from, q.until);
                            href.retain(|c| c != ' ');
                            href
                        });
                        view! {
                            <EventFilters query=q doors=page.doors users=page.users groups=page.groups/>
                            {if page.events.is_empty() {
                                view! { <p class="empty">"No events match."</p> }.into_any()
                            } else {
                                view! { <EventTable events=page.events/> }.into_any()
                            }}
                            <nav class="pager" aria-label="Pages">
                                <A href="?">"Newest"</A>
                                {next.map(|href| view! { <A href=href attr:rel="next">"Older →"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
