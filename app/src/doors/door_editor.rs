use super::api::{get_door, DeleteDoor, SaveDoor};
use super::door_controls::DoorControls;
use crate::components::{action_error, form_name, CheckField, ConfirmDelete, FormBanner, SelectField, TextAreaField, TextField};
use crate::layout::PageHeader;
use crate::error::AppError;
use crate::schedules::{api::get_door_held_back, DoorHeldBack};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use postern::model::{Door, DoorForm, DoorOptions};
use postern::types::LockType;

/// Create (`/doors/new`) or edit (`/doors/:id`) a door.
#[component]
pub fn DoorEditor() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    // The door, its pickers, and what holds its scheduled unlock back, in
    // one resource rendered before the page is sent.
    let data = Resource::new_blocking(id, |id| async move {
        let (door, options) = get_door(id).await?;
        let held_back = match id {
            Some(id) => get_door_held_back(id).await?,
            None => None,
        };
        Ok::<_, AppError>((door, options, held_back))
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((door, options, held_back)) => view! { <DoorForm door options held_back/> }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn to_options(items: Vec<(i64, String)>) -> Vec<(String, String)> {
    items.into_iter().map(|(id, name)| (id.to_string(), name)).collect()
}

#[component]
fn DoorForm(door: Option<Door>, options: DoorOptions, held_back: Option<String>) -> impl IntoView {
    let save = ServerAction::<SaveDoor>::new();
    let delete = ServerAction::<DeleteDoor>::new();
    let error = action_error(save);
    let delete_error = action_error(delete);
    let form = door.as_ref().map(DoorForm::from).unwrap_or_else(|| DoorForm {
        pulse_seconds: "5".into(),
        held_open_seconds: "30".into(),
        lock_type: LockType::ElectricStrikeFailSecure.as_str().into(),
        ..Default::default()
    });
    let id = door.as_ref().map(|d| d.id);
    let title = door.as_ref().map(|d| d.name.clone()).unwrap_or_else(|| "New door".into());
    let relays = (1..=4).map(|r| (r.to_string(), format!("Relay {r}"))).collect::<Vec<_>>();
    let locks = LockType::ALL.iter().map(|l| (l.as_str().to_owned(), l.label().to_owned())).collect::<Vec<_>>();
    view! {
        <PageHeader title=title.clone()>
            {id.map(|id| view! { <a href=format!("/doors/{id}/schedules") class="button secondary">"Scheduled unlocks"</a> })}
        </PageHeader>
        {door.clone().map(|door| view! { <DoorControls door/> })}
        {id.map(|door_id| view! { <DoorHeldBack door_id sentence=held_back/> })}
        <FormBanner error/>
        <ActionForm action=save attr:class="editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <fieldset>
                <legend>"Door"</legend>
                <TextField label="Name" field="name" name=form_name("name") value=form.name required=true error/>
                <TextField label="Description" field="description" name=form_name("description") value=form.description error/>
                <div class="row">
                    <SelectField label="Place" field="place_id" name=form_name("place_id") options=to_options(options.places) selected=form.place_id blank="Pick a place" error/>
                    <TextField label="Floor" field="floor" name=form_name("floor") value=form.floor hint="Optional, e.g. “2nd floor”." error/>
                </div>
                <SelectField label="Lock type" field="lock_type" name=form_name("lock_type") options=locks selected=form.lock_type error
                    hint="Fail-safe locks open when power is lost; fail-secure locks stay locked."/>
            </fieldset>
            <fieldset>
                <legend>"Wiring"</legend>
                <div class="row">
                    <SelectField label="Controller" field="controller_id" name=form_name("controller_id") options=to_options(options.controllers) selected=form.controller_id blank="No controller yet" error/>
                    <SelectField label="Relay" field="relay" name=form_name("relay") options=relays selected=form.relay blank="—" error/>
                    <SelectField label="Reader" field="reader_id" name=form_name("reader_id") options=to_options(options.readers) selected=form.reader_id blank="No reader" error/>
                </div>
                <div class="row">
                    <TextField label="Unlock pulse (seconds)" field="pulse_seconds" name=form_name("pulse_seconds") value=form.pulse_seconds kind="number" hint="1 to 300" error/>
                    <TextField label="Held-open alarm (seconds)" field="held_open_seconds" name=form_name("held_open_seconds") value=form.held_open_seconds kind="number" hint="0 turns the alarm off" error/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Location"</legend>
                <div class="row">
                    <TextField label="Latitude" field="latitude" name=form_name("latitude") value=form.latitude hint="Blank: the place's" error/>
                    <TextField label="Longitude" field="longitude" name=form_name("longitude") value=form.longitude hint="Blank: the place's" error/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Door restrictions"</legend>
                <p class="hint">"These apply to everyone, in every group, and take priority over group restrictions."</p>
                <CheckField label="Geofence: unlock only near the door" field="geofence_enabled" name=form_name("geofence_enabled") checked=form.geofence_enabled.is_some() error/>
                <TextField label="Geofence radius (m)" field="geofence_radius_m" name=form_name("geofence_radius_m") value=form.geofence_radius_m kind="number" hint="Blank: the place's default" error/>
                <CheckField label="Reader restriction: prove presence at the door's reader" field="reader_restriction" name=form_name("reader_restriction") checked=form.reader_restriction.is_some() error/>
                <CheckField label="Time restriction: unlock only in these weekly windows" field="time_restriction" name=form_name("time_restriction") checked=form.time_restriction.is_some() error/>
                <TextAreaField label="Time windows (the place's local time)" field="time_windows" name=form_name("time_windows") value=form.time_windows
                    placeholder="Mon-Fri 08:00-18:00
Sat 10:00-14:00"
                    hint="One window per line: days then hours. Several windows a day are fine, and 22:00-06:00 runs past midnight." error/>
                <CheckField label="Require two-factor verification to unlock" field="require_2fa" name=form_name("require_2fa") checked=form.require_2fa.is_some() error/>
                <CheckField label="Exterior door" field="exterior" name=form_name("exterior") checked=form.exterior.is_some() error
                    hint="Scheduled unlocks of exterior doors pause while the zone is armed."/>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary">{if id.is_some() { "Save door" } else { "Create door" }}</button>
                <a href="/doors" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {id.map(|id| view! {
            <section class="danger-zone">
                <FormBanner error=delete_error/>
                <ConfirmDelete what=format!("the door “{title}”") consequence="Groups lose access to it; its events stay in the log.">
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="danger">"Delete door"</button>
                    </ActionForm>
                </ConfirmDelete>
            </section>
        })}
    }
}
