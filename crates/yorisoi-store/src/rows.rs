//! Domain records to table rows and back. Value objects travel as JSON text, whose
//! shape is core's serde form.

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use yorisoi_core as core;
use yorisoi_core::{Directory, Id, MunicipalityCode};

use crate::StoreError;
use crate::entity::*;

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("domain value objects serialize to JSON")
}

fn parse<T: DeserializeOwned>(table: &str, key: &str, column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt {
        table: table.to_owned(),
        key: key.to_owned(),
        detail: format!("column {column}: {error}"),
    })
}

fn corrupt(table: &str, key: &str, detail: String) -> StoreError {
    StoreError::Corrupt { table: table.to_owned(), key: key.to_owned(), detail }
}

fn id(table: &str, key: &str, text: &str) -> Result<Id, StoreError> {
    Id::parse(text).map_err(|e| corrupt(table, key, e.to_string()))
}

fn code(table: &str, key: &str, text: &str) -> Result<MunicipalityCode, StoreError> {
    MunicipalityCode::parse(text).map_err(|e| corrupt(table, key, e.to_string()))
}

fn latest_verified(provenance: &[core::Provenance]) -> Option<NaiveDate> {
    provenance.iter().map(|p| p.verified).max()
}

/// All rows of a directory, table by table.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rows {
    pub sources: Vec<source::Model>,
    pub municipalities: Vec<municipality::Model>,
    pub areas: Vec<area::Model>,
    pub needs: Vec<need::Model>,
    pub kinds: Vec<kind::Model>,
    pub organizations: Vec<organization::Model>,
    pub resources: Vec<resource::Model>,
    pub links: Vec<resource_link::Model>,
    pub referrals: Vec<referral::Model>,
}

pub const LINK_NEED: &str = "need";
pub const LINK_MUNICIPALITY: &str = "municipality";
pub const LINK_OPERATOR: &str = "operator";

fn area_kind_code(kind: core::AreaKind) -> &'static str {
    match kind {
        core::AreaKind::DailyLifeZone => "daily_life_zone",
        core::AreaKind::SchoolDistrict => "school_district",
        core::AreaKind::NeighbourhoodAssociation => "neighbourhood_association",
        core::AreaKind::District => "district",
    }
}

const AREA_KINDS: [core::AreaKind; 4] = [
    core::AreaKind::DailyLifeZone,
    core::AreaKind::SchoolDistrict,
    core::AreaKind::NeighbourhoodAssociation,
    core::AreaKind::District,
];

/// The link rows of one resource.
pub fn links_of(r: &core::Resource) -> Vec<resource_link::Model> {
    let mut links: Vec<resource_link::Model> = Vec::new();
    let mut add = |link: &str, target: String| {
        let row = resource_link::Model { resource_id: r.id.to_string(), link: link.to_owned(), target };
        if !links.contains(&row) {
            links.push(row);
        }
    };
    r.needs.iter().for_each(|n| add(LINK_NEED, n.to_string()));
    r.service_area.municipalities.iter().for_each(|m| add(LINK_MUNICIPALITY, m.to_string()));
    r.operators.iter().for_each(|o| add(LINK_OPERATOR, o.to_string()));
    links
}

