use super::api::{AddZone, CloseZoneDay, SetZoneArming, ZoneView};
use crate::components::{action_error, FormBanner};
use leptos::prelude::*;
use postern::types::ZoneArming;

/// A place's zones: arming (disarmed, stay, away), "Close the day", and a
/// form adding one.
#[component]
pub fn PlaceZones(
    place_id: i64,
    zones: Vec<ZoneView>,
    add: ServerAction<AddZone>,
    arm: ServerAction<SetZoneArming>,
    close: ServerAction<CloseZoneDay>,
) -> impl IntoView {
    let error = action_error(add);
    let arm_error = action_error(arm);
    let close_error = action_error(close);
    let name_message = move || error.get().and_then(|e| e.field("name"));
    let list = if zones.is_empty() {
        view! { <p class="empty">"No zones yet. Put doors in a zone to follow the alarm and first-in rules."</p> }.into_any()
    } else {
        let rows = zones
            .into_iter()
            .map(|z| {
                let id = z.id;
                let state_class = match z.arming {
                    ZoneArming::Disarmed => "badge status-unlocked",
                    _ => "badge status-lockdown",
                };
                let mut notes = Vec::new();
                if let Some(d) = &z.first_in_date { notes.push(format!("First person in on {d}")); }
                if let Some(d) = &z.closed_date { notes.push(format!("Closed for the day on {d}")); }
                let buttons = ZoneArming::ALL
                    .into_iter()
                    .map(|a| {
                        let current = a == z.arming;
                        view! {
                            <ActionForm action=arm>
                                <input type="hidden" name="place_id" value=place_id/>
                                <input type="hidden" name="zone_id" value=id/>
                                <input type="hidden" name="arming" value=a.as_str()/>
                                <button type="submit" class=if current { "primary small" } else { "secondary small" } disabled=current
                                    aria-pressed=if current { "true" } else { "false" }>
                                    {match a { ZoneArming::Disarmed => "Disarm", ZoneArming::Stay => "Arm stay", ZoneArming::Away => "Arm away" }}
                                </button>
                            </ActionForm>
                        }
                    })
                    .collect::<Vec<_>>();
                view! {
                    <tr>
                        <td><strong>{z.name.clone()}</strong><p class="hint">{notes.join(" · ")}</p></td>
                        <td><span class=state_class>{z.arming.label()}</span></td>
                        <td><div class="zone-actions" role="group" aria-label=format!("Arming of {}", z.name)>{buttons}</div></td>
                        <td>
                            <ActionForm action=close>
                                <input type="hidden" name="place_id" value=place_id/>
                                <input type="hidden" name="zone_id" value=id/>
                                <button type="submit" class="danger-outline small">"Close the day"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }
            })
            .collect::<Vec<_>>();
        view! {
            <div class="table-scroll">
                <table class="list zone-list">
                    <thead><tr><th>"Zone"</th><th>"State"</th><th>"Arming"</th><th>"Today"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel place-zones" id="zones" aria-label="Zones">
            <h2>"Zones"</h2>
            <p class="hint">"Armed (stay or away), a zone holds back the scheduled unlocks of its exterior doors. “Close the day” ends today's scheduled unlocks of its doors."</p>
            <FormBanner error=arm_error/>
            <FormBanner error=close_error/>
            {list}
            <FormBanner error/>
            <ActionForm action=add attr:class="inline-form">
                <input type="hidden" name="place_id" value=place_id/>
                <div class="field" class:invalid=move || name_message().is_some()>
                    <label for="zone-name">"New zone"</label>
                    <input id="zone-name" type="text" name="name" placeholder="e.g. Ground floor" aria-describedby="zone-name-message"/>
                    <p class="field-error" id="zone-name-message" role="alert">{name_message}</p>
                </div>
                <button type="submit" class="secondary">"Add zone"</button>
            </ActionForm>
        </section>
    }
}
