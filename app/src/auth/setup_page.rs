use super::api::{needs_setup, SetupOwner};
use crate::components::{action_error, FormBanner, TextField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// First run: with no owner yet, create one (and sign them in).
#[component]
pub fn SetupPage() -> impl IntoView {
    let open = Resource::new_blocking(|| (), |_| needs_setup());
    let setup = ServerAction::<SetupOwner>::new();
    let error = action_error(setup);
    view! {
        <Title text="Welcome"/>
        <Suspense>
            {move || Suspend::new(async move {
                match open.await {
                    Ok(false) => view! { <Redirect path="/login"/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <main class="auth-card">
            <h1>"Welcome to Postern"</h1>
            <p>"Create the owner account. The owner can manage everything and can't be deleted."</p>
            <FormBanner error/>
            <ActionForm action=setup>
                <TextField label="Organization name" field="organization" name="organization" placeholder="Acme Inc." error/>
                <TextField label="Your name" field="name" name="name" autocomplete="name" required=true error/>
                <TextField label="Email" field="email" name="email" kind="email" autocomplete="username" required=true error/>
                <TextField
                    label="Password"
                    field="password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 10 characters."
                    required=true
                    error
                />
                <button type="submit" class="primary wide" disabled=move || setup.pending().get()>
                    "Create owner account"
                </button>
            </ActionForm>
        </main>
    }
}
