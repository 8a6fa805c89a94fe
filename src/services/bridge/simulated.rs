//! The simulated "Controller Pro" that runs inside the server: 4 relays,
//! 4 door-sensor inputs, 4 request-to-exit inputs and 4 reader ports. It
//! behaves like the hardware as far as Postern can tell: pulses end on time
//! (the controller times them), held relays stay until released, lockdown
//! releases everything and refuses grants, an offline controller answers
//! nothing (commands time out at their deadline), and the panel's physical
//! actions (a card at a reader, the exit button, the door opened, power cut)
//! come back as [`ControllerEvent`]s like a real controller's would.

use super::{BoxFuture, BridgeError, Command, CommandRequest, ControllerBridge, ControllerEvent, Idempotency};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Relays, inputs and reader ports on a Controller Pro.
pub const PORTS: u8 = 4;

/// How a simulated controller starts (as persisted by the hub).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimStart {
    pub online: bool,
    pub power_lost: bool,
    /// Door sensor N open (index N-1).
    pub doors_open: [bool; 4],
}

/// What the simulator panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSnapshot {
    pub online: bool,
    pub power_lost: bool,
    pub lockdown: bool,
    pub relays_energized: [bool; 4],
    pub doors_open: [bool; 4],
}

#[derive(Clone, Copy, Debug, Default)]
struct Relay {
    held: bool,
    /// Bumped by every pulse: only the latest pulse's timer releases.
    generation: u64,
    pulsing: bool,
}

impl Relay {
    fn energized(&self) -> bool {
        self.held || self.pulsing
    }
}

#[derive(Debug)]
struct State {
    online: bool,
    power_lost: bool,
    lockdown: bool,
    relays: [Relay; 4],
    doors_open: [bool; 4],
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    events: broadcast::Sender<ControllerEvent>,
    memory: Idempotency,
}

/// A handle to one simulated controller. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SimulatedController {
    inner: Arc<Inner>,
}

