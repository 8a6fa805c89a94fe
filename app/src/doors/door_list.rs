use super::api::list_doors;
use crate::components::{Pager, SearchBar};
use crate::layout::PageHeader;
use crate::unlock::UnlockButton;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DoorList() -> impl IntoView {
    let query = use_query_map();
    let doors = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page")),
        |(q, page)| list_doors(q, page),
    );
    view! {
        <PageHeader title="Doors">
            <A href="/doors/new" attr:class="button primary">"New door"</A>
        </PageHeader>
        <SearchBar label="Search doors"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match doors.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty">"No doors yet. Add a door and wire it to a controller's relay."</p>
                    }.into_any(),
                    Ok(list) => {
                        let pager = (list.page, list.page_count(), list.total);
                        view! {
                            <table class="list">
                                <thead><tr><th>"Door"</th><th>"Place"</th><th>"Status · unlock"</th><th>"Controller"</th><th>"Restrictions"</th><th>"Groups"</th></tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|d| {
                                        let wiring = match (&d.controller_name, d.relay) {
                                            (Some(c), Some(r)) => format!("{c} · relay {r}"),
                                            _ => "No controller".to_owned(),
                                        };
                                        let mut restrictions = Vec::new();
                                        if d.geofence_enabled { restrictions.push(format!("Geofence {} m", d.effective_radius_m)); }
                                        if d.reader_restriction { restrictions.push("Reader".to_owned()); }
                                        if d.time_restriction { restrictions.push("Time".to_owned()); }
                                        if d.require_2fa { restrictions.push("2FA".to_owned()); }
                                        let restrictions = if restrictions.is_empty() { "—".to_owned() } else { restrictions.join(", ") };
                                        let name = d.name.clone();
                                        view! {
                                            <tr>
                                                <td><A href=format!("/doors/{}", d.id)>{name}</A></td>
                                                <td>{d.place_name.clone()}</td>
                                                <td class="unlock-cell"><UnlockButton door_name=d.name.clone() state=d.live() time_zone=d.time_zone.clone() geofence=d.geofence_enabled/></td>
                                                <td>{wiring}</td>
                                                <td>{restrictions}</td>
                                                <td>{d.group_count}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=pager.0 page_count=pager.1 total=pager.2 query=query.read_untracked().get("q").unwrap_or_default()/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
