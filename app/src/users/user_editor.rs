use super::api::{get_user, AddCard, ChangeCard, DeleteUser, SaveUser, SetUserPassword};
use super::card_list::CardList;
use super::manager_places::ManagerPlaces;
use super::sign_in_panel::SignInPanel;
use crate::components::{action_error, form_name, CheckField, ConfirmDelete, FormBanner, SelectField, TextField};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use postern::model::{User, UserForm};
use postern::types::Role;

/// Create (`/users/new`) or edit (`/users/:id`) a person and their cards.
#[component]
pub fn UserEditor() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let add_card = ServerAction::<AddCard>::new();
    let change_card = ServerAction::<ChangeCard>::new();
    let data = Resource::new_blocking(
        move || (id(), add_card.version().get(), change_card.version().get()),
        |(id, _, _)| get_user(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, cards, is_me)) => {
                        let user_id = user.as_ref().map(|u| u.id);
                        let has_password = user.as_ref().is_some_and(|u| u.has_password);
                        let manager_id = user.as_ref().filter(|u| u.role == Role::Manager).map(|u| u.id);
                        view! {
                            <UserForm user is_me/>
                            {manager_id.map(|user_id| view! { <ManagerPlaces user_id/> })}
                            {user_id.map(|user_id| view! { <PasswordForm user_id has_password/> })}
                            {user_id.map(|user_id| view! { <SignInPanel user_id/> })}
                            {user_id.map(|user_id| view! { <CardList user_id cards=cards.clone() add_card change_card/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Lets staff give someone a password to sign in with.
#[component]
fn PasswordForm(user_id: i64, has_password: bool) -> impl IntoView {
    let set = ServerAction::<SetUserPassword>::new();
    let error = action_error(set);
    let done = move || matches!(set.value().get(), Some(Ok(())));
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <p class="hint">{if has_password { "This person can sign in. Setting a new password signs them out everywhere." } else { "This person has no password yet and cannot sign in. Give them one." }}</p>
            <FormBanner error/>
            <ActionForm action=set attr:class="inline-add">
                <input type="hidden" name="user_id" value=user_id/>
                <TextField label="New password" field="password" name="password" kind="password" autocomplete="new-password" hint="At least 10 characters." error/>
                <button type="submit" class="secondary">"Set password"</button>
            </ActionForm>
            {move || done().then(|| view! { <p class="banner success" role="status">"Password set."</p> })}
        </section>
    }
}

#[component]
fn UserForm(user: Option<User>, is_me: bool) -> impl IntoView {
    let save = ServerAction::<SaveUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let error = action_error(save);
    let delete_error = action_error(delete);
    let form = user.as_ref().map(UserForm::from).unwrap_or_else(|| UserForm {
        role: Role::Member.as_str().into(),
        confirmed: Some("on".into()),
        app_access: Some("on".into()),
        ..Default::default()
    });
    let id = user.as_ref().map(|u| u.id);
    let is_owner = user.as_ref().is_some_and(|u| u.role == Role::Owner);
    let title = user.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "New user".into());
    let roles = Role::ALL
        .iter()
        .filter(|r| **r != Role::Owner || is_owner)
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect::<Vec<_>>();
    let device = user.as_ref().and_then(|u| u.primary_device_id.clone());
    view! {
        <PageHeader title=title.clone()/>
        <FormBanner error/>
        <ActionForm action=save attr:class="editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <div class="row">
                <TextField label="Name" field="name" name=form_name("name") value=form.name required=true error/>
                <TextField label="Email" field="email" name=form_name("email") value=form.email kind="email" required=true error/>
            </div>
            <div class="row">
                <TextField label="Phone" field="phone" name=form_name("phone") value=form.phone kind="tel" placeholder="+1 212 555 0100" hint="International format, starting with +" error/>
                <SelectField label="Role" field="role" name=form_name("role") options=roles selected=form.role error
                    hint="Admins manage everything; managers manage the places an admin assigns them; members unlock doors."/>
            </div>
            {if id.is_some() {
                view! { <CheckField label="Confirmed" field="confirmed" name=form_name("confirmed") checked=form.confirmed.is_some() error/> }.into_any()
            } else {
                view! { <NewPersonChecks confirmed=form.confirmed.is_some()/> }.into_any()
            }}
            <CheckField label="Allow app access (sign in and unlock from the phone)" field="app_access" name=form_name("app_access") checked=form.app_access.is_some() error/>
            <CheckField label="Primary device restriction: unlock only from one bound phone" field="primary_device_required" name=form_name("primary_device_required") checked=form.primary_device_required.is_some() error/>
            {device.map(|d| view! { <p class="hint">{format!("Bound device: {d}")}</p> })}
            <div class="form-actions">
                <button type="submit" class="primary">{if id.is_some() { "Save user" } else { "Create user" }}</button>
                <a href="/users" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {id.filter(|_| !is_owner && !is_me).map(|id| view! {
            <section class="danger-zone">
                <FormBanner error=delete_error/>
                <ConfirmDelete what=format!("{title}'s account") consequence="Their cards, API keys and sessions end at once. Their events stay in the log.">
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="danger">"Delete user"</button>
                    </ActionForm>
                </ConfirmDelete>
            </section>
        })}
    }
}

/// On a new person's form: "Confirmed", and "Send welcome email", which
/// follows it (on for someone not confirmed) until it is ticked by hand.
/// Without Wasm both are plain checkboxes.
#[component]
fn NewPersonChecks(confirmed: bool) -> impl IntoView {
    let welcome = RwSignal::new(!confirmed);
    let touched = RwSignal::new(false);
    view! {
        <div class="field check">
            <label for="field-confirmed">
                <input id="field-confirmed" type="checkbox" name=form_name("confirmed") value="on" checked=confirmed
                    on:change=move |ev| if !touched.get_untracked() { welcome.set(!event_target_checked(&ev)) }/>
                "Confirmed"
            </label>
        </div>
        <div class="field check">
            <label for="field-send_welcome">
                <input id="field-send_welcome" type="checkbox" name="send_welcome" value="on" checked=move || welcome.get()
                    on:change=move |ev| { touched.set(true); welcome.set(event_target_checked(&ev)); }/>
                "Send welcome email"
            </label>
            <p class="hint">"With a link to set a password, valid 7 days. Setting it confirms the person."</p>
        </div>
    }
}
