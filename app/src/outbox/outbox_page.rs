use super::api::{list_outbox, OutboxItem};
use crate::format::instant_utc;
use crate::layout::PageHeader;
use leptos::prelude::*;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let messages = Resource::new_blocking(|| (), |_| list_outbox());
    view! {
        <PageHeader title="Outbox"/>
        <p class="hint">"Every email and text message Postern sent, or held because no mail or SMS provider is configured. "
            "Held messages were not delivered: open one to copy its link and pass it on yourself. The outbox lives in memory and empties when Postern restarts."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No messages since Postern started."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="outbox">{list.into_iter().map(message).collect_view()}</ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn message(m: OutboxItem) -> impl IntoView {
    let title = if m.subject.is_empty() { m.body_text.chars().take(60).collect::<String>() } else { m.subject.clone() };
    let tone = match m.status.as_str() {
        "Sent" => "pill ok",
        "Failed" => "pill bad",
        _ => "pill info",
    };
    view! {
        <li class="panel outbox-message" data-testid="outbox-message">
            <details>
                <summary>
                    <span class=tone>{m.status.clone()}</span>
                    " " <strong>{m.channel.clone()}</strong> " to " {m.recipient.clone()} " · " {title}
                    <small class="muted">" · " {instant_utc(Some(m.at_ms))} " UTC"</small>
                </summary>
                {(!m.error.is_empty()).then(|| view! { <p class="banner error">{m.error.clone()}</p> })}
                <pre class="message-body">{m.body_text}</pre>
            </details>
        </li>
    }
}
