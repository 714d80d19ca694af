//! Open Referral HSDS 3.0 for Yorisoi: the directory as HSDS documents (services with
//! their organization, locations, phones, schedules, service areas and attributes;
//! organizations; service at locations; taxonomies and their terms). What HSDS has no
//! field for — need codes, kinds and their local names, referral edges, provenance —
//! travels as taxonomy terms, attributes and metadata, named in [`profile`] and
//! described in docs/HSDS.md. Knows the domain model and JSON, nothing of storage.

mod ids;
mod import;
mod kept;
pub mod profile;
mod read;
mod schedule;
mod tabular;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use yorisoi_core::{Contact, Directory, Id, MunicipalityCode, Organization, Provenance, Resource, Status};

pub use ids::uuid;
pub use import::{Document, Documents, ImportError, ImportOptions, Imported, import};
pub use read::{ReadError, read};
pub use tabular::TabularError;

/// The documents of an export, each a list of the nested objects HSDS's compiled
/// schemas describe (what the HSDS API returns).
#[derive(Debug, Clone, Default)]
pub struct HsdsExport {
    pub services: Vec<Value>,
    pub organizations: Vec<Value>,
    pub service_at_locations: Vec<Value>,
    pub taxonomies: Vec<Value>,
    pub taxonomy_terms: Vec<Value>,
}

/// What went wrong writing an export.
#[derive(Debug, thiserror::Error)]
pub enum HsdsError {
    #[error("cannot write {}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

impl HsdsExport {
    /// The files of an export, by name.
    pub fn files(&self) -> [(&'static str, &[Value]); 5] {
        [
            ("services.json", &self.services),
            ("organizations.json", &self.organizations),
            ("service_at_locations.json", &self.service_at_locations),
            ("taxonomies.json", &self.taxonomies),
            ("taxonomy_terms.json", &self.taxonomy_terms),
        ]
    }

    /// Writes each document as a JSON array into `dir` (created if missing).
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, HsdsError> {
        std::fs::create_dir_all(dir).map_err(|source| HsdsError::Write { path: dir.to_owned(), source })?;
        let mut written = Vec::new();
        for (name, items) in self.files() {
            let path = dir.join(name);
            let text = serde_json::to_string_pretty(items).expect("JSON values serialize") + "\n";
            std::fs::write(&path, text).map_err(|source| HsdsError::Write { path: path.clone(), source })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// HSDS's service status for Yorisoi's.
fn status(status: Status) -> &'static str {
    match status {
        Status::Active => "active",
        Status::Paused => "temporarily closed",
        // Not open yet: HSDS has no "planned".
        Status::Planned => "inactive",
        Status::Ended => "defunct",
    }
}

/// Puts `value` under `key` when there is one (HSDS leaves absent what is unknown).
fn put(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value.into());
    }
}

fn object(pairs: Value) -> Map<String, Value> {
    match pairs {
        Value::Object(map) => map,
        _ => unreachable!("called with json!({{..}})"),
    }
}

/// A generated document with the fields its record kept from an HSDS import put back.
fn with_kept(generated: Value, kept: Option<&str>) -> Value {
    match kept::parse(kept) {
        Some(kept) => kept::merge(generated, &Value::Object(kept)),
        None => generated,
    }
}

/// Taxonomies and terms that imported data sets listed or their records use, and
/// Yorisoi's profile does not define (listed with the data set's source, or nested in
/// records' attributes), so they are exported again.
fn foreign_taxonomies(
    documents: &[&Value],
    sources: &[yorisoi_core::Source],
    known: &HashSet<String>,
) -> (Vec<Value>, Vec<Value>) {
    let mut taxonomies: Vec<Value> = Vec::new();
    let mut terms: Vec<Value> = Vec::new();
    let mut seen: HashSet<String> = known.clone();
    // Those an imported data set listed, whether or not a record uses them.
    for kept in sources.iter().filter_map(|s| kept::parse(s.hsds.as_deref())) {
        for (key, out) in [("taxonomies", &mut taxonomies), ("taxonomy_terms", &mut terms)] {
            for item in kept.get(key).and_then(Value::as_array).into_iter().flatten() {
                if item.get("id").and_then(Value::as_str).is_some_and(|id| seen.insert(id.to_owned())) {
                    out.push(item.clone());
                }
            }
        }
    }
    for document in documents {
        let attributes = document.get("attributes").and_then(Value::as_array).into_iter().flatten();
        for term in attributes.filter_map(|a| a.get("taxonomy_term")) {
            let Some(id) = term.get("id").and_then(Value::as_str) else { continue };
            if !seen.insert(id.to_owned()) {
                continue;
            }
            if let Some(taxonomy) = term.get("taxonomy_detail")
                && let Some(taxonomy_id) = taxonomy.get("id").and_then(Value::as_str)
                && seen.insert(taxonomy_id.to_owned())
            {
                taxonomies.push(taxonomy.clone());
            }
            terms.push(term.clone());
        }
    }
    (taxonomies, terms)
}

/// Reads what an export needs from the directory once.
struct Exporter<'a> {
    directory: &'a Directory,
    organizations: HashMap<&'a Id, &'a Organization>,
    resources: HashMap<&'a Id, &'a Resource>,
    sources: HashMap<&'a Id, &'a yorisoi_core::Source>,
    /// Each municipality with those enclosing it, the prefecture last.
    up: HashMap<MunicipalityCode, Vec<MunicipalityCode>>,
    /// HSDS ids that records imported from HSDS keep, by (table, steward's id).
    kept_ids: HashMap<(&'static str, &'a str), String>,
}

impl<'a> Exporter<'a> {
    fn new(directory: &'a Directory) -> Self {
        Exporter {
            directory,
            organizations: directory.organizations.iter().map(|o| (&o.id, o)).collect(),
            resources: directory.resources.iter().map(|r| (&r.id, &**r)).collect(),
            sources: directory.sources.iter().map(|s| (&s.id, s)).collect(),
            up: {
                let parents: HashMap<MunicipalityCode, Option<MunicipalityCode>> =
                    directory.municipalities.iter().map(|m| (m.code, m.parent)).collect();
                parents.keys().map(|m| (*m, yorisoi_core::chain_to_root(&parents, m))).collect()
            },
            kept_ids: {
                let resources = directory.resources.iter().map(|r| ("service", r.id.as_str(), r.hsds.as_deref()));
                let organizations =
                    directory.organizations.iter().map(|o| ("organization", o.id.as_str(), o.hsds.as_deref()));
                resources
                    .chain(organizations)
                    .filter_map(|(table, key, kept)| {
                        let id = kept::parse(kept)?.get("id")?.as_str()?.to_owned();
                        Some(((table, key), id))
                    })
                    .collect()
            },
        }
    }