pub fn to_rows(dir: &Directory) -> Rows {
    Rows {
        sources: dir
            .sources
            .iter()
            .map(|s| source::Model {
                id: s.id.to_string(),
                title: s.title.clone(),
                publisher: s.publisher.clone(),
                published: s.published.clone(),
                file: s.file.clone(),
                url: s.url.clone(),
                licence: s.licence.clone(),
                hsds: s.hsds.clone(),
            })
            .collect(),
        municipalities: dir
            .municipalities
            .iter()
            .map(|m| municipality::Model {
                code: m.code.to_string(),
                name: m.name.clone(),
                kana: m.kana.clone(),
                parent: m.parent.map(|p| p.to_string()),
                provenance: json(&m.provenance),
            })
            .collect(),
        areas: dir
            .areas
            .iter()
            .map(|a| area::Model {
                id: a.id.to_string(),
                municipality: a.municipality.to_string(),
                kind: area_kind_code(a.kind).to_owned(),
                name: a.name.clone(),
                kana: a.kana.clone(),
                provenance: json(&a.provenance),
            })
            .collect(),
        needs: dir
            .needs
            .iter()
            .map(|n| need::Model {
                code: n.code.to_string(),
                label: n.label.clone(),
                kana: n.kana.clone(),
                parent: n.parent.as_ref().map(Id::to_string),
                synonyms: json(&n.synonyms),
                cues: json(&n.cues),
                description: n.description.clone(),
                local_names: json(&n.local_names),
                provenance: json(&n.provenance),
            })
            .collect(),
        kinds: dir
            .kinds
            .iter()
            .map(|k| kind::Model {
                code: k.code.to_string(),
                label: k.label.clone(),
                kana: k.kana.clone(),
                parent: k.parent.as_ref().map(Id::to_string),
                synonyms: json(&k.synonyms),
                local_names: json(&k.local_names),
                entry_window: k.entry_window,
                description: k.description.clone(),
                provenance: json(&k.provenance),
            })
            .collect(),
        organizations: dir
            .organizations
            .iter()
            .map(|o| organization::Model {
                id: o.id.to_string(),
                name: o.name.clone(),
                kana: o.kana.clone(),
                kind: o.kind.code().to_owned(),
                parent: o.parent.as_ref().map(Id::to_string),
                municipality: o.municipality.map(|m| m.to_string()),
                service_area: json(&o.service_area),
                description: o.description.clone(),
                contacts: json(&o.contacts),
                url: o.url.clone(),
                member_of: json(&o.member_of),
                provenance: json(&o.provenance),
                verified: latest_verified(&o.provenance),
                hsds: o.hsds.clone(),
            })
            .collect(),
        resources: dir.resources.iter().map(|r| resource_row(r)).collect(),
        links: dir.resources.iter().flat_map(|r| links_of(r)).collect(),
        referrals: dir.referrals.iter().map(|r| referral_row(r)).collect(),
    }
}

/// The `resources` row of one resource.
pub fn resource_row(r: &core::Resource) -> resource::Model {
    resource::Model {
        id: r.id.to_string(),
        name: r.name.clone(),
        kana: r.kana.clone(),
        kind: r.kind.to_string(),
        local_kind_name: r.local_kind_name.clone(),
        description: r.description.clone(),
        needs: json(&r.needs),
        audience: json(&r.audience),
        service_area: json(&r.service_area),
        contacts: json(&r.contacts),
        locations: json(&r.locations),
        schedule: json(&r.schedule),
        cost: json(&r.cost),
        languages: json(&r.languages),
        accessibility: json(&r.accessibility),
        application: json(&r.application),
        status: r.status.code().to_owned(),
        operators: json(&r.operators),
        entry_window: r.entry_window,
        staff_note: r.staff_note.clone(),
        provenance: json(&r.provenance),
        verified: latest_verified(&r.provenance),
        hsds: r.hsds.clone(),
    }
}

/// The `referrals` row of one referral.
pub fn referral_row(r: &core::Referral) -> referral::Model {
    referral::Model {
        id: r.id.to_string(),
        from_id: r.from.to_string(),
        to_id: r.to.to_string(),
        kind: r.kind.code().to_owned(),
        needs: json(&r.needs),
        conditions: json(&r.conditions),
        state: r.state.code().to_owned(),
        note: r.note.clone(),
        provenance: json(&r.provenance),
    }
}

