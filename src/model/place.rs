use crate::field_error::FieldErrors;
use crate::types::{Latitude, Longitude, Name, Radius, TimeZoneName};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    pub geofence_radius_m: u32,
    pub door_count: i64,
    pub locked_down_at: Option<i64>,
    pub locked_down_by: Option<String>,
    /// Kisi's `description` (set through the API).
    #[serde(default)]
    pub description: String,
}

/// A place as typed into the form: every field is text until validated.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaceForm {
    pub name: String,
    #[serde(default)]
    pub address: String,
    pub latitude: String,
    pub longitude: String,
    pub time_zone: String,
    #[serde(default)]
    pub geofence_radius_m: String,
}

pub struct ValidPlace {
    pub name: Name,
    pub address: String,
    pub latitude: Latitude,
    pub longitude: Longitude,
    pub time_zone: TimeZoneName,
    pub geofence_radius: Radius,
}

impl PlaceForm {
    pub fn validate(&self) -> Result<ValidPlace, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", Name::parse(&self.name));
        let address = self.address.trim().to_owned();
        if address.chars().count() > 300 {
            errors.push("address", "Use at most 300 characters.");
        }
        let latitude = errors.check("latitude", Latitude::parse(&self.latitude));
        let longitude = errors.check("longitude", Longitude::parse(&self.longitude));
        let time_zone = errors.check("time_zone", TimeZoneName::parse(&self.time_zone));
        let radius_text = self.geofence_radius_m.trim();
        let geofence_radius = if radius_text.is_empty() {
            Some(Radius::DEFAULT)
        } else {
            errors.check("geofence_radius_m", Radius::parse(radius_text))
        };
        errors.into_result()?;
        match (name, latitude, longitude, time_zone, geofence_radius) {
            (Some(name), Some(latitude), Some(longitude), Some(time_zone), Some(geofence_radius)) => {
                Ok(ValidPlace { name, address, latitude, longitude, time_zone, geofence_radius })
            }
            _ => Err(FieldErrors::new()),
        }
    }
}

impl From<&Place> for PlaceForm {
    fn from(place: &Place) -> Self {
        PlaceForm {
            name: place.name.clone(),
            address: place.address.clone(),
            latitude: place.latitude.to_string(),
            longitude: place.longitude.to_string(),
            time_zone: place.time_zone.clone(),
            geofence_radius_m: place.geofence_radius_m.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PlaceForm {
        PlaceForm {
            name: "HQ".into(),
            address: "1 Main St".into(),
            latitude: "40.7".into(),
            longitude: "-74.0".into(),
            time_zone: "America/New_York".into(),
            geofence_radius_m: "".into(),
        }
    }

    #[test]
    fn valid_form_defaults_radius_to_300() {
        let place = form().validate().unwrap();
        assert_eq!(place.geofence_radius.meters(), 300);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = PlaceForm {
            name: " ".into(),
            latitude: "91".into(),
            longitude: "x".into(),
            time_zone: "Mars/Olympus".into(),
            geofence_radius_m: "0".into(),
            ..form()
        };
        let errors = bad.validate().err().unwrap();
        for field in ["name", "latitude", "longitude", "time_zone", "geofence_radius_m"] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn radius_over_50_km_is_refused() {
        let bad = PlaceForm { geofence_radius_m: "50001".into(), ..form() };
        assert!(bad.validate().is_err());
    }
}
