//! The Shelly Gen2 HTTP bridge against the device emulator
//! (`support/shelly.rs`): commands, retries, deadlines, refusals,
//! idempotency, digest authentication, polling events and test_connection.

#[path = "support/shelly.rs"]
mod shelly;

use postern::model::HttpSettings;
use postern::services::bridge::shelly::{Backoff, ShellyBridge, ShellyOptions};
use postern::services::bridge::{BridgeError, Command, CommandRequest, ControllerBridge, ControllerEvent};
use shelly::{ShellyEmulator, SwitchState};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

fn options() -> ShellyOptions {
    ShellyOptions {
        poll_every: Duration::from_millis(50),
        offline_after: 2,
        attempt_timeout: Duration::from_millis(300),
        backoff: Backoff { first: Duration::from_millis(50), max: Duration::from_millis(400) },
        relays: 4,
    }
}

fn bridge_to(emulator: &ShellyEmulator, password: &str) -> ShellyBridge {
    let settings = HttpSettings { address: emulator.address(), password: password.into() };
    ShellyBridge::with_options(&settings, options()).expect("a valid address")
}

fn within(command: Command, millis: u64) -> CommandRequest {
    CommandRequest::new(command, Duration::from_millis(millis))
}

/// Waits for `wanted`, skipping other events; fails after `limit`.
async fn expect_event(events: &mut broadcast::Receiver<ControllerEvent>, wanted: ControllerEvent, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(event)) if event == wanted => return,
            Ok(Ok(event)) => seen.push(event),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(broadcast::error::RecvError::Closed)) => panic!("events closed while waiting for {wanted:?}"),
            Err(_) => panic!("no {wanted:?} within {limit:?}; saw {seen:?}"),
        }
    }
}

/// Waits until the emulator's switch `id` is in `state`; returns when it got there.
async fn switch_becomes(emulator: &ShellyEmulator, id: usize, state: SwitchState, limit: Duration) -> Instant {
    let deadline = Instant::now() + limit;
    while emulator.switch(id) != state {
        assert!(Instant::now() < deadline, "switch {id} is {:?}, not {state:?}, after {limit:?}", emulator.switch(id));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Instant::now()
}

const OFF: SwitchState = SwitchState { output: false, toggle_after: None };
const ON: SwitchState = SwitchState { output: true, toggle_after: None };

#[tokio::test]
async fn a_pulse_sets_toggle_after_and_the_device_relocks_by_itself() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    let sent = Instant::now();
    bridge.execute(within(Command::Pulse { relay: 2, seconds: 1 }, 2000)).await.expect("the device acknowledges the pulse");
    assert_eq!(emulator.switch(1), SwitchState { output: true, toggle_after: Some(1.0) }, "relay 2 is switch 1");
    assert_eq!(emulator.switch(0), OFF);
    let relocked = switch_becomes(&emulator, 1, OFF, Duration::from_secs(3)).await;
    assert!(relocked - sent >= Duration::from_millis(900), "off after about a second, not {:?}", relocked - sent);
}

#[tokio::test]
async fn hold_and_release() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    bridge.execute(within(Command::Hold { relay: 4 }, 2000)).await.unwrap();
    assert_eq!(emulator.switch(3), ON, "held with no toggle_after");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(emulator.switch(3), ON, "still held");
    bridge.execute(within(Command::Release { relay: 4 }, 2000)).await.unwrap();
    assert_eq!(emulator.switch(3), OFF);
}

#[tokio::test]
async fn lockdown_switches_every_relay_off() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    bridge.execute(within(Command::Hold { relay: 1 }, 2000)).await.unwrap();
    bridge.execute(within(Command::Pulse { relay: 3, seconds: 30 }, 2000)).await.unwrap();
    bridge.execute(within(Command::Lockdown { on: true }, 2000)).await.unwrap();
    for id in 0..4 {
        assert_eq!(emulator.switch(id), OFF, "switch {id}");
    }
    assert_eq!(emulator.requests("Switch.Set"), 2 + 4);
    bridge.execute(within(Command::Lockdown { on: false }, 2000)).await.unwrap();
    assert_eq!(emulator.requests("Switch.Set"), 6, "lifting the lockdown sends nothing");
}