    /// The HSDS id of a service or organization: the one it was imported with, else
    /// derived from the steward's id.
    fn record_uuid(&self, table: &'static str, key: &str) -> String {
        self.kept_ids.get(&(table, key)).cloned().unwrap_or_else(|| uuid(table, key))
    }

    /// The HSDS id of a record named by a referral: a service or an organization.
    fn node_uuid(&self, id: &Id) -> String {
        if self.resources.contains_key(id) {
            self.record_uuid("service", id.as_str())
        } else {
            self.record_uuid("organization", id.as_str())
        }
    }

    fn phones(&self, contacts: &[Contact], owner_key: &str, owner: (&str, &str)) -> Vec<Value> {
        contacts
            .iter()
            .enumerate()
            // Staff-only lines (内線, 直通) are not for publication.
            .filter(|(_, c)| !c.staff_only)
            .filter_map(|(i, c)| {
                let number = c.phone.as_deref()?;
                let mut phone = object(json!({
                    "id": uuid("phone", &format!("{owner_key}/{i}")),
                    "number": number,
                    "type": "voice",
                }));
                phone.insert(owner.0.to_owned(), json!(owner.1));
                let description: Vec<&str> = c.name.iter().chain(&c.note).map(String::as_str).collect();
                if !description.is_empty() {
                    phone.insert("description".into(), json!(description.join("／")));
                }
                Some(Value::Object(phone))
            })
            .collect()
    }

