use super::api::my_doors;
use crate::auth::api::Logout;
use crate::unlock::UnlockButton;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

/// Mobile-first list of the member's doors.
#[component]
pub fn MyDoorsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| my_doors());
    let logout = ServerAction::<Logout>::new();
    // Door status badges on every page follow the live stream.
    crate::live::provide_live_doors();
    view! {
        <Title text="My doors"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(Some((user, doors))) => view! {
                        <main class="phone">
                            <header class="phone-header">
                                <div>
                                    <h1>"My doors"</h1>
                                    <p class="muted">{user.name.clone()}</p>
                                </div>
                                <div class="phone-actions">
                                    {user.role.can_manage().then(|| view! { <A href="/" attr:class="button secondary small">"Dashboard"</A> })}
                                    <ActionForm action=logout>
                                        <button type="submit" class="secondary small">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            </header>
                            {if doors.is_empty() {
                                view! { <p class="empty">"You have no doors yet. Ask an admin to add you to a group."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="door-cards">
                                        {doors.into_iter().map(|d| view! {
                                            <li class="door-card">
                                                <div class="door-card-head">
                                                    <h2>{d.name.clone()}</h2>
                                                    <p class="muted">{d.place_name.clone()}</p>
                                                </div>
                                                <UnlockButton door_name=d.name.clone() state=d.live() time_zone=d.time_zone.clone() geofence=d.geofence_enabled/>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
