//! A controller's connection: the MQTT or HTTP fields (shown for the chosen
//! bridge kind with CSS alone, so the form works before the Wasm loads) and
//! "Test connection", which reaches the controller with the saved settings
//! and says what happened.

use super::api::TestConnection;
use crate::components::{action_error, FormBanner, TextField};
use crate::error::AppError;
use leptos::prelude::*;
use postern::model::BridgeFields;

fn bridge_name(field: &str) -> String {
    format!("form[bridge][{field}]")
}

/// The connection fields of the controller form. Passwords are never shown:
/// left blank, the saved one is kept.
#[component]
pub fn BridgeFieldset(fields: BridgeFields, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <fieldset class="bridge-fields only-mqtt">
            <legend>"MQTT (Tasmota)"</legend>
            <TextField label="Broker" field="mqtt_broker" name=bridge_name("mqtt_broker") value=fields.mqtt_broker error
                placeholder="mqtt://192.168.1.20:1883" hint="The MQTT broker the relay board is connected to."/>
            <TextField label="Device topic" field="mqtt_topic" name=bridge_name("mqtt_topic") value=fields.mqtt_topic error
                placeholder="tasmota_1A2B3C" hint="As set in Tasmota: Configuration → MQTT → Topic."/>
            <div class="row">
                <TextField label="Broker user name" field="mqtt_username" name=bridge_name("mqtt_username") value=fields.mqtt_username error
                    autocomplete="off"/>
                <TextField label="Broker password" field="mqtt_password" name=bridge_name("mqtt_password") kind="password" error
                    autocomplete="new-password" hint="Leave blank to keep the saved password."/>
            </div>
        </fieldset>
        <fieldset class="bridge-fields only-http">
            <legend>"HTTP (Shelly Gen2)"</legend>
            <TextField label="Device address" field="http_address" name=bridge_name("http_address") value=fields.http_address error
                placeholder="http://192.168.1.30"/>
            <TextField label="Device password" field="http_password" name=bridge_name("http_password") kind="password" error
                autocomplete="new-password" hint="Leave blank to keep the saved password, or if the device has none."/>
        </fieldset>
    }
}

/// "Test connection" with the saved settings, and what happened.
#[component]
pub fn ConnectionTest(id: i64, summary: String, online: bool) -> impl IntoView {
    let test = ServerAction::<TestConnection>::new();
    let error = action_error(test);
    view! {
        <section class="panel connection">
            <h2>"Connection"</h2>
            <p>
                <span class=if online { "badge status-locked" } else { "badge status-offline" }>{if online { "Online" } else { "Offline" }}</span>
                " " {summary}
            </p>
            <ActionForm action=test attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="secondary" disabled=move || test.pending().get()>
                    {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                </button>
            </ActionForm>
            <FormBanner error/>
            {move || test.value().get().and_then(|r| r.ok()).map(|report| view! {
                <div class="banner success" role="status">{report}</div>
            })}
        </section>
    }
}
