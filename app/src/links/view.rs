//! The link page's HTML: one small document with its CSS and countdown
//! script inline (no Wasm, no other requests, nothing from third parties),
//! and its Content-Security-Policy ([`policy`]), which allows exactly that
//! style and that script, by their SHA-256, and nothing else.

use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use postern::door_status::DoorStatus;
use postern::model::{LinkDoor, LinkPageView, PressOutcome};
use postern::types::{TimeZoneName, Timestamp};

/// Which page the visitor sees.
pub enum Screen {
    /// The link works now: its doors with Unlock buttons.
    Doors { view: LinkPageView, token: String, outcome: Option<PressOutcome> },
    /// Valid from a later time: a countdown to the start.
    NotYet { view: LinkPageView },
    /// Expired or used up: says so and whom to ask (after the result of
    /// the press that used it up, if that is what just happened).
    Ended { view: LinkPageView, outcome: Option<PressOutcome> },
    /// Revoked, or no such link: the same page either way.
    Gone { organization: String },
    /// Too many wrong links from this network.
    Busy { message: String },
}

/// The page's Content-Security-Policy: nothing but its own inline style and
/// script (named by hash, so every answer for the same screen is the same
/// bytes: a revoked link's page stays identical to an unknown one's), forms
/// posting back here, no framing.
pub fn policy() -> &'static str {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = |text: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src 'self'; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            hash(STYLE),
            hash(SCRIPT)
        )
    })
}

