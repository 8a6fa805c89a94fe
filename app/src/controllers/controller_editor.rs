use super::api::{get_controller, DeleteController, SaveController};
use super::connection::{BridgeFieldset, ConnectionTest};
use crate::components::{action_error, form_name, ConfirmDelete, FormBanner, SelectField, TextField};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use postern::model::{Controller, ControllerForm};
use postern::types::{BridgeKind, ControllerModel};

/// Create (`/controllers/new`) or edit (`/controllers/:id`) a controller.
#[component]
pub fn ControllerEditor() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let data = Resource::new_blocking(id, get_controller);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((controller, places)) => view! { <ControllerForm controller places/> }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ControllerForm(controller: Option<Controller>, places: Vec<(i64, String)>) -> impl IntoView {
    let save = ServerAction::<SaveController>::new();
    let delete = ServerAction::<DeleteController>::new();
    let error = action_error(save);
    let delete_error = action_error(delete);
    let form = controller.as_ref().map(ControllerForm::from).unwrap_or_default();
    let id = controller.as_ref().map(|c| c.id);
    let title = controller.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "New controller".into());
    let place_options = places.into_iter().map(|(id, name)| (id.to_string(), name)).collect::<Vec<_>>();
    let no_places = place_options.is_empty();
    let models = ControllerModel::ALL.iter().map(|m| (m.as_str().to_owned(), m.label().to_owned())).collect::<Vec<_>>();
    let bridges = BridgeKind::ALL.iter().map(|b| (b.as_str().to_owned(), b.label().to_owned())).collect::<Vec<_>>();
    let model = if form.model.is_empty() { ControllerModel::ControllerPro.as_str().to_owned() } else { form.model.clone() };
    let bridge = if form.bridge_kind.is_empty() { BridgeKind::Simulated.as_str().to_owned() } else { form.bridge_kind.clone() };
    view! {
        <PageHeader title=title.clone()/>
        {no_places.then(|| view! {
            <div class="banner">"A controller is installed at a place. " <A href="/places/new">"Create a place"</A> " first."</div>
        })}
        <FormBanner error/>
        <ActionForm action=save attr:class="editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <TextField label="Name" field="name" name=form_name("name") value=form.name required=true error/>
            <SelectField label="Place" field="place_id" name=form_name("place_id") options=place_options selected=form.place_id blank="Pick a place" error/>
            <div class="row">
                <SelectField label="Model" field="model" name=form_name("model") options=models selected=model error/>
                <SelectField label="Bridge" field="bridge_kind" name=form_name("bridge_kind") options=bridges selected=bridge error
                    hint="Simulated runs inside Postern; MQTT and HTTP drive real relays."/>
            </div>
            <BridgeFieldset fields=form.bridge.clone() error/>
            <div class="form-actions">
                <button type="submit" class="primary">{if id.is_some() { "Save controller" } else { "Create controller" }}</button>
                <a href="/controllers" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {controller.map(|c| view! {
            <ConnectionTest id=c.id summary=c.bridge.summary() online=c.online/>
            <section class="panel">
                <h2>"Relays"</h2>
                <table class="list compact">
                    <thead><tr><th>"Relay"</th><th>"Drives"</th></tr></thead>
                    <tbody>
                        {c.relays.into_iter().map(|r| view! {
                            <tr>
                                <td>{format!("Relay {}", r.relay)}</td>
                                <td>{match (r.door_id, r.door_name) {
                                    (Some(id), Some(name)) => view! { <A href=format!("/doors/{id}")>{name}</A> }.into_any(),
                                    _ => view! { <span class="muted">"Free"</span> }.into_any(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <h2>"Readers"</h2>
                <table class="list compact">
                    <thead><tr><th>"Port"</th><th>"Reader"</th><th>"Door"</th></tr></thead>
                    <tbody>
                        {c.readers.into_iter().map(|r| view! {
                            <tr>
                                <td>{r.port}</td>
                                <td>{r.name}</td>
                                <td>{r.door_name.unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
            <section class="danger-zone">
                <FormBanner error=delete_error/>
                <ConfirmDelete what=format!("the controller “{}”", c.name) consequence="Its doors stay, with no controller: they read Offline until you wire them again.">
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=c.id/>
                        <button type="submit" class="danger">"Delete controller"</button>
                    </ActionForm>
                </ConfirmDelete>
            </section>
        })}
    }
}
