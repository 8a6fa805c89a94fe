use super::api::{get_settings, SaveSettings};
use crate::components::{action_error, CheckField, FormBanner, TextField};
use crate::layout::PageHeader;
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let error = action_error(save);
    let settings = Resource::new_blocking(move || save.version().get(), |_| get_settings());
    let saved = move || save.value().get().is_some_and(|r| r.is_ok());
    view! {
        <PageHeader title="Settings"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(s) => view! {
                        <ActionForm action=save attr:class="editor">
                            <FormBanner error/>
                            {move || saved().then(|| view! { <div class="banner success" role="status">"Settings saved."</div> })}
                            <TextField label="Organization name" field="name" name="name" value=s.name required=true error
                                hint="Shown on access-link pages and in emails."/>
                            <CheckField label="Email members when they are added to a group" field="access_email_enabled"
                                name="access_email_enabled" checked=s.access_email_enabled error/>
                            <p class="hint">"The email names the group and its doors and links to the member's door page. "
                                "Without SMTP configured it waits in the outbox."</p>
                            <div class="form-actions"><button type="submit" class="primary">"Save"</button></div>
                        </ActionForm>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
