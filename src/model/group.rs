use super::checked;
use crate::access::WeeklySchedule;
use crate::field_error::FieldErrors;
use crate::types::{Description, Name, Timestamp, TimeZoneName};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
    pub geofence_enabled: bool,
    pub reader_restriction: bool,
    pub time_restriction: bool,
    /// Weekly windows as text, one per line.
    pub time_windows: String,
    pub primary_device_required: bool,
    pub member_count: i64,
    pub door_count: i64,
    /// The place the group belongs to (`None`: the organization's).
    #[serde(default)]
    pub place_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDoor {
    pub door_id: i64,
    pub name: String,
    pub place_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `datetime-local` text, interpreted in UTC unless a zone is given.
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    /// The viewer's time zone, for the validity dates.
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub geofence_enabled: Option<String>,
    #[serde(default)]
    pub reader_restriction: Option<String>,
    #[serde(default)]
    pub time_restriction: Option<String>,
    #[serde(default)]
    pub time_windows: String,
    #[serde(default)]
    pub primary_device_required: Option<String>,
    /// The group's place id as text; empty = the organization's.
    #[serde(default)]
    pub place_id: String,
}

pub struct ValidGroup {
    pub name: Name,
    pub description: Description,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub geofence_enabled: bool,
    pub reader_restriction: bool,
    pub time_restriction: bool,
    pub time_windows: WeeklySchedule,
    pub primary_device_required: bool,
    pub place_id: Option<i64>,
}

impl GroupForm {
    pub fn validate(&self) -> Result<ValidGroup, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", Name::parse(&self.name));
        let description = e.check("description", Description::parse(&self.description));
        let validity = super::validity_fields(&mut e, &self.time_zone, &self.valid_from, &self.valid_until);
        let place_id = match self.place_id.trim() {
            "" => Some(None),
            text => e.check("place_id", text.parse::<i64>().ok().filter(|id| *id > 0).map(Some).ok_or_else(|| "Pick a place from the list.".to_owned())),
        };
        let time_restriction = checked(&self.time_restriction);
        let time_windows = e.check("time_windows", WeeklySchedule::parse_text(&self.time_windows));
        if time_restriction && time_windows.as_ref().is_some_and(|w| w.windows.is_empty()) {
            e.push("time_windows", "Add at least one window, like “Mon-Fri 08:00-18:00”, or turn the time restriction off.");
        }
        e.into_result()?;
        let (Some(name), Some(description), Some((valid_from, valid_until)), Some(time_windows), Some(place_id)) =
            (name, description, validity, time_windows, place_id)
        else {
            return Err(FieldErrors::new());
        };
        Ok(ValidGroup {
            name,
            description,
            valid_from,
            valid_until,
            geofence_enabled: checked(&self.geofence_enabled),
            reader_restriction: checked(&self.reader_restriction),
            time_restriction,
            time_windows,
            primary_device_required: checked(&self.primary_device_required),
            place_id,
        })
    }

    pub fn from_group(group: &Group, zone: &TimeZoneName) -> Self {
        let local = |v: Option<i64>| {
            v.map(|ms| Timestamp::from_millis(ms).to_datetime_local(zone)).unwrap_or_default()
        };
        let flag = |b: bool| b.then(|| "on".to_owned());
        GroupForm {
            name: group.name.clone(),
            description: group.description.clone(),
            valid_from: local(group.valid_from),
            valid_until: local(group.valid_until),
            time_zone: zone.as_str().to_owned(),
            geofence_enabled: flag(group.geofence_enabled),
            reader_restriction: flag(group.reader_restriction),
            time_restriction: flag(group.time_restriction),
            time_windows: group.time_windows.clone(),
            primary_device_required: flag(group.primary_device_required),
            place_id: group.place_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_dates_mean_always_valid() {
        let form = GroupForm { name: "Staff".into(), ..Default::default() };
        let group = form.validate().unwrap();
        assert!(group.valid_from.is_none() && group.valid_until.is_none());
    }

    #[test]
    fn dates_are_read_in_the_given_zone() {
        let form = GroupForm {
            name: "Staff".into(),
            valid_from: "2026-01-01T00:00".into(),
            time_zone: "Europe/Berlin".into(),
            ..Default::default()
        };
        let from = form.validate().unwrap().valid_from.unwrap();
        assert_eq!(from.to_rfc3339(), "2025-12-31T23:00:00Z");
    }

    #[test]
    fn a_place_is_an_id_from_the_list_or_blank() {
        let with = |place: &str| GroupForm { name: "Staff".into(), place_id: place.into(), ..Default::default() }.validate();
        assert_eq!(with("").unwrap().place_id, None, "blank: the whole organization");
        assert_eq!(with(" 7 ").unwrap().place_id, Some(7));
        for nonsense in ["abc", "0", "-3", "1e3"] {
            let errors = with(nonsense).err().unwrap_or_else(|| panic!("{nonsense:?} is refused"));
            assert_eq!(errors.get("place_id"), Some("Pick a place from the list."), "{nonsense:?}");
        }
    }

    #[test]
    fn until_before_from_is_refused() {
        let form = GroupForm {
            name: "Staff".into(),
            valid_from: "2026-02-01T00:00".into(),
            valid_until: "2026-01-01T00:00".into(),
            ..Default::default()
        };
        assert!(form.validate().err().unwrap().get("valid_until").is_some());
    }
}
