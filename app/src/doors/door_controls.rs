use crate::components::{action_error, FormBanner};
use crate::format::instant_in;
use crate::unlock::api::SetDoorLockdown;
use crate::unlock::UnlockButton;
use leptos::prelude::*;
use postern::model::Door;

/// The door's status, press to unlock, and lockdown (with who and since when).
#[component]
pub fn DoorControls(door: Door) -> impl IntoView {
    let lockdown = ServerAction::<SetDoorLockdown>::new();
    let error = action_error(lockdown);
    let locked_down = door.locked_down_at.is_some();
    let since = door
        .locked_down_at
        .map(|at| format!("Locked down since {} by {}.", instant_in(Some(at), &door.time_zone), door.locked_down_by.clone().unwrap_or_default()));
    view! {
        <section class="panel door-controls" aria-label="Door controls">
            <div class="door-controls-row">
                <UnlockButton door_name=door.name.clone() state=door.live() time_zone=door.time_zone.clone() geofence=door.geofence_enabled/>
                <ActionForm action=lockdown>
                    <input type="hidden" name="door_id" value=door.id/>
                    <input type="hidden" name="on" value=if locked_down { "false" } else { "true" }/>
                    <button type="submit" class=if locked_down { "secondary" } else { "danger-outline" }>
                        {if locked_down { "Cancel lockdown" } else { "Lock down" }}
                    </button>
                </ActionForm>
            </div>
            {since.map(|s| view! { <p class="hint">{s}</p> })}
            <FormBanner error/>
        </section>
    }
}
