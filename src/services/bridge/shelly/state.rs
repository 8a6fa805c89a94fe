//! What the poller last saw of the device, and the [`ControllerEvent`]s a
//! new look (or a failed one) gives. Pure: no I/O, unit-tested.

use super::super::ControllerEvent;
use serde_json::Value;
use std::collections::BTreeMap;

/// Inputs `0..DOOR_SENSORS` are door sensors; the next ones request-to-exit buttons.
pub const DOOR_SENSORS: u8 = 4;

/// One answer to `Shelly.GetStatus`: switch outputs and input states by
/// the device's component id (from 0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub switches: BTreeMap<u8, bool>,
    pub inputs: BTreeMap<u8, bool>,
}

impl Snapshot {
    /// Reads `{"switch:0": {"output": true, …}, "input:0": {"state": false}, …}`.
    /// Inputs configured as buttons report `"state": null` and are left out.
    pub fn from_status(status: &Value) -> Snapshot {
        let mut snapshot = Snapshot::default();
        let Some(components) = status.as_object() else { return snapshot };
        for (key, value) in components {
            let Some((kind, id)) = key.split_once(':') else { continue };
            let Ok(id) = id.parse::<u8>() else { continue };
            match kind {
                "switch" => {
                    if let Some(on) = value.get("output").and_then(Value::as_bool) {
                        snapshot.switches.insert(id, on);
                    }
                }
                "input" => {
                    if let Some(state) = value.get("state").and_then(Value::as_bool) {
                        snapshot.inputs.insert(id, state);
                    }
                }
                _ => {}
            }
        }
        snapshot
    }
}

/// What the bridge believes about the device.
#[derive(Debug, Default)]
pub struct Observed {
    /// `None` until the first poll decided.
    online: Option<bool>,
    failures: u32,
    switches: BTreeMap<u8, bool>,
    inputs: BTreeMap<u8, bool>,
    /// Bumped by every command that changed a switch, so a poll that was
    /// under way meanwhile does not report the older state.
    generation: u64,
}

impl Observed {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The device answered a poll begun at `generation`.
    pub fn answered(&mut self, snapshot: &Snapshot, generation: u64) -> Vec<ControllerEvent> {
        let mut events = Vec::new();
        self.failures = 0;
        if self.online != Some(true) {
            self.online = Some(true);
            self.switches.clear();
            self.inputs.clear();
            events.push(ControllerEvent::Online);
        }
        if generation == self.generation {
            for (&id, &on) in &snapshot.switches {
                events.extend(self.switch_is(id, on));
            }
        }
        for (&id, &state) in &snapshot.inputs {
            let before = self.inputs.insert(id, state);
            if before == Some(state) {
                continue;
            }
            if id < DOOR_SENSORS {
                events.push(ControllerEvent::DoorSensor { input: id + 1, open: state });
            } else if id < 2 * DOOR_SENSORS && state && before == Some(false) {
                events.push(ControllerEvent::RequestToExit { input: id - DOOR_SENSORS + 1 });
            }
        }
        events
    }

    /// A poll failed; the device is declared offline after `offline_after` in a row.
    pub fn failed(&mut self, offline_after: u32) -> Vec<ControllerEvent> {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= offline_after.max(1) && self.online != Some(false) {
            self.online = Some(false);
            self.switches.clear();
            self.inputs.clear();
            return vec![ControllerEvent::Offline];
        }
        Vec::new()
    }

    /// The device acknowledged setting switch `id` to `on`.
    pub fn commanded(&mut self, id: u8, on: bool) -> Vec<ControllerEvent> {
        self.generation += 1;
        if self.online == Some(true) {
            self.switch_is(id, on).into_iter().collect()
        } else {
            Vec::new()
        }
    }

