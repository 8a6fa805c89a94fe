//! What Postern knows of one Tasmota device, and the [`ControllerEvent`]s a
//! new report or a lost broker connection gives. Pure: the connection task
//! feeds it, commands and `test_connection` watch it.

use super::topics::{InputRole, Report, SwitchState};
use crate::services::bridge::ControllerEvent;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct Device {
    /// Connected to the broker right now.
    pub broker_up: bool,
    /// Connections made so far (a new one means commands are published again).
    pub connections: u64,
    /// Connection attempts that failed so far.
    pub failures: u64,
    /// Why the last attempt failed, in words.
    pub last_error: Option<String>,
    /// The device's last will, as last read (`None`: not heard since connecting).
    pub lwt: Option<bool>,
    /// Relay states as last reported.
    pub relays: BTreeMap<u8, bool>,
    /// Switch inputs as last reported (kept across reconnections, so a
    /// change while Postern was away still gives an event).
    switches: BTreeMap<u8, bool>,
    /// What the events said last: online or offline.
    reported_online: Option<bool>,
}

impl Device {
    /// Reachable: the broker is up and the device's last will says Online.
    pub fn online(&self) -> bool {
        self.broker_up && self.lwt == Some(true)
    }

    pub fn connected(&mut self) {
        self.broker_up = true;
        self.connections += 1;
        self.last_error = None;
    }

    /// The broker connection is gone (or could not be made): the device is
    /// unreachable until the broker tells its last will again.
    pub fn disconnected(&mut self, error: String, events: &mut Vec<ControllerEvent>) {
        self.broker_up = false;
        self.lwt = None;
        self.failures += 1;
        self.last_error = Some(error);
        self.report_liveness(events);
    }

    pub fn apply(&mut self, report: &Report, events: &mut Vec<ControllerEvent>) {
        match report {
            Report::Lwt { online } => {
                self.lwt = Some(*online);
                self.report_liveness(events);
            }
            Report::Relays(relays) => {
                for &(relay, energized) in relays {
                    if self.relays.insert(relay, energized) != Some(energized) {
                        events.push(ControllerEvent::Relay { relay, energized });
                    }
                }
            }
            Report::Switch { switch, state } => self.switch(*switch, *state, events),
            Report::Card { number } => events.push(ControllerEvent::CardPresented {
                port: 1,
                number: number.clone(),
            }),
        }
    }

    fn switch(&mut self, switch: u8, state: SwitchState, events: &mut Vec<ControllerEvent>) {
        let Some(role) = InputRole::of(switch) else {
            return;
        };
        let on = match state {
            SwitchState::On => true,
            SwitchState::Off => false,
            // Push-button modes report presses, not states.
            SwitchState::Toggle => {
                match role {
                    InputRole::RequestToExit(input) => {
                        events.push(ControllerEvent::RequestToExit { input })
                    }
                    InputRole::Tamper => events.push(ControllerEvent::Tamper),
                    InputRole::DoorSensor(_) | InputRole::PowerFail => {}
                }
                return;
            }
        };
        let before = self.switches.insert(switch, on);
        if before == Some(on) {
            return; // telemetry repeating a known state
        }
        match role {
            InputRole::DoorSensor(input) => {
                events.push(ControllerEvent::DoorSensor { input, open: on })
            }
            InputRole::RequestToExit(input) if on => {
                events.push(ControllerEvent::RequestToExit { input })
            }
            InputRole::Tamper if on => events.push(ControllerEvent::Tamper),
            InputRole::PowerFail if on => events.push(ControllerEvent::PowerLost),
            InputRole::PowerFail if before == Some(true) => {
                events.push(ControllerEvent::PowerRestored)
            }
            _ => {}
        }
    }

