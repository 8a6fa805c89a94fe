use super::api::{access_link_form_options, list_access_links, RevokeAccessLink, SendAccessLink};
use super::credential_tabs::CredentialTabs;
use super::link_secret_dialog::LinkSecretDialog;
use super::link_table::LinkTable;
use super::send_link_form::SendLinkForm;
use crate::components::{action_error, FormBanner, SearchBar};
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Credentials → Digital credentials: send a link, see how much of each
/// quota is used, list and revoke links.
#[component]
pub fn AccessLinksPage() -> impl IntoView {
    let query = use_query_map();
    let send = ServerAction::<SendAccessLink>::new();
    let revoke = ServerAction::<RevokeAccessLink>::new();
    let revoke_error = action_error(revoke);
    let options = Resource::new_blocking(move || send.version().get(), |_| access_link_form_options());
    let links = Resource::new_blocking(
        move || (query.read().get("q").unwrap_or_default(), query.read().get("page"), send.version().get(), revoke.version().get()),
        |(q, page, _, _)| list_access_links(q, page),
    );
    let close = Callback::new(move |_| send.value().set(None));
    view! {
        <PageHeader title="Credentials"/>
        <CredentialTabs current="links"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Ok(options) => {
                        let quotas = options.quotas.clone();
                        view! {
                            <p class="hint quota" data-testid="quotas">
                                {format!(
                                    "Email links in use: {} of {}. Text-message links this month: {} of {}.",
                                    quotas.email_in_use, quotas.email_limit, quotas.sms_this_month, quotas.sms_limit
                                )}
                            </p>
                            <SendLinkForm send options/>
                        }.into_any()
                    }
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
        {move || send.value().get().and_then(|r| r.ok()).map(|new| match (new.url.clone(), new.qr_svg.clone()) {
            (Some(url), Some(qr_svg)) => view! {
                <LinkSecretDialog recipient=new.link.recipient_name.clone() url qr_svg on_close=close/>
            }.into_any(),
            _ => view! {
                <div class="banner success" role="status">
                    <strong>{format!("Access link for {} created: {}.", new.link.recipient_name, new.delivery)}</strong>
                    {new.delivery.contains("outbox").then(|| view! { " " <A href="/outbox">"Open the outbox"</A> })}
                </div>
            }.into_any(),
        })}
        <FormBanner error=revoke_error/>
        <SearchBar label="Search by recipient, address or group"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let zone = options.await.map(|o| o.time_zone).unwrap_or_else(|_| "UTC".into());
                match links.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="empty">"No access links yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <LinkTable list revoke query=query.read_untracked().get("q").unwrap_or_default() zone/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
