use super::api::{get_place, time_zones, DeletePlace, SavePlace};
use crate::components::{action_error, form_name, ConfirmDelete, FormBanner, TextField};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use postern::model::{Place, PlaceForm};

/// Create (`/places/new`) or edit (`/places/:id`) a place.
#[component]
pub fn PlaceEditor() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let place = Resource::new_blocking(id, |id| async move {
        match id {
            Some(id) => get_place(id).await.map(Some),
            None => Ok(None),
        }
    });
    let zones = Resource::new_blocking(|| (), |_| time_zones());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let zones = zones.await.unwrap_or_default();
                match place.await {
                    Ok(place) => view! { <PlaceForm place zones/> }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Lock down every door of the place at once (admins), or cancel it.
#[component]
fn PlaceLockdown(place: Place) -> impl IntoView {
    let lockdown = ServerAction::<crate::unlock::api::SetPlaceLockdown>::new();
    let error = action_error(lockdown);
    let on = place.locked_down_at.is_some();
    let since = place.locked_down_at.map(|at| {
        format!(
            "Every door here is locked down since {} by {}.",
            crate::format::instant_in(Some(at), &place.time_zone),
            place.locked_down_by.clone().unwrap_or_default()
        )
    });
    view! {
        <section class="panel" aria-label="Lockdown">
            <h2>"Lockdown"</h2>
            {since.map(|s| view! { <p class="banner error">{s}</p> })}
            <p class="hint">"A lockdown denies every unlock at this place except by owners and admins."</p>
            <FormBanner error/>
            <ActionForm action=lockdown>
                <input type="hidden" name="place_id" value=place.id/>
                <input type="hidden" name="on" value=if on { "false" } else { "true" }/>
                <button type="submit" class=if on { "secondary" } else { "danger" }>
                    {if on { "Cancel lockdown" } else { "Lock down every door" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PlaceForm(place: Option<Place>, zones: Vec<String>) -> impl IntoView {
    let save = ServerAction::<SavePlace>::new();
    let delete = ServerAction::<DeletePlace>::new();
    let error = action_error(save);
    let delete_error = action_error(delete);
    let form = place.as_ref().map(PlaceForm::from).unwrap_or_else(|| PlaceForm {
        time_zone: "UTC".into(),
        geofence_radius_m: "300".into(),
        ..Default::default()
    });
    let title = place.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "New place".into());
    let id = place.as_ref().map(|p| p.id);
    view! {
        <PageHeader title/>
        <FormBanner error/>
        <ActionForm action=save attr:class="editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <TextField label="Name" field="name" name=form_name("name") value=form.name required=true error/>
            <TextField label="Address" field="address" name=form_name("address") value=form.address error/>
            <div class="row">
                <TextField label="Latitude" field="latitude" name=form_name("latitude") value=form.latitude placeholder="40.7128" hint="−90 to 90" error/>
                <TextField label="Longitude" field="longitude" name=form_name("longitude") value=form.longitude placeholder="-74.0060" hint="−180 to 180" error/>
            </div>
            <TextField
                label="Time zone"
                field="time_zone"
                name=form_name("time_zone")
                value=form.time_zone
                list="time-zones"
                hint="An IANA time zone such as America/New_York. Schedules and time restrictions follow it."
                error
            />
            <datalist id="time-zones">
                {zones.into_iter().map(|z| view! { <option value=z/> }).collect_view()}
            </datalist>
            <TextField
                label="Default geofence radius (m)"
                field="geofence_radius_m"
                name=form_name("geofence_radius_m")
                value=form.geofence_radius_m
                kind="number"
                hint="1 to 50000 m. Doors with a geofence use this unless they set their own."
                error
            />
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {if id.is_some() { "Save place" } else { "Create place" }}
                </button>
                <a href="/places" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {place.clone().map(|p| view! { <PlaceLockdown place=p/> })}
        {id.map(|place_id| view! { <crate::schedules::PlaceScheduling place_id/> })}
        {id.map(|id| view! {
            <section class="danger-zone">
                <FormBanner error=delete_error/>
                <ConfirmDelete what=format!("the place “{title}”", title = place.as_ref().map(|p| p.name.clone()).unwrap_or_default())
                    consequence="A place that still has doors or controllers cannot be deleted.">
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="danger">"Delete place"</button>
                    </ActionForm>
                </ConfirmDelete>
            </section>
        })}
    }
}
