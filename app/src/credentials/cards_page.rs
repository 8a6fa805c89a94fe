use super::api::list_all_cards;
use super::credential_tabs::CredentialTabs;
use crate::components::{action_error, FormBanner, Pager, SearchBar, SelectField, TextField};
use crate::layout::PageHeader;
use crate::users::api::{AddCard, ChangeCard};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Credentials → Cards & fobs: every card with its holder; add one for
/// anyone; deactivate, reactivate, delete.
#[component]
pub fn CardsPage() -> impl IntoView {
    let query = use_query_map();
    let add = ServerAction::<AddCard>::new();
    let change = ServerAction::<ChangeCard>::new();
    let error = action_error(add);
    let change_error = action_error(change);
    let cards = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page"), add.version().get(), change.version().get()),
        |(q, page, _, _)| list_all_cards(q, page),
    );
    view! {
        <PageHeader title="Credentials"/>
        <CredentialTabs current="cards"/>
        <FormBanner error=change_error/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cards.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok((list, people)) => {
                        let pager = (list.page, list.page_count(), list.total);
                        let empty = list.items.is_empty();
                        view! {
                            <ActionForm action=add attr:class="inline-add panel">
                                <FormBanner error/>
                                <SelectField label="Person" field="user_id" name="user_id" options=people blank="Choose a person…" error/>
                                <TextField label="Card number" field="number" name="number" placeholder="12:34567 or 1234567890" hint="Facility code:number, or the raw number" error/>
                                <TextField label="Label" field="label" name="label" placeholder="Blue fob" error/>
                                <button type="submit" class="secondary">"Add card"</button>
                            </ActionForm>
                            <SearchBar label="Search by number, label or person"/>
                            {if empty {
                                view! { <p class="empty">"No cards or fobs match."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll">
                                    <table class="list">
                                        <thead><tr><th>"Number"</th><th>"Label"</th><th>"Person"</th><th>"State"</th><th></th></tr></thead>
                                        <tbody>
                                            {list.items.into_iter().map(|entry| {
                                                let c = entry.card;
                                                let (toggle, toggle_label) = if c.active { ("deactivate", "Deactivate") } else { ("activate", "Activate") };
                                                view! {
                                                    <tr>
                                                        <td><code>{c.number.clone()}</code></td>
                                                        <td>{c.label}</td>
                                                        <td><A href=format!("/users/{}", c.user_id)>{entry.user_name}</A><br/><small class="muted">{entry.user_email}</small></td>
                                                        <td>{if c.active { "Active" } else { "Deactivated" }}</td>
                                                        <td class="row-actions">
                                                            <ActionForm action=change>
                                                                <input type="hidden" name="card_id" value=c.id/>
                                                                <input type="hidden" name="change" value=toggle/>
                                                                <button type="submit" class="link" aria-label=format!("{toggle_label} card {}", c.number)>{toggle_label}</button>
                                                            </ActionForm>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                    <Pager page=pager.0 page_count=pager.1 total=pager.2 query=query.read_untracked().get("q").unwrap_or_default()/>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
