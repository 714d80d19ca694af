//! HSDS 3.0 documents into Yorisoi's records: services become resources, organizations
//! organizations. What Yorisoi models is taken from each document (names, phones,
//! schedules that Yorisoi can evaluate, addresses, ages, what to bring, the profile's
//! needs, kinds, referral edges and steward ids); everything else, foreign taxonomies
//! included, is kept beside the record ([`crate::kept`]) and exported again. Every
//! record cites the import's source with its document's position as locator.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde_json::{Map, Value};
use yorisoi_core::{
    Contact, Directory, Hours, Id, Location, MunicipalityCode, Organization, OrganizationKind, Position, Provenance,
    Referral, ReferralConditions, ReferralKind, ReferralState, Resource, Rule, Schedule, Status, WeekOfMonth,
};

use crate::ids::uuid;
use crate::profile;

/// One HSDS document and where it was read (`services.json [3]`, `services.csv row 2`).
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub origin: String,
}

/// The documents of one HSDS data set.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    /// Services, each possibly with its organization nested.
    pub services: Vec<Document>,
    /// Organizations, each possibly with its services nested.
    pub organizations: Vec<Document>,
    /// The data set's taxonomies and their terms, as listed on their own.
    pub taxonomies: Vec<Value>,
    pub taxonomy_terms: Vec<Value>,
}

/// How to cite and classify what is imported.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The source every imported record cites.
    pub source: Id,
    /// The kind of a service that does not carry the profile's kind.
    pub kind: Option<Id>,
    /// The day the import read the data (each record's `verified`).
    pub verified: NaiveDate,
}

/// The records an import made.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub organizations: Vec<Organization>,
    pub resources: Vec<Resource>,
    pub referrals: Vec<Referral>,
    /// What the data set's source keeps: taxonomies and terms that are not Yorisoi's
    /// profile's (JSON), for `Source::hsds`.
    pub kept: Option<String>,
}

/// A document the import cannot make a record of.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ImportError {
    pub origin: String,
    pub message: String,
}

fn refuse(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError { origin: origin.to_owned(), message: message.into() }
}

