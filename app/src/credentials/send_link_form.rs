use super::api::{LinkFormOptions, SendAccessLink};
use super::group_picker::GroupPicker;
use crate::components::{action_error, form_name, FormBanner, SelectField, TextField};
use crate::error::AppError;
use leptos::prelude::*;

/// "Send access link": recipient, channel, address, group, validity and an
/// optional use limit. The email and phone fields show or hide with the
/// chosen channel through CSS alone (`:has`), so the form also works before
/// the Wasm loads.
#[component]
pub fn SendLinkForm(send: ServerAction<SendAccessLink>, options: LinkFormOptions) -> impl IntoView {
    let error = action_error(send);
    let zone = options.time_zone.clone();
    let sms_left = options.quotas.sms_limit - options.quotas.sms_this_month;
    let email_left = options.quotas.email_limit - options.quotas.email_in_use;
    let from_label = format!("Valid from ({zone})");
    let until_label = format!("Valid until ({zone})");
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let details_ref = NodeRef::<leptos::html::Details>::new();
    // After a link went out: an empty form, folded away, ready for the next.
    Effect::new(move |_| {
        if matches!(send.value().get(), Some(Ok(_))) {
            #[cfg(feature = "hydrate")]
            {
                if let Some(form) = form_ref.get_untracked() {
                    form.reset();
                }
                if let Some(details) = details_ref.get_untracked() {
                    details.set_open(false);
                }
            }
        }
    });
    view! {
        <details class="send-link panel" node_ref=details_ref open=move || error.get().is_some()>
            <summary class="button primary">"Send access link"</summary>
            <ActionForm action=send node_ref=form_ref attr:class="editor send-link-form">
                <FormBanner error/>
                <input type="hidden" name=form_name("time_zone") value=zone.clone()/>
                <TextField label="Recipient name" field="recipient_name" name=form_name("recipient_name") required=true placeholder="Vera Visitor" error/>
                <ChannelField error email_left sms_left/>
                <div class="only-email">
                    <TextField label="Email" field="email" name=form_name("email") kind="email" placeholder="vera@example.com" autocomplete="off" error/>
                </div>
                <div class="only-sms">
                    <TextField label="Phone (US, Canada, Puerto Rico)" field="phone" name=form_name("phone") kind="tel" placeholder="+1 212 555 0123" autocomplete="off" error/>
                </div>
                <GroupPicker groups=options.groups.clone() error/>
                <div class="row">
                    <TextField label=from_label field="valid_from" name=form_name("valid_from") kind="datetime-local" hint="Blank: valid now" error/>
                    <TextField label=until_label field="valid_until" name=form_name("valid_until") kind="datetime-local" hint="Blank: never expires" error/>
                </div>
                <div class="row">
                    <TextField label="Use limit (optional)" field="use_limit" name=form_name("use_limit") kind="number" placeholder="No limit" hint="Number of unlocks" error/>
                    <SelectField label="Counted" field="use_limit_period" name=form_name("use_limit_period") options=vec![("total".into(), "In total".into()), ("day".into(), "Per day".into())] error/>
                </div>
                <button type="submit" class="primary" disabled=move || send.pending().get()>
                    {move || if send.pending().get() { "Sending…" } else { "Send link" }}
                </button>
            </ActionForm>
        </details>
    }
}

#[component]
fn ChannelField(error: Signal<Option<AppError>>, email_left: i64, sms_left: i64) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field("channel"));
    let choice = |value: &'static str, label: &'static str, note: String, checked: bool| {
        view! {
            <label class="choice">
                <input type="radio" name=form_name("channel") value=value checked=checked/>
                <span>{label}</span>
                <small class="hint">{note}</small>
            </label>
        }
    };
    view! {
        <fieldset class="field channel" class:invalid=move || message().is_some()>
            <legend>"Send via"</legend>
            {choice("email", "Email", format!("{email_left} left"), true)}
            {choice("sms", "Text message", format!("{sms_left} left this month"), false)}
            {choice("manual", "Send manually", "Copy the link yourself".into(), false)}
            <p class="field-error" id="field-channel-message" role="alert">{message}</p>
        </fieldset>
    }
}