/// The whole document.
pub fn render(screen: Screen) -> String {
    let (title, body) = match screen {
        Screen::Doors { view, token, outcome } => {
            (format!("Doors · {}", view.organization), doors_page(view, token, outcome).into_any())
        }
        Screen::NotYet { view } => (format!("Not yet valid · {}", view.organization), not_yet_page(view).into_any()),
        Screen::Ended { view, outcome } => (format!("Link ended · {}", view.organization), ended_page(view, outcome).into_any()),
        Screen::Gone { organization } => (format!("Link not valid · {organization}"), gone_page(organization).into_any()),
        Screen::Busy { message } => ("Please wait".to_owned(), busy_page(message).into_any()),
    };
    let body = Owner::new().with(|| body.to_html());
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}<script>{SCRIPT}</script></body></html>",
        escape(&title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn zone(view: &LinkPageView) -> TimeZoneName {
    zone_named(&view.time_zone)
}

fn zone_named(name: &str) -> TimeZoneName {
    TimeZoneName::parse(name).unwrap_or_else(|_| TimeZoneName::parse("UTC").expect("UTC exists"))
}

fn header(view: &LinkPageView) -> impl IntoView {
    view! {
        <header class="top">
            <p class="org">{view.organization.clone()}</p>
            <h1>{format!("Hello, {}", view.recipient_name)}</h1>
            <p class="validity">{format!("This link is {}.", view.validity)}</p>
        </header>
    }
}

fn doors_page(view: LinkPageView, token: String, outcome: Option<PressOutcome>) -> impl IntoView {
    let doors = view.doors.clone();
    let empty = doors.is_empty();
    let contact = view.contact.clone();
    view! {
        <main class="visit">
            {header(&view)}
            {outcome.map(banner)}
            {empty.then(|| view! { <p class="note">{format!("This link does not open any doors at the moment. Ask {contact}.")}</p> })}
            <ul class="doors">
                {doors.into_iter().map(|door| door_card(door, &token)).collect_view()}
            </ul>
            <footer>{format!("Each unlock is recorded. Keep this link to yourself. Questions? Ask {}.", view.contact)}</footer>
        </main>
    }
}

fn banner(outcome: PressOutcome) -> impl IntoView {
    match outcome {
        PressOutcome::Unlocked { door, until_ms, time_zone } => {
            let until = Timestamp::from_millis(until_ms).format_in(&zone_named(&time_zone));
            view! {
                <div class="banner ok" role="status">
                    <strong>{format!("{door} is unlocked.")}</strong>
                    <span class="countdown" data-until=until_ms.to_string()>{format!(" Until {until}.")}</span>
                </div>
            }
            .into_any()
        }
        PressOutcome::Refused { door, reasons } => view! {
            <div class="banner bad" role="alert">
                <strong>{format!("{door} did not open.")}</strong>
                <ul>{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any(),
    }
}

fn door_card(door: LinkDoor, token: &str) -> impl IntoView {
    let zone = zone_named(&door.time_zone);
    let (label, class, until) = match door.status {
        DoorStatus::Unlocked { until } => ("Unlocked", "badge open", Some(until)),
        DoorStatus::PowerReleased => ("Unlocked", "badge open", None),
        DoorStatus::LockedDown => ("Locked down", "badge warn", None),
        DoorStatus::Offline => ("Offline", "badge off", None),
        DoorStatus::Locked => ("Locked", "badge", None),
    };
    let action = format!("/l/{token}");
    let until_text = until.map(|u| format!(" until {}", u.format_in(&zone)));
    let button_label = format!("Unlock {}", door.name);
    view! {
        <li class="door">
            <div class="door-text">
                <h2>{door.name.clone()}</h2>
                <p>{format!("{} · ", door.place_name)}<span class=class>{label}</span>{until_text}</p>
            </div>
            <form method="post" action=action>
                <input type="hidden" name="door_id" value=door.id.to_string()/>
                <button type="submit" aria-label=button_label>"Unlock"</button>
            </form>
        </li>
    }
}

fn not_yet_page(view: LinkPageView) -> impl IntoView {
    let zone = zone(&view);
    let starts = view.valid_from.unwrap_or_default();
    let starts_text = Timestamp::from_millis(starts).format_in(&zone);
    let contact = view.contact.clone();
    let doors = view.doors.iter().map(|d| d.name.clone()).collect::<Vec<_>>().join(", ");
    view! {
        <main class="visit">
            {header(&view)}
            <div class="banner info" role="status">
                <strong>"Not valid yet."</strong>
                {format!(" It starts at {starts_text}.")}
                <p class="countdown big" data-starts=starts.to_string()></p>
            </div>
            {(!doors.is_empty()).then(|| view! { <p class="note">{format!("Then it opens: {doors}.")}</p> })}
            <footer>{format!("Questions? Ask {contact}.")}</footer>
        </main>
    }
}

fn ended_page(view: LinkPageView, outcome: Option<PressOutcome>) -> impl IntoView {
    let why = match view.status {
        postern::model::LinkStatus::UsedUp => "This link has been used as many times as it allows.",
        _ => "This link has expired.",
    };
    view! {
        <main class="visit">
            <header class="top">
                <p class="org">{view.organization.clone()}</p>
                <h1>{why}</h1>
            </header>
            {outcome.map(banner)}
            <p class="note">{format!("It no longer opens doors. If you still need access, ask {} for a new link.", view.contact)}</p>
        </main>
    }
}

fn gone_page(organization: String) -> impl IntoView {
    view! {
        <main class="visit">
            <header class="top">
                <p class="org">{organization}</p>
                <h1>"This link is not valid."</h1>
            </header>
            <p class="note">"It may have been revoked, or copied incompletely. If you need access, ask the person who sent you the link for a new one."</p>
        </main>
    }
}

fn busy_page(message: String) -> impl IntoView {
    view! {
        <main class="visit">
            <header class="top"><h1>"Please wait a moment."</h1></header>
            <p class="note">{message}</p>
        </main>
    }
}

/// Mobile-first, 360 px wide and up; big buttons; system fonts only.
const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
color:#1b1f24;background:#f3f5f7}.visit{max-width:34rem;margin:0 auto;padding:1.25rem 1rem 2rem}\
.top .org{margin:0;color:#5a6470;font-weight:600;text-transform:uppercase;letter-spacing:.04em;font-size:.8rem}\
h1{font-size:1.5rem;margin:.25rem 0 .5rem}.validity,.note,footer{color:#3d4650}footer{margin-top:1.5rem;font-size:.9rem}\
.doors{list-style:none;padding:0;margin:1rem 0;display:grid;gap:.75rem}\
.door{background:#fff;border:1px solid #d8dde3;border-radius:12px;padding:1rem;display:flex;gap:1rem;align-items:center;justify-content:space-between;flex-wrap:wrap}\
.door h2{font-size:1.15rem;margin:0}.door p{margin:.2rem 0 0;color:#5a6470}.door form{flex:1 1 8rem;display:flex;justify-content:flex-end}\
button{font:inherit;font-weight:700;font-size:1.1rem;min-height:3.25rem;min-width:8rem;width:100%;max-width:14rem;border:0;border-radius:10px;background:#1f6feb;color:#fff;cursor:pointer}\
button:focus-visible{outline:3px solid #0b3d91;outline-offset:2px}button:active{background:#1558c0}\
.badge{display:inline-block;padding:0 .5rem;border-radius:99px;background:#e6e9ed;color:#27303a;font-size:.85rem;font-weight:600}\
.badge.open{background:#d3f5dc;color:#0f5323}.badge.warn{background:#fde2e1;color:#8a1c17}.badge.off{background:#eceff2;color:#5a6470}\
.banner{border-radius:12px;padding:.9rem 1rem;margin:1rem 0}.banner ul{margin:.4rem 0 0;padding-left:1.2rem}\
.banner.ok{background:#d3f5dc;color:#0f5323}.banner.bad{background:#fde2e1;color:#8a1c17}.banner.info{background:#dde9fb;color:#0b3d91}\
.countdown.big{font-size:1.6rem;font-weight:700;margin:.5rem 0 0}\
@media (max-width:30rem){.door form{flex-basis:100%}.door button{max-width:none}}";

/// Counts down "unlocked until" and "starts in"; reloads when a start is reached.
const SCRIPT: &str = "(function(){function f(s){var h=Math.floor(s/3600),m=Math.floor(s%3600/60),x=s%60;\
return(h?h+' h ':'')+(h||m?m+' min ':'')+x+' s'}function t(){var n=Date.now();\
document.querySelectorAll('[data-until]').forEach(function(e){var s=Math.ceil((+e.dataset.until-n)/1000);\
e.textContent=s>0?' Locks again in '+f(s)+'.':' Locked again.'});\
document.querySelectorAll('[data-starts]').forEach(function(e){var s=Math.ceil((+e.dataset.starts-n)/1000);\
if(s<=0){location.reload();return}e.textContent='Starts in '+f(s)})}t();setInterval(t,1000)})();";
