use super::api::overview_counts;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Overview() -> impl IntoView {
    let counts = Resource::new_blocking(|| (), |_| overview_counts());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match counts.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(c) => view! {
                        <PageHeader title=c.organization.clone()/>
                        <div class="tiles">
                            <A href="/doors" attr:class="tile"><span class="tile-number">{c.doors}</span>"Doors"</A>
                            <A href="/places" attr:class="tile"><span class="tile-number">{c.places}</span>"Places"</A>
                            <A href="/controllers" attr:class="tile"><span class="tile-number">{c.controllers}</span>"Controllers"</A>
                            <A href="/groups" attr:class="tile"><span class="tile-number">{c.groups}</span>"Groups"</A>
                            <A href="/users" attr:class="tile"><span class="tile-number">{c.users}</span>"Users"</A>
                        </div>
                        {(c.places == 0).then(|| view! {
                            <section class="panel getting-started">
                                <h2>"Getting started"</h2>
                                <ol>
                                    <li><A href="/places/new">"Add a place"</A>" — the site with its address and time zone."</li>
                                    <li><A href="/controllers/new">"Add a controller"</A>" — a simulated one works without hardware."</li>
                                    <li><A href="/doors/new">"Add a door"</A>" on one of its relays."</li>
                                    <li><A href="/groups/new">"Create a group"</A>" with that door and its members."</li>
                                </ol>
                                <p class="hint">"Or fill a demo organization from a terminal: "<code>"postern demo"</code></p>
                            </section>
                        })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
