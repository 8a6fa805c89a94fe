use crate::auth::api::{get_session, needs_setup, Logout};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use postern::model::SessionUser;

/// The signed-in staff member, provided by [`DashboardLayout`] to its pages.
pub fn use_session_user() -> Option<SessionUser> {
    use_context::<SessionUser>()
}

/// Navigation and the signed-in user around every dashboard page. Sends
/// people who are not signed in to sign-in (or first-run setup), and
/// members to their own page.
#[component]
pub fn DashboardLayout() -> impl IntoView {
    let session = Resource::new_blocking(|| (), |_| async move {
        let user = get_session().await?;
        let setup = if user.is_none() { needs_setup().await? } else { false };
        Ok::<_, crate::error::AppError>((user, setup))
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok((_, true)) => view! { <Redirect path="/setup"/> }.into_any(),
                    Ok((None, false)) => view! { <Redirect path="/login"/> }.into_any(),
                    Ok((Some(user), _)) if !user.role.can_manage() => {
                        view! { <Redirect path="/me"/> }.into_any()
                    }
                    Ok((Some(user), _)) => view! { <Frame user/> }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(user: SessionUser) -> impl IntoView {
    provide_context(user.clone());
    let logout = ServerAction::<Logout>::new();
    let admin = user.role.is_admin();
    view! {
        <div class="dashboard">
            <header class="topbar">
                <A href="/" attr:class="brand">"Postern"</A>
                <nav class="main-nav" aria-label="Dashboard">
                    <A href="/doors">"Doors"</A>
                    <A href="/places">"Places"</A>
                    {admin.then(|| view! { <A href="/controllers">"Controllers"</A> })}
                    <A href="/groups">"Groups"</A>
                    <A href="/users">"Users"</A>
                    <A href="/api-keys">"API keys"</A>
                </nav>
                <div class="who">
                    <span class="who-name">{user.name.clone()}</span>
                    <span class="role">{user.role.label()}</span>
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
