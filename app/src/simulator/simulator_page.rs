use super::api::{simulator_controllers, PresentCard, SimController, SimPort, Simulate};
use crate::components::{action_error, FormBanner};
use crate::layout::PageHeader;
use leptos::prelude::*;

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let present = ServerAction::<PresentCard>::new();
    let simulate = ServerAction::<Simulate>::new();
    let error = action_error(present);
    let simulate_error = action_error(simulate);
    // Read again after every action (not on a timer: a periodic re-render
    // replaced the card-number inputs while someone was typing in them).
    let controllers = Resource::new(
        move || (simulate.version().get(), present.version().get()),
        |_| simulator_controllers(),
    );
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
                    Ok(list) => list.into_iter().map(|c| view! { <ControllerCard c present simulate/> }).collect_view().into_any(),
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
fn ControllerCard(c: SimController, present: ServerAction<PresentCard>, simulate: ServerAction<Simulate>) -> impl IntoView {
    let id = c.id;
    let name = c.name.clone();
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
                    {if c.online {
                        view! { <span class="badge status-locked">"Online"</span> }.into_any()
                    } else {
                        view! { <span class="badge status-offline">"Offline"</span> }.into_any()
                    }}
                    {c.power_lost.then(|| view! { <span class="badge status-lockdown">"Power lost"</span> })}
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
                    <thead><tr><th>"#"</th><th>"Door"</th><th>"Relay"</th><th>"Door sensor"</th><th>"Present a card"</th><th>"Door"</th></tr></thead>
                    <tbody>{c.ports.into_iter().map(|p| view! { <PortRow port=p controller_id=id controller=name.clone() present simulate/> }).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PortRow(port: SimPort, controller_id: i64, controller: String, present: ServerAction<PresentCard>, simulate: ServerAction<Simulate>) -> impl IntoView {
    let n = port.port;
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
            <td>{if port.relay_energized {
                view! { <span class="badge status-unlocked">"Energised"</span> }.into_any()
            } else {
                view! { <span class="badge">"Released"</span> }.into_any()
            }}</td>
            <td>{if port.door_open {
                view! { <span class="badge status-lockdown">"Open"</span> }.into_any()
            } else {
                view! { <span class="badge">"Closed"</span> }.into_any()
            }}</td>
            <td>{port.reader.clone().filter(|_| port.door.is_some()).map({
                let where_ = where_.clone();
                move |reader| view! {
                <ActionForm action=present attr:class="inline-form">
                    <input type="hidden" name="reader_id" value=reader.id/>
                    <input type="text" name="number" placeholder="12:34567" aria-label=format!("Card number at {where_}")/>
                    <button type="submit" class="secondary small" aria-label=format!("Present card at {where_}")>"Present"</button>
                </ActionForm>
            }})}</td>
            <td>{port.door.is_some().then(|| view! {
                <div class="sim-door-actions">
                    <ActionButton simulate controller_id action="exit" port=n label="Exit" aria=format!("Press exit at {where_}")/>
                    <ActionButton simulate controller_id action=door_action port=n label=door_label aria=format!("{door_label} {where_}")/>
                </div>
            })}</td>
        </tr>
    }
}
