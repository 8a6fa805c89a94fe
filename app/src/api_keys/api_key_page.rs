use super::api::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::components::{action_error, FormBanner, TextField};
use crate::format::instant_utc;
use crate::layout::PageHeader;
use leptos::prelude::*;

#[component]
pub fn ApiKeyPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let error = action_error(create);
    let keys = Resource::new_blocking(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let created = move || create.value().get().and_then(|r| r.ok());
    view! {
        <PageHeader title="API keys"/>
        <p class="hint">"A key acts with the rights of the person who created it. Send it as "
            <code>"Authorization: Bearer <key>"</code>" (or " <code>"KISI-LOGIN <key>"</code> ")."</p>
        <FormBanner error/>
        <ActionForm action=create attr:class="inline-add">
            <TextField label="Key name" field="name" name="name" placeholder="Booking system" required=true error/>
            <button type="submit" class="primary">"Create key"</button>
        </ActionForm>
        {move || created().map(|new| view! {
            <div class="banner success" role="status">
                <p><strong>{format!("Key “{}” created.", new.key.name)}</strong>" Copy it now: it will not be shown again."</p>
                <code class="secret" data-testid="new-api-key">{new.secret}</code>
            </div>
        })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(keys) if keys.is_empty() => view! { <p class="empty">"No API keys yet."</p> }.into_any(),
                    Ok(keys) => view! {
                        <table class="list">
                            <thead><tr><th>"Name"</th><th>"Key"</th><th>"Acts as"</th><th>"Created (UTC)"</th><th>"Last used (UTC)"</th><th>"State"</th><th></th></tr></thead>
                            <tbody>
                                {keys.into_iter().map(|k| view! {
                                    <tr>
                                        <td>{k.name.clone()}</td>
                                        <td><code>{format!("{}…", k.prefix)}</code></td>
                                        <td>{k.user_email}</td>
                                        <td>{instant_utc(Some(k.created_at))}</td>
                                        <td>{instant_utc(k.last_used_at)}</td>
                                        <td>{if k.revoked_at.is_some() { "Revoked" } else { "Active" }}</td>
                                        <td>{k.revoked_at.is_none().then(|| view! {
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="id" value=k.id/>
                                                <button type="submit" class="link danger-text" aria-label=format!("Revoke {}", k.name)>"Revoke"</button>
                                            </ActionForm>
                                        })}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
