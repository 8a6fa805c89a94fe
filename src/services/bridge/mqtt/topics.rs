//! Tasmota's MQTT conventions, without I/O: the messages Postern publishes for
//! each [`Command`], PulseTime's encoding, and the reports read back from
//! `stat/<topic>/…` and `tele/<topic>/…` (see the module above for the scheme).

use crate::services::bridge::Command;
use serde_json::Value;

/// Tasmota drives at most 32 relays (`POWER1` … `POWER32`).
pub const MAX_RELAYS: u8 = 32;
/// The longest pulse Tasmota times: `PulseTime 64900` = 64 800 s (18 h).
pub const MAX_PULSE_SECONDS: u32 = 64_800;

/// Tasmota's `PulseTime` value for a pulse of `seconds`: 1..=111 count tenths
/// of a second, 112 and more count seconds plus 100. Zero would mean "no
/// pulse" (the relay would stay energised), so it is refused.
pub fn pulse_time(seconds: u32) -> Result<u32, String> {
    match seconds {
        0 => Err("A pulse lasts at least 1 second.".into()),
        1..=11 => Ok(seconds * 10),
        12..=MAX_PULSE_SECONDS => Ok(seconds + 100),
        _ => Err(format!(
            "A Tasmota relay pulses for at most {MAX_PULSE_SECONDS} seconds."
        )),
    }
}

/// The pulse a `PulseTime` value stands for, in milliseconds (0 = none).
pub fn pulse_millis(value: u32) -> u64 {
    match value {
        0 => 0,
        1..=111 => u64::from(value) * 100,
        _ => u64::from(value - 100) * 1000,
    }
}

/// What acknowledges a command: a report of the relay in the given state, or
/// (lockdown) every known relay reported off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    Relay(u8, bool),
    AllOff,
}

/// The messages (topic, payload) that carry out a command, in order, and
/// what acknowledges them.
pub type Publications = (Vec<(String, String)>, Option<Ack>);

/// What the device reported, from one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Report {
    /// `tele/<topic>/LWT`: `Online` or `Offline` (the broker's last will).
    Lwt { online: bool },
    /// Relay states (`POWER<N>` topics, or `POWER<N>` keys of a JSON report).
    Relays(Vec<(u8, bool)>),
    /// A switch input's state, `Switch<N>` ([`SwitchState::Toggle`] from push-button modes).
    Switch { switch: u8, state: SwitchState },
    /// A card at the reader (`Wiegand`, `PN532`, `RC522` or `RDM6300` `UID`).
    Card { number: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwitchState {
    On,
    Off,
    Toggle,
}

/// What a Tasmota `Switch<N>` input is wired to (the plan in the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputRole {
    /// `Switch1` … `Switch8`: the door contact of door 1 … 8 (ON = open).
    DoorSensor(u8),
    /// `Switch9` … `Switch16`: the request-to-exit button of door 1 … 8 (ON = pressed).
    RequestToExit(u8),
    /// `Switch17`: the enclosure's tamper switch (ON = enclosure open).
    Tamper,
    /// `Switch18`: the lock power supply's AC-fail output (ON = power lost).
    PowerFail,
}

impl InputRole {
    pub fn of(switch: u8) -> Option<InputRole> {
        match switch {
            1..=8 => Some(InputRole::DoorSensor(switch)),
            9..=16 => Some(InputRole::RequestToExit(switch - 8)),
            17 => Some(InputRole::Tamper),
            18 => Some(InputRole::PowerFail),
            _ => None,
        }
    }
}

/// One device's topics.
#[derive(Clone, Debug)]
pub struct Topics {
    topic: String,
}

