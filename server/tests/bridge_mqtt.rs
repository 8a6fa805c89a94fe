//! The MQTT bridge against a real Mosquitto: the machine's broker on
//! 127.0.0.1:1883 (each test its own random device topic, so they run in
//! parallel), and a private broker for the restart test. The device is the
//! Tasmota emulator in `support/tasmota.rs`.

#[path = "support/tasmota.rs"]
mod tasmota;

use postern::model::bridge_config::MqttSettings;
use postern::services::bridge::mqtt::MqttBridge;
use postern::services::bridge::{
    BridgeError, Command, CommandRequest, ControllerBridge, ControllerEvent,
};
use std::sync::Arc;
use std::time::Duration;
use tasmota::Tasmota;
use tokio::process::{Child, Command as Process};
use tokio::sync::broadcast;
use tokio::time::Instant;

const BROKER_PORT: u16 = 1883;
const WAIT: Duration = Duration::from_secs(5);

fn random_topic() -> String {
    format!("postern-test/door-{:016x}", rand::random::<u64>())
}

fn settings(port: u16, topic: &str) -> MqttSettings {
    MqttSettings {
        host: "127.0.0.1".into(),
        port,
        topic: topic.into(),
        username: String::new(),
        password: String::new(),
    }
}

/// A device and a bridge to it, the bridge's events subscribed before it connects.
async fn device_and_bridge(
    port: u16,
    relays: usize,
) -> (
    Tasmota,
    Arc<MqttBridge>,
    broadcast::Receiver<ControllerEvent>,
) {
    let topic = random_topic();
    let device = Tasmota::start(port, &topic, relays).await;
    let bridge = MqttBridge::connect(&settings(port, &topic));
    let mut events = bridge.events();
    expect(&mut events, "Online", |e| *e == ControllerEvent::Online).await;
    (device, bridge, events)
}

/// Waits for the first event matching `wanted`, skipping others.
async fn expect(
    events: &mut broadcast::Receiver<ControllerEvent>,
    what: &str,
    wanted: impl Fn(&ControllerEvent) -> bool,
) -> ControllerEvent {
    let mut skipped = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(event) if wanted(&event) => return event,
                Ok(event) => skipped.push(event),
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    panic!("event channel closed while waiting for {what}")
                }
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no {what} event within {WAIT:?}; got {skipped:?}"))
}

fn command(command: Command, within: Duration) -> CommandRequest {
    CommandRequest::new(command, within)
}

fn count(device: &Tasmota, name: &str, payload: &str) -> usize {
    device
        .commands()
        .iter()
        .filter(|(n, p)| n == name && p == payload)
        .count()
}

#[tokio::test]
async fn a_pulse_is_timed_by_the_device_and_acknowledged() {
    let (device, bridge, mut events) = device_and_bridge(BROKER_PORT, 2).await;

    bridge
        .execute(command(
            Command::Pulse {
                relay: 2,
                seconds: 1,
            },
            WAIT,
        ))
        .await
        .expect("pulse acknowledged");
    let acknowledged = Instant::now();
    assert_eq!(
        device
            .commands()
            .into_iter()
            .filter(|(n, _)| n != "STATE")
            .collect::<Vec<_>>(),
        vec![
            ("PulseTime2".to_owned(), "10".to_owned()),
            ("POWER2".to_owned(), "ON".to_owned())
        ],
        "PulseTime first, in tenths of a second, then POWER"
    );
    expect(&mut events, "relay 2 energized", |e| {
        *e == ControllerEvent::Relay {
            relay: 2,
            energized: true,
        }
    })
    .await;
    expect(&mut events, "relay 2 released", |e| {
        *e == ControllerEvent::Relay {
            relay: 2,
            energized: false,
        }
    })
    .await;
    let held = acknowledged.elapsed();
    assert!(
        held >= Duration::from_millis(700) && held < Duration::from_millis(2500),
        "the device pulsed for {held:?}"
    );
    assert!(!device.relay(2) && !device.relay(1));

    // A long pulse uses Tasmota's "seconds + 100" range.
    bridge
        .execute(command(
            Command::Pulse {
                relay: 1,
                seconds: 30,
            },
            WAIT,
        ))
        .await
        .expect("long pulse");
    assert_eq!(device.pulse_time(1), 130);
    assert!(device.relay(1));
}

