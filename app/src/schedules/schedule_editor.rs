use super::api::SaveSchedule;
use crate::components::{action_error, form_name, CheckField, FormBanner, TextField};
use crate::error::AppError;
use leptos::prelude::*;
use super::next_activations::NextActivations;
use postern::schedule::{Holiday, HolidayCalendar, Schedule, ScheduleForm, Span, Weekdays, WindowForm, MAX_WINDOWS};
use postern::types::Timestamp;
use postern::types::TimeZoneName;

/// How many activations the editor previews.
const PREVIEW: usize = 5;

/// How many window rows a new recurring schedule offers (blank rows are ignored).
const BLANK_ROWS: usize = 3;

/// The form creating or changing one scheduled unlock. The three kinds'
/// fields are all in the page; CSS shows the picked kind's (also before
/// the Wasm has loaded).
#[component]
pub fn ScheduleEditor(door_id: i64, schedule: Option<Schedule>, time_zone: TimeZoneName, holidays: Vec<Holiday>, now: i64) -> impl IntoView {
    let save = ServerAction::<SaveSchedule>::new();
    // The next activations of the schedule as typed: the saved one's at
    // first, then recomputed in the browser at every change of the form.
    let calendar = HolidayCalendar::new(&holidays);
    let spans_of = {
        let zone = time_zone.time_zone();
        move |form: &ScheduleForm| -> Option<Vec<Span>> {
            let valid = form.validate(&zone).ok()?;
            Some(valid.into_schedule(0).next_occurrences(&zone, &calendar, Timestamp::from_millis(now), PREVIEW))
        }
    };
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let error = action_error(save);
    let on = || Some("on".to_owned());
    let form = match &schedule {
        Some(s) => ScheduleForm::from_schedule(s, &time_zone.time_zone()),
        None => ScheduleForm {
            kind: "recurring".into(),
            enabled: on(),
            mon: on(),
            tue: on(),
            wed: on(),
            thu: on(),
            fri: on(),
            windows: vec![WindowForm { start: "08:00".into(), end: "18:00".into() }],
            ..ScheduleForm::default()
        },
    };
    // The form as it first appears (saved or default) is previewed at once.
    let preview = RwSignal::new(spans_of(&form));
    let on_change = move |_| {
        if let Some(form) = form_ref.get_untracked().and_then(|f| typed_form(&f)) {
            preview.set(spans_of(&form));
        }
    };
    let id = schedule.as_ref().map(|s| s.id);
    let kinds = [
        ("single", "Single event", "From one moment to another."),
        ("all_day", "All-day event", "One day or several, midnight to midnight."),
        ("recurring", "Recurring", "On chosen weekdays, in time windows."),
    ];
    let kind_message = move || error.get().and_then(|e| e.field("kind"));
    let kind_choices = kinds
        .into_iter()
        .map(|(value, label, hint)| {
            let checked = form.kind == value;
            let input_id = format!("kind-{value}");
            let label_for = input_id.clone();
            view! {
                <label class="kind-choice" for=label_for>
                    <input id=input_id type="radio" name=form_name("kind") value=value checked=checked/>
                    <span><strong>{label}</strong><span class="hint">{hint}</span></span>
                </label>
            }
        })
        .collect::<Vec<_>>();
    let flags = [&form.mon, &form.tue, &form.wed, &form.thu, &form.fri, &form.sat, &form.sun].map(|f| f.is_some());
    let days = Weekdays::SHORT
        .iter()
        .zip(flags)
        .map(|(day, checked)| {
            let key = day.to_lowercase();
            let input_id = format!("field-{key}");
            let label_for = input_id.clone();
            view! {
                <label class="weekday" for=label_for>
                    <input id=input_id type="checkbox" name=form_name(&key) value="on" checked=checked/>
                    {*day}
                </label>
            }
        })
        .collect::<Vec<_>>();
    let days_message = move || error.get().and_then(|e| e.field("days"));
    let mut windows = form.windows.clone();
    let rows = (windows.len() + 1).max(BLANK_ROWS).min(MAX_WINDOWS);
    windows.resize(rows, WindowForm::default());
    let window_rows = windows
        .into_iter()
        .enumerate()
        .map(|(row, w)| view! { <WindowRow row window=w error/> })
        .collect::<Vec<_>>();
    let zone = time_zone.as_str().to_owned();
    let place_zone = zone.clone();
    view! {
        <FormBanner error/>
        <ActionForm action=save node_ref=form_ref attr:class="editor schedule-editor" on:input=on_change>
            <input type="hidden" name="door_id" value=door_id/>
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <fieldset class="kind-picker">
                <legend>"Kind"</legend>
                <div class="kind-choices" role="radiogroup" aria-label="Kind">{kind_choices}</div>
                <p class="field-error" role="alert">{kind_message}</p>
            </fieldset>
            <fieldset class="kind-fields kind-single">
                <legend>"Single event"</legend>
                <p class="hint">{format!("Times are the place's local time ({zone}).")}</p>
                <div class="row">
                    <TextField label="Starts" field="starts_at" name=form_name("starts_at") value=form.starts_at.clone() kind="datetime-local" error/>
                    <TextField label="Ends" field="ends_at" name=form_name("ends_at") value=form.ends_at.clone() kind="datetime-local" error/>
                </div>
            </fieldset>
            <fieldset class="kind-fields kind-all_day">
                <legend>"All-day event"</legend>
                <div class="row">
                    <TextField label="First day" field="first_date" name=form_name("first_date") value=form.first_date.clone() kind="date" error/>
                    <TextField label="Last day" field="last_date" name=form_name("last_date") value=form.last_date.clone() kind="date" hint="Blank: just the first day." error/>
                </div>
            </fieldset>
            <fieldset class="kind-fields kind-recurring">
                <legend>"Recurring"</legend>
                <div class="field" class:invalid=move || days_message().is_some()>
                    <span class="field-label">"Days"</span>
                    <div class="weekdays" role="group" aria-label="Days">{days}</div>
                    <p class="field-error" role="alert">{days_message}</p>
                </div>
                <div class="field">
                    <span class="field-label">{format!("Time windows ({zone})")}</span>
                    <p class="hint">"Leave a row blank to skip it. An end at or before the start runs past midnight."</p>
                    <div class="windows">{window_rows}</div>
                </div>
                <div class="row">
                    <TextField label="From" field="from_date" name=form_name("from_date") value=form.from_date.clone() kind="date" hint="Optional first day." error/>
                    <TextField label="Until" field="until_date" name=form_name("until_date") value=form.until_date.clone() kind="date" hint="Optional last day." error/>
                </div>
            </fieldset>
            <fieldset>
                <legend>"Options"</legend>
                <CheckField label="Enabled" field="enabled" name=form_name("enabled") checked=form.enabled.is_some() error/>
                <CheckField label="First person in: wait until someone with access unlocks a door of the zone that day" field="first_in" name=form_name("first_in") checked=form.first_in.is_some() error/>
                <TextField label="Last person out after" field="last_out_after" name=form_name("last_out_after") value=form.last_out_after.clone() kind="time"
                    hint="Optional. After this local time, an exit button press in the zone ends the day's unlock." error/>
            </fieldset>
            <div class="form-actions">
                <button type="submit" class="primary">{if id.is_some() { "Save scheduled unlock" } else { "Create scheduled unlock" }}</button>
                <a href=format!("/doors/{door_id}/schedules") class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        {move || match preview.get() {
            Some(spans) => view! { <NextActivations spans time_zone=place_zone.clone() title="Next five activations"/> }.into_any(),
            None => view! {
                <section class="panel next-activations" aria-label="Next five activations">
                    <h2>"Next five activations"</h2>
                    <p class="hint">"Fill in the schedule to see when it will unlock the door."</p>
                </section>
            }.into_any(),
        }}
    }
}

