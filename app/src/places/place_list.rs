use super::api::list_places;
use crate::components::{Pager, SearchBar};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PlaceList() -> impl IntoView {
    let query = use_query_map();
    let places = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page")),
        |(q, page)| list_places(q, page),
    );
    view! {
        <PageHeader title="Places">
            <A href="/places/new" attr:class="button primary">"New place"</A>
        </PageHeader>
        <SearchBar label="Search places"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match places.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty">"No places yet. A place is a site with doors: add your first one."</p>
                    }.into_any(),
                    Ok(list) => {
                        let pager = (list.page, list.page_count(), list.total);
                        view! {
                            <table class="list">
                                <thead><tr><th>"Name"</th><th>"Address"</th><th>"Time zone"</th><th>"Geofence"</th><th>"Doors"</th></tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|p| view! {
                                        <tr>
                                            <td><A href=format!("/places/{}", p.id)>{p.name}</A></td>
                                            <td>{p.address}</td>
                                            <td>{p.time_zone}</td>
                                            <td>{format!("{} m", p.geofence_radius_m)}</td>
                                            <td>{p.door_count}</td>
                                        </tr>
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