#[tokio::test]
async fn retries_with_backoff_succeed_after_two_failed_requests() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    bridge.shutdown(); // no polls among the failing requests
    emulator.fail_next(2);
    let sent = Instant::now();
    bridge.execute(within(Command::Hold { relay: 1 }, 3000)).await.expect("the third attempt succeeds");
    let took = sent.elapsed();
    assert_eq!(emulator.requests("Switch.Set"), 3);
    assert_eq!(emulator.switch(0), ON);
    assert!(took >= Duration::from_millis(50 + 100), "paused 50 ms then 100 ms between attempts, took {took:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[tokio::test]
async fn a_stalled_device_times_out_right_at_the_deadline() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    emulator.stall(true);
    let request = within(Command::Pulse { relay: 1, seconds: 5 }, 700);
    let sent = Instant::now();
    let result = bridge.execute(request.clone()).await;
    let took = sent.elapsed();
    assert_eq!(result, Err(BridgeError::Timeout(request.id)));
    assert!(took >= Duration::from_millis(700), "not before the deadline: {took:?}");
    assert!(took < Duration::from_millis(700 + 150), "at the deadline, not later: {took:?}");
    assert!(emulator.requests("Switch.Set") >= 2, "attempts time out and are retried before the deadline");

    // The same id again answers the first result without acting.
    emulator.stall(false);
    let attempts = emulator.requests("Switch.Set");
    let again = CommandRequest { deadline: Instant::now() + Duration::from_secs(2), ..request };
    assert_eq!(bridge.execute(again.clone()).await, Err(BridgeError::Timeout(again.id)));
    assert_eq!(emulator.requests("Switch.Set"), attempts);
}

#[tokio::test]
async fn an_rpc_error_is_a_refusal_and_is_not_retried() {
    let emulator = ShellyEmulator::start_with(1, 1, None).await; // a Plus 1: one switch
    let bridge = bridge_to(&emulator, "");
    let sent = Instant::now();
    let result = bridge.execute(within(Command::Pulse { relay: 3, seconds: 2 }, 3000)).await;
    match result {
        Err(BridgeError::Refused(why)) => assert_eq!(why, "Argument 'id', value 2 not found (code -105)."),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(sent.elapsed() < Duration::from_millis(500), "refused at once");
    assert_eq!(emulator.requests("Switch.Set"), 1);
    // Relays outside the configured range never reach the device.
    let result = bridge.execute(within(Command::Hold { relay: 5 }, 1000)).await;
    assert!(matches!(result, Err(BridgeError::Config(ref why)) if why.contains("relays 1 to 4")), "{result:?}");
    assert_eq!(emulator.requests("Switch.Set"), 1);
}

#[tokio::test]
async fn the_same_command_id_acts_once() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    let request = within(Command::Pulse { relay: 1, seconds: 10 }, 2000);
    assert_eq!(bridge.execute(request.clone()).await, Ok(()));
    assert_eq!(bridge.execute(request.clone()).await, Ok(()));
    assert_eq!(emulator.requests("Switch.Set"), 1, "sequential repeat");

    let request = within(Command::Hold { relay: 2 }, 2000);
    let (first, second) = tokio::join!(bridge.execute(request.clone()), bridge.execute(request.clone()));
    assert_eq!((first, second), (Ok(()), Ok(())));
    assert_eq!(emulator.requests("Switch.Set"), 2, "concurrent repeat waits for the first");
}

