use super::api::{ConfirmPassword, UnlockDoor};
use super::geolocation::{watch_position, Position};
use crate::components::StatusBadge;
use crate::error::AppError;
use leptos::prelude::*;
use postern::door_status::DoorStatus;

/// A big press-to-unlock button: a POST form that works before the Wasm
/// loads; with the Wasm, green "Unlocked" counts the pulse down, red shows
/// why not.
#[component]
pub fn UnlockButton(
    door_id: i64,
    #[prop(into)] door_name: String,
    /// The door's status as loaded; shown as Unlocked at once after a grant.
    status: DoorStatus,
    #[prop(optional)] geofence: bool,
) -> impl IntoView {
    let unlock = ServerAction::<UnlockDoor>::new();
    let remaining = RwSignal::new(0u32);
    let generation = StoredValue::new(0u64);
    let position = RwSignal::new(Position::Unknown);
    if geofence {
        Effect::new(move |_| watch_position(position));
    }
    // Count the pulse down, once per second, after each grant.
    Effect::new(move |_| {
        if let Some(Ok(result)) = unlock.value().get() {
            if result.granted {
                remaining.set(result.seconds);
                start_countdown(remaining, generation);
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
    let badge = move || {
        if remaining.get() > 0 {
            view! { <span class="badge status-unlocked" role="status">{format!("Unlocked · {} s", remaining.get())}</span> }.into_any()
        } else {
            view! { <StatusBadge status=status.clone()/> }.into_any()
        }
    };
    view! {
        <div class="unlock">
            <div class="unlock-status">{badge}</div>
            <ActionForm action=unlock>
                <input type="hidden" name="door_id" value=door_id/>
                <input type="hidden" name="latitude" prop:value=move || coordinate(|lat, _, _| lat)/>
                <input type="hidden" name="longitude" prop:value=move || coordinate(|_, lon, _| lon)/>
                <input type="hidden" name="accuracy" prop:value=move || coordinate(|_, _, acc| acc)/>
                <button
                    type="submit"
                    class="unlock-button"
                    class=("is-unlocked", move || remaining.get() > 0)
                    aria-label=label
                    disabled=move || unlock.pending().get()
                >
                    {move || if unlock.pending().get() { "Unlocking…" } else if remaining.get() > 0 { "Unlocked" } else { "Unlock" }}
                </button>
            </ActionForm>
            {move || match position.get() {
                Position::Refused(why) => Some(view! { <p class="hint warning">{why}</p> }),
                _ => None,
            }}
            {feedback}
        </div>
    }
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

/// Ticks `remaining` down to zero once a second (browser only). A newer
/// grant (a higher `generation`) stops an older countdown.
fn start_countdown(remaining: RwSignal<u32>, generation: StoredValue<u64>) {
    generation.update_value(|g| *g += 1);
    #[cfg(feature = "hydrate")]
    tick(remaining, generation, generation.get_value());
    #[cfg(not(feature = "hydrate"))]
    let _ = remaining;
}

#[cfg(feature = "hydrate")]
fn tick(remaining: RwSignal<u32>, generation: StoredValue<u64>, mine: u64) {
    gloo_timers::callback::Timeout::new(1_000, move || {
        if generation.get_value() != mine {
            return;
        }
        let left = remaining.get_untracked().saturating_sub(1);
        remaining.set(left);
        if left > 0 {
            tick(remaining, generation, mine);
        }
    })
    .forget();
}
