//! The form adding or changing a place's holiday.

use super::input::{date_text, parse_date};
use super::Holiday;
use crate::field_error::FieldErrors;
use crate::model::checked;
use crate::types::Name;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A holiday as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayForm {
    pub name: String,
    /// `<input type=date>` text.
    pub date: String,
    #[serde(default)]
    pub yearly: Option<String>,
    #[serde(default)]
    pub suppress_time_restrictions: Option<String>,
}

/// A holiday that passed validation, without its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidHoliday {
    pub name: Name,
    pub date: Date,
    pub yearly: bool,
    pub suppress_time_restrictions: bool,
}

impl ValidHoliday {
    /// The holiday stored under `id`.
    pub fn into_holiday(self, id: i64) -> Holiday {
        Holiday {
            id,
            name: self.name.into_inner(),
            date: self.date,
            yearly: self.yearly,
            suppress_time_restrictions: self.suppress_time_restrictions,
        }
    }
}

impl HolidayForm {
    /// Checks every field.
    pub fn validate(&self) -> Result<ValidHoliday, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", Name::parse(&self.name));
        let date = if self.date.trim().is_empty() {
            e.push("date", "Enter the holiday's date.");
            None
        } else {
            e.check("date", parse_date(&self.date))
        };
        e.into_result()?;
        let (Some(name), Some(date)) = (name, date) else {
            return Err(FieldErrors::new());
        };
        Ok(ValidHoliday {
            name,
            date,
            yearly: checked(&self.yearly),
            suppress_time_restrictions: checked(&self.suppress_time_restrictions),
        })
    }
}

impl From<&Holiday> for HolidayForm {
    fn from(holiday: &Holiday) -> Self {
        let flag = |on: bool| on.then(|| "on".to_string());
        HolidayForm {
            name: holiday.name.clone(),
            date: date_text(holiday.date),
            yearly: flag(holiday.yearly),
            suppress_time_restrictions: flag(holiday.suppress_time_restrictions),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_yearly_holiday() {
        let form = HolidayForm {
            name: " Christmas Day ".into(),
            date: "2026-12-25".into(),
            yearly: Some("on".into()),
            suppress_time_restrictions: None,
        };
        let holiday = form.validate().unwrap().into_holiday(4);
        assert_eq!(holiday.name, "Christmas Day");
        assert_eq!(holiday.date, date(2026, 12, 25));
        assert!(holiday.yearly && !holiday.suppress_time_restrictions);
        assert_eq!(
            HolidayForm::from(&holiday),
            HolidayForm {
                name: "Christmas Day".into(),
                ..form
            }
        );
    }

    #[test]
    fn nonsense_gets_a_message_per_field() {
        let e = HolidayForm {
            name: "".into(),
            date: "25/12".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("name"), Some("Enter a name."));
        assert_eq!(e.get("date"), Some("Enter a date like 2026-12-24."));
        let e = HolidayForm {
            name: "Leap".into(),
            date: "2027-02-29".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            e.get("date"),
            Some("There is no 2027-02-29 on the calendar.")
        );
        let e = HolidayForm {
            name: "Blank".into(),
            date: " ".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("date"), Some("Enter the holiday's date."));
    }
}