#[tokio::test]
async fn hold_stays_on_until_release() {
    let (device, bridge, mut events) = device_and_bridge(BROKER_PORT, 1).await;
    // A pulse leaves PulseTime1 set on the device; a hold must clear it.
    bridge
        .execute(command(
            Command::Pulse {
                relay: 1,
                seconds: 1,
            },
            WAIT,
        ))
        .await
        .unwrap();
    device.wait_relay(1, false, WAIT).await;
    expect(&mut events, "relay 1 released after the pulse", |e| {
        *e == ControllerEvent::Relay {
            relay: 1,
            energized: false,
        }
    })
    .await;

    bridge
        .execute(command(Command::Hold { relay: 1 }, WAIT))
        .await
        .expect("hold acknowledged");
    assert_eq!(device.pulse_time(1), 0);
    expect(&mut events, "relay 1 held", |e| {
        *e == ControllerEvent::Relay {
            relay: 1,
            energized: true,
        }
    })
    .await;
    // Longer than the earlier pulse: nothing times a held relay out.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(device.relay(1), "a held relay stays energized");

    bridge
        .execute(command(Command::Release { relay: 1 }, WAIT))
        .await
        .expect("release acknowledged");
    assert!(!device.relay(1));
    expect(&mut events, "relay 1 released", |e| {
        *e == ControllerEvent::Relay {
            relay: 1,
            energized: false,
        }
    })
    .await;
}

#[tokio::test]
async fn lockdown_releases_every_relay() {
    let (device, bridge, _events) = device_and_bridge(BROKER_PORT, 3).await;
    for relay in [1, 3] {
        bridge
            .execute(command(Command::Hold { relay }, WAIT))
            .await
            .unwrap();
    }
    assert!(device.relay(1) && device.relay(3));
    bridge
        .execute(command(Command::Lockdown { on: true }, WAIT))
        .await
        .expect("lockdown acknowledged");
    assert!(!device.relay(1) && !device.relay(2) && !device.relay(3));
    assert_eq!(count(&device, "POWER0", "OFF"), 1);
    bridge
        .execute(command(Command::Lockdown { on: false }, WAIT))
        .await
        .expect("lockdown off");
}

#[tokio::test]
async fn a_dead_device_goes_offline_by_its_last_will() {
    let (device, bridge, mut events) = device_and_bridge(BROKER_PORT, 1).await;
    let topic = device.topic.clone();
    device.crash();
    expect(&mut events, "Offline", |e| *e == ControllerEvent::Offline).await;

    let started = Instant::now();
    let result = bridge
        .execute(command(
            Command::Pulse {
                relay: 1,
                seconds: 3,
            },
            WAIT,
        ))
        .await;
    assert_eq!(result, Err(BridgeError::Offline));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a known-offline device fails at once"
    );

    let _back = Tasmota::start(BROKER_PORT, &topic, 1).await;
    expect(&mut events, "Online again", |e| {
        *e == ControllerEvent::Online
    })
    .await;
    bridge
        .execute(command(
            Command::Pulse {
                relay: 1,
                seconds: 3,
            },
            WAIT,
        ))
        .await
        .expect("works again");
}

