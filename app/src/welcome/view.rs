//! The set-password page's HTML: one small document with its CSS inline
//! (no Wasm, no script, no other requests) and its Content-Security-Policy
//! ([`policy`]), which allows that style by its SHA-256 and nothing else.

use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;
use postern::types::Password;

/// Which page the person sees.
pub enum Screen {
    /// The link works: the form, with what was wrong with the last try.
    Form { organization: String, name: String, email: String, token: String, error: Option<String> },
    /// The password is set but app access is off: nothing to sign in to.
    SetButNoAccess { organization: String },
    /// The link set a password already.
    Used { organization: String },
    /// The link was not used in time.
    Expired { organization: String },
    /// Replaced by a newer welcome email, or no such link.
    NotValid { organization: String },
    /// Too many wrong links from this network, or our failure.
    Busy { message: String },
}

/// Nothing but the page's own inline style; the form posts back here.
pub fn policy() -> &'static str {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!("default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    })
}

/// The whole document.
pub fn render(screen: Screen) -> String {
    let (title, body) = match screen {
        Screen::Form { organization, name, email, token, error } => {
            (format!("Set your password · {organization}"), form_page(organization, name, email, token, error).into_any())
        }
        Screen::SetButNoAccess { organization } => (
            format!("Password set · {organization}"),
            note_page(
                organization,
                "Your password is set.",
                "App access is turned off for your account, so you cannot sign in yet. Ask an admin to turn it on.".into(),
                None,
            )
            .into_any(),
        ),
        Screen::Used { organization } => (
            format!("Link already used · {organization}"),
            note_page(
                organization,
                "This link has already been used.",
                "Your password was set with it. Sign in with your email and password.".into(),
                Some(("/login", "Sign in")),
            )
            .into_any(),
        ),
        Screen::Expired { organization } => {
            let text = format!("Links to set a password work for 7 days. Ask {organization} to send you a new welcome email.");
            (format!("Link expired · {organization}"), note_page(organization, "This link has expired.", text, None).into_any())
        }
        Screen::NotValid { organization } => (
            format!("Link not valid · {organization}"),
            note_page(
                organization,
                "This link is not valid.",
                "It may have been replaced by a newer welcome email, or copied incompletely. Use the link in the newest email, or ask for a new one.".into(),
                None,
            )
            .into_any(),
        ),
        Screen::Busy { message } => ("Please wait".to_owned(), note_page(String::new(), "Please wait a moment.", message, None).into_any()),
    };
    let body = Owner::new().with(|| body.to_html());
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        escape(&title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn form_page(organization: String, name: String, email: String, token: String, error: Option<String>) -> impl IntoView {
    let action = format!("/set-password/{token}");
    let hint = format!("At least {} characters; spaces count.", Password::MIN_CHARS);
    let invalid = error.is_some().then_some("true");
    view! {
        <main class="card">
            <header>
                <p class="org">{organization}</p>
                <h1>{format!("Welcome, {name}")}</h1>
                <p class="lead">"Choose a password to sign in and unlock your doors."</p>
            </header>
            {error.map(|message| view! {
                <div class="banner bad" role="alert" id="password-error"><strong>"Your password was not set. "</strong>{message}</div>
            })}
            <form method="post" action=action>
                <input type="email" name="email" value=email autocomplete="username" readonly=true aria-label="Your email" class="who"/>
                <label for="password">"New password"</label>
                <input type="password" id="password" name="password" autocomplete="new-password" required=true minlength=Password::MIN_CHARS.to_string()
                    maxlength=Password::MAX_CHARS.to_string() aria-describedby="password-hint" aria-invalid=invalid autofocus=true/>
                <p class="hint" id="password-hint">{hint}</p>
                <label for="password_again">"The same password again"</label>
                <input type="password" id="password_again" name="password_again" autocomplete="new-password" required=true/>
                <button type="submit">"Set password and sign in"</button>
            </form>
            <footer>"This link works once. After you set your password, sign in with your email and password."</footer>
        </main>
    }
}

fn note_page(organization: String, heading: &'static str, text: String, action: Option<(&'static str, &'static str)>) -> impl IntoView {
    view! {
        <main class="card">
            <header>
                {(!organization.is_empty()).then(|| view! { <p class="org">{organization}</p> })}
                <h1>{heading}</h1>
            </header>
            <p class="lead">{text}</p>
            {action.map(|(href, label)| view! { <a class="button" href=href>{label}</a> })}
        </main>
    }
}

/// Mobile-first, 360 px wide and up; system fonts only.
const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
color:#1b1f24;background:#f3f5f7}.card{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 2rem}\
@media (min-width:40rem){.card{margin-top:3rem;background:#fff;border:1px solid #d8dde3;border-radius:14px;padding:2rem}}\
.org{margin:0;color:#5a6470;font-weight:600;text-transform:uppercase;letter-spacing:.04em;font-size:.8rem}\
h1{font-size:1.5rem;margin:.25rem 0 .5rem}.lead,footer{color:#3d4650}footer{margin-top:1.5rem;font-size:.9rem}\
form{display:grid;gap:.35rem;margin-top:1rem}label{font-weight:600;margin-top:.6rem}\
input{font:inherit;padding:.75rem .8rem;border:1px solid #aeb6bf;border-radius:10px;background:#fff;width:100%}\
input:focus-visible{outline:3px solid #0b3d91;outline-offset:1px}input[aria-invalid=true]{border-color:#b42318}\
.who{background:#eef1f4;color:#3d4650;border-color:#d8dde3}.hint{margin:0;color:#5a6470;font-size:.9rem}\
button,.button{display:block;text-align:center;text-decoration:none;font:inherit;font-weight:700;font-size:1.1rem;min-height:3.25rem;padding:.8rem;width:100%;\
margin-top:1rem;border:0;border-radius:10px;background:#1f6feb;color:#fff;cursor:pointer}\
button:focus-visible,.button:focus-visible{outline:3px solid #0b3d91;outline-offset:2px}button:active{background:#1558c0}\
.banner{border-radius:12px;padding:.9rem 1rem;margin:1rem 0}.banner.bad{background:#fde2e1;color:#8a1c17}";
