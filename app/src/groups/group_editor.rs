use super::api::{get_group, ChangeGroupDoor, ChangeGroupMember, DeleteGroup, SaveGroup};
use super::group_links::GroupLinks;
use crate::components::{action_error, form_name, CheckField, ConfirmDelete, FormBanner, SelectField, TextAreaField, TextField};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use postern::model::GroupForm;
use postern::types::TimeZoneName;

/// Create (`/groups/new`) or edit (`/groups/:id`) a group, its members and doors.
#[component]
pub fn GroupEditor() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let change_member = ServerAction::<ChangeGroupMember>::new();
    let change_door = ServerAction::<ChangeGroupDoor>::new();
    let data = Resource::new_blocking(
        move || (id(), change_member.version().get(), change_door.version().get()),
        |(id, _, _)| get_group(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(details) => {
                        let group_id = details.group.as_ref().map(|g| g.id);
                        view! {
                            <GroupForm
                                group=details.group.clone()
                                place_options=details.place_options.clone()
                                organization_wide=details.may_be_organization_wide
                            />
                            {group_id.map(|group_id| view! {
                                <GroupLinks
                                    group_id
                                    members=details.members.clone()
                                    doors=details.doors.clone()
                                    user_options=details.user_options.clone()
                                    door_options=details.door_options.clone()
                                    change_member
                                    change_door
                                />
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GroupForm(group: Option<postern::model::Group>, place_options: Vec<(i64, String)>, organization_wide: bool) -> impl IntoView {
    let save = ServerAction::<SaveGroup>::new();
    let delete = ServerAction::<DeleteGroup>::new();
    let error = action_error(save);
    let delete_error = action_error(delete);
    let utc = TimeZoneName::parse("UTC").ok();
    let form = match (&group, &utc) {
        (Some(g), Some(zone)) => GroupForm::from_group(g, zone),
        _ => GroupForm::default(),
    };
    let id = group.as_ref().map(|g| g.id);
    let title = group.as_ref().map(|g| g.name.clone()).unwrap_or_else(|| "New group".into());
    let places: Vec<(String, String)> = place_options.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    // A manager with one place: that place, already chosen.
    let place_id = match (&group, places.as_slice()) {
        (None, [(only, _)]) if !organization_wide => only.clone(),
        _ => form.place_id.clone(),
    };
    let place_field = if organization_wide {
        view! {
            <SelectField label="Place" field="place_id" name=form_name("place_id") options=places selected=place_id blank="Whole organization"
                hint="A place's managers manage its groups; the doors of a place's group are at that place." error/>
        }
        .into_any()
    } else {
        view! {
            <SelectField label="Place" field="place_id" name=form_name("place_id") options=places selected=place_id
                hint="The group belongs to one of your places; its doors are at that place." error/>
        }
        .into_any()
    };
    view! {
        <PageHeader title=title.clone()/>
        <FormBanner error/>
        <ActionForm action=save attr:class="editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <input type="hidden" name=form_name("time_zone") value="UTC"/>
            <TextField label="Name" field="name" name=form_name("name") value=form.name required=true error/>
            <TextField label="Description" field="description" name=form_name("description") value=form.description error/>
            {place_field}
            <div class="row">
                <TextField label="Valid from (UTC)" field="valid_from" name=form_name("valid_from") value=form.valid_from kind="datetime-local" hint="Blank: valid now" error/>
                <TextField label="Valid until (UTC)" field="valid_until" name=form_name("valid_until") value=form.valid_until kind="datetime-local" hint="Blank: never expires" error/>
            </div>
            <fieldset>
                <legend>"Group restrictions"</legend>
                <p class="hint">"Apply to this group's members only. Door restrictions always apply as well."</p>
                <CheckField label="Geofence" field="geofence_enabled" name=form_name("geofence_enabled") checked=form.geofence_enabled.is_some() error/>
                <CheckField label="Reader restriction" field="reader_restriction" name=form_name("reader_restriction") checked=form.reader_restriction.is_some() error/>
                <CheckField label="Time restriction" field="time_restriction" name=form_name("time_restriction") checked=form.time_restriction.is_some() error/>
                <TextAreaField label="Time windows (each door's local time)" field="time_windows" name=form_name("time_windows") value=form.time_windows
                    placeholder="Mon-Fri 08:00-18:00" hint="One window per line, e.g. “Mon-Fri 08:00-18:00” or “Sat,Sun 22:00-06:00”." error/>
                <CheckField label="Primary device only" field="primary_device_required" name=form_name("primary_device_required") checked=form.primary_device_required.is_some() error/>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary">{if id.is_some() { "Save group" } else { "Create group" }}</button>
                <a href="/groups" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {id.map(|id| view! {
            <section class="danger-zone">
                <FormBanner error=delete_error/>
                <ConfirmDelete what=format!("the group “{title}”") consequence="Its members lose the access it gave them.">
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="danger">"Delete group"</button>
                    </ActionForm>
                </ConfirmDelete>
            </section>
        })}
    }
}