impl SimulatedController {
    /// A controller in the given state.
    pub fn new(start: SimStart) -> SimulatedController {
        let (events, _) = broadcast::channel(256);
        let state = State {
            online: start.online,
            power_lost: start.power_lost,
            lockdown: false,
            relays: [Relay::default(); 4],
            doors_open: start.doors_open,
        };
        SimulatedController { inner: Arc::new(Inner { state: Mutex::new(state), events, memory: Idempotency::default() }) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends an event if the controller is online (an offline controller
    /// reaches nobody).
    fn report(&self, state: &State, event: ControllerEvent) {
        if state.online {
            let _ = self.inner.events.send(event);
        }
    }

    /// What the panel shows.
    pub fn snapshot(&self) -> SimSnapshot {
        let s = self.state();
        SimSnapshot {
            online: s.online,
            power_lost: s.power_lost,
            lockdown: s.lockdown,
            relays_energized: s.relays.map(|r| r.energized()),
            doors_open: s.doors_open,
        }
    }

    /// A card or fob held to reader `port`.
    pub fn present_card(&self, port: u8, number: &str) -> Result<(), String> {
        check_port(port, "reader")?;
        let s = self.state();
        self.report(&s, ControllerEvent::CardPresented { port, number: number.to_owned() });
        Ok(())
    }

    /// The request-to-exit button of door `input` pressed.
    pub fn press_exit(&self, input: u8) -> Result<(), String> {
        check_port(input, "exit button")?;
        let s = self.state();
        self.report(&s, ControllerEvent::RequestToExit { input });
        Ok(())
    }

    /// Door `input` pushed open or shut (its sensor follows).
    pub fn set_door_open(&self, input: u8, open: bool) -> Result<(), String> {
        check_port(input, "door sensor")?;
        let mut s = self.state();
        let index = usize::from(input - 1);
        if s.doors_open[index] != open {
            s.doors_open[index] = open;
            self.report(&s, ControllerEvent::DoorSensor { input, open });
        }
        Ok(())
    }

    /// The locks' power supply cut (`false`) or restored (`true`). The
    /// controller itself runs on its battery and keeps reporting.
    pub fn set_power(&self, on: bool) {
        let mut s = self.state();
        if s.power_lost == on {
            s.power_lost = !on;
            let event = if on { ControllerEvent::PowerRestored } else { ControllerEvent::PowerLost };
            self.report(&s, event);
        }
    }

    /// The network cable pulled (`false`) or plugged back (`true`). Back
    /// online, the controller reports its inputs as they are now.
    pub fn set_online(&self, online: bool) {
        let mut s = self.state();
        if s.online == online {
            return;
        }
        if !online {
            let _ = self.inner.events.send(ControllerEvent::Offline);
            s.online = false;
            return;
        }
        s.online = true;
        let _ = self.inner.events.send(ControllerEvent::Online);
        self.send_inputs(&s);
    }

    /// Reports power and every door sensor as they are now (what a real
    /// controller sends when it connects), if online.
    pub fn report_state(&self) {
        let s = self.state();
        if s.online {
            self.send_inputs(&s);
        }
    }

    fn send_inputs(&self, s: &State) {
        let event = if s.power_lost { ControllerEvent::PowerLost } else { ControllerEvent::PowerRestored };
        let _ = self.inner.events.send(event);
        for (index, open) in s.doors_open.into_iter().enumerate() {
            let input = u8::try_from(index + 1).unwrap_or(1);
            let _ = self.inner.events.send(ControllerEvent::DoorSensor { input, open });
        }
    }

    /// The enclosure opened.
    pub fn tamper(&self) {
        let s = self.state();
        self.report(&s, ControllerEvent::Tamper);
    }

    fn energize(&self, s: &mut State, relay: u8, on: impl FnOnce(&mut Relay)) {
        let index = usize::from(relay - 1);
        let before = s.relays[index].energized();
        on(&mut s.relays[index]);
        let after = s.relays[index].energized();
        if before != after {
            self.report(s, ControllerEvent::Relay { relay, energized: after });
        }
    }

    fn apply(&self, command: &Command) -> Result<(), BridgeError> {
        let mut s = self.state();
        match *command {
            Command::Pulse { relay, seconds } => {
                check_port(relay, "relay").map_err(BridgeError::Config)?;
                if s.lockdown {
                    return Err(BridgeError::Refused("the controller is locked down".into()));
                }
                let mut generation = 0;
                self.energize(&mut s, relay, |r| {
                    r.generation += 1;
                    r.pulsing = true;
                    generation = r.generation;
                });
                let controller = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(u64::from(seconds))).await;
                    let mut s = controller.state();
                    let index = usize::from(relay - 1);
                    if s.relays[index].generation == generation {
                        controller.energize(&mut s, relay, |r| r.pulsing = false);
                    }
                });
            }
            Command::Hold { relay } => {
                check_port(relay, "relay").map_err(BridgeError::Config)?;
                if s.lockdown {
                    return Err(BridgeError::Refused("the controller is locked down".into()));
                }
                self.energize(&mut s, relay, |r| r.held = true);
            }
            Command::Release { relay } => {
                check_port(relay, "relay").map_err(BridgeError::Config)?;
                self.energize(&mut s, relay, |r| {
                    r.held = false;
                    r.pulsing = false;
                    r.generation += 1;
                });
            }
            Command::Lockdown { on } => {
                s.lockdown = on;
                if on {
                    for relay in 1..=PORTS {
                        self.energize(&mut s, relay, |r| {
                            r.held = false;
                            r.pulsing = false;
                            r.generation += 1;
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

fn check_port(n: u8, what: &str) -> Result<(), String> {
    if (1..=PORTS).contains(&n) {
        Ok(())
    } else {
        Err(format!("A Controller Pro has {what}s 1 to {PORTS}, not {n}."))
    }
}

impl ControllerBridge for SimulatedController {
    fn execute(&self, request: CommandRequest) -> BoxFuture<'_, Result<(), BridgeError>> {
        Box::pin(async move {
            if let Some(result) = self.inner.memory.seen(request.id) {
                return result;
            }
            if !self.state().online {
                // An offline controller answers nothing: the command times out.
                tokio::time::sleep_until(request.deadline).await;
                return Err(BridgeError::Timeout(request.id));
            }
            // Checked again under the memory's lock: two callers racing
            // with one id act once.
            self.inner.memory.once(request.id, || self.apply(&request.command))
        })
    }

    fn events(&self) -> broadcast::Receiver<ControllerEvent> {
        self.inner.events.subscribe()
    }

    fn test_connection(&self) -> BoxFuture<'_, Result<String, BridgeError>> {
        Box::pin(async move {
            let s = self.snapshot();
            if !s.online {
                return Err(BridgeError::Offline);
            }
            let relays: Vec<String> = s
                .relays_energized
                .iter()
                .enumerate()
                .map(|(i, on)| format!("relay {} {}", i + 1, if *on { "on" } else { "off" }))
                .collect();
            Ok(format!("The simulated controller answered: {}.", relays.join(", ")))
        })
    }

    fn shutdown(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::bridge::CommandId;
    use tokio::time::Instant;

    fn online() -> SimulatedController {
        SimulatedController::new(SimStart { online: true, ..Default::default() })
    }

    fn request(id: u64, command: Command) -> CommandRequest {
        CommandRequest { id: CommandId(id), deadline: Instant::now() + Duration::from_secs(3), command }
    }

    async fn next(events: &mut broadcast::Receiver<ControllerEvent>) -> ControllerEvent {
        tokio::time::timeout(Duration::from_secs(60), events.recv()).await.expect("an event").expect("open")
    }

    #[tokio::test(start_paused = true)]
    async fn a_pulse_ends_on_time() {
        let c = online();
        let mut events = c.events();
        c.execute(request(1, Command::Pulse { relay: 2, seconds: 5 })).await.unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 2, energized: true });
        let started = Instant::now();
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 2, energized: false });
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert_eq!(c.snapshot().relays_energized, [false; 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_pulse_extends_the_first() {
        let c = online();
        let mut events = c.events();
        let started = Instant::now();
        c.execute(request(1, Command::Pulse { relay: 1, seconds: 5 })).await.unwrap();
        tokio::time::sleep(Duration::from_secs(3)).await;
        c.execute(request(2, Command::Pulse { relay: 1, seconds: 5 })).await.unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 1, energized: true });
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 1, energized: false });
        assert_eq!(started.elapsed(), Duration::from_secs(8), "released 5 s after the second pulse");
    }

    #[tokio::test(start_paused = true)]
    async fn hold_stays_until_release_and_lockdown_releases_and_refuses() {
        let c = online();
        c.execute(request(1, Command::Hold { relay: 3 })).await.unwrap();
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert!(c.snapshot().relays_energized[2]);
        c.execute(request(2, Command::Release { relay: 3 })).await.unwrap();
        assert!(!c.snapshot().relays_energized[2]);
        c.execute(request(3, Command::Hold { relay: 4 })).await.unwrap();
        c.execute(request(4, Command::Lockdown { on: true })).await.unwrap();
        assert_eq!(c.snapshot().relays_energized, [false; 4]);
        let refused = c.execute(request(5, Command::Pulse { relay: 1, seconds: 5 })).await;
        assert!(matches!(refused, Err(BridgeError::Refused(_))));
        c.execute(request(6, Command::Lockdown { on: false })).await.unwrap();
        c.execute(request(7, Command::Pulse { relay: 1, seconds: 5 })).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn commands_are_idempotent() {
        let c = online();
        let mut events = c.events();
        c.execute(request(9, Command::Pulse { relay: 1, seconds: 5 })).await.unwrap();
        c.execute(request(9, Command::Pulse { relay: 1, seconds: 5 })).await.unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 1, energized: true });
        let started = Instant::now();
        assert_eq!(next(&mut events).await, ControllerEvent::Relay { relay: 1, energized: false });
        assert_eq!(started.elapsed(), Duration::from_secs(5), "the repeat did not pulse again");
    }

    #[tokio::test(start_paused = true)]
    async fn an_offline_controller_answers_nothing_until_the_deadline() {
        let c = online();
        let mut events = c.events();
        c.set_online(false);
        assert_eq!(next(&mut events).await, ControllerEvent::Offline);
        let started = Instant::now();
        let result = c.execute(request(1, Command::Pulse { relay: 1, seconds: 5 })).await;
        assert_eq!(result, Err(BridgeError::Timeout(CommandId(1))));
        assert_eq!(started.elapsed(), Duration::from_secs(3), "exactly at the deadline, not later");
        assert!(!c.snapshot().relays_energized[0]);
        // Physical changes while offline reach nobody, then are reported on return.
        c.set_door_open(1, true).unwrap();
        c.present_card(1, "10:1001").unwrap();
        c.set_online(true);
        assert_eq!(next(&mut events).await, ControllerEvent::Online);
        assert_eq!(next(&mut events).await, ControllerEvent::PowerRestored);
        assert_eq!(next(&mut events).await, ControllerEvent::DoorSensor { input: 1, open: true });
    }

    #[tokio::test(start_paused = true)]
    async fn panel_actions_become_events() {
        let c = online();
        let mut events = c.events();
        c.present_card(2, "10:1001").unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::CardPresented { port: 2, number: "10:1001".into() });
        c.press_exit(3).unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::RequestToExit { input: 3 });
        c.set_door_open(3, true).unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::DoorSensor { input: 3, open: true });
        c.set_door_open(3, true).unwrap();
        c.set_door_open(3, false).unwrap();
        assert_eq!(next(&mut events).await, ControllerEvent::DoorSensor { input: 3, open: false }, "no event for no change");
        c.set_power(false);
        assert_eq!(next(&mut events).await, ControllerEvent::PowerLost);
        assert!(c.snapshot().power_lost);
        c.set_power(true);
        assert_eq!(next(&mut events).await, ControllerEvent::PowerRestored);
        c.tamper();
        assert_eq!(next(&mut events).await, ControllerEvent::Tamper);
        assert!(c.present_card(5, "1").is_err());
        assert!(c.set_door_open(0, true).is_err());
        let bad = c.execute(request(1, Command::Pulse { relay: 5, seconds: 1 })).await;
        assert!(matches!(bad, Err(BridgeError::Config(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn test_connection_reports_relays_or_offline() {
        let c = online();
        assert!(c.test_connection().await.unwrap().contains("relay 1 off"));
        c.set_online(false);
        assert_eq!(c.test_connection().await, Err(BridgeError::Offline));
    }
}
