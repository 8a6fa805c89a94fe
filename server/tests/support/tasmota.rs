//! A Tasmota relay board as Postern sees it over MQTT, for tests: its own
//! broker connection with the last will `tele/<topic>/LWT` = `Offline`
//! (retained), `Online` published on every connection, `cmnd/<topic>/#`
//! answered the way the firmware does (`POWER<N>`, `POWER0`, `PulseTime<N>`,
//! `STATE`), pulses timed by the device, and switch inputs and a Wiegand
//! reader the test can trigger. It can ignore commands and die uncleanly.

#![allow(dead_code)]

use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet, QoS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The board's relays and PulseTime settings, as the firmware keeps them.
#[derive(Clone, Debug, Default)]
pub struct Relays {
    pub on: Vec<bool>,
    pub pulse_time: Vec<u32>,
    /// Bumped by every command on a relay, so an older pulse timer lets go.
    timer: Vec<u64>,
}

pub struct Tasmota {
    pub topic: String,
    device: Arc<Device>,
    task: JoinHandle<()>,
}

struct Device {
    topic: String,
    client: AsyncClient,
    relays: watch::Sender<Relays>,
    /// Every command received (`POWER1`, `ON`), in order, even ignored ones.
    commands: Mutex<Vec<(String, String)>>,
    ignore: AtomicBool,
    /// Connections made (each subscribed and announced Online).
    connections: watch::Sender<u64>,
}

impl Tasmota {
    /// Connects to the broker on 127.0.0.1:`port` as device `topic` with
    /// `relays` relays, all off, and returns once it is subscribed and Online.
    pub async fn start(port: u16, topic: &str, relays: usize) -> Tasmota {
        let client_id = format!("tasmota-{:08x}", rand::random::<u32>());
        let mut options = MqttOptions::new(client_id, "127.0.0.1", port);
        options
            .set_keep_alive(Duration::from_secs(5))
            .set_last_will(LastWill::new(
                format!("tele/{topic}/LWT"),
                "Offline",
                QoS::AtLeastOnce,
                true,
            ));
        let (client, mut eventloop) = AsyncClient::new(options, 64);
        let device = Arc::new(Device {
            topic: topic.to_owned(),
            client,
            relays: watch::Sender::new(Relays {
                on: vec![false; relays],
                pulse_time: vec![0; relays],
                timer: vec![0; relays],
            }),
            commands: Mutex::new(Vec::new()),
            ignore: AtomicBool::new(false),
            connections: watch::Sender::new(0),
        });
        let in_loop = device.clone();
        let task = tokio::spawn(async move {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let filter = format!("cmnd/{}/#", in_loop.topic);
                        let _ = in_loop.client.try_subscribe(filter, QoS::AtLeastOnce);
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        in_loop.send(&format!("tele/{}/LWT", in_loop.topic), "Online", true);
                        in_loop.connections.send_modify(|n| *n += 1);
                    }
                    Ok(Event::Incoming(Packet::Publish(message))) => {
                        in_loop.command(&message.topic, &String::from_utf8_lossy(&message.payload));
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });
        let tasmota = Tasmota {
            topic: topic.to_owned(),
            device,
            task,
        };
        let mut connections = tasmota.device.connections.subscribe();
        tokio::time::timeout(Duration::from_secs(5), connections.wait_for(|n| *n >= 1))
            .await
            .unwrap_or_else(|_| {
                panic!("the Tasmota emulator could not reach an MQTT broker at 127.0.0.1:{port}")
            })
            .expect("emulator task alive");
        tasmota
    }

    /// Commands are still received (and logged) but neither carried out nor answered.
    pub fn ignore_commands(&self, ignore: bool) {
        self.device.ignore.store(ignore, Ordering::SeqCst);
    }

    /// Drops the connection without DISCONNECT, as a board losing power:
    /// the broker publishes the last will.
    pub fn crash(self) {
        self.task.abort();
    }

    /// Waits until the device connected `n` times in all (reconnections).
    pub async fn wait_connections(&self, n: u64, within: Duration) {
        let mut connections = self.device.connections.subscribe();
        tokio::time::timeout(within, connections.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("the emulator did not connect {n} times within {within:?}"))
            .expect("emulator task alive");
    }

    pub fn relay(&self, n: usize) -> bool {
        self.device.relays.borrow().on[n - 1]
    }

    pub fn pulse_time(&self, n: usize) -> u32 {
        self.device.relays.borrow().pulse_time[n - 1]
    }

