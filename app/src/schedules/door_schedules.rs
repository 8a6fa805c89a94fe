use super::api::{get_door_schedules, DeleteSchedule, DoorScheduleDetails, SetDoorZone, SetScheduleEnabled};
use super::door_zone_picker::DoorZonePicker;
use super::held_back_note::HeldBackNote;
use super::next_activations::NextActivations;
use super::schedule_editor::ScheduleEditor;
use super::schedule_list::ScheduleList;
use crate::layout::PageHeader;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use postern::schedule::{HolidayCalendar, Timetable};
use postern::types::{TimeZoneName, Timestamp};

/// How many activations the pages preview.
const PREVIEW: usize = 5;

fn zone_name(name: &str) -> TimeZoneName {
    TimeZoneName::parse(name).unwrap_or_else(|_| TimeZoneName::parse("UTC").expect("UTC is a zone"))
}

/// Loads the door's schedules for the route's `:id` and shows them with `show`.
/// `changes` counts the page's changes, so the data is read again after each.
fn with_details<V: IntoView + 'static>(
    changes: impl Fn() -> usize + Send + Sync + 'static,
    show: impl Fn(DoorScheduleDetails) -> V + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0);
    let data = Resource::new_blocking(move || (id(), changes()), |(id, _)| get_door_schedules(id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(details) => show(details).into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A door's "Scheduled unlocks" tab (`/doors/:id/schedules`).
#[component]
pub fn DoorSchedules() -> impl IntoView {
    let toggle = ServerAction::<SetScheduleEnabled>::new();
    let delete = ServerAction::<DeleteSchedule>::new();
    let set_zone = ServerAction::<SetDoorZone>::new();
    let changes = move || toggle.version().get() + delete.version().get() + set_zone.version().get();
    with_details(changes, move |d| {
        let zone = zone_name(&d.time_zone);
        let calendar = HolidayCalendar::new(&d.holidays);
        let tz = zone.time_zone();
        let spans = Timetable::new(&d.schedules, &calendar, &tz)
            .next_windows(Timestamp::from_millis(d.now), PREVIEW)
            .into_iter()
            .map(|w| w.span())
            .collect::<Vec<_>>();
        let door_id = d.door_id;
        view! {
            <PageHeader title=format!("{} · Scheduled unlocks", d.door_name)>
                <A href=format!("/doors/{door_id}") attr:class="button secondary">"Back to the door"</A>
                <A href=format!("/doors/{door_id}/schedules/new") attr:class="button primary">"New scheduled unlock"</A>
            </PageHeader>
            <HeldBackNote sentence=d.held_back.clone()/>
            <section class="panel" aria-label="Scheduled unlocks">
                <h2>"Scheduled unlocks"</h2>
                <p class="hint">{format!("While one is active the door stays unlocked. Times are the place's local time ({}).", zone.as_str())}</p>
                <ScheduleList door_id toggle delete schedules=d.schedules.clone() time_zone=zone.clone()/>
            </section>
            <NextActivations spans time_zone=d.time_zone.clone() title="Next activations of this door"/>
            <DoorZonePicker save=set_zone door_id place_id=d.place_id zone_id=d.zone_id zones=d.zones.clone()/>
        }
        .into_any()
    })
}

/// Creates (`/doors/:id/schedules/new`) or edits (`/doors/:id/schedules/:schedule`) a scheduled unlock.
#[component]
pub fn ScheduleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let schedule_id = move || params.read_untracked().get("schedule").and_then(|s| s.parse::<i64>().ok());
    with_details(|| 0, move |d| {
        let zone = zone_name(&d.time_zone);
        let schedule = schedule_id().and_then(|id| d.schedules.iter().find(|s| s.id == id).cloned());
        let door_id = d.door_id;
        let title = match &schedule {
            Some(_) => format!("{} · Edit scheduled unlock", d.door_name),
            None => format!("{} · New scheduled unlock", d.door_name),
        };
        view! {
            <PageHeader title>
                <A href=format!("/doors/{door_id}/schedules") attr:class="button secondary">"All scheduled unlocks"</A>
            </PageHeader>
            <HeldBackNote sentence=d.held_back.clone()/>
            <div class="schedule-editor-layout">
                <ScheduleEditor door_id schedule time_zone=zone holidays=d.holidays.clone() now=d.now/>
            </div>
        }
        .into_any()
    })
}
