//! A set of days of the week.

use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which days of the week, Monday (0) to Sunday (6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Weekdays([bool; 7]);

impl Weekdays {
    /// No day.
    pub const NONE: Weekdays = Weekdays([false; 7]);
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: Weekdays = Weekdays([true, true, true, true, true, false, false]);
    /// Saturday and Sunday.
    pub const WEEKEND: Weekdays = Weekdays([false, false, false, false, false, true, true]);
    /// Every day.
    pub const EVERY_DAY: Weekdays = Weekdays([true; 7]);
    /// Short names, Monday first; also the form's checkbox names.
    pub const SHORT: [&'static str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    /// From one flag per day, Monday first.
    pub const fn from_flags(flags: [bool; 7]) -> Weekdays {
        Weekdays(flags)
    }

    /// One flag per day, Monday first.
    pub fn flags(&self) -> [bool; 7] {
        self.0
    }

    /// This set and `day`.
    pub fn with(mut self, day: Weekday) -> Weekdays {
        self.0[day.to_monday_zero_offset() as usize] = true;
        self
    }

    /// Whether `day` is in the set.
    pub fn contains(&self, day: Weekday) -> bool {
        self.0[day.to_monday_zero_offset() as usize]
    }

    /// Whether no day is in the set.
    pub fn is_empty(&self) -> bool {
        !self.0.contains(&true)
    }
}

/// Like "Mon–Fri, Sun"; runs of three days or more are shortened.
impl fmt::Display for Weekdays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no day");
        }
        let mut parts = Vec::new();
        let mut day = 0;
        while day < 7 {
            if !self.0[day] {
                day += 1;
                continue;
            }
            let first = day;
            while day + 1 < 7 && self.0[day + 1] {
                day += 1;
            }
            match day - first {
                0 => parts.push(Self::SHORT[first].to_string()),
                1 => parts.extend([Self::SHORT[first].to_string(), Self::SHORT[day].to_string()]),
                _ => parts.push(format!("{}–{}", Self::SHORT[first], Self::SHORT[day])),
            }
            day += 1;
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_the_days_set() {
        let days = Weekdays::NONE.with(Weekday::Monday).with(Weekday::Sunday);
        assert!(days.contains(Weekday::Monday));
        assert!(days.contains(Weekday::Sunday));
        assert!(!days.contains(Weekday::Tuesday));
        assert!(!days.is_empty());
        assert!(Weekdays::NONE.is_empty());
        assert_eq!(
            days.flags(),
            [true, false, false, false, false, false, true]
        );
    }

    #[test]
    fn displays_runs_shortly() {
        assert_eq!(Weekdays::MONDAY_TO_FRIDAY.to_string(), "Mon–Fri");
        assert_eq!(Weekdays::EVERY_DAY.to_string(), "Mon–Sun");
        assert_eq!(Weekdays::WEEKEND.to_string(), "Sat, Sun");
        let odd = Weekdays::from_flags([true, false, true, true, true, false, true]);
        assert_eq!(odd.to_string(), "Mon, Wed–Fri, Sun");
        assert_eq!(Weekdays::NONE.to_string(), "no day");
    }
}
