//! A point on Earth.

use super::{Latitude, Longitude};
use serde::{Deserialize, Serialize};

/// Mean Earth radius in meters, used for distances.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A latitude/longitude pair.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    /// Degrees north.
    pub latitude: Latitude,
    /// Degrees east.
    pub longitude: Longitude,
}

impl Coordinates {
    /// Great-circle distance to `other` in meters (haversine formula).
    pub fn distance_m(&self, other: &Coordinates) -> f64 {
        let lat1 = self.latitude.value().to_radians();
        let lat2 = other.latitude.value().to_radians();
        let d_lat = lat2 - lat1;
        let d_lon = (other.longitude.value() - self.longitude.value()).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> Coordinates {
        Coordinates {
            latitude: Latitude::parse_f64(lat).unwrap(),
            longitude: Longitude::parse_f64(lon).unwrap(),
        }
    }

    #[test]
    fn paris_to_london() {
        let paris = at(48.8566, 2.3522);
        let london = at(51.5074, -0.1278);
        let d = paris.distance_m(&london);
        assert!((d - 343_500.0).abs() < 1_000.0, "{d}");
        assert!((london.distance_m(&paris) - d).abs() < 1e-6);
    }

    #[test]
    fn same_point_is_zero() {
        let p = at(40.7128, -74.006);
        assert_eq!(p.distance_m(&p), 0.0);
    }

    #[test]
    fn antipodes_are_half_the_circumference() {
        let d = at(0.0, 0.0).distance_m(&at(0.0, 180.0));
        assert!((d - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0);
    }

    #[test]
    fn across_the_date_line_is_short() {
        let d = at(0.0, 179.9).distance_m(&at(0.0, -179.9));
        assert!(d < 25_000.0, "{d}");
    }
}