    fn report_liveness(&mut self, events: &mut Vec<ControllerEvent>) {
        let online = self.online();
        if self.reported_online != Some(online) {
            self.reported_online = Some(online);
            events.push(if online {
                ControllerEvent::Online
            } else {
                ControllerEvent::Offline
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ControllerEvent as E;

    fn apply(device: &mut Device, reports: &[Report]) -> Vec<ControllerEvent> {
        let mut events = Vec::new();
        for report in reports {
            device.apply(report, &mut events);
        }
        events
    }

    fn switch(switch: u8, state: SwitchState) -> Report {
        Report::Switch { switch, state }
    }

    #[test]
    fn liveness_follows_the_broker_and_the_last_will() {
        let mut device = Device::default();
        device.connected();
        assert_eq!(
            apply(&mut device, &[Report::Lwt { online: true }]),
            vec![E::Online]
        );
        assert_eq!(
            apply(&mut device, &[Report::Lwt { online: true }]),
            vec![],
            "retained repeat"
        );
        let mut events = Vec::new();
        device.disconnected("connection refused".into(), &mut events);
        assert_eq!(events, vec![E::Offline]);
        device.disconnected("connection refused".into(), &mut events);
        assert_eq!(events, vec![E::Offline], "reported once per outage");
        device.connected();
        assert!(
            !device.online(),
            "not online before the last will is read again"
        );
        assert_eq!(
            apply(&mut device, &[Report::Lwt { online: true }]),
            vec![E::Online]
        );
        assert_eq!(
            apply(&mut device, &[Report::Lwt { online: false }]),
            vec![E::Offline]
        );
        assert_eq!((device.connections, device.failures), (2, 2));
    }

    #[test]
    fn relays_report_changes_only() {
        let mut device = Device::default();
        let report = |relays: &[(u8, bool)]| Report::Relays(relays.to_vec());
        assert_eq!(
            apply(&mut device, &[report(&[(1, false), (2, true)])]),
            vec![
                E::Relay {
                    relay: 1,
                    energized: false
                },
                E::Relay {
                    relay: 2,
                    energized: true
                }
            ]
        );
        assert_eq!(
            apply(&mut device, &[report(&[(1, false)]), report(&[(2, true)])]),
            vec![]
        );
        assert_eq!(
            apply(&mut device, &[report(&[(1, true)])]),
            vec![E::Relay {
                relay: 1,
                energized: true
            }]
        );
    }

    #[test]
    fn inputs_become_events() {
        use SwitchState::*;
        let mut device = Device::default();
        assert_eq!(
            apply(&mut device, &[switch(1, On)]),
            vec![E::DoorSensor {
                input: 1,
                open: true
            }]
        );
        assert_eq!(
            apply(&mut device, &[switch(1, On)]),
            vec![],
            "telemetry repeats the state"
        );
        assert_eq!(
            apply(&mut device, &[switch(1, Off)]),
            vec![E::DoorSensor {
                input: 1,
                open: false
            }]
        );
        assert_eq!(
            apply(&mut device, &[switch(10, On), switch(10, Off)]),
            vec![E::RequestToExit { input: 2 }]
        );
        assert_eq!(
            apply(&mut device, &[switch(9, Toggle), switch(9, Toggle)]),
            vec![E::RequestToExit { input: 1 }; 2]
        );
        assert_eq!(
            apply(&mut device, &[switch(17, Off)]),
            vec![],
            "a closed enclosure is no event"
        );
        assert_eq!(apply(&mut device, &[switch(17, On)]), vec![E::Tamper]);
        assert_eq!(
            apply(&mut device, &[switch(18, Off)]),
            vec![],
            "power fine from the start"
        );
        assert_eq!(
            apply(&mut device, &[switch(18, On), switch(18, Off)]),
            vec![E::PowerLost, E::PowerRestored]
        );
        assert_eq!(
            apply(&mut device, &[switch(19, On), switch(1, Toggle)]),
            vec![]
        );
        assert_eq!(
            apply(
                &mut device,
                &[Report::Card {
                    number: "123".into()
                }]
            ),
            vec![E::CardPresented {
                port: 1,
                number: "123".into()
            }]
        );
    }
}
