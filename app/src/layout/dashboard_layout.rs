use crate::auth::api::{get_session, needs_setup, Logout};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// Navigation and the signed-in user around every dashboard page. Sends
/// people who are not signed in to sign-in (or first-run setup), and
/// members to their own page.
///
/// The page itself (`Outlet`) sits outside the session's `Suspense`: a
/// resource created inside a `Suspend` can be created twice on the server,
/// which shifts resource ids and breaks hydration. Every page's server
/// functions check the session and role themselves.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let session = Resource::new_blocking(|| (), |_| async move {
        let user = get_session().await?;
        let setup = if user.is_none() { needs_setup().await? } else { false };
        Ok::<_, crate::error::AppError>((user, setup))
    });
    let logout = ServerAction::<Logout>::new();
    // Door status badges on every page follow the live stream.
    crate::live::provide_live_doors();
    view! {
        <div class="dashboard">
            <header class="topbar">
                <A href="/" attr:class="brand">"Postern"</A>
                <nav class="main-nav" aria-label="Dashboard">
                    <A href="/doors">"Doors"</A>
                    <A href="/places">"Places"</A>
                    <A href="/groups">"Groups"</A>
                    <A href="/users">"Users"</A>
                    <A href="/credentials">"Credentials"</A>
                    <A href="/events">"Event log"</A>
                    <A href="/explain">"Why denied?"</A>
                    <A href="/api-keys">"API keys"</A>
                    // The organization's pages, for admins and the owner only:
                    // a manager is not shown links that would answer "for admins".
                    <Suspense>
                        {move || Suspend::new(async move {
                            match session.await {
                                Ok((Some(user), _)) if user.role.is_admin() => view! {
                                    <A href="/controllers">"Controllers"</A>
                                    <A href="/webhooks">"Webhooks"</A>
                                    <A href="/simulator">"Simulator"</A>
                                    <A href="/outbox">"Outbox"</A>
                                }.into_any(),
                                _ => ().into_any(),
                            }
                        })}
                    </Suspense>
                    <A href="/settings">"Settings"</A>
                </nav>
                <div class="who">
                    <Suspense>
                        {move || Suspend::new(async move {
                            match session.await {
                                Ok((_, true)) => view! { <Redirect path="/setup"/> }.into_any(),
                                Ok((None, false)) => view! { <Redirect path="/login"/> }.into_any(),
                                Ok((Some(user), _)) if !user.role.can_manage() => {
                                    view! { <Redirect path="/me"/> }.into_any()
                                }
                                Ok((Some(user), _)) => view! {
                                    <span class="who-name">{user.name}</span>
                                    <span class="role">{user.role.label()}</span>
                                }.into_any(),
                                Err(e) => view! { <span class="who-error">{e.to_string()}</span> }.into_any(),
                            }
                        })}
                    </Suspense>
                    <ActionForm action=logout>
                        <button type="submit" class="secondary small">"Sign out"</button>
                    </ActionForm>
                </div>
            </header>
            <main class="content">
                <Outlet/>
            </main>
        </div>
    }
}
