//! The connection task: polls rumqttc's event loop for as long as the bridge
//! lives, reconnecting after failures, and turns what arrives into device
//! state and events.

use super::topics::Report;
use super::Shared;
use crate::services::bridge::ControllerEvent;
use rumqttc::{ConnectReturnCode, ConnectionError, Event, EventLoop, Packet, QoS};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(3);

pub(super) async fn run(
    shared: Arc<Shared>,
    mut eventloop: EventLoop,
    mut stop: watch::Receiver<bool>,
) {
    let mut retry = FIRST_RETRY;
    loop {
        let polled = tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break,
            polled = eventloop.poll() => polled,
        };
        match polled {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                retry = FIRST_RETRY;
                tracing::info!(broker = %shared.url, topic = shared.topics.topic(), "MQTT bridge connected");
                shared.device.send_modify(|device| device.connected());
                // A new session: subscribe again, then ask for the relays.
                let subscriptions = shared
                    .topics
                    .subscriptions()
                    .map(|path| rumqttc::SubscribeFilter::new(path, QoS::AtLeastOnce));
                if let Err(error) = shared.client.try_subscribe_many(subscriptions) {
                    tracing::error!(%error, "MQTT bridge could not subscribe");
                }
                query_state(&shared);
            }
            Ok(Event::Incoming(Packet::Publish(message))) => {
                on_message(&shared, &message.topic, &message.payload)
            }
            Ok(_) => {}
            Err(error) => {
                let reason = describe(&error);
                let was_up = shared.device.borrow().broker_up;
                if was_up {
                    tracing::warn!(broker = %shared.url, %reason, "MQTT bridge lost the broker; reconnecting");
                } else {
                    tracing::debug!(broker = %shared.url, %reason, "MQTT bridge could not connect");
                }
                let mut events = Vec::new();
                shared
                    .device
                    .send_modify(|device| device.disconnected(reason, &mut events));
                publish(&shared, events);
                tokio::select! {
                    _ = stop.wait_for(|stop| *stop) => break,
                    _ = tokio::time::sleep(retry) => {}
                }
                retry = (retry * 2).min(LAST_RETRY);
            }
        }
    }
    tracing::debug!(broker = %shared.url, topic = shared.topics.topic(), "MQTT bridge stopped");
}

fn on_message(shared: &Shared, topic: &str, payload: &[u8]) {
    let reports = shared.topics.parse(topic, payload);
    if reports.is_empty() {
        return;
    }
    let mut events = Vec::new();
    let mut came_online = false;
    shared.device.send_modify(|device| {
        let was_online = device.online();
        for report in &reports {
            device.apply(report, &mut events);
        }
        came_online = !was_online && device.online();
    });
    publish(shared, events);
    for report in reports {
        if let Report::Relays(relays) = report {
            let _ = shared.relay_reports.send(relays);
        }
    }
    if came_online {
        query_state(shared);
    }
}

fn publish(shared: &Shared, events: Vec<ControllerEvent>) {
    for event in events {
        // Nobody listening is fine.
        let _ = shared.events.send(event);
    }
}

/// `cmnd/<topic>/STATE` with no payload: the device answers with its relays.
fn query_state(shared: &Shared) {
    if let Err(error) = shared.client.try_publish(
        shared.topics.command("STATE"),
        QoS::AtLeastOnce,
        false,
        Vec::new(),
    ) {
        tracing::warn!(%error, "MQTT bridge could not ask the device for its state");
    }
}

/// Why the broker could not be reached, for an admin.
fn describe(error: &ConnectionError) -> String {
    match error {
        ConnectionError::ConnectionRefused(
            ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
        ) => "the broker refused the user name or password".into(),
        ConnectionError::ConnectionRefused(code) => {
            format!("the broker refused the connection ({code:?})")
        }
        ConnectionError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the broker running on that port?)".into()
        }
        ConnectionError::NetworkTimeout => "no answer from the broker".into(),
        other => other.to_string(),
    }
}