    /// Each source a record cites as an HSDS metadata entry: who stated it (the
    /// source), where in it, and the day it was checked.
    fn metadata(&self, provenance: &[Provenance], resource_type: &'static str, key: &str) -> Vec<Value> {
        provenance
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let source = self.sources.get(&p.source);
                let title = source.map_or(p.source.as_str(), |s| s.title.as_str());
                json!({
                    "id": uuid("metadata", &format!("{resource_type}/{key}/{i}")),
                    "resource_id": self.record_uuid(resource_type, key),
                    "resource_type": resource_type,
                    "last_action_date": p.verified.to_string(),
                    "last_action_type": "verified",
                    "field_name": "*",
                    "previous_value": "",
                    "replacement_value": p.locator.clone().unwrap_or_default(),
                    "updated_by": format!("{title} ({})", p.source),
                })
            })
            .collect()
    }

    fn organization(&self, org: &Organization) -> Value {
        let id = self.record_uuid("organization", org.id.as_str());
        let mut out = object(json!({
            "id": id,
            "name": org.name,
            // HSDS requires a description; without one the organization's form says
            // what it is (行政の課, NPO法人), which is a fact, not an invention.
            "description": org.description.clone().unwrap_or_else(|| org.kind.label().to_owned()),
            "legal_status": org.kind.label(),
            "phones": self.phones(&org.contacts, org.id.as_str(), ("organization_id", &id)),
            "metadata": self.metadata(&org.provenance, "organization", org.id.as_str()),
            "attributes": [self.steward_id("organization", org.id.as_str())],
        }));
        put(&mut out, "alternate_name", org.kana.clone());
        put(&mut out, "website", org.url.clone());
        put(
            &mut out,
            "parent_organization_id",
            org.parent.as_ref().map(|p| self.record_uuid("organization", p.as_str())),
        );
        let email = org.contacts.iter().filter(|c| !c.staff_only).find_map(|c| c.email.clone());
        put(&mut out, "email", email);
        with_kept(Value::Object(out), org.hsds.as_deref())
    }

    fn steward_id(&self, table: &'static str, key: &str) -> Value {
        json!({
            "id": uuid("attribute", &format!("{table}/{key}/yorisoi_id")),
            "link_id": self.record_uuid(table, key),
            "link_type": profile::LINK_STEWARD_ID,
            "link_entity": table,
            "value": key,
        })
    }

    fn term_attribute(&self, service: &Resource, link_type: &str, term: &str, value: Option<String>) -> Value {
        let mut out = object(json!({
            "id": uuid("attribute", &format!("service/{}/{link_type}/{term}", service.id)),
            "link_id": self.record_uuid("service", service.id.as_str()),
            "link_type": link_type,
            "link_entity": "service",
            "taxonomy_term_id": uuid("taxonomy_term", &format!("{link_type}/{term}")),
        }));
        put(&mut out, "value", value);
        Value::Object(out)
    }

    fn service(&self, r: &Resource) -> Value {
        let id = self.record_uuid("service", r.id.as_str());
        let key = r.id.as_str();
        let mut attributes = vec![self.steward_id("service", key)];
        attributes.extend(r.needs.iter().map(|n| self.term_attribute(r, profile::LINK_NEED, n.as_str(), None)));
        attributes.push(self.term_attribute(r, profile::LINK_KIND, r.kind.as_str(), None));
        if let Some(local) = self.local_kind_name(r) {
            let mut attribute = self.term_attribute(r, profile::LINK_KIND, r.kind.as_str(), Some(local));
            attribute["id"] = json!(uuid("attribute", &format!("service/{key}/local_kind_name")));
            attribute["link_type"] = json!(profile::LINK_LOCAL_KIND_NAME);
            attributes.push(attribute);
        }
        for referral in self.directory.referrals.iter().filter(|e| e.from == r.id) {
            let mut attribute = self.term_attribute(r, profile::LINK_REFERRAL, referral.kind.code(), None);
            attribute["id"] = json!(uuid("attribute", &format!("referral/{}", referral.id)));
            attribute["taxonomy_term_id"] = json!(uuid("taxonomy_term", &format!("referral/{}", referral.kind.code())));
            attribute["value"] = json!(self.node_uuid(&referral.to));
            attributes.push(attribute);
        }

        let mut eligibility: Vec<String> = r.audience.description.iter().cloned().collect();
        eligibility.extend(r.audience.conditions.iter().cloned());
        eligibility.extend(r.audience.excludes.iter().map(|e| format!("{}は対象外", e.label)));
        let mut out = object(json!({
            "id": id,
            "name": r.name,
            "status": status(r.status),
            "phones": self.phones(&r.contacts, key, ("service_id", &id)),
            "schedules": schedule::schedules(&r.schedule, &id, key),
            "service_areas": self.service_areas(r, &id),
            "service_at_locations": self.service_at_locations(r),
            "required_documents": r.application.bring.iter().enumerate().map(|(i, document)| json!({
                "id": uuid("required_document", &format!("{key}/{i}")),
                "service_id": id,
                "document": document,
            })).collect::<Vec<_>>(),
            "attributes": attributes,
            "metadata": self.metadata(&r.provenance, "service", key),
        }));
        put(&mut out, "alternate_name", r.kana.clone());
        put(&mut out, "description", r.description.clone());
        put(&mut out, "application_process", r.application.how.clone());
        put(&mut out, "fees_description", r.cost.description.clone());
        put(&mut out, "minimum_age", r.audience.age_min);
        put(&mut out, "maximum_age", r.audience.age_max);
        put(&mut out, "eligibility_description", (!eligibility.is_empty()).then(|| eligibility.join("。")));
        let url = r.contacts.iter().filter(|c| !c.staff_only).find_map(|c| c.url.clone());
        put(&mut out, "url", url);
        let email = r.contacts.iter().filter(|c| !c.staff_only).find_map(|c| c.email.clone());
        put(&mut out, "email", email);
        if r.cost.free == Some(true) {
            out.insert(
                "cost_options".into(),
                json!([{ "id": uuid("cost_option", key), "service_id": id, "amount": 0, "currency": "JPY", "option": "無料" }]),
            );
        }
        // The organization that runs it (the first organization among its operators).
        if let Some(org) = r.operators.iter().find_map(|o| self.organizations.get(o)) {
            out.insert("organization_id".into(), json!(self.record_uuid("organization", org.id.as_str())));
            out.insert("organization".into(), self.organization(org));
        }
        with_kept(Value::Object(out), r.hsds.as_deref())
    }

    fn local_kind_name(&self, r: &Resource) -> Option<String> {
        if r.local_kind_name.is_some() {
            return r.local_kind_name.clone();
        }
        let kind = self.directory.kinds.iter().find(|k| k.code == r.kind)?;
        let served: HashSet<MunicipalityCode> = r
            .service_area
            .municipalities
            .iter()
            .flat_map(|m| self.up.get(m).cloned().unwrap_or_else(|| vec![*m]))
            .collect();
        kind.local_names.iter().find(|l| served.contains(&l.municipality)).map(|l| l.name.clone())
    }

    fn service_areas(&self, r: &Resource, service: &str) -> Vec<Value> {
        r.service_area
            .municipalities
            .iter()
            .map(|m| {
                let name = self.directory.municipality(*m).map_or_else(|| m.to_string(), |m| m.name.clone());
                json!({
                    "id": uuid("service_area", &format!("{}/{m}", r.id)),
                    "service_id": service,
                    "name": name,
                    "description": format!("{name}（全国地方公共団体コード {m}）"),
                    "extent_type": "全国地方公共団体コード",
                    "extent": m.to_string(),
                })
            })
            .collect()
    }

    fn service_at_locations(&self, r: &Resource) -> Vec<Value> {
        r.locations
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let key = format!("{}/{i}", r.id);
                let location_id = uuid("location", &key);
                let mut location = object(json!({
                    "id": location_id,
                    "location_type": if l.online { "virtual" } else { "physical" },
                }));
                put(&mut location, "name", l.name.clone());
                put(&mut location, "description", l.note.clone());
                put(&mut location, "latitude", l.position.map(yorisoi_core::Position::latitude));
                put(&mut location, "longitude", l.position.map(yorisoi_core::Position::longitude));
                if let (Some(address), false) = (&l.address, l.online) {
                    let city = l.municipality.and_then(|m| self.directory.municipality(m));
                    let prefecture = l.municipality.and_then(|m| {
                        let top = self.up.get(&m).and_then(|up| up.last()).copied().unwrap_or(m);
                        self.directory.municipality(top).map(|p| p.name.clone())
                    });
                    location.insert(
                        "addresses".into(),
                        json!([{
                            "id": uuid("address", &key),
                            "location_id": location_id,
                            "address_1": address,
                            "city": city.map(|c| c.name.clone()).unwrap_or_default(),
                            "state_province": prefecture.unwrap_or_default(),
                            // Required by HSDS; empty where the source gives none.
                            "postal_code": l.postal_code.clone().unwrap_or_default(),
                            "country": "JP",
                            "address_type": "physical",
                        }]),
                    );
                }
                json!({
                    "id": uuid("service_at_location", &key),
                    "service_id": self.record_uuid("service", r.id.as_str()),
                    "location_id": location_id,
                    "location": location,
                })
            })
            .collect()
    }

    fn taxonomies(&self) -> (Vec<Value>, Vec<Value>) {
        let taxonomy = |(key, name, description): (&str, &str, &str)| json!({ "id": uuid("taxonomy", key), "name": name, "description": description, "version": "1" });
        let taxonomies = vec![taxonomy(profile::NEEDS), taxonomy(profile::KINDS), taxonomy(profile::REFERRAL_KINDS)];
        let mut terms = Vec::new();
        let term =
            |link: &str, taxonomy: &str, code: &str, label: &str, description: Option<&str>, parent: Option<&Id>| {
                let mut out = object(json!({
                    "id": uuid("taxonomy_term", &format!("{link}/{code}")),
                    "code": code,
                    "name": label,
                    "description": description.unwrap_or(label),
                    "taxonomy_id": uuid("taxonomy", taxonomy),
                    "language": "ja",
                }));
                put(&mut out, "parent_id", parent.map(|p| uuid("taxonomy_term", &format!("{link}/{p}"))));
                Value::Object(out)
            };
        for need in &self.directory.needs {
            let description = need.description.as_deref();
            terms.push(term(
                profile::LINK_NEED,
                profile::NEEDS.0,
                need.code.as_str(),
                &need.label,
                description,
                need.parent.as_ref(),
            ));
        }
        for kind in &self.directory.kinds {
            let description = kind.description.as_deref();
            terms.push(term(
                profile::LINK_KIND,
                profile::KINDS.0,
                kind.code.as_str(),
                &kind.label,
                description,
                kind.parent.as_ref(),
            ));
        }
        for kind in yorisoi_core::ReferralKind::ALL {
            terms.push(term("referral", profile::REFERRAL_KINDS.0, kind.code(), kind.label(), None, None));
        }
        (taxonomies, terms)
    }
}