/// The schedule form as typed, read from the page's form (browser only).
#[cfg(feature = "hydrate")]
fn typed_form(form: &web_sys::HtmlFormElement) -> Option<ScheduleForm> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let text = |name: &str| data.get(&format!("form[{name}]")).as_string().unwrap_or_default();
    let flag = |name: &str| Some(text(name)).filter(|v| !v.is_empty());
    let windows = (0..MAX_WINDOWS)
        .map(|row| WindowForm { start: text(&format!("windows][{row}][start")), end: text(&format!("windows][{row}][end")) })
        .collect();
    Some(ScheduleForm {
        kind: text("kind"),
        starts_at: text("starts_at"),
        ends_at: text("ends_at"),
        first_date: text("first_date"),
        last_date: text("last_date"),
        mon: flag("mon"),
        tue: flag("tue"),
        wed: flag("wed"),
        thu: flag("thu"),
        fri: flag("fri"),
        sat: flag("sat"),
        sun: flag("sun"),
        windows,
        from_date: text("from_date"),
        until_date: text("until_date"),
        enabled: flag("enabled"),
        first_in: flag("first_in"),
        last_out_after: text("last_out_after"),
    })
}

#[cfg(not(feature = "hydrate"))]
fn typed_form(_form: &leptos::web_sys::HtmlFormElement) -> Option<ScheduleForm> {
    None
}

/// One start/end row of a recurring schedule (errors under `windows.<row>.start|end`).
#[component]
fn WindowRow(row: usize, window: WindowForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let start_key = format!("windows.{row}.start");
    let end_key = format!("windows.{row}.end");
    let start_message = Signal::derive(move || error.get().and_then(|e| e.field(&start_key)));
    let end_message = Signal::derive(move || error.get().and_then(|e| e.field(&end_key)));
    let n = row + 1;
    view! {
        <div class="window-row">
            <div class="field" class:invalid=move || start_message.get().is_some()>
                <label for=format!("window-{row}-start")>{format!("Window {n} starts")}</label>
                <input id=format!("window-{row}-start") type="time" name=format!("form[windows][{row}][start]") value=window.start/>
                <p class="field-error" role="alert">{start_message}</p>
            </div>
            <div class="field" class:invalid=move || end_message.get().is_some()>
                <label for=format!("window-{row}-end")>{format!("Window {n} ends")}</label>
                <input id=format!("window-{row}-end") type="time" name=format!("form[windows][{row}][end]") value=window.end/>
                <p class="field-error" role="alert">{end_message}</p>
            </div>
        </div>
    }
}
