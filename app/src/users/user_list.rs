use super::api::list_users;
use crate::components::{Pager, SearchBar};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UserList() -> impl IntoView {
    let query = use_query_map();
    let users = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page")),
        |(q, page)| list_users(q, page),
    );
    view! {
        <PageHeader title="Users">
            <A href="/users/new" attr:class="button primary">"New user"</A>
        </PageHeader>
        <SearchBar label="Search by name or email"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="empty">"Nobody matches."</p> }.into_any(),
                    Ok(list) => {
                        let pager = (list.page, list.page_count(), list.total);
                        view! {
                            <table class="list">
                                <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"State"</th><th>"Groups"</th><th>"Cards"</th></tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|u| {
                                        let state = match (u.confirmed, u.app_access) {
                                            (_, false) => "App access off",
                                            (false, true) => "Not confirmed",
                                            (true, true) => "Active",
                                        };
                                        view! {
                                            <tr>
                                                <td><A href=format!("/users/{}", u.id)>{u.name}</A></td>
                                                <td>{u.email}</td>
                                                <td>{u.role.label()}</td>
                                                <td>{state}</td>
                                                <td>{u.group_count}</td>
                                                <td>{u.card_count}</td>
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
