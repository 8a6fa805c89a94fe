use super::api::list_controllers;
use crate::components::{Pager, SearchBar};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ControllerList() -> impl IntoView {
    let query = use_query_map();
    let controllers = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page")),
        |(q, page)| list_controllers(q, page),
    );
    view! {
        <PageHeader title="Controllers">
            <A href="/controllers/new" attr:class="button primary">"New controller"</A>
        </PageHeader>
        <SearchBar label="Search controllers"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match controllers.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty">"No controllers yet. A controller drives up to 4 doors through its relays."</p>
                    }.into_any(),
                    Ok(list) => {
                        let pager = (list.page, list.page_count(), list.total);
                        view! {
                            <table class="list">
                                <thead><tr><th>"Name"</th><th>"Place"</th><th>"Model"</th><th>"Bridge"</th><th>"State"</th><th>"Relays in use"</th></tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|c| {
                                        let used = c.relays.iter().filter(|r| r.door_id.is_some()).count();
                                        let total = c.relays.len();
                                        view! {
                                            <tr>
                                                <td><A href=format!("/controllers/{}", c.id)>{c.name}</A></td>
                                                <td>{c.place_name}</td>
                                                <td>{c.model.label()}</td>
                                                <td>{c.bridge_kind.label()}</td>
                                                <td>{if c.online { view! { <span class="badge status-locked">"Online"</span> } } else { view! { <span class="badge status-offline">"Offline"</span> } }}</td>
                                                <td>{format!("{used} of {total}")}</td>
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
