//! A manager's places (SPEC §8): the doors, groups, people and events they
//! manage. Shown to admins on a manager's page; each place is assigned or
//! taken away by its own button, so the form works without JavaScript.

use super::api::{get_manager_places, ChangeManagerPlace};
use crate::components::{action_error, FormBanner};
use leptos::prelude::*;

#[component]
pub fn ManagerPlaces(user_id: i64) -> impl IntoView {
    let change = ServerAction::<ChangeManagerPlace>::new();
    let error = action_error(change);
    let places = Resource::new_blocking(move || change.version().get(), move |_| get_manager_places(user_id));
    view! {
        <section class="panel" aria-labelledby="places-heading">
            <h2 id="places-heading">"Places managed"</h2>
            <p class="hint">"This manager sees and changes only these places' doors, their groups, those groups' members and links, and those doors' events."</p>
            <FormBanner error/>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match places.await {
                        Ok(places) if places.is_empty() => view! { <p class="empty">"There are no places yet."</p> }.into_any(),
                        Ok(places) => {
                            let assigned = places.iter().filter(|(_, _, on)| *on).count();
                            view! {
                                <p class="status-line">{format!("{assigned} of {} places assigned.", places.len())}</p>
                                <ul class="link-list">
                                    {places.into_iter().map(|(place_id, name, on)| view! {
                                        <li>
                                            <span>{name.clone()}</span>
                                            <span class=if on { "badge ok" } else { "badge" }>{if on { "Managed" } else { "Not managed" }}</span>
                                            <ActionForm action=change attr:class="inline">
                                                <input type="hidden" name="user_id" value=user_id/>
                                                <input type="hidden" name="place_id" value=place_id/>
                                                <input type="hidden" name="change" value=if on { "remove" } else { "assign" }/>
                                                <button type="submit" class="secondary" aria-label=format!("{} {name}", if on { "Take away" } else { "Assign" })>
                                                    {if on { "Take away" } else { "Assign" }}
                                                </button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        // Only admins assign places; others see no panel.
                        Err(crate::error::AppError::Forbidden(_)) => ().into_any(),
                        Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