/// The directory as HSDS 3.0 documents; with `within`, only the services whose service
/// area lies in that municipality (or below it) and the organizations that run them or
/// are based there.
pub fn export(directory: &Directory, within: Option<MunicipalityCode>) -> HsdsExport {
    let exporter = Exporter::new(directory);
    let inside = |m: &MunicipalityCode| within.is_none_or(|w| exporter.up.get(m).is_some_and(|up| up.contains(&w)));
    let services: Vec<&Resource> = directory
        .resources
        .iter()
        .filter(|r| within.is_none() || r.service_area.municipalities.iter().any(inside))
        .map(|r| &**r)
        .collect();
    let running: HashSet<&Id> = services.iter().flat_map(|r| &r.operators).collect();
    let organizations: Vec<Value> = directory
        .organizations
        .iter()
        .filter(|o| within.is_none() || running.contains(&o.id) || o.municipality.as_ref().is_some_and(inside))
        .map(|o| exporter.organization(o))
        .collect();
    let services: Vec<Value> = services.iter().map(|r| exporter.service(r)).collect();
    let organizations: Vec<Value> = organizations;
    let (mut taxonomies, mut taxonomy_terms) = exporter.taxonomies();
    let known: HashSet<String> = taxonomies
        .iter()
        .chain(&taxonomy_terms)
        .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let documents: Vec<&Value> = services.iter().chain(&organizations).collect();
    let (foreign_taxonomies, foreign_terms) = foreign_taxonomies(&documents, &directory.sources, &known);
    taxonomies.extend(foreign_taxonomies);
    taxonomy_terms.extend(foreign_terms);
    HsdsExport {
        // The places as each service lists them (kept fields included).
        service_at_locations: services
            .iter()
            .flat_map(|s| s.get("service_at_locations").and_then(Value::as_array).cloned().unwrap_or_default())
            .collect(),
        services,
        organizations,
        taxonomies,
        taxonomy_terms,
    }
}
