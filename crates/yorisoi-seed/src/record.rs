//! One record a steward sends through the API, as JSON in the seed file's format:
//! read with the same parser and converted with the same rules as `yorisoi check`,
//! so the messages are the same words, pointed at a field path instead of a line.

use std::fmt;

use yorisoi_core::{Referral, Resource};

use crate::convert::FromSeed;
use crate::format::SeedFile;
use crate::locate::PathMap;
use crate::{read, to_seed};

/// Something wrong with one field of a record sent through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// Dotted path below the record (`contacts.0.phone`); empty for the record itself.
    pub path: String,
    pub message: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Reads a resource given as seed-format JSON.
pub fn resource_from_json(value: &serde_json::Value) -> Result<Resource, Vec<FieldProblem>> {
    let seed = parse_one("resources", value)?;
    let dto = seed.resources.into_iter().next().ok_or_else(|| whole("expected a resource record"))?;
    let mut convert = FromSeed::new();
    let record = convert.resource("resources.0", dto);
    finish(record, convert, "resources.0")
}

/// Reads a referral given as seed-format JSON.
pub fn referral_from_json(value: &serde_json::Value) -> Result<Referral, Vec<FieldProblem>> {
    let seed = parse_one("referrals", value)?;
    let dto = seed.referrals.into_iter().next().ok_or_else(|| whole("expected a referral record"))?;
    let mut convert = FromSeed::new();
    let record = convert.referral("referrals.0", dto);
    finish(record, convert, "referrals.0")
}

/// A resource as seed-format JSON (for the change log and for editing).
pub fn resource_to_json(resource: &Resource) -> serde_json::Value {
    serde_json::to_value(to_seed::resource(resource)).expect("seed records serialize to JSON")
}

/// A referral as seed-format JSON.
pub fn referral_to_json(referral: &Referral) -> serde_json::Value {
    serde_json::to_value(to_seed::referral(referral)).expect("seed records serialize to JSON")
}

fn whole(message: &str) -> Vec<FieldProblem> {
    vec![FieldProblem { path: String::new(), message: message.to_owned() }]
}

/// Parses `value` as the only record of collection `key` of a seed file. JSON is
/// YAML, so the seed parser reads it; pretty-printing puts each field on its own
/// line, so a parser position names exactly one field.
fn parse_one(key: &str, value: &serde_json::Value) -> Result<SeedFile, Vec<FieldProblem>> {
    if !value.is_object() {
        return Err(whole("expected a JSON object with the record's fields, as in a seed file"));
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ key: [value] })).expect("JSON values print");
    read::parse(&text).map_err(|error| {
        let map = PathMap::of(&text);
        let prefix = format!("{key}.0");
        let path = map.path_at(error.at).map(|p| below(p, &prefix)).unwrap_or_default();
        vec![FieldProblem { path, message: error.message }]
    })
}

fn finish<T>(record: T, convert: FromSeed, prefix: &str) -> Result<T, Vec<FieldProblem>> {
    if convert.malformed.is_empty() {
        return Ok(record);
    }
    Err(convert
        .malformed
        .into_iter()
        .map(|m| FieldProblem { path: below(&m.path, prefix), message: m.message })
        .collect())
}

fn below(path: &str, prefix: &str) -> String {
    match path.strip_prefix(prefix) {
        Some(rest) => rest.trim_start_matches('.').to_owned(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn minimal() -> serde_json::Value {
        json!({
            "id": "salon-a",
            "name": "ふれあいサロンA",
            "kind": "salon",
            "provenance": [{ "source": "doc", "verified": "2026-11-22" }]
        })
    }

    #[test]
    fn a_record_round_trips_through_json() {
        let resource = resource_from_json(&minimal()).unwrap();
        assert_eq!(resource.name, "ふれあいサロンA");
        assert_eq!(resource_from_json(&resource_to_json(&resource)).unwrap(), resource);
    }

    /// Days of the month with their shift, hours without days, months and a validity
    /// period read and write back unchanged.
    #[test]
    fn the_richer_schedule_rules_round_trip() {
        let mut value = minimal();
        value["schedule"] = json!({
            "rules": [
                { "days_of_month": { "days": [1, 15], "shift": "next_weekday", "opens": "10:00", "closes": "12:00" } },
                { "hours_only": { "opens": "12:00", "closes": "19:00" } }
            ],
            "months": [1, 3, 5, 7, 9, 11],
            "valid_from": "2026-04-01",
            "valid_until": "2027-03-31"
        });
        let resource = resource_from_json(&value).unwrap();
        assert_eq!(resource.schedule.season.months, [1, 3, 5, 7, 9, 11]);
        assert_eq!(resource_to_json(&resource)["schedule"], value["schedule"]);
        assert_eq!(resource_from_json(&resource_to_json(&resource)).unwrap(), resource);
    }

    /// A night session says so, and keeps saying so when written back.
    #[test]
    fn an_overnight_session_round_trips_with_its_flag() {
        let mut value = minimal();
        value["schedule"] =
            json!({ "rules": [{ "weekly": { "days": ["fri"], "opens": "22:00", "closes": "02:00" } }] });
        let problems = resource_from_json(&value).unwrap_err();
        assert_eq!(problems[0].path, "schedule.rules.0.weekly.closes");
        value["schedule"]["rules"][0]["weekly"]["overnight"] = json!(true);
        let resource = resource_from_json(&value).unwrap();
        let written = resource_to_json(&resource);
        assert_eq!(written["schedule"]["rules"][0]["weekly"]["overnight"], json!(true));
        assert_eq!(resource_from_json(&written).unwrap(), resource);
    }

    #[test]
    fn problems_name_the_field_with_the_seed_files_words() {
        let mut value = minimal();
        value["contacts"] = json!([{ "phone": "03-1234-5678", "phon": "x" }]);
        let problems = resource_from_json(&value).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "contacts.0.phon");
        assert!(problems[0].message.starts_with("unknown field `phon`"), "{}", problems[0].message);

        let mut value = minimal();
        value["id"] = json!("Salon A");
        let problems = resource_from_json(&value).unwrap_err();
        assert_eq!(problems[0].path, "id");

        let mut value = minimal();
        value.as_object_mut().unwrap().remove("name");
        let problems = resource_from_json(&value).unwrap_err();
        assert_eq!(problems[0].to_string(), "missing field `name`; add it to this record");

        assert_eq!(resource_from_json(&json!("salon")).unwrap_err()[0].path, "");
    }
}
