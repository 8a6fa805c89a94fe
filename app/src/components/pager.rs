use leptos::prelude::*;
use leptos_router::components::A;

/// "Page 2 of 5" with previous/next links that keep the search query.
#[component]
pub fn Pager(page: u32, page_count: u32, total: i64, #[prop(into)] query: String) -> impl IntoView {
    let link = move |p: u32| {
        let mut href = format!("?page={p}");
        if !query.is_empty() {
            href.push_str("&q=");
            href.push_str(&encode(&query));
        }
        href
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < page_count).then(|| link(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            <span>{format!("{total} in all · page {page} of {page_count}")}</span>
            {prev.map(|href| view! { <A href=href attr:rel="prev">"← Previous"</A> })}
            {next.map(|href| view! { <A href=href attr:rel="next">"Next →"</A> })}
        </nav>
    }
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
