use super::api::webhook_log;
use crate::format::instant_utc;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// One endpoint's delivery log: every attempt with its status code or error.
#[component]
pub fn WebhookLog() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default();
    let log = Resource::new_blocking(id, webhook_log);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok((webhook, attempts)) => view! {
                        <PageHeader title=format!("Webhook {}", webhook.name)>
                            <A href="/webhooks" attr:class="button">"All webhooks"</A>
                        </PageHeader>
                        <p><code>{webhook.url.clone()}</code> " · " {webhook.event_types.join(", ")} " · "
                            {format!("{} waiting, {} delivered, {} given up", webhook.pending, webhook.delivered, webhook.failed)}</p>
                        {if attempts.is_empty() {
                            view! { <p class="empty">"No delivery attempted yet."</p> }.into_any()
                        } else {
                            view! {
                                <table class="list" data-testid="webhook-attempts">
                                    <thead><tr><th>"Time (UTC)"</th><th>"Event"</th><th>"Attempt"</th><th>"Status"</th>
                                        <th>"Response"</th><th>"Took"</th><th>"Delivery"</th></tr></thead>
                                    <tbody>
                                        {attempts.into_iter().map(|a| view! {
                                            <tr>
                                                <td>{instant_utc(Some(a.at))}</td>
                                                <td>{format!("{} #{}", a.event_type, a.event_id)}</td>
                                                <td>{a.attempt}</td>
                                                <td>{a.status_code.map(|c| c.to_string()).unwrap_or_else(|| "no answer".into())}</td>
                                                <td>{a.error}</td>
                                                <td>{format!("{} ms", a.duration_ms)}</td>
                                                <td>{a.state}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