pub fn from_rows(rows: Rows) -> Result<Directory, StoreError> {
    let mut dir = Directory::default();
    for s in rows.sources {
        dir.sources.push(core::Source {
            id: id("sources", &s.id, &s.id)?,
            title: s.title,
            publisher: s.publisher,
            published: s.published,
            file: s.file,
            url: s.url,
            licence: s.licence,
            hsds: s.hsds,
        });
    }
    for m in rows.municipalities {
        let t = "municipalities";
        dir.municipalities.push(core::Municipality {
            code: code(t, &m.code, &m.code)?,
            parent: m.parent.as_deref().map(|p| code(t, &m.code, p)).transpose()?,
            provenance: parse(t, &m.code, "provenance", &m.provenance)?,
            name: m.name,
            kana: m.kana,
        });
    }
    for a in rows.areas {
        let t = "areas";
        let kind = AREA_KINDS
            .into_iter()
            .find(|k| area_kind_code(*k) == a.kind)
            .ok_or_else(|| corrupt(t, &a.id, format!("unknown area kind `{}`", a.kind)))?;
        dir.areas.push(core::Area {
            id: id(t, &a.id, &a.id)?,
            municipality: code(t, &a.id, &a.municipality)?,
            kind,
            provenance: parse(t, &a.id, "provenance", &a.provenance)?,
            name: a.name,
            kana: a.kana,
        });
    }
    for n in rows.needs {
        let t = "needs";
        dir.needs.push(core::Need {
            code: id(t, &n.code, &n.code)?,
            parent: n.parent.as_deref().map(|p| id(t, &n.code, p)).transpose()?,
            synonyms: parse(t, &n.code, "synonyms", &n.synonyms)?,
            cues: parse(t, &n.code, "cues", &n.cues)?,
            local_names: parse(t, &n.code, "local_names", &n.local_names)?,
            provenance: parse(t, &n.code, "provenance", &n.provenance)?,
            label: n.label,
            kana: n.kana,
            description: n.description,
        });
    }
    for k in rows.kinds {
        let t = "kinds";
        dir.kinds.push(core::Kind {
            code: id(t, &k.code, &k.code)?,
            parent: k.parent.as_deref().map(|p| id(t, &k.code, p)).transpose()?,
            synonyms: parse(t, &k.code, "synonyms", &k.synonyms)?,
            local_names: parse(t, &k.code, "local_names", &k.local_names)?,
            provenance: parse(t, &k.code, "provenance", &k.provenance)?,
            label: k.label,
            kana: k.kana,
            entry_window: k.entry_window,
            description: k.description,
        });
    }
    for o in rows.organizations {
        let t = "organizations";
        let key = o.id.clone();
        dir.organizations.push(core::Organization {
            id: id(t, &key, &o.id)?,
            kind: core::OrganizationKind::from_code(&o.kind)
                .ok_or_else(|| corrupt(t, &key, format!("unknown organization kind `{}`", o.kind)))?,
            parent: o.parent.as_deref().map(|p| id(t, &key, p)).transpose()?,
            municipality: o.municipality.as_deref().map(|m| code(t, &key, m)).transpose()?,
            service_area: parse(t, &key, "service_area", &o.service_area)?,
            contacts: parse(t, &key, "contacts", &o.contacts)?,
            member_of: parse(t, &key, "member_of", &o.member_of)?,
            provenance: parse(t, &key, "provenance", &o.provenance)?,
            name: o.name,
            kana: o.kana,
            description: o.description,
            url: o.url,
            hsds: o.hsds,
        });
    }
    for r in rows.resources {
        let t = "resources";
        let key = r.id.clone();
        dir.resources.push(std::sync::Arc::new(core::Resource {
            id: id(t, &key, &r.id)?,
            kind: id(t, &key, &r.kind)?,
            needs: parse(t, &key, "needs", &r.needs)?,
            audience: parse(t, &key, "audience", &r.audience)?,
            service_area: parse(t, &key, "service_area", &r.service_area)?,
            contacts: parse(t, &key, "contacts", &r.contacts)?,
            locations: parse(t, &key, "locations", &r.locations)?,
            schedule: parse(t, &key, "schedule", &r.schedule)?,
            cost: parse(t, &key, "cost", &r.cost)?,
            languages: parse(t, &key, "languages", &r.languages)?,
            accessibility: parse(t, &key, "accessibility", &r.accessibility)?,
            application: parse(t, &key, "application", &r.application)?,
            status: core::Status::from_code(&r.status)
                .ok_or_else(|| corrupt(t, &key, format!("unknown status `{}`", r.status)))?,
            operators: parse(t, &key, "operators", &r.operators)?,
            provenance: parse(t, &key, "provenance", &r.provenance)?,
            name: r.name,
            kana: r.kana,
            local_kind_name: r.local_kind_name,
            description: r.description,
            entry_window: r.entry_window,
            staff_note: r.staff_note,
            hsds: r.hsds,
        }));
    }
    for r in rows.referrals {
        let t = "referrals";
        let key = r.id.clone();
        dir.referrals.push(std::sync::Arc::new(core::Referral {
            id: id(t, &key, &r.id)?,
            from: id(t, &key, &r.from_id)?,
            to: id(t, &key, &r.to_id)?,
            kind: core::ReferralKind::from_code(&r.kind)
                .ok_or_else(|| corrupt(t, &key, format!("unknown referral kind `{}`", r.kind)))?,
            needs: parse(t, &key, "needs", &r.needs)?,
            conditions: parse(t, &key, "conditions", &r.conditions)?,
            state: core::ReferralState::from_code(&r.state)
                .ok_or_else(|| corrupt(t, &key, format!("unknown referral state `{}`", r.state)))?,
            note: r.note,
            provenance: parse(t, &key, "provenance", &r.provenance)?,
        }));
    }
    Ok(dir)
}
