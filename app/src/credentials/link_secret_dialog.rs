use super::copy::copy_text;
use leptos::prelude::*;

/// A manual link, shown once: the URL, its QR code and a Copy button.
/// Closing it forgets the link for good (`on_close` clears the action's value).
#[component]
pub fn LinkSecretDialog(recipient: String, url: String, qr_svg: String, on_close: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy_url = url.clone();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="secret-title">
                <h2 id="secret-title">{format!("Access link for {recipient}")}</h2>
                <p>"Copy it now and send it yourself. " <strong>"It will not be shown again"</strong> " — only revoked."</p>
                <div class="secret-row">
                    <input id="new-link-url" class="secret" type="text" readonly value=url aria-label="The access link" data-testid="new-link-url"/>
                    <button type="button" class="primary" on:click=move |_| copied.set(Some(copy_text(&copy_url, "new-link-url")))>"Copy"</button>
                </div>
                <p class="hint" role="status">
                    {move || match copied.get() {
                        Some(true) => "Copied to the clipboard.",
                        Some(false) => "The browser did not allow copying: the link is selected, press Ctrl+C (or ⌘C).",
                        None => "",
                    }}
                </p>
                <div class="qr" inner_html=qr_svg aria-label="QR code of the link" role="img"></div>
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Done — I have copied it"</button>
                </div>
            </div>
        </div>
    }
}
