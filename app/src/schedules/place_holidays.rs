use super::api::{AddHoliday, DeleteHoliday};
use crate::components::{action_error, form_name, CheckField, ConfirmDelete, FormBanner, TextField};
use leptos::prelude::*;
use postern::schedule::Holiday;

/// A place's holidays (no recurring unlock starts on them), with add and delete.
#[component]
pub fn PlaceHolidays(
    place_id: i64,
    holidays: Vec<Holiday>,
    add: ServerAction<AddHoliday>,
    delete: ServerAction<DeleteHoliday>,
) -> impl IntoView {
    let error = action_error(add);
    let delete_error = action_error(delete);
    let name_message = move || error.get().and_then(|e| e.field("name"));
    let list = if holidays.is_empty() {
        view! { <p class="empty">"No holidays yet."</p> }.into_any()
    } else {
        let rows = holidays
            .into_iter()
            .map(|h| {
                let date = if h.yearly { format!("{} (every year)", h.date.strftime("%B %-d")) } else { h.date.to_string() };
                let name = h.name.clone();
                view! {
                    <tr>
                        <td>{h.name}</td>
                        <td>{date}</td>
                        <td>{if h.suppress_time_restrictions { "Time-restricted access closed too" } else { "—" }}</td>
                        <td>
                            <ConfirmDelete what=format!("the holiday “{name}”")>
                                <ActionForm action=delete>
                                    <input type="hidden" name="place_id" value=place_id/>
                                    <input type="hidden" name="id" value=h.id/>
                                    <button type="submit" class="danger">"Delete holiday"</button>
                                </ActionForm>
                            </ConfirmDelete>
                        </td>
                    </tr>
                }
            })
            .collect::<Vec<_>>();
        view! {
            <div class="table-scroll">
                <table class="list">
                    <thead><tr><th>"Holiday"</th><th>"Date"</th><th>"Time restrictions"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel place-holidays" id="holidays" aria-label="Holidays">
            <h2>"Holidays"</h2>
            <p class="hint">"On a holiday no recurring scheduled unlock starts at this place. Single and all-day events still happen."</p>
            <FormBanner error=delete_error/>
            {list}
            <h3>"Add a holiday"</h3>
            <FormBanner error/>
            <ActionForm action=add attr:class="holiday-form">
                <input type="hidden" name="place_id" value=place_id/>
                <div class="row">
                    <div class="field" class:invalid=move || name_message().is_some()>
                        <label for="holiday-name">"Holiday name"</label>
                        <input id="holiday-name" type="text" name=form_name("name") aria-describedby="holiday-name-message"/>
                        <p class="field-error" id="holiday-name-message" role="alert">{name_message}</p>
                    </div>
                    <TextField label="Date" field="date" name=form_name("date") kind="date" error/>
                </div>
                <CheckField label="Every year on this day" field="yearly" name=form_name("yearly") error/>
                <CheckField label="Also close time-restricted access" field="suppress_time_restrictions" name=form_name("suppress_time_restrictions") error
                    hint="The doors' and groups' time windows do not open on this day: people limited to them cannot unlock (owners and admins still can where only a group's hours apply)."/>
                <button type="submit" class="secondary">"Add holiday"</button>
            </ActionForm>
        </section>
    }
}
