//! The HTML shell and the route table.

use crate::api_keys::ApiKeyPage;
use crate::auth::{LoginPage, SetupPage};
use crate::controllers::{ControllerEditor, ControllerList};
use crate::credentials::{AccessLinksPage, CardsPage};
use crate::doors::{DoorEditor, DoorList};
use crate::events::EventLogPage;
use crate::explain::ExplainPage;
use crate::groups::{GroupEditor, GroupList};
use crate::layout::{DashboardLayout, NotFound};
use crate::member::MyDoorsPage;
use crate::outbox::OutboxPage;
use crate::overview::Overview;
use crate::places::{PlaceEditor, PlaceList};
use crate::schedules::{DoorSchedules, ScheduleEditorPage};
use crate::settings::SettingsPage;
use crate::simulator::SimulatorPage;
use crate::users::{UserEditor, UserList};
use crate::webhooks::{WebhookList, WebhookLog};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around every page, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/postern.css"/>
        <Title formatter=|text: String| if text.is_empty() { "Postern".to_owned() } else { format!("{text} · Postern") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/me") view=MyDoorsPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=Overview ssr=SsrMode::Async/>
                    <Route path=path!("places") view=PlaceList ssr=SsrMode::Async/>
                    <Route path=path!("places/new") view=PlaceEditor ssr=SsrMode::Async/>
                    <Route path=path!("places/:id") view=PlaceEditor ssr=SsrMode::Async/>
                    <Route path=path!("controllers") view=ControllerList ssr=SsrMode::Async/>
                    <Route path=path!("controllers/new") view=ControllerEditor ssr=SsrMode::Async/>
                    <Route path=path!("controllers/:id") view=ControllerEditor ssr=SsrMode::Async/>
                    <Route path=path!("doors") view=DoorList ssr=SsrMode::Async/>
                    <Route path=path!("doors/new") view=DoorEditor ssr=SsrMode::Async/>
                    <Route path=path!("doors/:id") view=DoorEditor ssr=SsrMode::Async/>
                    <Route path=path!("doors/:id/schedules") view=DoorSchedules ssr=SsrMode::Async/>
                    <Route path=path!("doors/:id/schedules/new") view=ScheduleEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("doors/:id/schedules/:schedule") view=ScheduleEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("groups") view=GroupList ssr=SsrMode::Async/>
                    <Route path=path!("groups/new") view=GroupEditor ssr=SsrMode::Async/>
                    <Route path=path!("groups/:id") view=GroupEditor ssr=SsrMode::Async/>
                    <Route path=path!("users") view=UserList ssr=SsrMode::Async/>
                    <Route path=path!("users/new") view=UserEditor ssr=SsrMode::Async/>
                    <Route path=path!("users/:id") view=UserEditor ssr=SsrMode::Async/>
                    <Route path=path!("credentials") view=AccessLinksPage ssr=SsrMode::Async/>
                    <Route path=path!("credentials/cards") view=CardsPage ssr=SsrMode::Async/>
                    <Route path=path!("outbox") view=OutboxPage ssr=SsrMode::Async/>
                    <Route path=path!("webhooks") view=WebhookList ssr=SsrMode::Async/>
                    <Route path=path!("webhooks/:id") view=WebhookLog ssr=SsrMode::Async/>
                    <Route path=path!("settings") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("simulator") view=SimulatorPage ssr=SsrMode::Async/>
                    <Route path=path!("api-keys") view=ApiKeyPage ssr=SsrMode::Async/>
                    <Route path=path!("events") view=EventLogPage ssr=SsrMode::Async/>
                    <Route path=path!("explain") view=ExplainPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
