//! Scalar values of the seed format with steward-friendly parsing: times of day,
//! dates and weeks of the month.

use std::borrow::Cow;
use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A time of day written `HH:MM` (09:00, 17:15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay(pub NaiveTime);

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A week of the month: 1 to 5, or `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekDto {
    Nth(u8),
    Last,
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(hours.parse().ok()?, minutes.parse().ok()?, 0)
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_time(&text).map(TimeOfDay).ok_or_else(|| {
            de::Error::custom(format!("impossible time `{text}`; write HH:MM from 00:00 to 23:59 (17:00)"))
        })
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.format("%H:%M").to_string())
    }
}

impl JsonSchema for TimeOfDay {
    fn schema_name() -> Cow<'static, str> {
        "TimeOfDay".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
            "description": "A time of day, HH:MM (17:00)"
        })
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| de::Error::custom(format!("impossible date `{text}`; write YYYY-MM-DD (2026-03-08)")))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.format("%Y-%m-%d").to_string())
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A date, YYYY-MM-DD (2026-03-08)"
        })
    }
}

impl<'de> Deserialize<'de> for WeekDto {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WeekVisitor;
        impl Visitor<'_> for WeekVisitor {
            type Value = WeekDto;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a week of the month: 1 to 5 or `last`")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<WeekDto, E> {
                match u8::try_from(n) {
                    Ok(n @ 1..=5) => Ok(WeekDto::Nth(n)),
                    _ => Err(E::custom(format!("week {n} does not exist; a week of the month is 1 to 5 or `last`"))),
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<WeekDto, E> {
                u64::try_from(n).map_or_else(
                    |_| Err(E::custom(format!("week {n} does not exist; a week of the month is 1 to 5 or `last`"))),
                    |n| self.visit_u64(n),
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<WeekDto, E> {
                match text {
                    "last" => Ok(WeekDto::Last),
                    _ => text.parse::<u64>().map_or_else(
                        |_| Err(E::custom(format!("`{text}` is not a week of the month; write 1 to 5 or `last`"))),
                        |n| self.visit_u64(n),
                    ),
                }
            }
        }
        deserializer.deserialize_any(WeekVisitor)
    }
}

impl Serialize for WeekDto {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            WeekDto::Nth(n) => serializer.serialize_u8(*n),
            WeekDto::Last => serializer.serialize_str("last"),
        }
    }
}

impl JsonSchema for WeekDto {
    fn schema_name() -> Cow<'static, str> {
        "WeekOfMonth".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A week of the month: 1 to 5, or last",
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 5 },
                { "const": "last" }
            ]
        })
    }
}