#[tokio::test]
async fn polling_reports_online_relays_sensors_exit_buttons_and_offline() {
    let emulator = ShellyEmulator::start_with(4, 5, None).await;
    let bridge = bridge_to(&emulator, "");
    let mut events = bridge.events();
    let limit = Duration::from_secs(2);
    expect_event(&mut events, ControllerEvent::Online, limit).await;
    expect_event(&mut events, ControllerEvent::Relay { relay: 4, energized: false }, limit).await;
    expect_event(&mut events, ControllerEvent::DoorSensor { input: 4, open: false }, limit).await;

    emulator.set_input(0, true);
    expect_event(&mut events, ControllerEvent::DoorSensor { input: 1, open: true }, limit).await;
    emulator.set_input(0, false);
    expect_event(&mut events, ControllerEvent::DoorSensor { input: 1, open: false }, limit).await;
    emulator.set_input(4, true);
    expect_event(&mut events, ControllerEvent::RequestToExit { input: 1 }, limit).await;

    bridge.execute(within(Command::Pulse { relay: 2, seconds: 1 }, 2000)).await.unwrap();
    expect_event(&mut events, ControllerEvent::Relay { relay: 2, energized: true }, limit).await;
    expect_event(&mut events, ControllerEvent::Relay { relay: 2, energized: false }, limit).await;
    bridge.execute(within(Command::Hold { relay: 3 }, 2000)).await.unwrap();
    expect_event(&mut events, ControllerEvent::Relay { relay: 3, energized: true }, limit).await;

    emulator.down();
    expect_event(&mut events, ControllerEvent::Offline, limit).await;
    emulator.up().await;
    expect_event(&mut events, ControllerEvent::Online, limit).await;
    expect_event(&mut events, ControllerEvent::Relay { relay: 3, energized: true }, limit).await;

    bridge.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let polls = emulator.requests("Shelly.GetStatus");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(emulator.requests("Shelly.GetStatus"), polls, "no polls after shutdown");
}

#[tokio::test]
async fn a_device_that_never_answers_is_reported_offline() {
    let emulator = ShellyEmulator::start().await;
    emulator.stall(true);
    let bridge = bridge_to(&emulator, "");
    let mut events = bridge.events();
    expect_event(&mut events, ControllerEvent::Offline, Duration::from_secs(3)).await;
}

#[tokio::test]
async fn test_connection_says_what_it_reached_or_why_not() {
    let emulator = ShellyEmulator::start().await;
    let bridge = bridge_to(&emulator, "");
    let sentence = bridge.test_connection().await.expect("the device is up");
    assert_eq!(sentence, format!("Reached Pro4PM shellypro4pm-emulator at {}; switch 0 (relay 1) is off.", emulator.address()));
    bridge.execute(within(Command::Hold { relay: 1 }, 2000)).await.unwrap();
    assert!(bridge.test_connection().await.unwrap().ends_with("switch 0 (relay 1) is on."));

    emulator.down();
    let error = bridge.test_connection().await.expect_err("the device is down");
    assert!(matches!(error, BridgeError::Transport(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("Could not reach the controller: {} did not answer (connection refused or host unreachable).", emulator.address())
    );
}

#[tokio::test]
async fn digest_authentication_with_the_device_password() {
    let emulator = ShellyEmulator::start_with(4, 4, Some("s3cret")).await;

    let bridge = bridge_to(&emulator, "s3cret");
    bridge.execute(within(Command::Hold { relay: 1 }, 2000)).await.expect("authenticated");
    assert_eq!(emulator.switch(0), ON);
    bridge.execute(within(Command::Release { relay: 1 }, 2000)).await.expect("the nonce is used again");
    assert_eq!(emulator.switch(0), OFF);
    assert!(bridge.test_connection().await.unwrap().starts_with("Reached Pro4PM"));

    let wrong = bridge_to(&emulator, "guess");
    let sent = Instant::now();
    let result = wrong.execute(within(Command::Hold { relay: 1 }, 2000)).await;
    assert_eq!(result, Err(BridgeError::Config("The device did not accept the password.".into())));
    assert!(sent.elapsed() < Duration::from_millis(500), "a wrong password is not retried until the deadline");
    assert_eq!(emulator.switch(0), OFF);

    let none = bridge_to(&emulator, "");
    let error = none.test_connection().await.expect_err("Switch.GetStatus needs the password");
    assert!(matches!(error, BridgeError::Config(ref why) if why.contains("asks for a password")), "{error:?}");
}

#[tokio::test]
async fn a_bad_address_is_a_configuration_error() {
    let settings = HttpSettings { address: "https://shelly.local".into(), password: String::new() };
    assert!(matches!(ShellyBridge::new(&settings), Err(BridgeError::Config(_))));
}