impl Topics {
    pub fn new(topic: &str) -> Topics {
        Topics {
            topic: topic.to_owned(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// `cmnd/<topic>/<command>`.
    pub fn command(&self, command: &str) -> String {
        format!("cmnd/{}/{command}", self.topic)
    }

    /// What Postern subscribes to: `stat/<topic>/+` and `tele/<topic>/+`.
    pub fn subscriptions(&self) -> [String; 2] {
        [
            format!("stat/{}/+", self.topic),
            format!("tele/{}/+", self.topic),
        ]
    }

    /// The messages that carry out `command`, in order, and what acknowledges
    /// them (`None`: nothing to send, e.g. lockdown off).
    pub fn publications(&self, command: &Command) -> Result<Publications, String> {
        let relay_number = |relay: u8| {
            if (1..=MAX_RELAYS).contains(&relay) {
                Ok(relay)
            } else {
                Err(format!(
                    "Relay {relay} does not exist: Tasmota numbers relays from 1 to {MAX_RELAYS}."
                ))
            }
        };
        Ok(match *command {
            Command::Pulse { relay, seconds } => {
                let relay = relay_number(relay)?;
                let value = pulse_time(seconds)?;
                (
                    vec![
                        (
                            self.command(&format!("PulseTime{relay}")),
                            value.to_string(),
                        ),
                        (self.command(&format!("POWER{relay}")), "ON".into()),
                    ],
                    Some(Ack::Relay(relay, true)),
                )
            }
            Command::Hold { relay } => {
                let relay = relay_number(relay)?;
                (
                    vec![
                        (self.command(&format!("PulseTime{relay}")), "0".into()),
                        (self.command(&format!("POWER{relay}")), "ON".into()),
                    ],
                    Some(Ack::Relay(relay, true)),
                )
            }
            Command::Release { relay } => {
                let relay = relay_number(relay)?;
                (
                    vec![(self.command(&format!("POWER{relay}")), "OFF".into())],
                    Some(Ack::Relay(relay, false)),
                )
            }
            // POWER0 switches every relay at once.
            Command::Lockdown { on: true } => (
                vec![(self.command("POWER0"), "OFF".into())],
                Some(Ack::AllOff),
            ),
            Command::Lockdown { on: false } => (Vec::new(), None),
        })
    }

    /// Reads one message from the device; anything else gives no report.
    pub fn parse(&self, topic: &str, payload: &[u8]) -> Vec<Report> {
        let Some((prefix, rest)) = topic.split_once('/') else {
            return Vec::new();
        };
        let Some(suffix) = rest
            .strip_prefix(self.topic.as_str())
            .and_then(|s| s.strip_prefix('/'))
        else {
            return Vec::new();
        };
        let text = String::from_utf8_lossy(payload);
        let text = text.trim();
        match (prefix, suffix) {
            ("tele", "LWT") => match text {
                "Online" => vec![Report::Lwt { online: true }],
                "Offline" => vec![Report::Lwt { online: false }],
                _ => Vec::new(),
            },
            ("stat", "RESULT") | ("tele", "STATE") | ("tele", "SENSOR") => {
                match serde_json::from_str(text) {
                    Ok(Value::Object(fields)) => json_reports(&fields),
                    _ => Vec::new(),
                }
            }
            ("stat", name) => match (relay_key(name), on_off(text)) {
                (Some(relay), Some(on)) => vec![Report::Relays(vec![(relay, on)])],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}

fn json_reports(fields: &serde_json::Map<String, Value>) -> Vec<Report> {
    let mut reports = Vec::new();
    let mut relays = Vec::new();
    for (key, value) in fields {
        if let (Some(relay), Some(on)) = (relay_key(key), value.as_str().and_then(on_off)) {
            relays.push((relay, on));
        } else if let Some(switch) = numbered(key, "Switch") {
            // {"Switch1":{"Action":"ON"}} (SetOption114) or {"Switch1":"ON"} (telemetry).
            let state = value
                .get("Action")
                .unwrap_or(value)
                .as_str()
                .and_then(switch_state);
            if let Some(state) = state {
                reports.push(Report::Switch { switch, state });
            }
        } else if matches!(key.as_str(), "Wiegand" | "PN532" | "RC522" | "RDM6300") {
            let number = match value.get("UID") {
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                _ => None,
            };
            if let Some(number) = number {
                reports.push(Report::Card { number });
            }
        }
    }
    if !relays.is_empty() {
        relays.sort_unstable();
        reports.insert(0, Report::Relays(relays));
    }
    reports
}

/// `POWER` (relay 1) or `POWER<N>`, case-insensitive as Tasmota is.
fn relay_key(name: &str) -> Option<u8> {
    if name.eq_ignore_ascii_case("POWER") {
        return Some(1);
    }
    numbered(name, "POWER")
}

/// `<prefix><N>` with N from 1 to 32.
fn numbered(name: &str, prefix: &str) -> Option<u8> {
    let head = name.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let digits = &name[prefix.len()..];
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=MAX_RELAYS).contains(n))
}

fn on_off(text: &str) -> Option<bool> {
    match switch_state(text)? {
        SwitchState::On => Some(true),
        SwitchState::Off => Some(false),
        SwitchState::Toggle => None,
    }
}

fn switch_state(text: &str) -> Option<SwitchState> {
    match text.to_ascii_uppercase().as_str() {
        "ON" | "1" => Some(SwitchState::On),
        "OFF" | "0" => Some(SwitchState::Off),
        "TOGGLE" => Some(SwitchState::Toggle),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulse_time_follows_tasmota() {
        assert_eq!(pulse_time(1), Ok(10));
        assert_eq!(pulse_time(5), Ok(50));
        assert_eq!(pulse_time(11), Ok(110), "the last value counted in tenths");
        assert_eq!(pulse_time(12), Ok(112), "112 and up count seconds + 100");
        assert_eq!(pulse_time(300), Ok(400));
        assert_eq!(pulse_time(MAX_PULSE_SECONDS), Ok(64_900));
        assert!(
            pulse_time(0).is_err(),
            "PulseTime 0 would leave the door unlocked"
        );
        assert!(pulse_time(MAX_PULSE_SECONDS + 1).is_err());
        for seconds in [1, 2, 7, 11, 12, 13, 60, 3600, MAX_PULSE_SECONDS] {
            assert_eq!(
                pulse_millis(pulse_time(seconds).unwrap()),
                u64::from(seconds) * 1000,
                "{seconds} s"
            );
        }
        assert_eq!(pulse_millis(0), 0);
        assert_eq!(pulse_millis(111), 11_100);
        assert_eq!(pulse_millis(112), 12_000);
    }

    #[test]
    fn commands_become_tasmota_messages() {
        let t = Topics::new("office/front");
        let pair = |topic: &str, payload: &str| (topic.to_owned(), payload.to_owned());
        assert_eq!(
            t.publications(&Command::Pulse {
                relay: 2,
                seconds: 5
            }),
            Ok((
                vec![
                    pair("cmnd/office/front/PulseTime2", "50"),
                    pair("cmnd/office/front/POWER2", "ON")
                ],
                Some(Ack::Relay(2, true))
            ))
        );
        assert_eq!(
            t.publications(&Command::Hold { relay: 1 }),
            Ok((
                vec![
                    pair("cmnd/office/front/PulseTime1", "0"),
                    pair("cmnd/office/front/POWER1", "ON")
                ],
                Some(Ack::Relay(1, true))
            ))
        );
        assert_eq!(
            t.publications(&Command::Release { relay: 1 }),
            Ok((
                vec![pair("cmnd/office/front/POWER1", "OFF")],
                Some(Ack::Relay(1, false))
            ))
        );
        assert_eq!(
            t.publications(&Command::Lockdown { on: true }),
            Ok((
                vec![pair("cmnd/office/front/POWER0", "OFF")],
                Some(Ack::AllOff)
            ))
        );
        assert_eq!(
            t.publications(&Command::Lockdown { on: false }),
            Ok((Vec::new(), None))
        );
        assert!(t
            .publications(&Command::Pulse {
                relay: 0,
                seconds: 5
            })
            .unwrap_err()
            .contains("Relay 0"));
        assert!(t.publications(&Command::Hold { relay: 33 }).is_err());
        assert!(t
            .publications(&Command::Pulse {
                relay: 1,
                seconds: 0
            })
            .is_err());
    }

    #[test]
    fn relay_reports() {
        let t = Topics::new("door");
        assert_eq!(
            t.parse("stat/door/POWER1", b"ON"),
            vec![Report::Relays(vec![(1, true)])]
        );
        assert_eq!(
            t.parse("stat/door/POWER", b"OFF"),
            vec![Report::Relays(vec![(1, false)])]
        );
        assert_eq!(
            t.parse("stat/door/POWER4", b"off"),
            vec![Report::Relays(vec![(4, false)])]
        );
        assert_eq!(
            t.parse("stat/door/RESULT", br#"{"POWER2":"ON","POWER1":"OFF"}"#),
            vec![Report::Relays(vec![(1, false), (2, true)])]
        );
        assert_eq!(
            t.parse(
                "tele/door/STATE",
                br#"{"Time":"2024-05-01T10:00:00","Uptime":"0T01:00:00","POWER1":"ON"}"#
            ),
            vec![Report::Relays(vec![(1, true)])]
        );
        // Not relays: other commands' answers, out-of-range numbers, other devices.
        assert_eq!(
            t.parse(
                "stat/door/RESULT",
                br#"{"PulseTime1":{"Set":50,"Remaining":0}}"#
            ),
            vec![]
        );
        assert_eq!(t.parse("stat/door/POWER0", b"ON"), vec![]);
        assert_eq!(t.parse("stat/door/POWER33", b"ON"), vec![]);
        assert_eq!(t.parse("stat/door/POWER01", b"ON"), vec![]);
        assert_eq!(t.parse("stat/door2/POWER1", b"ON"), vec![]);
        assert_eq!(t.parse("stat/doorbell/POWER1", b"ON"), vec![]);
        assert_eq!(t.parse("cmnd/door/POWER1", b"ON"), vec![]);
        assert_eq!(t.parse("stat/door/RESULT", b"not json"), vec![]);
    }

    #[test]
    fn liveness() {
        let t = Topics::new("a/b");
        assert_eq!(
            t.parse("tele/a/b/LWT", b"Online"),
            vec![Report::Lwt { online: true }]
        );
        assert_eq!(
            t.parse("tele/a/b/LWT", b"Offline"),
            vec![Report::Lwt { online: false }]
        );
        assert_eq!(t.parse("tele/a/b/LWT", b"maybe"), vec![]);
        assert_eq!(
            t.subscriptions(),
            ["stat/a/b/+".to_owned(), "tele/a/b/+".to_owned()]
        );
    }

    #[test]
    fn switches_and_cards() {
        let t = Topics::new("door");
        assert_eq!(
            t.parse("stat/door/RESULT", br#"{"Switch1":{"Action":"ON"}}"#),
            vec![Report::Switch {
                switch: 1,
                state: SwitchState::On
            }]
        );
        assert_eq!(
            t.parse("stat/door/RESULT", br#"{"Switch9":{"Action":"TOGGLE"}}"#),
            vec![Report::Switch {
                switch: 9,
                state: SwitchState::Toggle
            }]
        );
        assert_eq!(
            t.parse(
                "tele/door/SENSOR",
                br#"{"Time":"2024-05-01T10:00:00","Switch1":"OFF","Switch18":"ON"}"#
            ),
            vec![
                Report::Switch {
                    switch: 1,
                    state: SwitchState::Off
                },
                Report::Switch {
                    switch: 18,
                    state: SwitchState::On
                }
            ]
        );
        assert_eq!(
            t.parse(
                "tele/door/SENSOR",
                br#"{"Time":"2024-05-01T10:00:00","Wiegand":{"UID":4660809,"Size":26}}"#
            ),
            vec![Report::Card {
                number: "4660809".into()
            }]
        );
        assert_eq!(
            t.parse(
                "tele/door/SENSOR",
                br#"{"Wiegand":{"UID":"4720F9h","Size":26}}"#
            ),
            vec![Report::Card {
                number: "4720F9h".into()
            }]
        );
        assert_eq!(
            t.parse("tele/door/SENSOR", br#"{"PN532":{"UID":"94D8FC5F"}}"#),
            vec![Report::Card {
                number: "94D8FC5F".into()
            }]
        );
        assert_eq!(
            t.parse("tele/door/SENSOR", br#"{"Wiegand":{"UID":""}}"#),
            vec![]
        );
        assert_eq!(
            t.parse(
                "tele/door/SENSOR",
                br#"{"Switch0":"ON","Switch1":{"Action":"HOLD"}}"#
            ),
            vec![]
        );
    }

    #[test]
    fn input_plan() {
        assert_eq!(InputRole::of(1), Some(InputRole::DoorSensor(1)));
        assert_eq!(InputRole::of(8), Some(InputRole::DoorSensor(8)));
        assert_eq!(InputRole::of(9), Some(InputRole::RequestToExit(1)));
        assert_eq!(InputRole::of(16), Some(InputRole::RequestToExit(8)));
        assert_eq!(InputRole::of(17), Some(InputRole::Tamper));
        assert_eq!(InputRole::of(18), Some(InputRole::PowerFail));
        assert_eq!(InputRole::of(19), None);
        assert_eq!(InputRole::of(0), None);
    }
}
