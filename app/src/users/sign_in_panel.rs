use super::api::{get_user_sign_in, RevokeLogin, SendWelcomeEmail};
use crate::components::{action_error, FormBanner};
use crate::format::instant_utc;
use leptos::prelude::*;
use postern::model::{ApiKey, WelcomeLinkState, WelcomeStatus};

/// How a person signs in: their welcome email (sent? used?) with a button
/// to send it (again), and their logins (API sign-ins) with Revoke.
#[component]
pub fn SignInPanel(user_id: i64) -> impl IntoView {
    let send = ServerAction::<SendWelcomeEmail>::new();
    let revoke = ServerAction::<RevokeLogin>::new();
    let send_error = action_error(send);
    let revoke_error = action_error(revoke);
    let sent = move || send.value().get().and_then(|r| r.ok());
    let data = Resource::new_blocking(move || (send.version().get(), revoke.version().get()), move |_| get_user_sign_in(user_id));
    view! {
        <section class="panel" aria-labelledby="welcome-heading">
            <h2 id="welcome-heading">"Welcome email"</h2>
            <FormBanner error=send_error/>
            {move || sent().map(|message| view! { <p class="banner success" role="status">{message}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                        Ok((welcome, logins)) => {
                            let label = if welcome.is_some() { "Resend welcome email" } else { "Send welcome email" };
                            view! {
                                <p data-testid="welcome-status">{welcome_text(welcome)}</p>
                                <ActionForm action=send attr:class="inline-add">
                                    <input type="hidden" name="user_id" value=user_id/>
                                    <button type="submit" class="secondary">{label}</button>
                                </ActionForm>
                                <LoginList logins revoke revoke_error/>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

fn welcome_text(welcome: Option<(WelcomeStatus, WelcomeLinkState)>) -> String {
    let Some((status, state)) = welcome else {
        return "No welcome email sent yet. It carries a link to set a password, valid 7 days.".into();
    };
    let by = status.sent_by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
    let sent = format!("Sent {}{by}", instant_utc(Some(status.sent_at)));
    match state {
        WelcomeLinkState::NoLink => format!("{sent}, without a set-password link."),
        WelcomeLinkState::Open => format!("{sent}; its link is not used yet and works until {}.", instant_utc(status.expires_at)),
        WelcomeLinkState::Used => format!("{sent}; used {}: the password is set.", instant_utc(status.used_at)),
        WelcomeLinkState::Expired => format!("{sent}; its link expired {} unused. Send a new one.", instant_utc(status.expires_at)),
    }
}

/// The person's logins, without secrets, each with Revoke.
#[component]
fn LoginList(logins: Option<Vec<ApiKey>>, revoke: ServerAction<RevokeLogin>, revoke_error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    view! {
        <h3 id="logins-heading">"Logins"</h3>
        <FormBanner error=revoke_error/>
        {match logins {
            None => view! { <p class="hint">"Only admins see the logins of staff."</p> }.into_any(),
            Some(logins) if logins.is_empty() => view! { <p class="empty">"No logins. A login is made by signing in through the API."</p> }.into_any(),
            Some(logins) => view! {
                <table class="list compact" aria-labelledby="logins-heading">
                    <thead><tr><th>"Name"</th><th>"Login"</th><th>"Created (UTC)"</th><th>"Last used (UTC)"</th><th></th></tr></thead>
                    <tbody>
                        {logins.into_iter().map(|k| view! {
                            <tr>
                                <td>{k.name.clone()}</td>
                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                <td>{instant_utc(Some(k.created_at))}</td>
                                <td>{instant_utc(k.last_used_at)}</td>
                                <td class="row-actions">
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="id" value=k.id/>
                                        <button type="submit" class="link danger-text" aria-label=format!("Revoke {}", k.name)>"Revoke"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}
