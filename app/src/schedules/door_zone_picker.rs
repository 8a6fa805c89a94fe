use super::api::{SetDoorZone, ZoneView};
use crate::components::{action_error, FormBanner, SelectField};
use leptos::prelude::*;

/// The door's zone, picked among its place's zones.
#[component]
pub fn DoorZonePicker(
    door_id: i64,
    place_id: i64,
    zone_id: Option<i64>,
    zones: Vec<ZoneView>,
    save: ServerAction<SetDoorZone>,
) -> impl IntoView {
    let error = action_error(save);
    let current = zones.iter().find(|z| Some(z.id) == zone_id).map(|z| format!("{} ({})", z.name, z.arming.label()));
    let options = zones.into_iter().map(|z| (z.id.to_string(), z.name)).collect::<Vec<_>>();
    let empty = options.is_empty();
    view! {
        <section class="panel door-zone" aria-label="The door's zone">
            <h2>"Zone"</h2>
            <p class="hint">
                {match current {
                    Some(zone) => format!("In zone {zone}. An armed zone holds back scheduled unlocks of exterior doors."),
                    None => "In no zone: scheduled unlocks run whatever the alarm does.".to_owned(),
                }}
            </p>
            {if empty {
                view! {
                    <p class="hint">
                        "The door's place has no zones yet. "
                        <a href=format!("/places/{place_id}#zones")>"Add one on the place's page."</a>
                    </p>
                }.into_any()
            } else {
                view! {
                    <FormBanner error/>
                    <ActionForm action=save attr:class="inline-form">
                        <input type="hidden" name="door_id" value=door_id/>
                        <SelectField label="Zone" field="zone_id" name="zone_id" options selected=zone_id.map(|z| z.to_string()).unwrap_or_default() blank="No zone" error/>
                        <button type="submit" class="secondary">"Save zone"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}
