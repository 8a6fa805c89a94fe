use super::api::{get_place_schedules, AddHoliday, AddZone, CloseZoneDay, DeleteHoliday, SetZoneArming};
use super::place_holidays::PlaceHolidays;
use super::place_zones::PlaceZones;
use leptos::prelude::*;

/// A place's holidays and zones, on the place's page.
#[component]
pub fn PlaceScheduling(place_id: i64) -> impl IntoView {
    let add_holiday = ServerAction::<AddHoliday>::new();
    let delete_holiday = ServerAction::<DeleteHoliday>::new();
    let add_zone = ServerAction::<AddZone>::new();
    let arm = ServerAction::<SetZoneArming>::new();
    let close = ServerAction::<CloseZoneDay>::new();
    let changes = move || {
        add_holiday.version().get() + delete_holiday.version().get() + add_zone.version().get() + arm.version().get() + close.version().get()
    };
    let data = Resource::new_blocking(move || (place_id, changes()), |(id, _)| get_place_schedules(id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(details) => view! {
                        <PlaceHolidays place_id add=add_holiday delete=delete_holiday holidays=details.holidays/>
                        <PlaceZones place_id add=add_zone arm close zones=details.zones/>
                    }.into_any(),
                    Err(e) => view! { <div class="banner error">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
