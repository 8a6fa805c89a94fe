use super::api::{get_session, needs_setup, Login};
use crate::components::{action_error, FormBanner, TextField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// Email + password sign-in. Works before the page's Wasm loads (a plain POST).
#[component]
pub fn LoginPage() -> impl IntoView {
    let state = Resource::new_blocking(|| (), |_| async move {
        Ok::<_, crate::error::AppError>((needs_setup().await?, get_session().await?))
    });
    let login = ServerAction::<Login>::new();
    let error = action_error(login);
    view! {
        <Title text="Sign in"/>
        <Suspense>
            {move || Suspend::new(async move {
                match state.await {
                    Ok((true, _)) => view! { <Redirect path="/setup"/> }.into_any(),
                    Ok((false, Some(user))) => view! { <Redirect path=super::home_for(user.role)/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <main class="auth-card">
            <h1>"Sign in to Postern"</h1>
            <FormBanner error/>
            <ActionForm action=login>
                <TextField label="Email" field="email" name="email" kind="email" autocomplete="username" required=true error/>
                <TextField label="Password" field="password" name="password" kind="password" autocomplete="current-password" required=true error/>
                <button type="submit" class="primary wide" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </main>
    }
}
