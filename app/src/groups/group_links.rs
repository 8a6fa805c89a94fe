use super::api::{ChangeGroupDoor, ChangeGroupMember};
use crate::components::{action_error, FormBanner, SelectField};
use leptos::prelude::*;
use leptos_router::components::A;
use postern::model::{GroupDoor, GroupMember};

/// A group's members and doors, with add and remove.
#[component]
pub fn GroupLinks(
    group_id: i64,
    members: Vec<GroupMember>,
    doors: Vec<GroupDoor>,
    user_options: Vec<(i64, String)>,
    door_options: Vec<(i64, String)>,
    change_member: ServerAction<ChangeGroupMember>,
    change_door: ServerAction<ChangeGroupDoor>,
) -> impl IntoView {
    let member_error = action_error(change_member);
    let door_error = action_error(change_door);
    let member_ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let door_ids: Vec<i64> = doors.iter().map(|d| d.door_id).collect();
    let addable_users = user_options
        .into_iter()
        .filter(|(id, _)| !member_ids.contains(id))
        .map(|(id, name)| (id.to_string(), name))
        .collect::<Vec<_>>();
    let addable_doors = door_options
        .into_iter()
        .filter(|(id, _)| !door_ids.contains(id))
        .map(|(id, name)| (id.to_string(), name))
        .collect::<Vec<_>>();
    view! {
        <div class="two-columns">
            <section class="panel" aria-labelledby="members-heading">
                <h2 id="members-heading">{format!("Members ({})", members.len())}</h2>
                <FormBanner error=member_error/>
                <ActionForm action=change_member attr:class="inline-add">
                    <input type="hidden" name="group_id" value=group_id/>
                    <input type="hidden" name="add" value="true"/>
                    <SelectField label="Add a member" field="user_id" name="user_id" options=addable_users blank="Pick a person" error=member_error/>
                    <button type="submit" class="secondary">"Add member"</button>
                </ActionForm>
                <ul class="link-list">
                    {members.into_iter().map(|m| { let remove_label = format!("Remove {}", m.name); view! {
                        <li>
                            <A href=format!("/users/{}", m.user_id)>{m.name.clone()}</A>
                            <span class="muted">{m.email}</span>
                            <ActionForm action=change_member>
                                <input type="hidden" name="group_id" value=group_id/>
                                <input type="hidden" name="user_id" value=m.user_id/>
                                <input type="hidden" name="add" value="false"/>
                                <button type="submit" class="link danger-text" aria-label=remove_label>"Remove"</button>
                            </ActionForm>
                        </li>
                    }}).collect_view()}
                </ul>
            </section>
            <section class="panel" aria-labelledby="doors-heading">
                <h2 id="doors-heading">{format!("Doors ({})", doors.len())}</h2>
                <FormBanner error=door_error/>
                <ActionForm action=change_door attr:class="inline-add">
                    <input type="hidden" name="group_id" value=group_id/>
                    <input type="hidden" name="add" value="true"/>
                    <SelectField label="Add a door" field="door_id" name="door_id" options=addable_doors blank="Pick a door" error=door_error/>
                    <button type="submit" class="secondary">"Add door"</button>
                </ActionForm>
                <ul class="link-list">
                    {doors.into_iter().map(|d| { let remove_label = format!("Remove {}", d.name); view! {
                        <li>
                            <A href=format!("/doors/{}", d.door_id)>{d.name.clone()}</A>
                            <span class="muted">{d.place_name}</span>
                            <ActionForm action=change_door>
                                <input type="hidden" name="group_id" value=group_id/>
                                <input type="hidden" name="door_id" value=d.door_id/>
                                <input type="hidden" name="add" value="false"/>
                                <button type="submit" class="link danger-text" aria-label=remove_label>"Remove"</button>
                            </ActionForm>
                        </li>
                    }}).collect_view()}
                </ul>
            </section>
        </div>
    }
}