/// Removes `key` and gives its text, when it is non-empty text.
fn take_text(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => map.remove(key).and_then(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// A steward's id for an HSDS id: the UUID itself where it is a valid id (lower case),
/// otherwise one derived from it.
fn steward_id(hsds_id: &str) -> Id {
    Id::parse(&hsds_id.to_lowercase())
        .unwrap_or_else(|_| Id::parse(&format!("hsds-{}", uuid("import", hsds_id))).expect("a UUID is a valid id"))
}

fn is_kana(text: &str) -> bool {
    text.chars().all(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー' | '・' | ' ' | '　'))
}

/// Yorisoi's phone numbers: half-width digits and hyphens, 3 to 11 digits.
fn is_phone(number: &str) -> bool {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    number.chars().all(|c| c.is_ascii_digit() || c == '-') && (3..=11).contains(&digits)
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn time(text: Option<&str>) -> Option<Option<NaiveTime>> {
    match text {
        None => Some(None),
        Some(t) => {
            NaiveTime::parse_from_str(t, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(t, "%H:%M")).ok().map(Some)
        }
    }
}

/// The RRULE parts a Yorisoi rule cannot hold; a schedule with any is kept as HSDS
/// gave it.
const UNMAPPED_RRULE: [&str; 6] = ["dtstart", "until", "count", "byweekno", "byyearday", "wkst"];

/// A schedule Yorisoi can evaluate: weekly days, nth weekdays of the month, or days of
/// the month, with opening hours.
fn rule(schedule: &Map<String, Value>) -> Option<Rule> {
    if UNMAPPED_RRULE.iter().any(|k| schedule.get(*k).is_some_and(|v| !v.is_null())) {
        return None;
    }
    if schedule.get("interval").is_some_and(|v| v.as_i64() != Some(1)) {
        return None;
    }
    let hours = Hours { opens: time(text(schedule, "opens_at"))?, closes: time(text(schedule, "closes_at"))? };
    let byday: Vec<&str> = text(schedule, "byday").map(|d| d.split(',').map(str::trim).collect()).unwrap_or_default();
    let bymonthday = text(schedule, "bymonthday");
    match (text(schedule, "freq")?, bymonthday) {
        ("WEEKLY", None) if !byday.is_empty() => {
            Some(Rule::Weekly { days: byday.iter().map(|d| weekday(d)).collect::<Option<_>>()?, hours })
        }
        ("MONTHLY", None) if !byday.is_empty() => {
            // 2WE,-1WE: each weekday of the same weeks, as Yorisoi's rule holds them.
            let mut weeks = Vec::new();
            let mut days = Vec::new();
            for code in byday {
                let split = code.len().checked_sub(2)?;
                let (n, day) = code.split_at(split);
                let week = match n {
                    "-1" => WeekOfMonth::Last,
                    n => WeekOfMonth::Nth(n.parse().ok().filter(|n| (1..=5).contains(n))?),
                };
                let day = weekday(day)?;
                if !weeks.contains(&week) {
                    weeks.push(week);
                }
                if !days.contains(&day) {
                    days.push(day);
                }
            }
            (weeks.len() * days.len() == text(schedule, "byday")?.split(',').count()).then_some(Rule::Monthly {
                weeks,
                days,
                hours,
            })
        }
        ("MONTHLY", Some(list)) if byday.is_empty() => {
            let days = list
                .split(',')
                .map(|d| d.trim().parse().ok().filter(|d| (1..=31).contains(d)))
                .collect::<Option<_>>()?;
            Some(Rule::DaysOfMonth { days, shift: yorisoi_core::DayShift::Keep, hours })
        }
        _ => None,
    }
}

/// Reads the data set's documents into records; see the module's description.
pub struct Importer<'a> {
    directory: &'a Directory,
    options: &'a ImportOptions,
    /// Terms of the profile's taxonomies by their HSDS id: (link type, code).
    terms: HashMap<String, (&'static str, String)>,
    /// HSDS ids of services and organizations met so far, to their steward's ids.
    ids: HashMap<String, Id>,
    out: Imported,
    /// Referral attributes, resolved once every record is known: (from, kind, to's
    /// HSDS id, origin).
    referrals: Vec<(Id, ReferralKind, String, String)>,
}

impl<'a> Importer<'a> {
    fn new(directory: &'a Directory, options: &'a ImportOptions) -> Self {
        let mut terms = HashMap::new();
        for need in &directory.needs {
            let code = need.code.as_str();
            terms.insert(
                uuid("taxonomy_term", &format!("{}/{code}", profile::LINK_NEED)),
                (profile::LINK_NEED, code.to_owned()),
            );
        }
        for kind in &directory.kinds {
            let code = kind.code.as_str();
            terms.insert(
                uuid("taxonomy_term", &format!("{}/{code}", profile::LINK_KIND)),
                (profile::LINK_KIND, code.to_owned()),
            );
        }
        for kind in ReferralKind::ALL {
            terms.insert(
                uuid("taxonomy_term", &format!("referral/{}", kind.code())),
                (profile::LINK_REFERRAL, kind.code().to_owned()),
            );
        }
        Importer { directory, options, terms, ids: HashMap::new(), out: Imported::default(), referrals: Vec::new() }
    }

    fn provenance(&self, origin: &str) -> Vec<Provenance> {
        vec![Provenance {
            source: self.options.source.clone(),
            locator: Some(origin.to_owned()),
            verified: self.options.verified,
        }]
    }

    /// The steward's id of the document's record: the profile's `yorisoi_id` attribute
    /// when the data came from Yorisoi, else from its HSDS id.
    fn record_id(&self, map: &Map<String, Value>, origin: &str) -> Result<(String, Id), ImportError> {
        let hsds_id = text(map, "id").ok_or_else(|| refuse(origin, "has no `id`; HSDS requires one"))?.to_owned();
        let own = map.get("attributes").and_then(Value::as_array).into_iter().flatten().find_map(|a| {
            (a.get("link_type").and_then(Value::as_str) == Some(profile::LINK_STEWARD_ID))
                .then(|| a.get("value").and_then(Value::as_str).and_then(|v| Id::parse(v).ok()))
                .flatten()
        });
        Ok((hsds_id.clone(), own.unwrap_or_else(|| steward_id(&hsds_id))))
    }

    /// Phones as contacts, when Yorisoi can dial every one; otherwise the list is kept.
    fn phones(&self, map: &mut Map<String, Value>) -> Vec<Contact> {
        let Some(Value::Array(phones)) = map.get_mut("phones") else { return Vec::new() };
        let readable = phones.iter().all(|p| p.get("number").and_then(Value::as_str).is_some_and(is_phone));
        if !readable {
            return Vec::new();
        }
        phones
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .map(|p| Contact { phone: take_text(p, "number"), note: take_text(p, "description"), ..Contact::default() })
            .collect()
    }

    /// The profile's attributes read into the record; the others are kept.
    fn attributes(&mut self, map: &mut Map<String, Value>, resource: &mut Resource, origin: &str) {
        let Some(Value::Array(attributes)) = map.remove("attributes") else { return };
        let mut foreign = Vec::new();
        for attribute in attributes {
            let link_type = attribute.get("link_type").and_then(Value::as_str).unwrap_or_default();
            let term = attribute
                .get("taxonomy_term_id")
                .or_else(|| attribute.get("taxonomy_term").and_then(|t| t.get("id")))
                .and_then(Value::as_str)
                .and_then(|t| self.terms.get(t))
                .cloned();
            let value = attribute.get("value").and_then(Value::as_str);
            match (link_type, term) {
                (profile::LINK_STEWARD_ID, _) => {}
                (profile::LINK_NEED, Some((profile::LINK_NEED, code))) => {
                    resource.needs.push(Id::parse(&code).expect("a taxonomy code"))
                }
                (profile::LINK_KIND, Some((profile::LINK_KIND, code))) => {
                    resource.kind = Id::parse(&code).expect("a taxonomy code")
                }
                (profile::LINK_LOCAL_KIND_NAME, Some((profile::LINK_KIND, _))) => {
                    resource.local_kind_name = value.map(str::to_owned)
                }
                (profile::LINK_REFERRAL, Some((profile::LINK_REFERRAL, code))) if value.is_some() => {
                    let kind = ReferralKind::from_code(&code).expect("a referral kind's code");
                    self.referrals.push((
                        resource.id.clone(),
                        kind,
                        value.unwrap_or_default().to_owned(),
                        origin.to_owned(),
                    ));
                }
                _ => foreign.push(attribute),
            }
        }
        if !foreign.is_empty() {
            map.insert("attributes".into(), Value::Array(foreign));
        }
    }

    fn schedule(&self, map: &mut Map<String, Value>) -> Schedule {
        let Some(Value::Array(schedules)) = map.get_mut("schedules") else { return Schedule::default() };
        let descriptions: Vec<String> =
            schedules.iter().filter_map(|s| s.get("description").and_then(Value::as_str)).map(str::to_owned).collect();
        let note = (!descriptions.is_empty()).then(|| descriptions.join("／"));
        let rules: Option<Vec<Rule>> = schedules.iter().map(|s| s.as_object().and_then(rule)).collect();
        let Some(rules) = rules else {
            // Kept as HSDS gave it; workers still read its description.
            return Schedule { note, ..Schedule::default() };
        };
        let mut season = yorisoi_core::Season::default();
        let shared = |key: &str| {
            let values: Vec<Option<&str>> = schedules.iter().map(|s| s.get(key).and_then(Value::as_str)).collect();
            values.windows(2).all(|w| w[0] == w[1]).then(|| values.first().copied().flatten()).flatten()
        };
        season.from = shared("valid_from").and_then(|d| d.parse().ok());
        season.until = shared("valid_to").and_then(|d| d.parse().ok());
        let one_description = descriptions.len() == schedules.len() && descriptions.windows(2).all(|w| w[0] == w[1]);
        for s in schedules.iter_mut().filter_map(Value::as_object_mut) {
            for key in ["freq", "byday", "bymonthday", "opens_at", "closes_at"] {
                s.remove(key);
            }
            if season.from.is_some() {
                s.remove("valid_from");
            }
            if season.until.is_some() {
                s.remove("valid_to");
            }
            if one_description {
                s.remove("description");
            }
        }
        Schedule {
            rules,
            closed: Vec::new(),
            note: if one_description { descriptions.first().cloned() } else { None },
            season,
        }
    }

    fn locations(&self, map: &mut Map<String, Value>) -> Vec<Location> {
        let Some(Value::Array(places)) = map.get_mut("service_at_locations") else { return Vec::new() };
        let mut out = Vec::new();
        for place in places.iter_mut().filter_map(Value::as_object_mut) {
            let Some(Value::Object(location)) = place.get_mut("location") else {
                out.push(Location::default());
                continue;
            };
            let mut kept = Location {
                name: take_text(location, "name"),
                note: take_text(location, "description"),
                online: location.get("location_type").and_then(Value::as_str) == Some("virtual"),
                ..Location::default()
            };
            let degrees = |key: &str| location.get(key).and_then(Value::as_f64);
            if let (Some(lat), Some(lon)) = (degrees("latitude"), degrees("longitude"))
                && let Some(position) = Position::from_degrees(lat, lon).filter(|p| p.in_japan())
            {
                kept.position = Some(position);
                // Kept as given unless Yorisoi's millionths of a degree say it exactly.
                if position.latitude() == lat && position.longitude() == lon {
                    location.remove("latitude");
                    location.remove("longitude");
                }
            }
            if let Some(Value::Array(addresses)) = location.get_mut("addresses")
                && let [Value::Object(address)] = addresses.as_mut_slice()
            {
                kept.address = take_text(address, "address_1");
                kept.postal_code = take_text(address, "postal_code");
            }
            out.push(kept);
        }
        out
    }

    fn service_areas(&self, map: &mut Map<String, Value>) -> Vec<MunicipalityCode> {
        let Some(Value::Array(areas)) = map.get_mut("service_areas") else { return Vec::new() };
        let codes: Option<Vec<MunicipalityCode>> = areas
            .iter()
            .map(|a| {
                (a.get("extent_type").and_then(Value::as_str) == Some("全国地方公共団体コード"))
                    .then(|| a.get("extent").and_then(Value::as_str).and_then(|c| MunicipalityCode::parse(c).ok()))
                    .flatten()
                    .filter(|c| self.directory.municipality(*c).is_some())
            })
            .collect();
        let Some(codes) = codes else { return Vec::new() };
        for area in areas.iter_mut().filter_map(Value::as_object_mut) {
            area.remove("extent");
        }
        codes
    }

    fn service(&mut self, document: &Document, operator: Option<&Id>) -> Result<(), ImportError> {
        let origin = document.origin.as_str();
        let Value::Object(mut map) = document.value.clone() else { return Err(refuse(origin, "is not a JSON object")) };
        let (hsds_id, id) = self.record_id(&map, origin)?;
        if self.out.resources.iter().any(|r| r.id == id) {
            return Ok(());
        }
        self.ids.insert(hsds_id, id.clone());
        let name = take_text(&mut map, "name").ok_or_else(|| refuse(origin, "has no `name`; HSDS requires one"))?;
        let placeholder = Id::parse("unknown-kind").expect("a valid id");
        let mut r = Resource::new(id, name, self.options.kind.clone().unwrap_or(placeholder.clone()));
        self.attributes(&mut map, &mut r, origin);
        if r.kind == placeholder {
            return Err(refuse(
                origin,
                "carries no Yorisoi kind (attribute `kind`); pass --kind CODE with the kind these services are (a code of the kind taxonomy)",
            ));
        }
        if text(&map, "alternate_name").is_some_and(is_kana) {
            r.kana = take_text(&mut map, "alternate_name");
        }
        r.description = take_text(&mut map, "description");
        r.status = match text(&map, "status") {
            Some("active") => Status::Active,
            Some("temporarily closed") => Status::Paused,
            Some("inactive") => Status::Planned,
            Some("defunct") => Status::Ended,
            _ => Status::Active,
        };
        if text(&map, "status").is_some_and(|s| ["active", "temporarily closed", "inactive", "defunct"].contains(&s)) {
            map.remove("status");
        }
        r.audience.description = take_text(&mut map, "eligibility_description");
        for (key, age) in [("minimum_age", &mut r.audience.age_min), ("maximum_age", &mut r.audience.age_max)] {
            if let Some(years) =
                map.get(key).and_then(Value::as_f64).filter(|y| y.fract() == 0.0 && (0.0..=120.0).contains(y))
            {
                *age = Some(years as u8);
                map.remove(key);
            }
        }
        r.application.how = take_text(&mut map, "application_process");
        r.cost.description = take_text(&mut map, "fees_description");
        if let Some(Value::Array(documents)) = map.get_mut("required_documents")
            && documents.iter().all(|d| d.get("document").and_then(Value::as_str).is_some())
        {
            r.application.bring = documents
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .filter_map(|d| take_text(d, "document"))
                .collect();
        }
        if let Some(Value::Array(options)) = map.get_mut("cost_options")
            && !options.is_empty()
            && options.iter().all(|o| o.get("amount").and_then(Value::as_f64) == Some(0.0))
        {
            r.cost.free = Some(true);
            for option in options.iter_mut().filter_map(Value::as_object_mut) {
                option.remove("amount");
            }
        }
        r.contacts = self.phones(&mut map);
        let (url, email) = (take_text(&mut map, "url"), take_text(&mut map, "email"));
        if url.is_some() || email.is_some() {
            r.contacts.push(Contact { url, email, ..Contact::default() });
        }
        r.schedule = self.schedule(&mut map);
        r.locations = self.locations(&mut map);
        r.service_area.municipalities = self.service_areas(&mut map);
        if let Some(Value::Object(org)) = map.remove("organization") {
            let nested = Document { value: Value::Object(org), origin: format!("{origin} organization") };
            let org_id = self.organization(&nested)?;
            r.operators.push(org_id);
            map.remove("organization_id");
        } else if let Some(org) =
            operator.cloned().or_else(|| text(&map, "organization_id").and_then(|o| self.ids.get(o)).cloned())
        {
            r.operators.push(org);
            map.remove("organization_id");
        }
        r.provenance = self.provenance(origin);
        r.hsds = Some(Value::Object(map).to_string());
        self.out.resources.push(r);
        Ok(())
    }

    /// Imports an organization (and services nested in it); gives its steward's id.
    fn organization(&mut self, document: &Document) -> Result<Id, ImportError> {
        let origin = document.origin.as_str();
        let Value::Object(mut map) = document.value.clone() else { return Err(refuse(origin, "is not a JSON object")) };
        let (hsds_id, id) = self.record_id(&map, origin)?;
        let services = map.remove("services");
        if !self.out.organizations.iter().any(|o| o.id == id) {
            self.ids.insert(hsds_id, id.clone());
            let name = take_text(&mut map, "name").ok_or_else(|| refuse(origin, "has no `name`; HSDS requires one"))?;
            if let Some(Value::Array(attributes)) = map.get_mut("attributes") {
                attributes.retain(|a| a.get("link_type").and_then(Value::as_str) != Some(profile::LINK_STEWARD_ID));
                if attributes.is_empty() {
                    map.remove("attributes");
                }
            }
            let kind =
                text(&map, "legal_status").and_then(|s| OrganizationKind::ALL.into_iter().find(|k| k.label() == s));
            if kind.is_some() {
                map.remove("legal_status");
            }
            let mut contacts = self.phones(&mut map);
            if let Some(email) = take_text(&mut map, "email") {
                contacts.push(Contact { email: Some(email), ..Contact::default() });
            }
            let parent = text(&map, "parent_organization_id").and_then(|p| self.ids.get(p)).cloned();
            if parent.is_some() {
                map.remove("parent_organization_id");
            }
            let kana = if text(&map, "alternate_name").is_some_and(is_kana) {
                take_text(&mut map, "alternate_name")
            } else {
                None
            };
            self.out.organizations.push(Organization {
                id: id.clone(),
                name,
                kana,
                kind: kind.unwrap_or(OrganizationKind::Other),
                parent,
                municipality: None,
                service_area: yorisoi_core::ServiceArea::default(),
                description: take_text(&mut map, "description"),
                contacts,
                url: take_text(&mut map, "website"),
                member_of: Vec::new(),
                provenance: self.provenance(origin),
                hsds: Some(Value::Object(map).to_string()),
            });
        }
        for (i, service) in services.iter().flat_map(|s| s.as_array()).flatten().enumerate() {
            let nested = Document { value: service.clone(), origin: format!("{origin} services[{i}]") };
            self.service(&nested, Some(&id))?;
        }
        Ok(id)
    }

    fn finish(mut self) -> Result<Imported, ImportError> {
        for (n, (from, kind, to, origin)) in std::mem::take(&mut self.referrals).into_iter().enumerate() {
            let Some(to) = self.ids.get(&to).cloned() else {
                return Err(refuse(
                    &origin,
                    format!("refers to `{to}`, which is not in the data set; import it together"),
                ));
            };
            let id = Id::parse(&format!(
                "{}-{}-{n}",
                from.as_str().chars().take(60).collect::<String>(),
                kind.code().replace('_', "-")
            ))
            .expect("built from valid ids");
            self.out.referrals.push(Referral {
                id,
                from,
                to,
                kind,
                needs: Vec::new(),
                conditions: ReferralConditions::default(),
                state: ReferralState::Working,
                note: None,
                provenance: self.provenance(&origin),
            });
        }
        Ok(self.out)
    }
}

/// Reads HSDS documents into Yorisoi's records, against the directory's taxonomies
/// and municipalities. Organizations are read first, so services find theirs.
pub fn import(documents: &Documents, directory: &Directory, options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(directory, options);
    for organization in &documents.organizations {
        importer.organization(organization)?;
    }
    for service in &documents.services {
        importer.service(service, None)?;
    }
    let profile_taxonomies =
        [profile::NEEDS.0, profile::KINDS.0, profile::REFERRAL_KINDS.0].map(|t| uuid("taxonomy", t));
    let foreign = |list: &[Value], ours: &dyn Fn(&str) -> bool| -> Vec<Value> {
        list.iter().filter(|t| t.get("id").and_then(Value::as_str).is_some_and(|id| !ours(id))).cloned().collect()
    };
    let taxonomies = foreign(&documents.taxonomies, &|id| profile_taxonomies.iter().any(|t| t == id));
    let terms = foreign(&documents.taxonomy_terms, &|id| importer.terms.contains_key(id));
    let mut imported = importer.finish()?;
    if !taxonomies.is_empty() || !terms.is_empty() {
        imported.kept = Some(serde_json::json!({ "taxonomies": taxonomies, "taxonomy_terms": terms }).to_string());
    }
    Ok(imported)
}
