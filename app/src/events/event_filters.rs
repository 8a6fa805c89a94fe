use super::api::EventQuery;
use leptos::prelude::*;
use leptos_router::components::Form;

fn options(items: Vec<(i64, String)>, selected: &str) -> impl IntoView {
    let selected = selected.to_owned();
    items
        .into_iter()
        .map(|(id, name)| {
            let value = id.to_string();
            let is = value == selected;
            view! { <option value=value selected=is>{name}</option> }
        })
        .collect_view()
}

fn choices(items: &[(&'static str, &'static str)], selected: &str) -> impl IntoView {
    items
        .iter()
        .map(|(value, label)| {
            let is = *value == selected;
            view! { <option value=*value selected=is>{*label}</option> }
        })
        .collect_view()
}

/// The filter bar: a GET form, so filters live in the URL and can be shared.
#[component]
pub fn EventFilters(
    query: EventQuery,
    doors: Vec<(i64, String)>,
    users: Vec<(i64, String)>,
    groups: Vec<(i64, String)>,
) -> impl IntoView {
    view! {
        <Form method="GET" action="">
            <div class="filters">
                <label>"Door"<select name="door"><option value="">"Any door"</option>{options(doors, &query.door)}</select></label>
                <label>"Person"<select name="user"><option value="">"Anyone"</option>{options(users, &query.user)}</select></label>
                <label>"Group"<select name="group"><option value="">"Any group"</option>{options(groups, &query.group)}</select></label>
                <label>"Result"<select name="result">
                    <option value="">"Any result"</option>
                    {choices(&[("granted", "Granted"), ("denied", "Denied"), ("error", "Error"), ("ok", "Admin action")], &query.result)}
                </select></label>
                <label>"Method"<select name="method">
                    <option value="">"Any method"</option>
                    {choices(&[("web", "Web"), ("app", "App"), ("link", "Access link"), ("reader", "Reader"), ("schedule", "Schedule"), ("api", "API"), ("request_to_exit", "Request to exit")], &query.method)}
                </select></label>
                <label>"From (UTC)"<input type="date" name="from" value=query.from.clone()/></label>
                <label>"Until (UTC)"<input type="date" name="until" value=query.until.clone()/></label>
                <button type="submit" class="secondary">"Filter"</button>
            </div>
        </Form>
    }
}