#[tokio::test]
async fn inputs_become_events() {
    let (device, _bridge, mut events) = device_and_bridge(BROKER_PORT, 2).await;

    device.switch(2, true).await;
    expect(&mut events, "door 2 open", |e| {
        *e == ControllerEvent::DoorSensor {
            input: 2,
            open: true,
        }
    })
    .await;
    device.telemetry_switches(&[(2, false), (18, false)]).await;
    expect(&mut events, "door 2 closed", |e| {
        *e == ControllerEvent::DoorSensor {
            input: 2,
            open: false,
        }
    })
    .await;

    device.switch(9, true).await;
    expect(&mut events, "exit 1 pressed", |e| {
        *e == ControllerEvent::RequestToExit { input: 1 }
    })
    .await;
    device.switch(9, false).await;

    device.present_card(4_660_809).await;
    let card = expect(&mut events, "card", |e| {
        matches!(e, ControllerEvent::CardPresented { .. })
    })
    .await;
    assert_eq!(
        card,
        ControllerEvent::CardPresented {
            port: 1,
            number: "4660809".into()
        }
    );

    device.switch(17, true).await;
    expect(&mut events, "tamper", |e| *e == ControllerEvent::Tamper).await;

    device.switch(18, true).await;
    expect(&mut events, "power lost", |e| {
        *e == ControllerEvent::PowerLost
    })
    .await;
    device.telemetry_switches(&[(18, false)]).await;
    expect(&mut events, "power restored", |e| {
        *e == ControllerEvent::PowerRestored
    })
    .await;

    // Periodic telemetry repeating a known state is no new event: the next
    // event after it is the one that follows.
    device.telemetry_switches(&[(2, false), (18, false)]).await;
    device.switch(1, true).await;
    let next = expect(&mut events, "any input", |e| {
        !matches!(e, ControllerEvent::Relay { .. })
    })
    .await;
    assert_eq!(
        next,
        ControllerEvent::DoorSensor {
            input: 1,
            open: true
        }
    );
}

#[tokio::test]
async fn an_unacknowledged_command_times_out_at_its_deadline() {
    let (device, bridge, _events) = device_and_bridge(BROKER_PORT, 1).await;
    device.ignore_commands(true);

    let request = command(
        Command::Pulse {
            relay: 1,
            seconds: 5,
        },
        Duration::from_millis(800),
    );
    let (id, deadline) = (request.id, request.deadline);
    let result = bridge.execute(request).await;
    let returned = Instant::now();
    assert_eq!(result, Err(BridgeError::Timeout(id)));
    assert!(returned >= deadline, "not before the deadline");
    assert!(
        returned - deadline < Duration::from_millis(250),
        "returned {:?} after the deadline",
        returned - deadline
    );
    assert_eq!(
        count(&device, "POWER1", "ON"),
        1,
        "the command was published, just never answered"
    );
    assert!(!device.relay(1));
}

#[tokio::test]
async fn a_repeated_command_id_acts_once() {
    let (device, bridge, _events) = device_and_bridge(BROKER_PORT, 1).await;

    let request = command(Command::Hold { relay: 1 }, WAIT);
    bridge.execute(request.clone()).await.unwrap();
    bridge
        .execute(request.clone())
        .await
        .expect("the first result again");
    assert_eq!(count(&device, "POWER1", "ON"), 1);

    // The same id twice at once: the second waits for the first.
    let release = command(Command::Release { relay: 1 }, WAIT);
    let (first, second) = tokio::join!(
        bridge.execute(release.clone()),
        bridge.execute(release.clone())
    );
    assert_eq!((first, second), (Ok(()), Ok(())));
    assert_eq!(count(&device, "POWER1", "OFF"), 1);

    // A failure is remembered too: the same id does not try again.
    device.ignore_commands(true);
    let late = command(Command::Hold { relay: 1 }, Duration::from_millis(300));
    let id = late.id;
    assert_eq!(
        bridge.execute(late.clone()).await,
        Err(BridgeError::Timeout(id))
    );
    device.ignore_commands(false);
    assert_eq!(bridge.execute(late).await, Err(BridgeError::Timeout(id)));
    assert_eq!(count(&device, "POWER1", "ON"), 2);
    assert!(!device.relay(1));
}

#[tokio::test]
async fn bad_commands_are_refused_before_publishing() {
    let (device, bridge, _events) = device_and_bridge(BROKER_PORT, 1).await;
    for bad in [
        Command::Pulse {
            relay: 0,
            seconds: 1,
        },
        Command::Pulse {
            relay: 1,
            seconds: 0,
        },
        Command::Hold { relay: 33 },
    ] {
        let result = bridge.execute(command(bad.clone(), WAIT)).await;
        assert!(
            matches!(result, Err(BridgeError::Config(_))),
            "{bad:?}: {result:?}"
        );
    }
    assert!(
        device.commands().iter().all(|(name, _)| name == "STATE"),
        "{:?}",
        device.commands()
    );
}