    /// Waits until relay `n` is `on`.
    pub async fn wait_relay(&self, n: usize, on: bool, within: Duration) {
        let mut relays = self.device.relays.subscribe();
        tokio::time::timeout(within, relays.wait_for(|r| r.on[n - 1] == on))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "relay {n} was not {} within {within:?}",
                    if on { "ON" } else { "OFF" }
                )
            })
            .expect("emulator alive");
    }

    /// Changes a relay without telling anyone (a local button while the
    /// broker was away).
    pub fn set_relay_quietly(&self, n: usize, on: bool) {
        self.device.relays.send_modify(|r| r.on[n - 1] = on);
    }

    /// Every command received, as (`POWER1`, `ON`).
    pub fn commands(&self) -> Vec<(String, String)> {
        self.device.commands.lock().unwrap().clone()
    }

    /// A switch input changed, as with `SetOption114 1`: `stat/<topic>/RESULT`
    /// = `{"Switch<k>":{"Action":"ON"}}`.
    pub async fn switch(&self, k: u8, on: bool) {
        let payload = format!(r#"{{"Switch{k}":{{"Action":"{}"}}}}"#, on_off(on));
        self.publish("stat", "RESULT", &payload).await;
    }

    /// Telemetry with switch states: `tele/<topic>/SENSOR`.
    pub async fn telemetry_switches(&self, switches: &[(u8, bool)]) {
        let fields: Vec<String> = switches
            .iter()
            .map(|(k, on)| format!(r#""Switch{k}":"{}""#, on_off(*on)))
            .collect();
        let payload = format!(r#"{{"Time":"2024-05-01T10:00:00",{}}}"#, fields.join(","));
        self.publish("tele", "SENSOR", &payload).await;
    }

    /// A card read by the Wiegand reader: `tele/<topic>/SENSOR`.
    pub async fn present_card(&self, uid: u64) {
        let payload =
            format!(r#"{{"Time":"2024-05-01T10:00:00","Wiegand":{{"UID":{uid},"Size":26}}}}"#);
        self.publish("tele", "SENSOR", &payload).await;
    }

    async fn publish(&self, prefix: &str, name: &str, payload: &str) {
        let topic = format!("{prefix}/{}/{name}", self.topic);
        self.device
            .client
            .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
            .await
            .expect("emulator publishes");
    }
}

impl Drop for Tasmota {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Device {
    fn send(&self, topic: &str, payload: &str, retain: bool) {
        // From the event loop's own task: never wait on the request channel.
        let _ =
            self.client
                .try_publish(topic, QoS::AtLeastOnce, retain, payload.as_bytes().to_vec());
    }

    fn stat(&self, name: &str, payload: &str) {
        self.send(&format!("stat/{}/{name}", self.topic), payload, false);
    }

    fn command(self: &Arc<Self>, topic: &str, payload: &str) {
        let Some(name) = topic.strip_prefix(&format!("cmnd/{}/", self.topic)) else {
            return;
        };
        let payload = payload.trim();
        self.commands
            .lock()
            .unwrap()
            .push((name.to_owned(), payload.to_owned()));
        if self.ignore.load(Ordering::SeqCst) {
            return;
        }
        let upper = name.to_ascii_uppercase();
        let count = self.relays.borrow().on.len();
        if upper == "STATE" {
            let relays = self.relays.borrow().on.clone();
            let powers: Vec<String> = relays
                .iter()
                .enumerate()
                .map(|(i, on)| format!(r#""POWER{}":"{}""#, i + 1, on_off(*on)))
                .collect();
            self.stat(
                "RESULT",
                &format!(
                    r#"{{"Time":"2024-05-01T10:00:00","Uptime":"0T00:01:00",{}}}"#,
                    powers.join(",")
                ),
            );
        } else if let Some(n) = upper
            .strip_prefix("PULSETIME")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=count).contains(n))
        {
            if let Ok(value) = payload.parse::<u32>() {
                self.relays.send_modify(|r| r.pulse_time[n - 1] = value);
            }
            let set = self.relays.borrow().pulse_time[n - 1];
            self.stat(
                "RESULT",
                &format!(r#"{{"PulseTime{n}":{{"Set":{set},"Remaining":0}}}}"#),
            );
        } else if upper == "POWER0" {
            let on = matches!(payload.to_ascii_uppercase().as_str(), "ON" | "1");
            for n in 1..=count {
                self.power(n, on);
            }
        } else if let Some(n) = upper
            .strip_prefix("POWER")
            .and_then(|n| {
                if n.is_empty() {
                    Some(1)
                } else {
                    n.parse::<usize>().ok()
                }
            })
            .filter(|n| (1..=count).contains(n))
        {
            match payload.to_ascii_uppercase().as_str() {
                "ON" | "1" => self.power(n, true),
                "OFF" | "0" => self.power(n, false),
                "TOGGLE" | "2" => self.power(n, !self.relays.borrow().on[n - 1]),
                _ => self.report(n),
            }
        } else {
            self.stat("RESULT", r#"{"Command":"Unknown"}"#);
        }
    }

    /// Sets relay `n` as the firmware does: answers, and if it turned on
    /// with a PulseTime, turns it off again when the pulse is over.
    fn power(self: &Arc<Self>, n: usize, on: bool) {
        let mut pulse = None;
        self.relays.send_modify(|r| {
            r.on[n - 1] = on;
            r.timer[n - 1] += 1;
            if on && r.pulse_time[n - 1] > 0 {
                pulse = Some((r.timer[n - 1], pulse_millis(r.pulse_time[n - 1])));
            }
        });
        self.report(n);
        if let Some((timer, millis)) = pulse {
            let device = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                let mut ended = false;
                device.relays.send_if_modified(|r| {
                    ended = r.timer[n - 1] == timer && r.on[n - 1];
                    if ended {
                        r.on[n - 1] = false;
                    }
                    ended
                });
                if ended {
                    device.report(n);
                }
            });
        }
    }

    fn report(&self, n: usize) {
        let state = on_off(self.relays.borrow().on[n - 1]);
        self.stat("RESULT", &format!(r#"{{"POWER{n}":"{state}"}}"#));
        self.stat(&format!("POWER{n}"), state);
    }
}

/// The firmware's reading of PulseTime: 1..=111 tenths of a second, then seconds + 100.
fn pulse_millis(value: u32) -> u64 {
    if value <= 111 {
        u64::from(value) * 100
    } else {
        u64::from(value - 100) * 1000
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "ON"
    } else {
        "OFF"
    }
}
