use super::api::{simulator_readers, PresentCard};
use crate::components::{action_error, FormBanner};
use crate::layout::PageHeader;
use leptos::prelude::*;
use postern::model::Reader;

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let present = ServerAction::<PresentCard>::new();
    let error = action_error(present);
    let readers = Resource::new_blocking(|| (), |_| simulator_readers());
    view! {
        <PageHeader title="Simulator"/>
        <p class="hint">"Present a card or fob at a simulated controller's reader. The door wired to that reader decides as it would at a real door, and the attempt lands in the event log."</p>
        <FormBanner error/>
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
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match readers.await {
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No controllers yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll">
                        <table class="list">
                            <thead><tr><th>"Controller"</th><th>"Reader"</th><th>"Door"</th><th>"Present a card"</th></tr></thead>
                            <tbody>{list.into_iter().map(|reader| reader_row(reader, present)).collect_view()}</tbody>
                        </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn reader_row(reader: Reader, present: ServerAction<PresentCard>) -> impl IntoView {
    let label = format!("Card number at {} · {}", reader.controller_name, reader.name);
    let button = format!("Present card at {} · {}", reader.controller_name, reader.name);
    view! {
        <tr>
            <td>{reader.controller_name.clone()}</td>
            <td>{reader.name.clone()}</td>
            <td>{reader.door_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{reader.door_name.is_some().then(|| view! {
                <ActionForm action=present attr:class="inline-form">
                    <input type="hidden" name="reader_id" value=reader.id/>
                    <input type="text" name="number" placeholder="12:34567" aria-label=label/>
                    <button type="submit" class="secondary small" aria-label=button>"Present"</button>
                </ActionForm>
            })}</td>
        </tr>
    }
}