#[tokio::test]
async fn test_connection_reports_the_device_in_a_sentence() {
    let (device, bridge, _events) = device_and_bridge(BROKER_PORT, 2).await;
    bridge
        .execute(command(Command::Hold { relay: 2 }, WAIT))
        .await
        .unwrap();
    let sentence = bridge.test_connection().await.expect("device answers");
    assert_eq!(
        sentence,
        format!("Connected to mqtt://127.0.0.1:{BROKER_PORT}; device {} answered: relay 1 OFF, relay 2 ON.", device.topic)
    );
}

#[tokio::test]
async fn test_connection_says_when_no_device_answers() {
    let topic = random_topic();
    let bridge = MqttBridge::connect(&settings(BROKER_PORT, &topic));
    let started = Instant::now();
    let error = bridge.test_connection().await.unwrap_err().to_string();
    assert!(
        error.contains(&format!("device {topic} did not answer within 3 s")),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn test_connection_says_when_the_broker_is_not_there() {
    let port = free_port();
    let bridge = MqttBridge::connect(&settings(port, "nobody"));
    let mut events = bridge.events();
    let error = bridge.test_connection().await.unwrap_err().to_string();
    assert!(
        error.contains(&format!(
            "mqtt://127.0.0.1:{port} did not accept the connection"
        )),
        "{error}"
    );
    assert!(error.contains("connection refused"), "{error}");
    expect(&mut events, "Offline", |e| *e == ControllerEvent::Offline).await;
}

// --- A broker restart, on a private Mosquitto --------------------------------

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mosquitto_binary() -> &'static str {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        .into_iter()
        .find(|path| std::path::Path::new(path).exists())
        .expect("mosquitto is not installed (looked in /usr/sbin, /usr/bin, /usr/local/sbin): install the mosquitto package; the broker-restart test needs a private broker")
}

/// Starts `mosquitto -p <port>` (local only, anonymous) and waits until it listens.
async fn start_broker(port: u16) -> Child {
    let child = Process::new(mosquitto_binary())
        .args(["-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start mosquitto");
    let ready = tokio::time::timeout(WAIT, async {
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(
        ready.is_ok(),
        "mosquitto did not listen on port {port} within {WAIT:?}"
    );
    child
}

#[tokio::test]
async fn the_bridge_survives_a_broker_restart() {
    let port = free_port();
    let mut broker = start_broker(port).await;
    let (device, bridge, mut events) = device_and_bridge(port, 2).await;
    bridge
        .execute(command(Command::Hold { relay: 2 }, WAIT))
        .await
        .unwrap();
    expect(&mut events, "relay 2 held", |e| {
        *e == ControllerEvent::Relay {
            relay: 2,
            energized: true,
        }
    })
    .await;

    broker.kill().await.unwrap();
    expect(&mut events, "Offline while the broker is gone", |e| {
        *e == ControllerEvent::Offline
    })
    .await;
    // While Postern cannot see it, someone releases relay 2 at the board.
    device.set_relay_quietly(2, false);
    // A command given while the broker is down goes out once it is back.
    let pending = {
        let bridge = bridge.clone();
        tokio::spawn(async move {
            bridge
                .execute(command(
                    Command::Pulse {
                        relay: 1,
                        seconds: 1,
                    },
                    Duration::from_secs(15),
                ))
                .await
        })
    };

    let _broker = start_broker(port).await;
    expect(&mut events, "Online after the restart", |e| {
        *e == ControllerEvent::Online
    })
    .await;
    expect(&mut events, "relay 2's real state", |e| {
        *e == ControllerEvent::Relay {
            relay: 2,
            energized: false,
        }
    })
    .await;
    device.wait_connections(2, WAIT).await;
    pending
        .await
        .unwrap()
        .expect("the command published again after reconnecting");
    assert!(count(&device, "POWER1", "ON") >= 1);

    bridge
        .execute(command(Command::Release { relay: 1 }, WAIT))
        .await
        .expect("works after the restart");
    bridge.shutdown();
}
