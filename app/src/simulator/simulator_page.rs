use super::api::{simulator_controllers, simulator_states, PresentCard, SimController, SimPort, SimState, Simulate};
use crate::components::{action_error, refresh_every, FormBanner, StatusBadge};
use crate::layout::PageHeader;
use crate::live::use_live_doors;
use leptos::prelude::*;
use std::collections::HashMap;

/// The controllers' reports as last read, by controller id (empty until the
/// page is hydrated: the rows then show what they were rendered with).
type States = Memo<HashMap<i64, SimState>>;

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let present = ServerAction::<PresentCard>::new();
    let simulate = ServerAction::<Simulate>::new();
    let error = action_error(present);
    let simulate_error = action_error(simulate);
    // The panel's layout is read again after every action (not on a timer:
    // a periodic re-render replaced the card-number inputs while someone was
    // typing in them). What the controllers report (relays, sensors, power,
    // network) is read every second and on every live door change, and only
    // the badges follow it.
    let controllers = Resource::new(
        move || (simulate.version().get(), present.version().get()),
        |_| simulator_controllers(),
    );
    let tick = RwSignal::new(0u32);
    refresh_every(tick, 1);
    let live = use_live_doors();
    let reports = LocalResource::new(move || {
        tick.track();
        live.states.track();
        simulate.version().track();
        present.version().track();
        simulator_states()
    });
    let states: States = Memo::new(move |_| {
        reports
            .get()
            .and_then(Result::ok)
            .map(|list| list.into_iter().map(|s| (s.id, s)).collect())
            .unwrap_or_default()
    });
    view! {
        <PageHeader title="Simulator"/>
        <p class="hint">"Try Postern without hardware: each simulated Controller Pro has 4 relays, 4 door sensors, 4 exit buttons and 4 readers. Present a card, press an exit button, push a door open, cut the locks' power or pull the network cable, and watch the doors, the alarms and the event log follow."</p>
        <FormBanner error/>
        <FormBanner error=simulate_error/>
        {move || present.value().get().and_then(|r| r.ok()).map(|r| if r.granted {
            view! { <div class="banner success" role="status"><strong>{format!("{} unlocked for {} s.", r.door, r.seconds)}</strong></div> }.into_any()
        } else {
            view! {
                <div class="banner error" role="alert">
                    <strong>{format!("{} stayed locked.", r.door)}</strong>
                    <ul>{r.reasons.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            }.into_any()
        })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match controllers.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No simulated controllers yet. Add a controller with the bridge “Simulated”."</p>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|c| view! { <ControllerCard c present simulate states/> }).collect_view().into_any(),
                }
            })}
        </Transition>
    }
}

/// A button that sends one simulator action (a POST form, so it also works
/// before the Wasm loads).
#[component]
fn ActionButton(
    simulate: ServerAction<Simulate>,
    controller_id: i64,
    action: &'static str,
    #[prop(optional)] port: Option<u8>,
    #[prop(into)] label: String,
    #[prop(into)] aria: String,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=simulate attr:class="inline-form">
            <input type="hidden" name="controller_id" value=controller_id/>
            <input type="hidden" name="action" value=action/>
            {port.map(|p| view! { <input type="hidden" name="port" value=p/> })}
            <button type="submit" class=format!("small {}", if class.is_empty() { "secondary" } else { class }) aria-label=aria>{label}</button>
        </ActionForm>
    }
}

