use super::api::{ConfirmPassword, UnlockDoor};
use super::geolocation::{watch_position, Position};
use crate::error::AppError;
use crate::live::{use_live_doors, DoorState, Shown};
use leptos::prelude::*;
use postern::door_status::{DoorLive, DoorStatus};
use postern::types::Timestamp;

/// A big press-to-unlock button: a POST form that works before the Wasm
/// loads. Beside it the door's state (`DoorState`): as loaded, then live
/// (`crate::live`); after a grant it reads Unlocked at once and counts the
/// pulse down; red shows why not.
#[component]
pub fn UnlockButton(
    #[prop(into)] door_name: String,
    /// The door's state as loaded (its id included).
    state: DoorLive,
    /// The door's place's time zone, for "until 14:05".
    #[prop(into, optional)]
    time_zone: String,
    #[prop(optional)] geofence: bool,
) -> impl IntoView {
    let door_id = state.door_id;
    let unlock = ServerAction::<UnlockDoor>::new();
    let live = use_live_doors();
    let position = RwSignal::new(Position::Unknown);
    if geofence {
        Effect::new(move |_| watch_position(position));
    }
    let initial = StoredValue::new(state);
    let shown = Memo::new(move |_| Shown::of(&live.state_of(&initial.read_value()), live.now.get(), &time_zone));
    // A grant reads Unlocked at once (the stream confirms it shortly).
    Effect::new(move |_| {
        if let Some(Ok(result)) = unlock.value().get() {
            if result.granted {
                // Untracked: this effect writes the states it reads.
                let Some(now) = untrack(|| live.refresh_now()) else { return };
                let mut state = untrack(|| live.state_of(&initial.read_value()));
                let until = now + i64::from(result.seconds) * 1000;
                state.status = match state.status {
                    DoorStatus::Unlocked { until: later } if later.millis() > until => state.status,
                    DoorStatus::Locked | DoorStatus::Unlocked { .. } => DoorStatus::Unlocked { until: Timestamp::from_millis(until) },
                    other => other,
                };
                live.set(state);
            }
        }
    });
    let coordinate = move |pick: fn(f64, f64, f64) -> f64| match position.get() {
        Position::Known { latitude, longitude, accuracy } => pick(latitude, longitude, accuracy).to_string(),
        _ => String::new(),
    };
    let feedback = move || match unlock.value().get() {
        Some(Ok(result)) if !result.granted => view! {
            <div class="unlock-feedback denied" role="alert">
                <p>"Not unlocked"</p>
                <ul>{result.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            </div>
            {result.needs_verification.then(|| view! { <ConfirmPasswordForm/> })}
        }
        .into_any(),
        Some(Err(error)) => view! { <p class="unlock-feedback denied" role="alert">{message(&error)}</p> }.into_any(),
        _ => ().into_any(),
    };
    let label = format!("Unlock {door_name}");
    let counting = move || shown.with(|s| s.counting);
    view! {
        <div class="unlock">
            <div class="unlock-status"><DoorState door_id shown/></div>
            <ActionForm action=unlock>
                <input type="hidden" name="door_id" value=door_id/>
                <input type="hidden" name="latitude" prop:value=move || coordinate(|lat, _, _| lat)/>
                <input type="hidden" name="longitude" prop:value=move || coordinate(|_, lon, _| lon)/>
                <input type="hidden" name="accuracy" prop:value=move || coordinate(|_, _, acc| acc)/>
                <button
                    type="submit"
                    class="unlock-button"
                    class=("is-unlocked", counting)
                    aria-label=label
                    disabled=move || unlock.pending().get()
                >
                    {move || if unlock.pending().get() { "Unlocking…" } else if counting() { "Unlocked" } else { "Unlock" }}
                </button>
            </ActionForm>
            {move || match position.get() {
                Position::Refused(why) => Some(view! { <p class="hint warning">{why}</p> }),
                _ => None,
            }}
            {feedback}
        </div>
    }
    .into_any()
}

/// Re-enter the password for a two-factor door, then press Unlock again.
#[component]
fn ConfirmPasswordForm() -> impl IntoView {
    let confirm = ServerAction::<ConfirmPassword>::new();
    let error = crate::components::action_error(confirm);
    let done = move || matches!(confirm.value().get(), Some(Ok(())));
    view! {
        <ActionForm action=confirm attr:class="confirm-password">
            <crate::components::TextField label="Your password" field="password" name="password" kind="password" autocomplete="current-password" error/>
            <button type="submit" class="secondary">"Confirm it's me"</button>
            {move || done().then(|| view! { <p class="hint">"Confirmed for 5 minutes. Press Unlock again."</p> })}
        </ActionForm>
    }
}

fn message(error: &AppError) -> String {
    error.to_string()
}