    fn switch_is(&mut self, id: u8, on: bool) -> Option<ControllerEvent> {
        let before = self.switches.insert(id, on);
        (before != Some(on)).then_some(ControllerEvent::Relay { relay: id + 1, energized: on })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use ControllerEvent::*;

    const NONE: [ControllerEvent; 0] = [];

    fn snapshot(switches: &[bool], inputs: &[bool]) -> Snapshot {
        Snapshot {
            switches: switches.iter().enumerate().map(|(i, &on)| (i as u8, on)).collect(),
            inputs: inputs.iter().enumerate().map(|(i, &on)| (i as u8, on)).collect(),
        }
    }

    #[test]
    fn reads_shelly_get_status() {
        let status = json!({
            "sys": {"uptime": 10},
            "switch:0": {"id": 0, "output": true, "source": "HTTP"},
            "switch:1": {"id": 1, "output": false},
            "input:0": {"id": 0, "state": true},
            "input:4": {"id": 4, "state": false},
            "input:5": {"id": 5, "state": null},
            "cover:0": {"id": 0}
        });
        let read = Snapshot::from_status(&status);
        assert_eq!(read.switches, BTreeMap::from([(0, true), (1, false)]));
        assert_eq!(read.inputs, BTreeMap::from([(0, true), (4, false)]));
        assert_eq!(Snapshot::from_status(&json!(null)), Snapshot::default());
    }

    #[test]
    fn first_answer_reports_online_and_everything_then_only_changes() {
        let mut observed = Observed::default();
        let events = observed.answered(&snapshot(&[false, true], &[false]), 0);
        assert_eq!(
            events,
            [Online, Relay { relay: 1, energized: false }, Relay { relay: 2, energized: true }, DoorSensor { input: 1, open: false }]
        );
        assert_eq!(observed.answered(&snapshot(&[false, true], &[false]), 0), NONE);
        assert_eq!(
            observed.answered(&snapshot(&[true, true], &[true]), 0),
            [Relay { relay: 1, energized: true }, DoorSensor { input: 1, open: true }]
        );
    }

    #[test]
    fn offline_after_n_failures_and_full_state_when_back() {
        let mut observed = Observed::default();
        observed.answered(&snapshot(&[false], &[false]), 0);
        assert_eq!(observed.failed(3), NONE);
        assert_eq!(observed.failed(3), NONE);
        assert_eq!(observed.failed(3), [Offline]);
        assert_eq!(observed.failed(3), NONE, "offline once");
        assert_eq!(
            observed.answered(&snapshot(&[false], &[false]), 0),
            [Online, Relay { relay: 1, energized: false }, DoorSensor { input: 1, open: false }]
        );
        // A device that never answered is reported offline too.
        assert_eq!(Observed::default().failed(1), [Offline]);
    }

    #[test]
    fn request_to_exit_on_a_press_only() {
        let mut observed = Observed::default();
        let inputs = |rte: bool| snapshot(&[], &[false, false, false, false, rte]);
        assert_eq!(observed.answered(&inputs(true), 0).len(), 5, "online + 4 sensors; a button already down is no press");
        assert_eq!(observed.answered(&inputs(false), 0), NONE);
        assert_eq!(observed.answered(&inputs(true), 0), [RequestToExit { input: 1 }]);
        assert_eq!(observed.answered(&inputs(true), 0), NONE);
    }

    #[test]
    fn commands_report_at_once_and_stale_polls_are_ignored() {
        let mut observed = Observed::default();
        assert_eq!(observed.commanded(0, true), NONE, "nothing reported before the device is known online");
        observed.answered(&snapshot(&[false], &[]), observed.generation());
        let before = observed.generation();
        assert_eq!(observed.commanded(0, true), [Relay { relay: 1, energized: true }]);
        assert_eq!(observed.answered(&snapshot(&[false], &[]), before), NONE, "a poll begun before the command is stale");
        assert_eq!(observed.answered(&snapshot(&[false], &[]), observed.generation()), [Relay { relay: 1, energized: false }]);
    }
}
