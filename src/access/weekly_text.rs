//! Weekly windows as an admin types them, one per line:
//! `Mon-Fri 08:00-18:00`, `Sat,Sun 10:00-14:00`, `Every day 22:00-06:00`.

use super::{LocalTime, WeeklySchedule, WeeklyWindow};

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn day_index(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_lowercase();
    let prefix = text.get(..3)?;
    let full_names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    DAY_NAMES
        .iter()
        .position(|d| d.to_ascii_lowercase() == prefix)
        .filter(|i| full_names[*i].starts_with(&text))
}

fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let lower = text.trim().to_ascii_lowercase();
    if lower == "every day" || lower == "daily" {
        return Ok(WeeklyWindow::EVERY_DAY);
    }
    if lower == "weekdays" {
        return Ok(WeeklyWindow::WEEKDAYS);
    }
    let mut days = [false; 7];
    for part in text.split(',') {
        let unknown = || format!("“{}” is not a day. Use Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges like Mon-Fri, or “Every day”.", part.trim());
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from).ok_or_else(unknown)?, day_index(to).ok_or_else(unknown)?);
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day_index(part).ok_or_else(unknown)?] = true,
        }
    }
    Ok(days)
}

fn parse_line(line: &str) -> Result<WeeklyWindow, String> {
    let line = line.trim();
    let (days, hours) = line
        .rsplit_once(' ')
        .ok_or_else(|| format!("“{line}”: write the days, then the hours, like “Mon-Fri 08:00-18:00”."))?;
    let (start, end) = hours
        .split_once('-')
        .ok_or_else(|| format!("“{hours}”: write the hours like 08:00-18:00."))?;
    let start = LocalTime::parse(start).map_err(|e| format!("“{line}”: {e}"))?;
    let end = LocalTime::parse(end).map_err(|e| format!("“{line}”: {e}"))?;
    Ok(WeeklyWindow { days: parse_days(days).map_err(|e| format!("“{line}”: {e}"))?, start, end })
}

impl WeeklySchedule {
    /// Parses one window per line (or separated by `;`); blank lines are skipped.
    pub fn parse_text(text: &str) -> Result<WeeklySchedule, String> {
        let windows = text
            .split(['\n', ';'])
            .filter(|l| !l.trim().is_empty())
            .map(parse_line)
            .collect::<Result<Vec<_>, _>>()?;
        if windows.len() > 50 {
            return Err("Use at most 50 windows.".into());
        }
        Ok(WeeklySchedule { windows })
    }

    /// The windows as text, one per line, as `parse_text` reads them.
    pub fn to_text(&self) -> String {
        self.windows.iter().map(window_text).collect::<Vec<_>>().join("\n")
    }
}

fn window_text(window: &WeeklyWindow) -> String {
    let days = if window.days == WeeklyWindow::EVERY_DAY {
        "Every day".to_owned()
    } else {
        // Runs of consecutive days as ranges: Mon-Fri, Sat,Sun.
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if window.days[i] {
                let start = i;
                while i + 1 < 7 && window.days[i + 1] {
                    i += 1;
                }
                parts.push(match i - start {
                    0 => DAY_NAMES[start].to_owned(),
                    1 => format!("{},{}", DAY_NAMES[start], DAY_NAMES[i]),
                    _ => format!("{}-{}", DAY_NAMES[start], DAY_NAMES[i]),
                });
            }
            i += 1;
        }
        parts.join(",")
    };
    format!("{days} {}-{}", window.start, window.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_ranges_lists_and_midnight_windows() {
        let s = WeeklySchedule::parse_text("Mon-Fri 08:00-12:00\nmon-fri 13:00-18:00; Sat,Sun 22:00-06:00\n\nEvery day 07:00-07:30").unwrap();
        assert_eq!(s.windows.len(), 4);
        assert_eq!(s.windows[0].days, WeeklyWindow::WEEKDAYS);
        assert!(s.windows[2].crosses_midnight());
        assert_eq!(s.windows[2].days, [false, false, false, false, false, true, true]);
        assert_eq!(s.to_text(), "Mon-Fri 08:00-12:00\nMon-Fri 13:00-18:00\nSat,Sun 22:00-06:00\nEvery day 07:00-07:30");
        // Ranges wrap around the week.
        assert_eq!(WeeklySchedule::parse_text("Fri-Mon 10:00-11:00").unwrap().windows[0].days, [true, false, false, false, true, true, true]);
    }

    #[test]
    fn nonsense_is_refused_with_the_line() {
        assert!(WeeklySchedule::parse_text("Funday 08:00-10:00").unwrap_err().contains("Funday"));
        assert!(WeeklySchedule::parse_text("Mon 25:00-26:00").unwrap_err().contains("Mon 25:00-26:00"));
        assert!(WeeklySchedule::parse_text("Mon 0800").is_err());
        assert!(WeeklySchedule::parse_text("").unwrap().windows.is_empty());
    }

    proptest! {
        #[test]
        fn text_round_trips(days in proptest::array::uniform7(any::<bool>()), start in 0u16..1440, end in 0u16..1440) {
            prop_assume!(days.iter().any(|d| *d));
            let window = WeeklyWindow { days, start: LocalTime::from_minutes(start).unwrap(), end: LocalTime::from_minutes(end).unwrap() };
            let schedule = WeeklySchedule { windows: vec![window] };
            prop_assert_eq!(WeeklySchedule::parse_text(&schedule.to_text()).unwrap(), schedule);
        }
    }
}
