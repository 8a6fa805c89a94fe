use super::api::{list_webhooks, CreateWebhook, DeleteWebhook, SetWebhookEnabled};
use crate::components::{action_error, form_name, FormBanner, TextField};
use crate::format::instant_utc;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use postern::model::webhook::EVENT_TYPES;
use postern::model::Webhook;

/// The endpoints, the form that registers one, and each one's switches.
#[component]
pub fn WebhookList() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let error = action_error(create);
    let hooks = Resource::new_blocking(
        move || (create.version().get(), toggle.version().get(), delete.version().get()),
        |_| list_webhooks(),
    );
    let types_message = move || error.get().and_then(|e| e.field("types"));
    view! {
        <PageHeader title="Webhooks"/>
        <p class="hint">"Postern POSTs each event of the chosen types to the endpoint as JSON (Kisi's fields: "
            <code>"uuid"</code>", "<code>"type"</code>", "<code>"actor_*"</code>", "<code>"object_*"</code>", "
            <code>"success"</code>", "<code>"created_at"</code>"…), signed with the HMAC-SHA256 of the body under the secret, in hex, in "
            <code>"X-Signature"</code>". Failed deliveries are retried, in order, for a day; a repeat carries the same "
            <code>"uuid"</code>", so drop the ones you have seen."</p>
        <FormBanner error/>
        <ActionForm action=create attr:class="panel webhook-form">
            <TextField label="Name" field="name" name=form_name("name") placeholder="Optix" required=true error/>
            <TextField label="URL" field="url" name=form_name("url") kind="url" placeholder="https://example.com/hooks/postern" required=true error/>
            <TextField label="Secret" field="secret" name=form_name("secret") kind="password" required=true error
                hint="At least 16 characters. It is not shown again: keep it where the receiver checks signatures."/>
            <fieldset class="field" class:invalid=move || types_message().is_some()>
                <legend>"Event types"</legend>
                {EVENT_TYPES.iter().map(|(name, _, label)| {
                    let id = format!("field-type-{}", name.replace('.', "-"));
                    let label_for = id.clone();
                    view! {
                        <label class="check" for=label_for>
                            <input id=id type="checkbox" name=format!("form[types][{name}]") value="on" checked=*name == "lock.unlock"/>
                            {*label} " " <code>{*name}</code>
                        </label>
                    }
                }).collect_view()}
                <p class="field-error" role="alert">{types_message}</p>
            </fieldset>
            <button type="submit" class="primary">"Add webhook"</button>
        </ActionForm>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match hooks.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No webhooks yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr><th>"Name"</th><th>"URL"</th><th>"Event types"</th><th>"State"</th>
                                <th>"Waiting"</th><th>"Delivered"</th><th>"Given up"</th><th></th></tr></thead>
                            <tbody>{list.into_iter().map(|w| row(w, toggle, delete)).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn row(w: Webhook, toggle: ServerAction<SetWebhookEnabled>, delete: ServerAction<DeleteWebhook>) -> impl IntoView {
    let state = match (w.enabled, w.retry_at) {
        (false, _) => "Off".to_owned(),
        (true, Some(at)) if w.pending > 0 => format!("Failing, retried at {} UTC", instant_utc(Some(at))),
        (true, _) => "On".to_owned(),
    };
    let switch_label = if w.enabled { "Switch off" } else { "Switch on" };
    let switch_aria = format!("{switch_label} {}", w.name);
    let delete_aria = format!("Delete {}", w.name);
    view! {
        <tr data-testid="webhook-row">
            <td><A href=format!("/webhooks/{}", w.id)>{w.name.clone()}</A></td>
            <td><code>{w.url.clone()}</code></td>
            <td>{w.event_types.join(", ")}</td>
            <td>{state}</td>
            <td>{w.pending}</td>
            <td>{w.delivered}</td>
            <td>{w.failed}</td>
            <td>
                <ActionForm action=toggle>
                    <input type="hidden" name="id" value=w.id/>
                    <input type="hidden" name="enabled" value=(!w.enabled).to_string()/>
                    <button type="submit" class="link" aria-label=switch_aria>{switch_label}</button>
                </ActionForm>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=w.id/>
                    <button type="submit" class="link danger-text" aria-label=delete_aria>"Delete"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