#[component]
fn ControllerCard(c: SimController, present: ServerAction<PresentCard>, simulate: ServerAction<Simulate>, states: States) -> impl IntoView {
    let id = c.id;
    let name = c.name.clone();
    let (online, power_lost) = (c.online, c.power_lost);
    let online = move || states.with(|m| m.get(&id).map(|s| s.online)).unwrap_or(online);
    let power_lost = move || states.with(|m| m.get(&id).map(|s| s.power_lost)).unwrap_or(power_lost);
    let (network, network_label) = if c.online { ("offline", "Take offline") } else { ("online", "Bring online") };
    let (power, power_label) = if c.power_lost { ("power_on", "Restore power") } else { ("power_off", "Cut power") };
    view! {
        <section class="panel sim-controller" data-controller=c.name.clone()>
            <header class="sim-header">
                <div>
                    <h2>{c.name.clone()}</h2>
                    <p class="muted">{c.place.clone()}</p>
                </div>
                <div class="sim-badges">
                    <span class=move || if online() { "badge status-locked" } else { "badge status-offline" }>
                        {move || if online() { "Online" } else { "Offline" }}
                    </span>
                    <span class="badge status-lockdown" hidden=move || !power_lost()>"Power lost"</span>
                    {c.lockdown.then(|| view! { <span class="badge status-lockdown">"Locked down"</span> })}
                </div>
                <div class="sim-actions">
                    <ActionButton simulate controller_id=id action=network label=network_label aria=format!("{network_label} {name}")/>
                    <ActionButton simulate controller_id=id action=power label=power_label aria=format!("{power_label} at {name}")/>
                    <ActionButton simulate controller_id=id action="tamper" label="Open enclosure" aria=format!("Open the enclosure of {name}")/>
                </div>
            </header>
            <div class="table-scroll">
                <table class="list sim-ports">
                    <thead><tr><th>"#"</th><th>"Door"</th><th>"Status"</th><th>"Relay"</th><th>"Door sensor"</th><th>"Present a card"</th><th>"Door"</th></tr></thead>
                    <tbody>{c.ports.into_iter().map(|p| view! { <PortRow port=p controller_id=id controller=name.clone() present simulate states/> }).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PortRow(port: SimPort, controller_id: i64, controller: String, present: ServerAction<PresentCard>, simulate: ServerAction<Simulate>, states: States) -> impl IntoView {
    let n = port.port;
    let index = usize::from(n.saturating_sub(1)).min(3);
    let (energized, open) = (port.relay_energized, port.door_open);
    let energized = move || states.with(|m| m.get(&controller_id).map(|s| s.relays_energized[index])).unwrap_or(energized);
    let open = move || states.with(|m| m.get(&controller_id).map(|s| s.doors_open[index])).unwrap_or(open);
    let door = port.door.clone().unwrap_or_else(|| format!("relay {n}"));
    let where_ = format!("{door} ({controller})");
    let (door_action, door_label) = if port.door_open { ("close", "Close") } else { ("open", "Open") };
    view! {
        <tr data-port=n>
            <td>{n}</td>
            <td>
                {port.door.clone().map_or_else(
                    || view! { <span class="muted">"Not wired"</span> }.into_any(),
                    |d| view! { <strong>{d}</strong><br/><span class="muted small">{port.lock_type.clone().unwrap_or_default()}</span> }.into_any(),
                )}
            </td>
            <td class="sim-status">{port.door_live.clone().map(|door| view! { <StatusBadge door time_zone=port.time_zone.clone()/> })}</td>
            <td>
                <span class=move || if energized() { "badge status-unlocked" } else { "badge" }>
                    {move || if energized() { "Energised" } else { "Released" }}
                </span>
            </td>
            <td>
                <span class=move || if open() { "badge status-lockdown" } else { "badge" }>
                    {move || if open() { "Open" } else { "Closed" }}
                </span>
            </td>
            <td class="sim-card">{port.reader.clone().filter(|_| port.door.is_some()).map({
                let where_ = where_.clone();
                move |reader| view! {
                <ActionForm action=present attr:class="inline-form">
                    <input type="hidden" name="reader_id" value=reader.id/>
                    <input type="text" name="number" placeholder="12:34567" aria-label=format!("Card number at {where_}")/>
                    <button type="submit" class="secondary small" aria-label=format!("Present card at {where_}")>"Present"</button>
                </ActionForm>
            }})}</td>
            <td class="sim-door">{port.door.is_some().then(|| view! {
                <div class="sim-door-actions">
                    <ActionButton simulate controller_id action="exit" port=n label="Exit" aria=format!("Press exit at {where_}")/>
                    <ActionButton simulate controller_id action=door_action port=n label=door_label aria=format!("{door_label} {where_}")/>
                </div>
            })}</td>
        </tr>
    }
}
