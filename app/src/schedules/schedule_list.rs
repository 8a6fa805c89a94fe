use super::api::{DeleteSchedule, SetScheduleEnabled};
use super::summary::summary;
use crate::components::{action_error, ConfirmDelete, FormBanner};
use leptos::prelude::*;
use leptos_router::components::A;
use postern::schedule::Schedule;
use postern::types::TimeZoneName;

/// A door's scheduled unlocks: kind, what they do, on or off, and actions.
#[component]
pub fn ScheduleList(
    door_id: i64,
    schedules: Vec<Schedule>,
    time_zone: TimeZoneName,
    toggle: ServerAction<SetScheduleEnabled>,
    delete: ServerAction<DeleteSchedule>,
) -> impl IntoView {
    let toggle_error = action_error(toggle);
    let delete_error = action_error(delete);
    if schedules.is_empty() {
        return view! {
            <p class="empty">"No scheduled unlocks yet. Add one to hold this door unlocked at set times."</p>
        }
        .into_any();
    }
    let rows = schedules
        .into_iter()
        .map(|s| {
            let text = summary(&s, &time_zone);
            let kind = s.kind.label();
            let id = s.id;
            let enabled = s.enabled;
            view! {
                <tr class:disabled=!enabled>
                    <td data-label="Kind">{kind}</td>
                    <td data-label="When">{text.clone()}</td>
                    <td data-label="State">
                        <span class=if enabled { "badge status-unlocked" } else { "badge status-offline" }>
                            {if enabled { "Enabled" } else { "Disabled" }}
                        </span>
                    </td>
                    <td><div class="schedule-actions">
                        <A href=format!("/doors/{door_id}/schedules/{id}") attr:class="button secondary small">"Edit"</A>
                        <ActionForm action=toggle>
                            <input type="hidden" name="door_id" value=door_id/>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="enabled" value=if enabled { "false" } else { "true" }/>
                            <button type="submit" class="secondary small">{if enabled { "Disable" } else { "Enable" }}</button>
                        </ActionForm>
                        <ConfirmDelete what=format!("the scheduled unlock “{text}”")>
                            <ActionForm action=delete>
                                <input type="hidden" name="door_id" value=door_id/>
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" class="danger">"Delete scheduled unlock"</button>
                            </ActionForm>
                        </ConfirmDelete>
                    </div></td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <FormBanner error=toggle_error/>
        <FormBanner error=delete_error/>
        <div class="table-scroll">
            <table class="list schedule-list">
                <thead><tr><th>"Kind"</th><th>"When"</th><th>"State"</th><th>"Actions"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
