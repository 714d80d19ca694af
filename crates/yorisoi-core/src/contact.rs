//! How to reach a place: contacts (phone, mail, web) and locations (addresses).

use crate::ids::{Id, MunicipalityCode};
use crate::schedule::Schedule;

/// One way to reach a resource or organization.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Contact {
    /// Whom to ask for or what the line is (「担当：平岡・谷野」).
    pub name: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// When this line answers, if it differs from the resource's schedule.
    pub hours: Option<Schedule>,
    pub note: Option<String>,
    /// A direct line or name meant for professionals only, hidden from the public.
    pub staff_only: bool,
}

/// A place where a resource meets or an organization sits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// The venue (「東尾久本町通りふれあい館」, 「木場公園」).
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub municipality: Option<MunicipalityCode>,
    pub area: Option<Id>,
    pub online: bool,
    pub note: Option<String>,
    /// Where it is on the map, as its source publishes it.
    #[cfg_attr(feature = "serde", serde(default))]
    pub position: Option<Position>,
}

/// A point in WGS 84, in millionths of a degree (about 10 cm), so records compare
/// exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Position {
    pub latitude_micro: i32,
    pub longitude_micro: i32,
}

impl Position {
    /// The point at these degrees; `None` for a value no latitude or longitude takes.
    pub fn from_degrees(latitude: f64, longitude: f64) -> Option<Self> {
        let micro = |degrees: f64, limit: f64| {
            (degrees.is_finite() && degrees.abs() <= limit).then(|| (degrees * 1e6).round() as i32)
        };
        Some(Position { latitude_micro: micro(latitude, 90.0)?, longitude_micro: micro(longitude, 180.0)? })
    }

    pub fn latitude(self) -> f64 {
        f64::from(self.latitude_micro) / 1e6
    }

    pub fn longitude(self) -> f64 {
        f64::from(self.longitude_micro) / 1e6
    }

    /// Whether the point lies in the box around Japan (latitude 20–46, longitude
    /// 122–154), where every place of the directory is.
    pub fn in_japan(self) -> bool {
        (20.0..=46.0).contains(&self.latitude()) && (122.0..=154.0).contains(&self.longitude())
    }

    /// What is wrong with these degrees for a place in the directory, in words that
    /// say what to do: swapped (the common slip), off the Earth, or outside Japan.
    pub fn problem(latitude: f64, longitude: f64) -> Option<String> {
        let here = Position::from_degrees(latitude, longitude);
        if here.is_some_and(Position::in_japan) {
            return None;
        }
        Some(if Position::from_degrees(longitude, latitude).is_some_and(Position::in_japan) {
            format!(
                "latitude {latitude} and longitude {longitude} look swapped (Japan lies at latitude 20–46, longitude 122–154); swap them"
            )
        } else if here.is_none() {
            format!("latitude {latitude}, longitude {longitude} is not a point on Earth (latitude ±90, longitude ±180)")
        } else {
            format!(
                "latitude {latitude}, longitude {longitude} is not in Japan (latitude 20–46, longitude 122–154); check the source"
            )
        })
    }
}
