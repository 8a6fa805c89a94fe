use super::api::list_groups;
use crate::components::{Pager, SearchBar};
use crate::format::instant_utc;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn GroupList() -> impl IntoView {
    let query = use_query_map();
    let groups = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page")),
        |(q, page)| list_groups(q, page),
    );
    view! {
        <PageHeader title="Groups">
            <A href="/groups/new" attr:class="button primary">"New group"</A>
        </PageHeader>
        <SearchBar label="Search groups"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty">"No groups yet. A group gives its members access to its doors."</p>
                    }.into_any(),
                    Ok(list) => {
                        let pager = (list.page, list.page_count(), list.total);
                        view! {
                            <table class="list">
                                <thead><tr><th>"Group"</th><th>"Members"</th><th>"Doors"</th><th>"Valid from (UTC)"</th><th>"Valid until (UTC)"</th></tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|g| view! {
                                        <tr>
                                            <td><A href=format!("/groups/{}", g.id)>{g.name}</A><div class="muted">{g.description}</div></td>
                                            <td>{g.member_count}</td>
                                            <td>{g.door_count}</td>
                                            <td>{instant_utc(g.valid_from)}</td>
                                            <td>{instant_utc(g.valid_until)}</td>
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
