use super::api::{AddCard, ChangeCard};
use crate::components::{action_error, FormBanner, TextField};
use leptos::prelude::*;
use postern::model::Card;

/// A person's cards and fobs: add, deactivate, reactivate, delete.
#[component]
pub fn CardList(user_id: i64, cards: Vec<Card>, add_card: ServerAction<AddCard>, change_card: ServerAction<ChangeCard>) -> impl IntoView {
    let error = action_error(add_card);
    let change_error = action_error(change_card);
    view! {
        <section class="panel" aria-labelledby="cards-heading">
            <h2 id="cards-heading">"Cards and fobs"</h2>
            <FormBanner error/>
            <FormBanner error=change_error/>
            <ActionForm action=add_card attr:class="inline-add">
                <input type="hidden" name="user_id" value=user_id/>
                <TextField label="Card number" field="number" name="number" placeholder="12:34567 or 1234567890" error/>
                <TextField label="Label" field="label" name="label" placeholder="Blue fob" error/>
                <button type="submit" class="secondary">"Add card"</button>
            </ActionForm>
            {if cards.is_empty() {
                view! { <p class="empty">"No cards yet."</p> }.into_any()
            } else {
                view! {
                    <table class="list compact">
                        <thead><tr><th>"Number"</th><th>"Label"</th><th>"State"</th><th></th></tr></thead>
                        <tbody>
                            {cards.into_iter().map(|c| {
                                let toggle = if c.active { "deactivate" } else { "activate" };
                                let toggle_label = if c.active { "Deactivate" } else { "Activate" };
                                view! {
                                    <tr>
                                        <td>{c.number}</td>
                                        <td>{c.label}</td>
                                        <td>{if c.active { "Active" } else { "Deactivated" }}</td>
                                        <td class="row-actions">
                                            <ActionForm action=change_card>
                                                <input type="hidden" name="card_id" value=c.id/>
                                                <input type="hidden" name="change" value=toggle/>
                                                <button type="submit" class="link">{toggle_label}</button>
                                            </ActionForm>
                                            <ActionForm action=change_card>
                                                <input type="hidden" name="card_id" value=c.id/>
                                                <input type="hidden" name="change" value="delete"/>
                                                <button type="submit" class="link danger-text">"Delete"</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
